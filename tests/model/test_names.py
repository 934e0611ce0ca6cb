"""The identifiers generated code uses (``generator/model/names.py``): how spec names are cased and
sanitised, and how a :class:`Scope` settles collisions. A user sees these as the argument, field, class,
module and enum member names of the package, so each case below is a name someone would type.
"""

from __future__ import annotations

import json
import keyword
from pathlib import Path

import pytest

from generator.build import load_api
from generator.model.names import (
    FIELD_RESERVED,
    MAX_NAME,
    PACKAGE_RESERVED,
    Scope,
    class_name,
    enum_member_name,
    enum_varname,
    pascal_case,
    python_identifier,
    snake_case,
)
from generator.model.types import ObjectModel

# -- snake_case ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("createUserAsset", "create_user_asset"),
        ("already_snake", "already_snake"),
        # Runs of capitals end before the capital that starts the next word.
        ("HTTPServerError", "http_server_error"),
        ("getHTTPResponse", "get_http_response"),
        ("ABC", "abc"),
        # Digits: a capital after a digit starts a word, a digit after a letter does not.
        ("GetAttachment200Response", "get_attachment200_response"),
        ("x2Y", "x2_y"),
        ("v2", "v2"),
        ("2fa", "2fa"),
        # Separators of any kind, repeated or at the ends, become one underscore or none.
        ("kebab-case name", "kebab_case_name"),
        ("a..b//c", "a_b_c"),
        ("__private", "private"),
        ("_x_y_", "x_y"),
        # Accents are folded away; letters with no ASCII form are dropped.
        ("Ünïcödé naïve", "unicode_naive"),
        ("日本語", ""),
        ("", ""),
    ],
)
def test_snake_case(text: str, expected: str) -> None:
    assert snake_case(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("generic_asset-upload request", "GenericAssetUploadRequest"),
        ("getHTTPResponse", "GetHTTPResponse"),  # existing capitals kept
        ("__x", "X"),
        ("crème brûlée", "CremeBrulee"),
    ],
)
def test_pascal_case(text: str, expected: str) -> None:
    assert pascal_case(text) == expected


# -- python_identifier and class_name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("userId", "user_id"),
        ("class", "class_"),  # keyword
        ("match", "match_"),  # soft keyword
        ("id", "id"),  # builtins may shadow inside a generated scope
        ("2fa", "var_2fa"),  # never a digit first
        ("__x", "x"),  # never private
        ("", "value"),  # the fallback
    ],
)
def test_python_identifier(text: str, expected: str) -> None:
    name = python_identifier(text)
    assert name == expected
    assert name.isidentifier() and not keyword.iskeyword(name)


def test_python_identifier_avoids_the_reserved_names_of_its_scope() -> None:
    assert python_identifier("self", reserved=frozenset({"self"})) == "self_"
    assert python_identifier("model_dump", reserved=FIELD_RESERVED) == "model_dump_"
    assert python_identifier("str", reserved=FIELD_RESERVED) == "str_"
    # Appending goes on until the name is free.
    assert python_identifier("x", reserved=frozenset({"x", "x_"})) == "x__"


def test_python_identifier_of_text_without_any_ascii_letter_is_still_an_identifier() -> (
    None
):
    for text in ("日本語", "---", "€"):
        name = python_identifier(text)
        assert name.isidentifier() and not keyword.iskeyword(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pet", "Pet"),
        ("2d point", "Model2dPoint"),  # never a digit first
        ("list", "ListModel"),  # a builtin would be shadowed
        ("None", "NoneModel"),  # a keyword
        ("ApiClient", "ApiClientModel"),  # a name the package defines
        ("Decimal", "DecimalModel"),  # a name generated modules import
        ("日本語", "Model"),  # the fallback
    ],
)
def test_class_name(text: str, expected: str) -> None:
    assert class_name(text) == expected


def test_names_are_capped_for_file_systems() -> None:
    assert len(python_identifier("a" * 200)) == MAX_NAME
    assert len(class_name("b" * 200)) == MAX_NAME
    # A cut never leaves a trailing underscore.
    assert not python_identifier("a" * (MAX_NAME - 1) + "_b_c").endswith("_")


def test_package_reserved_names_cannot_be_classes() -> None:
    for reserved in ("Configuration", "ApiException", "BaseModel", "Field"):
        assert reserved in PACKAGE_RESERVED
        assert class_name(reserved) == reserved + "Model"


# -- Scope.claim --------------------------------------------------------------------------------------------


def test_claim_returns_the_wanted_name_then_numbered_ones() -> None:
    scope = Scope()
    assert [scope.claim("pet") for _ in range(3)] == ["pet", "pet2", "pet3"]


def test_claim_separates_the_number_from_a_trailing_digit() -> None:
    scope = Scope()
    assert [scope.claim("v1") for _ in range(3)] == ["v1", "v1_2", "v1_3"]


