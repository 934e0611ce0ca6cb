"""``response.decoder`` (the decoder of one endpoint and status, kept on the endpoint) answers as
``decode_response``, the general path it shortens, for every kind of declared type and body.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from pydantic import Field

from generator.runtime.endpoint import Endpoint
from generator.runtime.enums import ACCEPT_UNKNOWN, ApiEnum
from generator.runtime.exceptions import ResponseValidationError
from generator.runtime.models import GC_PAUSE_MIN_SIZE, ApiModel
from generator.runtime.response import decode_response, decoder


class Mood(str, ApiEnum):
    HAPPY = "happy"


class Pet(ApiModel):
    id: int
    mood: Mood | None = None


TYPES: dict[str, Any] = {
    "model": Pet,
    "list": list[Pet],
    "union": Pet | list[int],
    # the first member that accepts wins: an unknown Mood only while decoding a response
    "enum or text": Annotated[Mood | str, Field(union_mode="left_to_right")],
    "str": str,
    "bytes": bytes,
    "any": Any,
    "none": None,
}

BODIES = [
    b"",
    b'{"id": 1}',
    b'{"id": 1, "mood": "grumpy"}',  # a value the enum does not list: kept
    b'{"id": "x"}',  # does not match
    b"[1, 2]",
    b'"grumpy"',
    b"not json",
    b'"text"',
    '{"id": 2, "name": "é"}'.encode("utf-16"),  # JSON, but not UTF-8
    b'{"id": 3, "pad": "' + b"x" * GC_PAUSE_MIN_SIZE + b'"}',  # large: GC paused
]
CONTENT_TYPES = ["application/json", "text/plain", ""]


def _outcome(decode: Any, *args: Any) -> tuple[str, Any]:
    try:
        value = decode(*args)
    except ResponseValidationError as exc:
        return "error", (type(exc), str(exc), exc.status)
    if isinstance(value, ApiModel):
        return "model", (type(value), value.model_dump(), value.model_fields_set)
    if isinstance(value, list):
        return "list", [
            v.model_dump() if isinstance(v, ApiModel) else (type(v), v) for v in value
        ]
    return "value", (type(value), value)


@pytest.mark.parametrize("kind", sorted(TYPES))
@pytest.mark.parametrize("status", [200, 201, 204, 404])
def test_decoder_answers_as_decode_response(kind: str, status: int) -> None:
    declared = {"200": TYPES[kind], "2XX": TYPES[kind]}
    fast = Endpoint("op", "GET", "/", response_types=lambda: declared)
    general = Endpoint("op", "GET", "/", response_types=lambda: declared)
    for body in BODIES:
        for content_type in CONTENT_TYPES:
            headers = {"Content-Type": content_type} if content_type else {}
            decode = fast.decoder(status, decoder)
            assert _outcome(decode, headers, body) == _outcome(
                decode_response, general, status, headers, body
            ), (kind, status, body[:40], content_type)
            assert ACCEPT_UNKNOWN.get() is False


def test_decoder_made_once_per_status_and_kept_on_the_endpoint() -> None:
    made: list[int] = []

    def make(endpoint: Endpoint, status: int) -> Any:
        made.append(status)
        return decoder(endpoint, status)

    endpoint = Endpoint("op", "GET", "/", response_types=lambda: {"200": Pet})
    for _ in range(3):
        pet = endpoint.decoder(200, make)({}, json.dumps({"id": 7}).encode())
        assert pet == Pet(id=7)
        assert endpoint.decoder(500, make)({}, b"{}") is None
    assert made == [200, 500]
    assert endpoint == Endpoint(
        "op", "GET", "/", response_types=endpoint.response_types
    )


def test_unknown_enum_value_kept_by_the_decoder() -> None:
    endpoint = Endpoint("op", "GET", "/", response_types=lambda: {"200": Pet})
    pet = endpoint.decoder(200, decoder)({}, b'{"id": 1, "mood": "sleepy"}')
    assert pet.mood is not None and pet.mood.value == "sleepy" and not pet.mood.is_known


def test_api_response_made_by_the_core_is_the_dataclass() -> None:
    import dataclasses

    from generator.runtime.response import ApiResponse, api_response

    made = api_response(200, {"A": "b"}, [1], b"[1]")
    assert type(made) is ApiResponse
    assert made == ApiResponse(200, {"A": "b"}, [1], b"[1]")
    assert repr(made) == repr(ApiResponse(200, {"A": "b"}, [1], b"[1]"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.status_code = 201  # type: ignore[misc]
