"""``ApiResponse`` and turning a response body into the type an operation declares."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pydantic

from .decimals import PARSED_JSON, parse_exact_json
from .endpoint import NOT_DECLARED, Endpoint
from .enums import ACCEPT_UNKNOWN
from .exceptions import (
    ERROR_BODY_LIMIT,
    ApiException,
    ResponseValidationError,
    exception_for_status,
)
from .models import GC_PAUSE_MIN_SIZE, validate_large
from .validation import describe_mismatch

__all__ = [
    "ApiResponse",
    "NOT_DECLARED",
    "api_response",
    "decode_message",
    "decode_response",
    "decoder",
    "is_json_content_type",
    "make_api_response",
    "response_type_for",
    "status_exception",
    "validate_parsed",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ApiResponse(Generic[T]):
    """A decoded response: status, headers, the decoded ``data`` and the raw body bytes."""

    status_code: int
    headers: Mapping[str, str]
    data: T
    raw_data: bytes


_new_object = object.__new__
_set_status, _set_headers, _set_data, _set_raw = (
    ApiResponse.__dict__[name].__set__  # the slots' own descriptors
    for name in ("status_code", "headers", "data", "raw_data")
)


def api_response(
    status: int, headers: Mapping[str, str], data: Any, raw_data: bytes
) -> ApiResponse[Any]:
    """``ApiResponse(status, headers, data, raw_data)``, with its slots filled directly rather than by
    the frozen dataclass's ``__init__`` (``object.__setattr__`` per field): made once per call, where
    the client benchmark counts every step."""
    response: ApiResponse[Any] = _new_object(ApiResponse)
    _set_status(response, status)
    _set_headers(response, headers)
    _set_data(response, data)
    _set_raw(response, raw_data)
    return response


def response_type_for(endpoint: Endpoint, status: int) -> Any:
    """The declared type for a status: exact code, then ``"2XX"``-style range, then ``"default"``;
    ``NOT_DECLARED`` when none applies (``Endpoint.response_type``)."""
    return endpoint.response_type(status)


@functools.lru_cache(maxsize=1024)
def _cached_adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """The ``TypeAdapter`` of a declared type, made once per type (a type expression that cannot be
    hashed gets a new one)."""
    try:
        return _cached_adapter(tp)
    except TypeError:
        return pydantic.TypeAdapter(tp)


@functools.lru_cache(maxsize=256)
def is_json_content_type(content_type: str | None) -> bool:
    """``application/json``, ``application/problem+json``, ``text/json`` and the like."""
    if not content_type:
        return False
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime.endswith("/json") or mime.endswith("+json")


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def _text(endpoint: Endpoint, status: int, content_type: str, body: bytes) -> str:
    """The body as text in its declared charset (undecodable bytes replaced); a charset Python does not
    know as a text encoding raises ``ResponseValidationError``."""
    charset = _charset(content_type)
    try:
        return body.decode(charset, errors="replace")
    except LookupError as exc:
        raise ResponseValidationError(
            endpoint.operation_id,
            "",
            f"unknown charset {charset!r} (Content-Type {content_type!r})",
            body=body,
            status=status,
        ) from exc


def _content_type(headers: Mapping[str, str]) -> str:
    value = headers.get(
        "Content-Type"
    )  # one lookup in urllib3's / aiohttp's case-insensitive headers
    if value is not None:
        return value
    for key, value in headers.items():
        if key.lower() == "content-type":
            return value
    return ""


def decode_response(
    endpoint: Endpoint, status: int, headers: Mapping[str, str], body: bytes
) -> Any:
    """Decode ``body`` into the type declared for ``status``.

    No body, 204, a ``None`` type or no declared type → None. Declared ``bytes`` → the raw bytes;
    declared ``str`` with a non-JSON content type → text. JSON content types, and any structured declared
    type, → parsed and validated with pydantic (a mismatch raises ``ResponseValidationError`` naming the
    operation and the field path); an enum value the spec does not list is kept (``enums.ApiEnum``).
    Declared ``Any`` with a non-JSON body → str for ``text/*``, else bytes.
    """
    tp = endpoint.response_type(status)
    if tp is None or tp is NOT_DECLARED or status == 204 or not body:
        return None
    content_type = _content_type(headers)
    if tp is bytes:
        return body
    is_json = is_json_content_type(content_type)
    if not is_json and tp is str:
        return _text(endpoint, status, content_type, body)
    if not is_json and tp in (Any, object):
        if content_type.lower().startswith("text/"):
            return _text(endpoint, status, content_type, body)
        return body
    # JSON declared, or a structured type declared whatever the content type says. Enums accept values
    # the spec does not list while a response is decoded (``enums.ApiEnum``).
    token = ACCEPT_UNKNOWN.set(True)
    try:
        if endpoint.exact_decimals:
            return _decode_exact(endpoint, tp, status, content_type, body)
        return _decode_json(endpoint, tp, status, content_type, body)
    finally:
        ACCEPT_UNKNOWN.reset(token)


Decoder = Callable[[Mapping[str, str], bytes], Any]
"""``decode_response`` of one endpoint and status: ``(headers, body) -> data``."""


def decoder(endpoint: Endpoint, status: int) -> Decoder:
    """``decode_response`` for a ``status`` answer of ``endpoint``, with what depends only on the two
    decided once (``Endpoint.decoder`` keeps it on the endpoint).

    A structured declared type (a model, a list, a union...) is JSON whatever the content type says:
    its body is validated straight from the bytes, and anything else (not UTF-8, not JSON, not
    matching) is handed to ``decode_response``, whose answer or error is then the call's. Every other
    declared type is ``decode_response``'s (``tests/runtime/test_decoders.py`` pins the two together).
    """
    tp = endpoint.response_type(status)
    if tp is None or tp is NOT_DECLARED or status == 204:
        return _no_data
    if endpoint.exact_decimals or tp in (bytes, str, Any, object):
        return functools.partial(decode_response, endpoint, status)
    validate = _adapter(tp).validate_json

    def decode(headers: Mapping[str, str], body: bytes) -> Any:
        if not body:
            return None
        token = ACCEPT_UNKNOWN.set(True)  # as decode_response
        try:
            if len(body) < GC_PAUSE_MIN_SIZE:  # validate_large's own test
                return validate(body)
            return validate_large(validate, body, len(body))
        except pydantic.ValidationError:
            pass  # decode_response says what it is
        finally:
            ACCEPT_UNKNOWN.reset(token)
        return decode_response(endpoint, status, headers, body)

    return decode


def _no_data(headers: Mapping[str, str], body: bytes) -> None:
    """The decoder of a status that declares no body (or 204)."""
    return None


def _decode_json(
    endpoint: Endpoint, tp: Any, status: int, content_type: str, body: bytes
) -> Any:
    """``decode_response`` for a body parsed as JSON and validated against ``tp``."""
    # Parsed and validated in one step from the bytes; anything that is not plain UTF-8 JSON takes the
    # general path below.
    validate = _adapter(tp).validate_json
    try:
        if len(body) < GC_PAUSE_MIN_SIZE:  # validate_large's own test, without the call
            return validate(body)
        return validate_large(validate, body, len(body))
    except pydantic.ValidationError as exc:
        if not _is_json_error(exc):
            raise _validation_error(endpoint, tp, exc, body, status) from exc
    # Not UTF-8 (json.loads reads UTF-16 and UTF-32 too), or not parseable at all: a syntax error, nesting
    # deeper than the parsers go (RecursionError) or an integer too long to convert (ValueError).
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError) as exc:
        return _not_json(endpoint, tp, status, content_type, body, exc)
    try:
        return _adapter(tp).validate_python(parsed)
    except pydantic.ValidationError as exc:
        raise _validation_error(endpoint, tp, exc, body, status) from exc


def _not_json(
    endpoint: Endpoint,
    tp: Any,
    status: int,
    content_type: str,
    body: bytes,
    exc: ValueError | RecursionError,
) -> Any:
    """A body that does not parse as JSON: the text itself where ``str`` is declared, else the error."""
    if tp is str:
        return _text(endpoint, status, content_type, body)
    raise ResponseValidationError(
        endpoint.operation_id,
        "",
        f"not JSON (Content-Type {content_type or 'missing'!r}): {_reason(exc)}",
        body=body,
        status=status,
    ) from exc


def _decode_exact(
    endpoint: Endpoint, tp: Any, status: int, content_type: str, body: bytes
) -> Any:
    """``_decode_json`` for an operation whose declared types hold a Decimal: every non-integer number
    parsed as an exact ``Decimal`` (``decimals.parse_exact_json``; int and float fields take it as pydantic
    does a Python number), then validated."""
    try:
        parsed = parse_exact_json(body)
    except (ValueError, RecursionError) as exc:
        return _not_json(endpoint, tp, status, content_type, body, exc)
    try:
        validate = _adapter(tp).validate_python
        return validate_large(
            lambda data: validate(data, context=PARSED_JSON), parsed, len(body)
        )
    except pydantic.ValidationError as exc:
        raise _validation_error(endpoint, tp, exc, body, status) from exc


def _reason(exc: BaseException) -> str:
    """Why a JSON document could not be parsed, in a few words."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)[:200]


def _is_json_error(exc: pydantic.ValidationError) -> bool:
    """Whether ``validate_json`` failed at parsing rather than at validating."""
    return any(e["type"] == "json_invalid" for e in exc.errors())


def _validation_error(
    endpoint: Endpoint,
    tp: Any,
    exc: pydantic.ValidationError,
    body: bytes,
    status: int,
) -> ResponseValidationError:
    path, message = describe_mismatch(tp, exc)
    return ResponseValidationError(
        endpoint.operation_id, path, message, body=body, status=status
    )


def status_exception(
    endpoint: Endpoint,
    status: int,
    reason: str | None,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
) -> ApiException:
    """The ``ApiException`` subclass for a non-2xx status, with the declared error model in ``.data``
    (None when the body does not match it) and the body text in ``.body``."""
    try:
        error_data = decode_response(endpoint, status, headers, body)
    except ResponseValidationError:
        error_data = None
    return exception_for_status(status)(
        status,
        reason,
        headers=headers,
        body=body[:ERROR_BODY_LIMIT].decode("utf-8", errors="replace"),
        data=error_data,
        method=method,
        url=url,
    )


def make_api_response(
    endpoint: Endpoint,
    status: int,
    reason: str | None,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
) -> ApiResponse[Any]:
    """The decoded ``ApiResponse`` for a 2xx status; otherwise raises ``status_exception(...)``."""
    if 200 <= status <= 299:
        data = endpoint.decoder(status, decoder)(headers, body)
        return api_response(status, headers, data, body)
    raise status_exception(
        endpoint, status, reason, headers, body, method=method, url=url
    )


def decode_message(endpoint: Endpoint, message: str | bytes) -> Any:
    """Decode one WebSocket message (a JSON document) into the operation's ``"200"`` type.

    No declared type → the parsed JSON; declared ``str`` → the text when it is not JSON. Not JSON, or not
    matching the type, raises ``ResponseValidationError`` naming the operation.
    """
    body = message.encode("utf-8") if isinstance(message, str) else message
    tp = endpoint.response_type(200)
    exact = endpoint.exact_decimals
    try:
        parsed = parse_exact_json(body) if exact else json.loads(body)
    except (ValueError, RecursionError) as exc:  # as in decode_response
        if tp is str:
            return body.decode("utf-8", errors="replace")
        raise ResponseValidationError(
            endpoint.operation_id,
            "",
            f"WebSocket message is not JSON: {_reason(exc)}",
            body=body,
            status=200,
        ) from exc
    return validate_parsed(endpoint, tp, parsed, body, exact=exact)


def validate_parsed(
    endpoint: Endpoint, tp: Any, parsed: Any, body: bytes, *, exact: bool = False
) -> Any:
    """The parsed JSON of a WebSocket message or an event's data as ``tp`` (as it is when nothing is
    declared), enum values the spec does not list accepted; ``exact``: numbers were parsed as
    ``Decimal`` (``decimals.parse_exact_json``). Raises ``ResponseValidationError`` naming the operation.
    """
    if tp is None or tp is NOT_DECLARED:
        return parsed
    token = ACCEPT_UNKNOWN.set(True)
    try:
        if exact:
            return _adapter(tp).validate_python(parsed, context=PARSED_JSON)
        return _adapter(tp).validate_python(parsed)
    except pydantic.ValidationError as exc:
        raise _validation_error(endpoint, tp, exc, body, 200) from exc
    finally:
        ACCEPT_UNKNOWN.reset(token)
