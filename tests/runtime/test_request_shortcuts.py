"""The per-call shortcuts of ``build_request`` and ``decode_response`` (taken on every call of both
clients) give what the general code gives."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Body, Endpoint, Param
from generator.runtime.exceptions import ResponseValidationError
from generator.runtime.models import ApiModel
from generator.runtime.request import build_request, merge_headers
from generator.runtime.response import decode_response, is_json_content_type
from generator.runtime.serialize import serialize_path

PATH_VALUES: list[Any] = [
    "2254f2c8-5797-40e8-ac56-41166dc0e159",
    "a_b.c~d-e",
    ".",
    "..",
    "...",
    ".a",
    "a.",
    "a/b",
    "a b",
    "ü",
    "%41",
    "a?b#c",
    0,
    7,
    -12,
    True,
    1.5,
    ["a", "b"],
    {"k": "v"},
]


@pytest.mark.parametrize("value", PATH_VALUES)
@pytest.mark.parametrize("style", [None, "simple", "label", "matrix"])
@pytest.mark.parametrize("allow_reserved", [False, True])
def test_path_values_as_serialize_path(
    value: Any, style: str | None, allow_reserved: bool
) -> None:
    param = Param("p", "p", "path", style=style, allow_reserved=allow_reserved)
    endpoint = Endpoint("op", "GET", "/x/{p}/y", params=(param,))
    request = build_request(endpoint, {"p": value}, BaseConfiguration(host="http://h"))
    assert request.url == f"http://h/x/{serialize_path(param, value)}/y"


HEADER_LAYERS: list[dict[str, str] | None] = [
    None,
    {},
    {"User-Agent": "ua"},
    {"accept": "text/plain", "User-Agent": "ua"},
    {"ACCEPT": "1", "Accept": "2", "accept": "3"},
    {"X-A": "1", "x-a": "2", "Content-Type": "text/plain"},
    {"content-type": "a", "User-Agent": "b", "user-agent": "c", "Accept": "d"},
]


@pytest.mark.parametrize("layer", HEADER_LAYERS)
@pytest.mark.parametrize("with_body", [False, True])
def test_headers_as_merge_headers(
    layer: dict[str, str] | None, with_body: bool
) -> None:
    endpoint = Endpoint(
        "op",
        "POST",
        "/x",
        body=Body("json", "application/json", param="b") if with_body else None,
        accept=("application/json", "text/plain"),
    )
    args = {"b": {"a": 1}} if with_body else {}
    request = build_request(endpoint, args, BaseConfiguration(), headers=layer)
    generated = {"Accept": "application/json, text/plain"}
    if with_body:
        generated["Content-Type"] = "application/json"
    expected = merge_headers(generated, layer)
    assert list(request.headers.items()) == list(expected.items())  # same order too


class Thing(ApiModel):
    id: int
    name: str | None = None


def _endpoint(tp: Any) -> Endpoint:
    types = {"200": tp}
    return Endpoint("op", "GET", "/", response_types=lambda: types)


@pytest.mark.parametrize("tp", [Thing, list[Thing], dict[str, int], int])
def test_json_validation_as_type_adapter(tp: Any) -> None:
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(tp)
    bodies = [b'{"id": 1, "name": "x"}', b'[{"id": 2}]', b'{"a": 1}', b"5", b'"x"']
    for _ in range(2):  # the first call builds (and caches) the validator
        for body in bodies:
            try:
                expected: Any = adapter.validate_json(body)
            except pydantic.ValidationError:
                with pytest.raises(ResponseValidationError):
                    decode_response(
                        _endpoint(tp), 200, {"Content-Type": "application/json"}, body
                    )
                continue
            got = decode_response(
                _endpoint(tp), 200, {"Content-Type": "application/json"}, body
            )
            assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/problem+json; charset=utf-8",
        " Text/JSON ",
        "text/plain",
        "application/jsonx",
        "",
    ],
)
def test_json_content_type_cached_answer(content_type: str) -> None:
    first = is_json_content_type(content_type)
    assert is_json_content_type(content_type) is first
    mime = content_type.split(";", 1)[0].strip().lower()
    assert first == (mime.endswith("/json") or mime.endswith("+json"))
