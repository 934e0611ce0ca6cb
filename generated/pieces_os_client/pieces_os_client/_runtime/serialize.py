"""Parameter serialisation following OpenAPI 3 ``style``/``explode`` rules.

Values are first made JSON-compatible (models by alias, enums by value, dates ISO 8601), then written as
the style says: booleans as ``true``/``false``; None (and None items) are left out, never sent as "None".
Path values are percent-encoded so that ``/``, ``?``, ``#``, spaces, non-ASCII text and dot segments cannot
change the path. Query pieces come back already encoded, in argument order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from .endpoint import Param
from .exceptions import ApiValueError
from .models import to_jsonable

__all__ = [
    "cookie_name",
    "cookie_value",
    "encode_form",
    "format_cookie_header",
    "percent_encode",
    "scalar_to_str",
    "serialize_cookie",
    "serialize_header",
    "serialize_path",
    "serialize_query",
]

RESERVED = ":/?#[]@!$&'()*+,;="
# Reserved characters that may stay literal in a query value without changing how it is split.
_QUERY_RESERVED_SAFE = ":/?[]@!$'()*,;"
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"
# A cookie name is an RFC 9110 token: these punctuation characters and letters and digits.
_TOKEN_SAFE = "!#$&'*+-.^_`|~"
_ONLY_DOTS = re.compile(r"\.+")
_BAD_HEADER_CHARS = re.compile(r"[\r\n\x00]")


def percent_encode(text: str, allow_reserved: bool = False) -> str:
    """Percent-encode everything except RFC 3986 unreserved characters (and reserved ones if allowed)."""
    return quote(text, safe=RESERVED if allow_reserved else "")


def scalar_to_str(value: Any) -> str:
    """A JSON-compatible scalar as parameter text: ``true``/``false``, numbers as JSON writes them, and
    nested arrays/objects as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _normalise(value: Any) -> Any:
    """JSON-compatible value with None items/entries dropped (None stays None)."""
    data = to_jsonable(value)
    if isinstance(data, list):
        return [v for v in data if v is not None]
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v is not None}
    return data


def _items(
    data: Mapping[str, Any], explode: bool, kv_sep: str, enc: Callable[[str], str]
) -> list[str]:
    if explode:
        return [f"{enc(k)}{kv_sep}{enc(scalar_to_str(v))}" for k, v in data.items()]
    return [piece for k, v in data.items() for piece in (enc(k), enc(scalar_to_str(v)))]


def serialize_path(param: Param, value: Any) -> str:
    """The encoded text replacing ``{name}`` in the path template (styles simple, label, matrix)."""
    if (type(value) is str or type(value) is int) and (
        param.style is None or param.style == "simple"
    ):  # the common case, without the general machinery
        out = quote(str(value), safe=RESERVED if param.allow_reserved else "")
        if _ONLY_DOTS.fullmatch(out):
            out = out.replace(".", "%2E")
        return out
    data = _normalise(value)
    style, explode = param.effective_style, param.effective_explode

    def enc(text: str) -> str:
        return percent_encode(text, param.allow_reserved)

    name = enc(param.wire_name)
    if isinstance(data, dict):
        pieces = _items(data, explode, "=", enc)
        if style == "label":
            out = "." + ("." if explode else ",").join(pieces)
        elif style == "matrix":
            out = (
                "".join(f";{p}" for p in pieces)
                if explode
                else f";{name}=" + ",".join(pieces)
            )
        else:
            out = ",".join(pieces)
    elif isinstance(data, list):
        texts = [enc(scalar_to_str(v)) for v in data]
        if style == "label":
            out = "." + ("." if explode else ",").join(texts)
        elif style == "matrix":
            if explode:
                out = "".join(f";{name}={t}" for t in texts)
            else:
                out = f";{name}=" + ",".join(texts)
        else:
            out = ",".join(texts)
    else:
        text = enc(scalar_to_str(data))
        if style == "label":
            out = "." + text
        elif style == "matrix":
            out = f";{name}={text}" if text else f";{name}"
        else:
            out = text
    if _ONLY_DOTS.fullmatch(out):  # "." / ".." would be a dot segment
        out = out.replace(".", "%2E")
    return out


