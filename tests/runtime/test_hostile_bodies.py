"""Bodies a broken or hostile server may send: they end in the package's own exceptions, never in a raw
``RecursionError``, ``ValueError`` or ``LookupError``, and error objects keep only a bounded prefix of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from generator.runtime.endpoint import Endpoint
from generator.runtime.exceptions import (
    ERROR_BODY_LIMIT,
    ApiException,
    ResponseValidationError,
)
from generator.runtime.models import ApiModel
from generator.runtime.response import (
    decode_message,
    decode_response,
    make_api_response,
    status_exception,
)


class Counter(ApiModel):
    n: int | None = None
    x: Any = None


DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_IN_FIELD = b'{"x":' + DEEP_ARRAY + b"}"
BIG_INT = b'{"n": ' + b"9" * 5_000 + b"}"
BIG_INT_BARE = b"9" * 5_000
JSON = "application/json"

TYPES: list[Any] = [Counter, Any, dict, int, str, list[int]]


def _endpoint(tp: Any) -> Endpoint:
    return Endpoint("getCounter", "GET", "/c", response_types=lambda: {"200": tp})


@pytest.mark.parametrize("tp", TYPES, ids=lambda t: getattr(t, "__name__", str(t)))
@pytest.mark.parametrize(
    "body",
    [DEEP_ARRAY, DEEP_IN_FIELD, BIG_INT, BIG_INT_BARE],
    ids=["deep-array", "deep-in-field", "big-int", "big-int-bare"],
)
def test_unparseable_json_is_a_response_validation_error(tp: Any, body: bytes) -> None:
    if (
        tp is str
    ):  # a declared string whose body is not usable JSON is the text, as for any non-JSON
        assert decode_response(_endpoint(tp), 200, {"Content-Type": JSON}, body) == (
            body.decode()
        )
        return
    with pytest.raises(ResponseValidationError) as info:
        decode_response(_endpoint(tp), 200, {"Content-Type": JSON}, body)
    assert info.value.operation_id == "getCounter" and info.value.status == 200
    assert len(info.value.body) <= ERROR_BODY_LIMIT


@pytest.mark.parametrize("tp", [str, Any], ids=["str", "Any"])
def test_unknown_charset_is_a_response_validation_error(tp: Any) -> None:
    for charset in ("x-bogus", "rot13", "hex"):
        headers = {"Content-Type": f"text/plain; charset={charset}"}
        with pytest.raises(ResponseValidationError, match="charset"):
            decode_response(_endpoint(tp), 200, headers, b"hello")
    # a known one still decodes
    headers = {"Content-Type": "text/plain; charset=latin-1"}
    assert decode_response(_endpoint(tp), 200, headers, b"h\xe9") == "hé"


@pytest.mark.parametrize(
    "body",
    [DEEP_ARRAY, BIG_INT, b"\xff\xfe not text"],
    ids=["deep", "big-int", "bad-bytes"],
)
def test_error_status_with_unparseable_body_keeps_the_status_exception(
    body: bytes,
) -> None:
    endpoint = Endpoint(
        "getCounter", "GET", "/c", response_types=lambda: {"default": Counter}
    )
    error = status_exception(
        endpoint, 500, "oops", {"Content-Type": JSON}, body, method="GET", url="u"
    )
    assert isinstance(error, ApiException) and error.status == 500
    assert error.data is None


def test_error_objects_keep_a_bounded_prefix_of_the_body() -> None:
    body = b'{"detail": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    endpoint = _endpoint(Counter)
    with pytest.raises(ApiException) as info:
        make_api_response(
            endpoint, 502, "Bad", {"Content-Type": JSON}, body, method="GET", url="u"
        )
    assert info.value.body is not None
    assert len(info.value.body) <= ERROR_BODY_LIMIT
    assert info.value.body.startswith('{"detail": "xxx')
    assert len(str(info.value)) < 1000

    wrong_type = b'{"n": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    with pytest.raises(ResponseValidationError) as invalid:
        decode_response(endpoint, 200, {"Content-Type": JSON}, wrong_type)
    assert len(invalid.value.body) <= ERROR_BODY_LIMIT
    assert invalid.value.body.startswith(b'{"n": "xxx')


@pytest.mark.parametrize(
    "message",
    [DEEP_ARRAY, DEEP_ARRAY.decode(), BIG_INT, BIG_INT.decode(), b"\xff\xfe"],
    ids=["deep-bytes", "deep-text", "big-int-bytes", "big-int-text", "bad-bytes"],
)
@pytest.mark.parametrize("tp", [Counter, None], ids=["model", "undeclared"])
def test_unparseable_websocket_messages(message: str | bytes, tp: Any) -> None:
    endpoint = Endpoint(
        "streamCounter",
        "GET",
        "/c",
        response_types=(lambda: {"200": tp}) if tp is not None else None,
    )
    with pytest.raises(ResponseValidationError) as info:
        decode_message(endpoint, message)
    assert info.value.operation_id == "streamCounter"
    assert len(info.value.body) <= ERROR_BODY_LIMIT
