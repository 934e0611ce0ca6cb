"""The runtime's per-call shortcuts give the same results as the general paths they skip."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from pydantic import Field

from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Body, Endpoint, Param
from generator.runtime.exceptions import ApiValueError, ResponseValidationError
from generator.runtime.models import (
    GC_PAUSE_MIN_SIZE,
    ApiModel,
    to_jsonable,
    validate_large,
)
from generator.runtime.request import build_request
from generator.runtime.response import decode_response


class Item(ApiModel):
    id: int
    schema_: str | None = Field(
        default=None, validation_alias="schema", serialization_alias="schema"
    )


class Items(ApiModel):
    items: list[Item]


JSON = {"Content-Type": "application/json"}


def _endpoint(types: dict[str, Any]) -> Endpoint:
    return Endpoint("op", "GET", "/", response_types=lambda: types)


def test_gc_paused_only_for_large_documents_and_restored() -> None:
    seen: list[bool] = []

    def probe(data: Any) -> Any:
        seen.append(gc.isenabled())
        return data

    assert gc.isenabled()
    validate_large(probe, "x", 1)
    validate_large(probe, "x", GC_PAUSE_MIN_SIZE)
    assert seen == [True, False] and gc.isenabled()

    def boom(data: Any) -> Any:
        raise ValueError(data)

    with pytest.raises(ValueError):
        validate_large(boom, "x", GC_PAUSE_MIN_SIZE)
    assert gc.isenabled()
    gc.disable()
    try:  # a collector the caller switched off stays off
        validate_large(probe, "x", GC_PAUSE_MIN_SIZE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_large_from_json_matches_small() -> None:
    doc = {"items": [{"id": i, "schema": "s", "extra": [i]} for i in range(20000)]}
    text = json.dumps(doc)
    assert len(text) > GC_PAUSE_MIN_SIZE
    parsed = Items.from_json(text)
    assert parsed == Items.from_dict(doc) == Items.from_json(text.encode())
    assert json.loads(parsed.to_json()) == doc and gc.isenabled()


def test_response_json_not_utf8_or_invalid_takes_general_path() -> None:
    body = json.dumps({"id": 1}).encode("utf-16")  # json.loads detects UTF-16
    assert decode_response(_endpoint({"200": Item}), 200, JSON, body) == Item(id=1)
    assert decode_response(_endpoint({"200": str}), 200, JSON, b"plain") == "plain"
    with pytest.raises(ResponseValidationError, match="not JSON"):
        decode_response(_endpoint({"200": Item}), 200, JSON, b"{oops")
    with pytest.raises(ResponseValidationError) as info:
        decode_response(_endpoint({"200": Items}), 200, JSON, b'{"items":[{"id":"x"}]}')
    assert info.value.path == "items[0].id"


def test_json_body_bytes_as_before() -> None:
    endpoint = Endpoint(
        "create",
        "POST",
        "/items/{id}",
        params=(Param("id", "id", "path", required=True),),
        body=Body("json", "application/json", param="item"),
    )
    item = Item.from_dict({"id": 1, "schema": "ü", "more": {"a": [1.5, None]}})
    request = build_request(
        endpoint, {"id": "a/b", "item": item}, BaseConfiguration(host="http://h/")
    )
    old = json.dumps(to_jsonable(item), separators=(",", ":"), ensure_ascii=False)
    assert request.body == old.encode("utf-8")
    assert request.url == "http://h/items/a%2Fb"
    assert request.headers["Content-Type"] == "application/json"


def test_path_template_errors_left_to_right() -> None:
    endpoint = Endpoint(
        "op",
        "GET",
        "/{a}/{zz}",
        params=(Param("a", "a", "path"),),
    )
    config = BaseConfiguration()
    with pytest.raises(ApiValueError, match="'a' must not be empty"):
        build_request(endpoint, {}, config)
    with pytest.raises(ApiValueError, match=r"unknown parameter \{zz\}"):
        build_request(endpoint, {"a": "x"}, config)
    dots = Endpoint("op", "GET", "/{a}", params=(Param("a", "a", "path"),))
    assert build_request(dots, {"a": ".."}, config).url.endswith("/%2E%2E")
    assert build_request(dots, {"a": 7}, config).url.endswith("/7")


def test_headers_made_once_per_layer_follow_every_change_of_it() -> None:
    # build_request keeps the headers it made from the last header layer (the client's defaults,
    # unchanged from call to call): each request still gets its own dict, the same as the general
    # merge gives, and a changed layer (new value, new name, a line break) is merged and checked.
    endpoint = Endpoint(
        "create",
        "POST",
        "/items",
        body=Body("json", "application/json", param="item"),
        accept=("application/json",),
    )
    config = BaseConfiguration(host="http://h")
    layer = {"User-Agent": "a/1"}

    def headers(args: dict[str, Any], layer: dict[str, Any]) -> dict[str, str]:
        return build_request(endpoint, args, config, headers=layer).headers

    first = headers({"item": {"a": 1}}, layer)
    assert first == {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": "a/1",
    }
    first["X-Hook"] = "set on one request"
    assert "X-Hook" not in headers({"item": {"a": 1}}, layer)
    assert headers({}, layer) == {"Accept": "application/json", "User-Agent": "a/1"}
    layer["User-Agent"] = "b/2"
    assert headers({"item": {}}, layer)["User-Agent"] == "b/2"
    layer["content-type"] = "text/plain"
    assert headers({"item": {}}, layer) == {
        "Accept": "application/json",
        "content-type": "text/plain",
        "User-Agent": "b/2",
    }
    layer["X-Bad"] = "a\r\nInjected: 1"
    with pytest.raises(ApiValueError, match="X-Bad"):
        headers({"item": {}}, layer)
    del layer["X-Bad"]
    layer["X-Number"] = 5  # not text: never kept, so 5.0 is not taken for it
    assert headers({}, layer)["X-Number"] == 5
    layer["X-Number"] = 5.0
    assert headers({}, layer)["X-Number"] == 5.0
    assert type(headers({}, layer)["X-Number"]) is float
