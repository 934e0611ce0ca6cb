"""Decimals on the wire, exact both ways (``format: decimal``, and the forms pydantic writes for ``Decimal``).

A ``decimal.Decimal`` is never turned into a float by the client:

- a decimal the spec declares ``type: string`` is sent as a JSON string in fixed-point notation
  (``"12.30"``, ``"0.0000001"``: never ``"1E-7"``), in bodies and in parameters alike;
- a decimal declared ``type: number`` is sent as a JSON number written with the Decimal's own digits
  (``12345678901234567890.123456789``); only bodies that can hold one take that path (``Body.exact_numbers``,
  decided when the client is generated);
- the response of an operation whose declared types hold a decimal is parsed with ``parse_float=Decimal``
  (``Endpoint.exact_decimals``), so a JSON number reaches a ``Decimal`` field with all its digits; the other
  operations are parsed as before, at no extra cost.

Model fields carry which form they take as ``Annotated`` metadata (``DECIMAL_TEXT``, ``DECIMAL_NUMBER``,
re-exported by ``validators``, which generated models import as ``_v``). pydantic's JSON writer can only write
a number from a float or an int, so a ``type: number`` decimal is written, while a request body is encoded, as a
string carrying a marker that never leaves the process (random, made at import), and the marked strings are
then replaced by their bare digits in the encoded bytes. Outside a request (``to_dict``, ``to_json``) both
forms are the fixed-point text.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pydantic
from pydantic import PlainSerializer, SerializationInfo

__all__ = [
    "DECIMAL_NUMBER",
    "DECIMAL_TEXT",
    "PARSED_JSON",
    "decimal_text",
    "encode_exact_json",
    "parse_exact_json",
]

_MARK = "clientgen-decimal-" + secrets.token_hex(16) + ":"
_CONTEXT = {_MARK: True}
_MARKED = re.compile(b'"' + _MARK.encode("ascii") + b'([-+.0-9A-Za-z]+)"')


def decimal_text(value: Decimal) -> str:
    """The Decimal's exact digits in fixed-point notation (``Decimal("1E-7")`` → ``"0.0000001"``);
    ``NaN``/``Infinity`` as Python writes them."""
    return format(value, "f") if value.is_finite() else str(value)


def _as_text(value: Decimal) -> str:
    return decimal_text(value)


def _as_number(value: Decimal, info: SerializationInfo) -> str:
    context = info.context
    if isinstance(context, Mapping) and context.get(_MARK):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as a JSON number")
        return _MARK + str(value)  # str: the shortest exact form, a valid JSON number
    return decimal_text(value)


DECIMAL_TEXT = PlainSerializer(_as_text, return_type=str, when_used="json")
"""A ``type: string`` decimal: JSON text in fixed-point notation."""

DECIMAL_NUMBER = PlainSerializer(_as_number, return_type=str, when_used="json")
"""A ``type: number`` decimal: a JSON number with its own digits in a request body (fixed-point text in
``to_dict``/``to_json``)."""


def _marked(value: Any) -> Any:
    """A request value as JSON-compatible data, bare Decimals and models' ``type: number`` decimals as
    marked strings."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(
            mode="json", by_alias=True, exclude_unset=True, context=_CONTEXT
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as a JSON number")
        return _MARK + str(value)
    if isinstance(value, Mapping):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_marked(v) for v in value]
    return value


def encode_exact_json(value: Any, to_jsonable: Any) -> bytes:
    """A JSON request body whose ``type: number`` decimals are JSON numbers with their exact digits.

    ``to_jsonable`` converts what is neither a model, a Decimal nor a container (dates, enums, UUIDs...).
    """
    if isinstance(value, pydantic.BaseModel):
        encoded = value.__pydantic_serializer__.to_json(
            value, by_alias=True, exclude_unset=True, context=_CONTEXT
        )
    else:
        data = _marked(value)
        encoded = json.dumps(
            data, separators=(",", ":"), ensure_ascii=False, default=to_jsonable
        ).encode("utf-8")
    return _MARKED.sub(rb"\1", encoded)


PARSED_JSON: Mapping[str, bool] = {"clientgen.parsed_json": True}
"""The validation context of a response parsed by ``parse_exact_json`` and validated as Python data:
``validators.Limits`` then leaves the schema's constraints unchecked, as for JSON validated from text."""


def parse_exact_json(body: bytes) -> Any:
    """A JSON document with every non-integer number as an exact ``Decimal`` (integers stay ``int``)."""
    return json.loads(body, parse_float=Decimal)
