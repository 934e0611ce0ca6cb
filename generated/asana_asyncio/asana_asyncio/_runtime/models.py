"""Pydantic base classes for generated models, and ``to_jsonable()`` for request bodies.

Generated models subclass ``ApiModel``: unknown fields from the server are kept (``extra="allow"``), fields
are filled by Python name or wire alias, serialised by alias, and schemas are built on first use
(``defer_build``) so importing a large package stays fast.
"""

from __future__ import annotations

import base64
import datetime
import enum
import gc
import json
import pprint
import sys
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pydantic
import pydantic_core
from pydantic import ConfigDict, RootModel

from .decimals import decimal_text

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Self

__all__ = ["ApiModel", "ApiRootModel", "to_jsonable", "validate_large", "without_gc"]

T = TypeVar("T")
R = TypeVar("R")

GC_PAUSE_MIN_SIZE = 64 * 1024
"""JSON documents at least this long (characters or bytes) are validated with the cyclic GC paused."""


def validate_large(validate: Callable[[Any], R], data: Any, size: int) -> R:
    """``validate(data)``, with Python's cyclic garbage collector paused when ``size`` is large.

    Validating a large document creates millions of model objects, none of them in reference cycles, and
    the collector would otherwise run repeatedly over them and over everything else alive (a previous
    parse result, say): most of the time of a multi-megabyte parse. It is paused only if it is enabled
    and switched back on afterwards, whatever happens.
    """
    if size < GC_PAUSE_MIN_SIZE or not gc.isenabled():
        return validate(data)
    gc.disable()
    try:
        return validate(data)
    finally:
        gc.enable()


def without_gc(make: Callable[[], R]) -> R:
    """``make()`` with the cyclic garbage collector paused (when it is enabled; switched back on after).

    ``to_dict``/``to_json`` build a fresh Python object for every value of a model: for a large model
    the collector would otherwise run again and again over everything alive (the model itself among
    it), most of the time of the call (0.82 s instead of 0.24 s for a 6 MB Pieces ``Assets``). What is
    built holds no reference cycles, so nothing is left for the collector to find.
    """
    if not gc.isenabled():
        return make()
    gc.disable()
    try:
        return make()
    finally:
        gc.enable()


_CONFIG = ConfigDict(
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
    defer_build=True,
    protected_namespaces=(),
    validate_assignment=True,
)


class ApiModel(pydantic.BaseModel):
    """Base of every generated object model.

    Assignments are validated (``pet.status = "bogus"`` raises ``ValidationError``). Fields the schema
    does not declare are kept: ``additional_properties`` is the dict of them, and they are serialised
    beside the declared fields, as in OpenAPI Generator's clients.
    """

    model_config = ConfigDict(extra="allow", **_CONFIG)

    @property
    def additional_properties(self) -> dict[str, Any]:
        """The fields the schema does not declare, by wire name (a live dict: changing it changes the
        model)."""
        extra = self.__pydantic_extra__
        if extra is None:  # a subclass that forbids or ignores extra fields
            extra = {}
        return extra

    @additional_properties.setter
    def additional_properties(self, values: Mapping[str, Any]) -> None:
        extra = self.__pydantic_extra__
        if extra is None:
            raise AttributeError(
                f"{type(self).__name__} does not allow additional properties"
            )
        # Replaced as given, as OpenAPI Generator's clients do (a parsed payload is validated).
        extra.clear()
        extra.update(values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible dict by wire name; unset fields are left out, fields set to None are kept."""
        return without_gc(self._json_data)

    def _json_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        """``json.dumps(self.to_dict())``: the text OpenAPI Generator's clients produce (``", "`` and
        ``": "`` separators, non-ASCII escaped)."""
        return without_gc(self._json_text)

    def _json_text(self) -> str:
        # The data is a fresh tree of dicts and lists: it cannot hold a cycle to check for.
        return json.dumps(self._json_data(), check_circular=False)

    def to_str(self) -> str:
        """A readable, pretty-printed form of every field (unset ones too, with their defaults) and of
        ``additional_properties``, as OpenAPI Generator's clients print models."""
        return pprint.pformat(_readable(self))

    @classmethod
    def from_dict(cls, obj: Any) -> Self:
        """Validate a parsed JSON value (dict) into the model."""
        return cls.model_validate(obj)

    @classmethod
    def from_json(cls, json_str: str | bytes | bytearray) -> Self:
        """Parse and validate JSON text into the model."""
        return validate_large(cls.model_validate_json, json_str, len(json_str))


class ApiRootModel(RootModel[T], Generic[T]):
    """Base of generated named array / map / scalar schemas (``class Tags(ApiRootModel[list[str]])``)."""

    model_config = ConfigDict(**_CONFIG)

    def to_dict(self) -> Any:
        """The JSON-compatible root value (named after ``ApiModel.to_dict`` for symmetry)."""
        return without_gc(self._json_data)

    def _json_data(self) -> Any:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        """``json.dumps(self.to_dict())``, as ``ApiModel.to_json``."""
        return without_gc(lambda: json.dumps(self._json_data(), check_circular=False))

    def to_str(self) -> str:
        """A readable, pretty-printed form of the root value."""
        return pprint.pformat(self.to_dict())

    @classmethod
    def from_dict(cls, obj: Any) -> Self:
        """Validate a parsed JSON value into the root model."""
        return cls.model_validate(obj)

    @classmethod
    def from_json(cls, json_str: str | bytes | bytearray) -> Self:
        """Parse and validate JSON text into the root model."""
        return validate_large(cls.model_validate_json, json_str, len(json_str))


def _readable(value: Any) -> Any:
    """What ``to_str`` prints: models as dicts of all their fields by wire name plus
    ``additional_properties``; values as they are (enums, dates), containers walked."""
    if isinstance(value, ApiModel):
        out: dict[str, Any] = {}
        for name, info in type(value).model_fields.items():
            out[info.serialization_alias or name] = _readable(getattr(value, name))
        out["additional_properties"] = {
            key: _readable(item) for key, item in value.additional_properties.items()
        }
        return out
    if isinstance(value, pydantic.BaseModel):
        to_dict = getattr(value, "to_dict", None)
        return _readable(to_dict() if callable(to_dict) else value.model_dump())
    if isinstance(value, (list, tuple)):
        return [_readable(item) for item in value]
    if isinstance(value, dict):
        return {key: _readable(item) for key, item in value.items()}
    return value


def to_jsonable(value: Any) -> Any:
    """Turn a request value into JSON-compatible data (dict/list/str/int/float/bool/None).

    Accepts models (dumped by alias, unset fields left out), plain dicts and lists containing models,
    enums (their value), dates/datetimes/times (ISO 8601), UUIDs (str), Decimals (their exact digits as
    text, fixed-point: ``decimals.decimal_text``), bytes
    (base64, as for ``format: byte``) and sets/tuples (lists). Dict keys become strings.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, enum.Enum):
            return to_jsonable(value.value)
        return value
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Mapping):
        return {_key(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return pydantic_core.to_jsonable_python(value, by_alias=True)


def _key(key: Any) -> str:
    jsonable = to_jsonable(key)
    return jsonable if isinstance(jsonable, str) else json.dumps(jsonable)
