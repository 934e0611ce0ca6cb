"""``ApiClientHelpers``: the public helpers of OpenAPI Generator's ``ApiClient``, on top of this runtime.

A generated ``ApiClient`` inherits them, so code written against an OpenAPI Generator client keeps working:

- ``ApiClient.get_default()`` / ``set_default()``: the client API classes use when given none (shared);
- ``sanitize_for_serialization(obj)``: models, enums, dates, Decimals… as JSON-ready data;
- ``deserialize(response_text, response_type, content_type)``: a payload received elsewhere (a webhook, a
  file) parsed into the type named by ``response_type`` (``"Pet"``, ``"List[Pet]"``, ``"Dict[str, int]"``,
  ``"datetime"``…, or a type object).

No I/O happens here.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import importlib
import json
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .exceptions import ApiException, ApiValueError

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["ApiClientHelpers", "parse_type_name"]

# What OpenAPI Generator's clients accept as JSON and as text media types.
_JSON_MEDIA = re.compile(
    r"^application/(json|[\w!#$&.+\-^_]+\+json)\s*(;|$)", re.IGNORECASE
)
_TEXT_MEDIA = re.compile(r"^text/[a-z.+-]+\s*(;|$)", re.IGNORECASE)

_NAMED_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "bytes": bytes,
    "bytearray": bytes,
    "date": datetime.date,
    "datetime": datetime.datetime,
    "decimal": decimal.Decimal,
    "Decimal": decimal.Decimal,
    "object": Any,
    "Any": Any,
}
_GENERIC = re.compile(r"\s*(List|list|Dict|dict|Optional)\[(.*)\]\s*\Z", re.DOTALL)


def parse_type_name(name: str, models: Any) -> Any:
    """The type a type name stands for: a builtin or date type, a model of ``models`` (a module or
    mapping), or ``List[...]``/``Dict[..., ...]``/``Optional[...]`` of those."""
    generic = _GENERIC.match(name)
    if generic is not None:
        kind, inner = generic.groups()
        args = [parse_type_name(part, models) for part in _split_arguments(inner)]
        if kind.lower() == "list" and len(args) == 1:
            return list[args[0]]  # type: ignore[valid-type]
        if kind.lower() == "dict" and len(args) == 2:
            return dict[args[0], args[1]]  # type: ignore[valid-type]
        if kind == "Optional" and len(args) == 1:
            return args[0] | None
        raise ApiValueError(f"cannot read the type name {name!r}")
    key = name.strip()
    if key in _NAMED_TYPES:
        return _NAMED_TYPES[key]
    found = (
        models.get(key) if isinstance(models, Mapping) else getattr(models, key, None)
    )
    if found is None:
        raise ApiValueError(f"unknown type name {key!r}")
    return found


def _split_arguments(text: str) -> list[str]:
    """``"str, Dict[str, int]"`` → ``["str", "Dict[str, int]"]`` (commas inside brackets kept)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


class ApiClientHelpers:
    """Mixed into the generated ``ApiClient`` (see the module docstring)."""

    _default_client: ClassVar[Any] = None

    @classmethod
    def get_default(cls) -> Self:
        """The client API classes use when created without one (made on first use, then shared)."""
        client = cls.__dict__.get("_default_client")
        if not isinstance(client, cls):
            client = cls()
            cls._default_client = client
        return client

    @classmethod
    def set_default(cls, default: Any) -> None:
        """Make ``default`` the client API classes use when created without one (None: a new one on
        next use)."""
        cls._default_client = default

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """``obj`` as JSON-ready data, as OpenAPI Generator's clients build request bodies: None, str, int,
        float, bool and bytes as they are, enums as their value, dates as ISO 8601 text, Decimals and
        UUIDs as text, lists and tuples item by item, dicts value by value, models as their dict by wire
        name (fields left unset are left out), other objects by their ``__dict__``."""
        if obj is None:
            return None
        if isinstance(obj, enum.Enum):
            return self.sanitize_for_serialization(obj.value)
        if isinstance(obj, (str, int, float, bool, bytes)):
            return obj
        if isinstance(obj, list):
            return [self.sanitize_for_serialization(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.sanitize_for_serialization(item) for item in obj)
        if isinstance(obj, (set, frozenset)):
            return [self.sanitize_for_serialization(item) for item in obj]
        if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
            return obj.isoformat()
        if isinstance(obj, decimal.Decimal):
            return str(obj)
        if isinstance(obj, uuid.UUID):
            return str(obj)
        secret = getattr(obj, "get_secret_value", None)
        if callable(secret):  # pydantic's SecretStr / SecretBytes
            return self.sanitize_for_serialization(secret())
        if isinstance(obj, Mapping):
            return {
                key: self.sanitize_for_serialization(value)
                for key, value in obj.items()
            }
        data = _model_data(obj)
        return self.sanitize_for_serialization(data)

    def deserialize(
        self,
        response_text: str | bytes,
        response_type: str | Any,
        content_type: str | None,
    ) -> Any:
        """Parse a payload into ``response_type`` (a type name as OpenAPI Generator's clients take it, or a
        type). JSON media types (``application/json``, ``application/*+json``) are parsed as JSON, ``text/*``
        is taken as it is, no ``content_type`` tries JSON and falls back to the text; any other media type
        raises ``ApiException``. Raises ``ValidationError`` when the data does not fit the type.
        """
        text = (
            response_text.decode("utf-8")
            if isinstance(response_text, (bytes, bytearray))
            else response_text
        )
        data: Any
        if content_type is None:
            try:
                data = json.loads(text)
            except ValueError:
                data = text
        elif _JSON_MEDIA.match(content_type):
            data = json.loads(text) if text != "" else None
        elif _TEXT_MEDIA.match(content_type):
            data = text
        else:
            raise ApiException(
                status=0, reason=f"Unsupported content type: {content_type}"
            )
        target = (
            parse_type_name(response_type, self._models_namespace())
            if isinstance(response_type, str)
            else response_type
        )
        return _convert(data, target)

    @classmethod
    def _models_namespace(cls) -> Any:
        """The generated package's ``models`` (where type names are looked up)."""
        package = cls.__module__.rpartition(".")[0]
        try:
            return importlib.import_module(f"{package}.models") if package else {}
        except ImportError:
            return {}


def _model_data(obj: Any) -> Any:
    """A model's data in Python form by wire name (unset fields left out), or an object's ``__dict__``."""
    dump = getattr(obj, "model_dump", None)
    if callable(dump) and hasattr(
        type(obj), "from_dict"
    ):  # one of the generated models
        return dump(by_alias=True, exclude_unset=True)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return dict(vars(obj))


def _convert(data: Any, target: Any) -> Any:
    if data is None:
        return None
    if target is decimal.Decimal and isinstance(data, (int, float, str)):
        return decimal.Decimal(
            data
        )  # OpenAPI Generator's clients convert the number itself
    if target is str and isinstance(data, str):
        return data
    from pydantic import TypeAdapter

    return _adapter(target, TypeAdapter).validate_python(data)


_ADAPTERS: dict[Any, Any] = {}


def _adapter(target: Any, factory: Any) -> Any:
    try:
        cached = _ADAPTERS.get(target)
    except TypeError:  # unhashable
        return factory(target)
    if cached is None:
        cached = factory(target)
        if len(_ADAPTERS) < 256:
            _ADAPTERS[target] = cached
    return cached