def serialize_query(param: Param, value: Any) -> list[str]:
    """Encoded ``name=value`` pieces for one query parameter (form, spaceDelimited, pipeDelimited,
    deepObject); empty when the value is None."""
    if value is None:
        return []

    def enc(text: str) -> str:
        return quote(text, safe=_QUERY_RESERVED_SAFE if param.allow_reserved else "")

    name = quote(param.wire_name, safe="")
    if param.content_type is not None:
        text = json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False)
        return [f"{name}={enc(text)}"]
    data = _normalise(value)
    style, explode = param.effective_style, param.effective_explode
    sep = {"spaceDelimited": "%20", "pipeDelimited": "%7C"}.get(style, ",")
    if isinstance(data, dict):
        if style == "deepObject":
            return _deep_object(name, data, enc)
        if explode and style == "form":
            return [f"{enc(k)}={enc(scalar_to_str(v))}" for k, v in data.items()]
        return [f"{name}=" + sep.join(_items(data, False, "=", enc))]
    if isinstance(data, list):
        texts = [enc(scalar_to_str(v)) for v in data]
        if explode:
            return [f"{name}={t}" for t in texts]
        return [f"{name}=" + sep.join(texts)]
    return [f"{name}={enc(scalar_to_str(data))}"]


def _deep_object(prefix: str, data: Any, enc: Callable[[str], str]) -> list[str]:
    if isinstance(data, dict):
        return [
            p
            for k, v in data.items()
            for p in _deep_object(f"{prefix}%5B{enc(k)}%5D", v, enc)
        ]
    if isinstance(data, list):
        return [p for v in data for p in _deep_object(prefix, v, enc)]
    if data is None:
        return []
    return [f"{prefix}={enc(scalar_to_str(data))}"]


def serialize_header(param: Param, value: Any) -> str | None:
    """The header value (style simple), or None when the value is None. CR/LF are refused."""
    if value is None:
        return None
    if param.content_type is not None:
        text = json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False)
    else:
        data = _normalise(value)
        if isinstance(data, dict):
            text = ",".join(_items(data, param.effective_explode, "=", str))
        elif isinstance(data, list):
            text = ",".join(scalar_to_str(v) for v in data)
        else:
            text = scalar_to_str(data)
    if _BAD_HEADER_CHARS.search(text):
        raise ApiValueError(
            f"header parameter {param.wire_name!r} contains a line break or NUL"
        )
    return text


def serialize_cookie(param: Param, value: Any) -> list[tuple[str, str]]:
    """``(encoded name, encoded value)`` cookie pairs (style form); empty when the value is None.

    Names (an exploded object's keys too) and values are percent-encoded, so no value can add a cookie
    (``{"admin=1; x": "v"}``) or a header."""
    if value is None:
        return []
    enc = cookie_value
    name = cookie_name(param.wire_name)
    if param.content_type is not None:
        text = json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False)
        return [(name, enc(text))]
    data = _normalise(value)
    explode = param.effective_explode
    if isinstance(data, dict):
        if explode:
            return [(cookie_name(k), enc(scalar_to_str(v))) for k, v in data.items()]
        return [(name, ",".join(_items(data, False, "=", enc)))]
    if isinstance(data, list):
        texts = [enc(scalar_to_str(v)) for v in data]
        if explode:
            return [(name, t) for t in texts]
        return [(name, ",".join(texts))]
    return [(name, enc(scalar_to_str(data)))]


def cookie_name(text: str) -> str:
    """A cookie name percent-encoded to a token, so it cannot carry ``=``, ``;`` or a line break."""
    return quote(text, safe=_TOKEN_SAFE)


def cookie_value(text: str) -> str:
    """A cookie value percent-encoded to cookie octets (no ``;``, ``,``, space, quote or control
    character); base64 and the usual token alphabets pass unchanged."""
    return quote(text, safe=_COOKIE_SAFE)


def format_cookie_header(pairs: Iterable[tuple[str, str]]) -> str:
    """``a=1; b=2`` from pairs already encoded (``serialize_cookie``, ``cookie_name``/``cookie_value``)."""
    return "; ".join(f"{name}={value}" for name, value in pairs)


def encode_form(pairs: Iterable[tuple[str, Any]]) -> bytes:
    """An ``application/x-www-form-urlencoded`` body; None values are left out, lists repeat the key,
    objects are sent as JSON text."""
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        data = _normalise(value)
        if data is None:
            continue
        for item in data if isinstance(data, list) else [data]:
            out.append((name, scalar_to_str(item)))
    return urlencode(out).encode("ascii")