def test_claim_skips_the_names_a_scope_starts_with() -> None:
    scope = Scope({"api_client", "api_client2"})
    assert scope.claim("api_client") == "api_client3"
    assert scope.claim("other") == "other"
    assert "api_client" in scope and "api_client3" in scope and "missing" not in scope


def test_claim_skips_a_numbered_name_already_claimed() -> None:
    scope = Scope()
    assert scope.claim("pet2") == "pet2"
    assert scope.claim("pet") == "pet"
    assert scope.claim("pet") == "pet3"


def test_fold_case_makes_names_equal_but_for_case_collide() -> None:
    """Module names become file names, which collide on case-insensitive file systems."""
    scope = Scope()
    assert [scope.claim(n, fold_case=True) for n in ("Pets", "pets", "PETS")] == [
        "Pets",
        "pets2",
        "PETS3",
    ]
    # Without fold_case only the exact spelling counts.
    assert scope.claim("pEts") == "pEts"


def test_fold_case_applies_to_the_starting_names_too() -> None:
    for taken in (frozenset({"Foo"}), {"Foo"}):
        scope = Scope(taken)
        assert scope.claim("foo", fold_case=True) == "foo2"


def test_scopes_are_independent() -> None:
    first, second = Scope(), Scope()
    assert first.claim("name") == second.claim("name") == "name"


# -- enum members -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("available", "AVAILABLE"),
        ("camelCase", "CAMELCASE"),
        ("with space", "WITH_SPACE"),
        ("-efg", "MINUS_EFG"),
        ("(xyz)", "LEFT_PARENTHESIS_XYZ_RIGHT_PARENTHESIS"),
        (">=", "GREATER_THAN_EQUAL"),
        ("a.b", "A_DOT_B"),
        ("1st", "ENUM_1ST"),
        ("class", "CLASS"),
        ("", "EMPTY"),
        (" ", "SPACE"),
        ("_", "UNDERSCORE"),
        (3, "NUMBER_3"),
        (-1.5, "NUMBER_MINUS_1_DOT_5"),
        (True, "TRUE"),
        (None, "NULL"),
    ],
)
def test_enum_member_name(value: object, expected: str) -> None:
    assert enum_member_name(value) == expected


def test_enum_varnames_are_kept_when_usable() -> None:
    assert enum_varname("Good_Name") == "Good_Name"
    assert (
        enum_varname("_private") == "PRIVATE"
    )  # a leading underscore is not a usable member
    assert enum_varname("1x").isidentifier()


# -- in a generated package ----------------------------------------------------------------------------------


def test_colliding_spec_names_get_distinct_python_names(tmp_path: Path) -> None:
    """Names that differ only in spelling (``userId``/``user_id``), keywords, reserved and unusable names, as
    the package's arguments, fields, classes and modules."""
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "names", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "operationId": "getA",
                    "parameters": [
                        {"name": "self", "in": "query", "schema": {"type": "string"}},
                        {"name": "userId", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "user_id",
                            "in": "header",
                            "schema": {"type": "string"},
                        },
                        {"name": "class", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/b": {
                "get": {
                    "operationId": "get_a",
                    "responses": {"200": {"description": "ok"}},
                }
            },
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        name: {"type": "string"}
                        for name in (
                            "userId",
                            "user_id",
                            "class",
                            "model_dump",
                            "2fa",
                            "__x",
                            "naïve",
                            "str",
                        )
                    },
                },
                "thing": {"type": "object", "properties": {"a": {"type": "string"}}},
                "ApiClient": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                },
            }
        },
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    api = load_api(path)

    (tag,) = api.tags
    assert [op.method_name for op in tag.operations] == ["get_a", "get_a2"]
    (get_a,) = [op for op in tag.operations if op.path == "/a"]
    assert [(a.wire_name, a.py_name) for a in get_a.args] == [
        ("self", "self_"),
        ("userId", "user_id"),
        ("user_id", "user_id2"),
        ("class", "class_"),
    ]

    models = {m.name: m for m in api.models}
    # Classes and their modules: "Thing" and "thing" differ only in case.
    assert {(name, m.module) for name, m in models.items()} == {
        ("Thing", "thing"),
        ("Thing2", "thing2"),
        ("ApiClientModel", "api_client_model"),
    }
    thing = models["Thing"]
    assert isinstance(thing, ObjectModel)
    assert [(f.wire_name, f.py_name) for f in thing.fields] == [
        ("userId", "user_id"),
        ("user_id", "user_id2"),
        ("class", "class_"),
        ("model_dump", "model_dump_"),
        ("2fa", "var_2fa"),
        ("__x", "x"),
        ("naïve", "naive"),
        ("str", "str_"),
    ]
