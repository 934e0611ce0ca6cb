"""OpenAPI style/explode serialisation, checked against the table in the OpenAPI 3 specification."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import pytest

from generator.runtime.endpoint import Param
from generator.runtime.exceptions import ApiValueError
from generator.runtime.models import ApiModel
from generator.runtime.serialize import (
    encode_form,
    serialize_cookie,
    serialize_header,
    serialize_path,
    serialize_query,
)

PRIMITIVE = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("simple", False, PRIMITIVE, "blue"),
        ("simple", False, ARRAY, "blue,black,brown"),
        ("simple", False, OBJECT, "R,100,G,200,B,150"),
        ("simple", True, PRIMITIVE, "blue"),
        ("simple", True, ARRAY, "blue,black,brown"),
        ("simple", True, OBJECT, "R=100,G=200,B=150"),
        ("label", False, PRIMITIVE, ".blue"),
        ("label", False, ARRAY, ".blue,black,brown"),
        ("label", False, OBJECT, ".R,100,G,200,B,150"),
        ("label", True, PRIMITIVE, ".blue"),
        ("label", True, ARRAY, ".blue.black.brown"),
        ("label", True, OBJECT, ".R=100.G=200.B=150"),
        ("matrix", False, PRIMITIVE, ";color=blue"),
        ("matrix", False, ARRAY, ";color=blue,black,brown"),
        ("matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
        ("matrix", True, PRIMITIVE, ";color=blue"),
        ("matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
        ("matrix", True, OBJECT, ";R=100;G=200;B=150"),
        ("matrix", False, "", ";color"),
    ],
)
def test_path_styles(style: str, explode: bool, value: Any, expected: str) -> None:
    param = Param("color", "color", "path", required=True, style=style, explode=explode)
    assert serialize_path(param, value) == expected


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("form", False, PRIMITIVE, ["color=blue"]),
        ("form", False, ARRAY, ["color=blue,black,brown"]),
        ("form", False, OBJECT, ["color=R,100,G,200,B,150"]),
        ("form", True, PRIMITIVE, ["color=blue"]),
        ("form", True, ARRAY, ["color=blue", "color=black", "color=brown"]),
        ("form", True, OBJECT, ["R=100", "G=200", "B=150"]),
        ("spaceDelimited", False, ARRAY, ["color=blue%20black%20brown"]),
        ("spaceDelimited", False, OBJECT, ["color=R%20100%20G%20200%20B%20150"]),
        ("pipeDelimited", False, ARRAY, ["color=blue%7Cblack%7Cbrown"]),
        ("pipeDelimited", False, OBJECT, ["color=R%7C100%7CG%7C200%7CB%7C150"]),
        (
            "deepObject",
            True,
            OBJECT,
            ["color%5BR%5D=100", "color%5BG%5D=200", "color%5BB%5D=150"],
        ),
        ("form", True, [], []),
        ("form", False, [], ["color="]),
    ],
)
def test_query_styles(
    style: str, explode: bool, value: Any, expected: list[str]
) -> None:
    param = Param("color", "color", "query", style=style, explode=explode)
    assert serialize_query(param, value) == expected


def test_query_defaults_are_form_explode() -> None:
    assert serialize_query(Param("c", "c", "query"), ["a", "b"]) == ["c=a", "c=b"]


def test_query_deep_object_nested() -> None:
    param = Param("f", "filter", "query", style="deepObject", explode=True)
    assert serialize_query(param, {"a": {"b": 1}, "c": [1, 2]}) == [
        "filter%5Ba%5D%5Bb%5D=1",
        "filter%5Bc%5D=1",
        "filter%5Bc%5D=2",
    ]


def test_booleans_none_and_scalars() -> None:
    q = Param("flag", "flag", "query")
    assert serialize_query(q, True) == ["flag=true"]
    assert serialize_query(q, False) == ["flag=false"]
    assert serialize_query(q, None) == []
    assert serialize_query(q, [1, None, 2.5]) == ["flag=1", "flag=2.5"]
    assert serialize_query(q, datetime.date(2024, 1, 2)) == ["flag=2024-01-02"]
    assert "None" not in "".join(
        serialize_query(Param("o", "o", "query"), {"a": None, "b": 1})
    )


def test_enum_and_model_values() -> None:
    class Color(str, enum.Enum):
        RED = "red"

    class Point(ApiModel):
        x: int
        y: int | None = None

    assert serialize_query(Param("c", "c", "query"), Color.RED) == ["c=red"]
    assert serialize_query(
        Param("p", "p", "query", style="deepObject"), Point(x=1)
    ) == ["p%5Bx%5D=1"]


def test_query_value_encoding_and_allow_reserved() -> None:
    plain = Param("q", "q", "query")
    assert serialize_query(plain, "a b&c=d/é+") == ["q=a%20b%26c%3Dd%2F%C3%A9%2B"]
    reserved = Param("q", "q", "query", allow_reserved=True)
    assert serialize_query(reserved, "http://x/y?z,w&v") == ["q=http://x/y?z,w%26v"]


def test_query_content_json() -> None:
    param = Param("f", "filter", "query", content_type="application/json")
    assert serialize_query(param, {"a": [1, True]}) == [
        "filter=%7B%22a%22%3A%5B1%2Ctrue%5D%7D"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a/b", "a%2Fb"),
        ("a b", "a%20b"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("../etc/passwd", "..%2Fetc%2Fpasswd"),
        ("é?#%", "%C3%A9%3F%23%25"),
        ("file.txt", "file.txt"),
        ("a-b_c~d", "a-b_c~d"),
    ],
)
def test_path_values_cannot_change_the_path(value: str, expected: str) -> None:
    assert serialize_path(Param("p", "p", "path", required=True), value) == expected


def test_path_allow_reserved_keeps_reserved_chars() -> None:
    param = Param("p", "p", "path", required=True, allow_reserved=True)
    assert serialize_path(param, "a/b:c") == "a/b:c"


def test_header_simple() -> None:
    assert serialize_header(Param("h", "X-H", "header"), ARRAY) == "blue,black,brown"
    assert (
        serialize_header(Param("h", "X-H", "header", explode=True), OBJECT)
        == "R=100,G=200,B=150"
    )
    assert serialize_header(Param("h", "X-H", "header"), OBJECT) == "R,100,G,200,B,150"
    assert serialize_header(Param("h", "X-H", "header"), True) == "true"
    assert serialize_header(Param("h", "X-H", "header"), None) is None
    with pytest.raises(ApiValueError):
        serialize_header(Param("h", "X-H", "header"), "a\r\nInjected: 1")


def test_cookie_form() -> None:
    assert serialize_cookie(Param("c", "color", "cookie"), "blue") == [
        ("color", "blue")
    ]
    assert serialize_cookie(Param("c", "color", "cookie", explode=False), ARRAY) == [
        ("color", "blue,black,brown")
    ]
    assert serialize_cookie(Param("c", "color", "cookie"), ARRAY) == [
        ("color", "blue"),
        ("color", "black"),
        ("color", "brown"),
    ]
    assert serialize_cookie(Param("c", "color", "cookie"), "a b;c") == [
        ("color", "a%20b%3Bc")
    ]


def test_encode_form() -> None:
    assert encode_form(
        [("a", "x y"), ("b", None), ("c", [1, True]), ("d", {"k": 1})]
    ) == (b"a=x+y&c=1&c=true&d=%7B%22k%22%3A1%7D")
