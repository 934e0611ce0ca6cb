"""Model helpers, ``to_jsonable`` and response decoding."""

from __future__ import annotations

import datetime
import enum
import uuid
from decimal import Decimal
from typing import Any

import pytest
from pydantic import Field

from generator.runtime.endpoint import Endpoint
from generator.runtime.exceptions import ResponseValidationError
from generator.runtime.models import ApiModel, ApiRootModel, to_jsonable
from generator.runtime.response import decode_response, response_type_for


class Item(ApiModel):
    id: int
    display_name: str | None = Field(default=None, alias="display-name")


class Page(ApiModel):
    items: list[Item]


class Tags(ApiRootModel[list[str]]):
    pass


class Color(enum.Enum):
    RED = "red"


def test_model_round_trip_by_alias_keeps_extras() -> None:
    item = Item.from_dict({"id": 1, "display-name": "a", "extra": {"x": 1}})
    assert item.display_name == "a"
    assert item.to_dict() == {"id": 1, "display-name": "a", "extra": {"x": 1}}
    assert Item.from_json(item.to_json()) == item
    assert Item(id=2, display_name="b").to_dict() == {"id": 2, "display-name": "b"}
    assert "display-name" in item.to_str()


def test_unset_omitted_explicit_none_kept() -> None:
    assert Item(id=1).to_dict() == {"id": 1}
    assert Item(id=1, display_name=None).to_dict() == {"id": 1, "display-name": None}


def test_root_model() -> None:
    tags = Tags.from_json('["a","b"]')
    assert (
        tags.root == ["a", "b"]
        and tags.to_dict() == ["a", "b"]
        and tags.to_json() == '["a", "b"]'
    )
    assert Tags.from_dict(["c"]).root == ["c"]


LONG = "12345678901234567890.123456789"


def test_to_jsonable() -> None:
    value: dict[Any, Any] = {
        "model": Item(id=1),
        "list": (Color.RED, {1, 2} - {2}),
        "when": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "day": datetime.date(2024, 1, 2),
        "uuid": uuid.UUID(int=1),
        "dec": [Decimal("1.50"), Decimal("2"), Decimal("1E-7"), Decimal(LONG)],
        "bytes": b"hi",
        3: None,
    }
    assert to_jsonable(value) == {
        "model": {"id": 1},
        "list": ["red", [1]],
        "when": "2024-01-02T03:04:05+00:00",
        "day": "2024-01-02",
        "uuid": "00000000-0000-0000-0000-000000000001",
        "dec": ["1.50", "2", "0.0000001", LONG],  # exact text, never via float
        "bytes": "aGk=",
        "3": None,
    }


def _endpoint(types: dict[str, Any]) -> Endpoint:
    return Endpoint("getThing", "GET", "/thing", response_types=lambda: types)


JSON = {"Content-Type": "application/json"}


def test_type_lookup_order() -> None:
    endpoint = _endpoint({"200": int, "2XX": str, "4XX": Item, "default": bool})
    assert response_type_for(endpoint, 200) is int
    assert response_type_for(endpoint, 201) is str
    assert response_type_for(endpoint, 404) is Item
    assert response_type_for(endpoint, 500) is bool


def test_response_types_factory_called_once() -> None:
    calls = []

    def types() -> dict[str, Any]:
        calls.append(1)
        return {"200": int}

    endpoint = Endpoint("op", "GET", "/", response_types=types)
    for _ in range(3):
        assert decode_response(endpoint, 200, JSON, b"1") == 1
    assert calls == [1]


def test_decode_json_models_lists_and_dicts() -> None:
    assert decode_response(
        _endpoint({"200": Page}), 200, JSON, b'{"items":[{"id":1,"new":2}]}'
    ) == Page(items=[Item.model_validate({"id": 1, "new": 2})])
    assert (
        decode_response(_endpoint({"200": list[Item]}), 200, JSON, b'[{"id":1}]')[0].id
        == 1
    )
    assert decode_response(
        _endpoint({"200": dict[str, int]}), 200, JSON, b'{"a":1}'
    ) == {"a": 1}
    problem = {"Content-Type": "application/problem+json; charset=utf-8"}
    assert decode_response(_endpoint({"200": Any}), 200, problem, b'{"a":1}') == {
        "a": 1
    }
    assert decode_response(_endpoint({"200": int | str}), 200, JSON, b'"x"') == "x"


def test_decode_no_body_cases() -> None:
    assert decode_response(_endpoint({"204": None}), 204, {}, b"") is None
    assert decode_response(_endpoint({"200": None}), 200, JSON, b'{"a":1}') is None
    assert decode_response(_endpoint({"200": Item}), 200, JSON, b"") is None
    assert decode_response(_endpoint({}), 200, JSON, b'{"a":1}') is None


def test_decode_text_and_binary() -> None:
    text = {"Content-Type": "text/plain; charset=latin-1"}
    assert (
        decode_response(_endpoint({"200": str}), 200, text, "café".encode("latin-1"))
        == "café"
    )
    octets = {"Content-Type": "application/octet-stream"}
    assert (
        decode_response(_endpoint({"200": bytes}), 200, octets, b"\x00\x01")
        == b"\x00\x01"
    )
    assert decode_response(_endpoint({"200": bytes}), 200, JSON, b"{}") == b"{}"
    assert decode_response(_endpoint({"200": str}), 200, octets, b"abc") == "abc"


def test_validation_error_names_operation_and_path() -> None:
    endpoint = _endpoint({"200": Page})
    with pytest.raises(ResponseValidationError) as info:
        decode_response(endpoint, 200, JSON, b'{"items":[{"id":1},{"id":"x"}]}')
    assert info.value.operation_id == "getThing"
    assert info.value.path == "items[1].id"
    assert info.value.status == 200 and info.value.body.startswith(b'{"items"')
    with pytest.raises(ResponseValidationError):
        decode_response(endpoint, 200, JSON, b"not json")


def test_structured_type_parsed_whatever_the_content_type() -> None:
    endpoint = _endpoint({"200": Item, "default": Item})
    assert decode_response(
        endpoint, 200, {"Content-Type": "text/plain"}, b'{"id":3}'
    ) == Item(id=3)
    with pytest.raises(ResponseValidationError, match="not JSON"):
        decode_response(endpoint, 500, {"Content-Type": "text/html"}, b"<html>")
    any_endpoint = _endpoint({"200": Any})
    assert (
        decode_response(any_endpoint, 200, {"Content-Type": "text/html"}, b"<b>")
        == "<b>"
    )
    assert (
        decode_response(any_endpoint, 200, {"Content-Type": "image/png"}, b"\x89")
        == b"\x89"
    )
