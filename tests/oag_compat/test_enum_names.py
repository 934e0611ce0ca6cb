"""Item 4: enum members are named as OpenAPI Generator names them (signs spelt out, digits, case),
with ``x-enum-varnames`` first."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from generator.model.names import enum_member_name, enum_varname


@pytest.mark.parametrize(
    "value,name",
    [
        ("-efg", "MINUS_EFG"),
        ("_abc", "ABC"),
        ("(xyz)", "LEFT_PARENTHESIS_XYZ_RIGHT_PARENTHESIS"),
        ("hs-boot", "HS_MINUS_BOOT"),
        ("tmLanguage", "TMLANGUAGE"),  # no sign: only upper-cased
        ("foo-barBaz", "FOO_MINUS_BAR_BAZ"),  # with a sign: split at case changes too
        ("a.b", "A_DOT_B"),
        ("extra large", "EXTRA_LARGE"),
        ("image/jpeg", "IMAGE_SLASH_JPEG"),
        ("100%", "ENUM_100_PERCENT"),
        ("1st", "ENUM_1ST"),
        ("", "EMPTY"),
        (" ", "SPACE"),
        ("_", "UNDERSCORE"),
        ("class", "CLASS"),
        (1, "NUMBER_1"),
        (-2, "NUMBER_MINUS_2"),
        (1.5, "NUMBER_1_DOT_5"),
        (-0.25, "NUMBER_MINUS_0_DOT_25"),
    ],
)
def test_openapi_generator_names(value: object, name: str) -> None:
    assert enum_member_name(value) == name


@pytest.mark.parametrize("value", ["§x", "→", "__init", "a\u202eb"])
def test_names_stay_python_identifiers(value: str) -> None:
    name = enum_member_name(value)
    assert name.isidentifier() and not name.startswith("_")


def test_varnames_are_kept_as_written_when_usable() -> None:
    assert enum_varname("First") == "First"
    assert enum_varname("not valid!") == "NOT_VALID_EXCLAMATION"


def test_generated_enums(kennel: ModuleType) -> None:
    assert {m.name: m.value for m in kennel.Size} == {
        "SMALL": "small",
        "MINUS_LARGE": "-large",
        "EXTRA_LARGE": "extra large",
        "LEFT_PARENTHESIS_GIANT_RIGHT_PARENTHESIS": "(giant)",
        "TINY": "_tiny",
        "CAMELCASE": "camelCase",
        "ENUM_2XL": "2xl",
        "A_DOT_B": "a.b",
    }
    assert kennel.Level(-2).name == "NUMBER_MINUS_2"
    assert (
        kennel.Named.First.value == "alpha" and kennel.Named.SECOND_ONE.value == "beta"
    )
    assert kennel.Size.from_json('"-large"') is kennel.Size.MINUS_LARGE
    with pytest.raises(ValueError, match="'huge' is not a valid Size"):
        kennel.Size.from_json('"huge"')


def test_docs_list_the_names(generated: Path) -> None:
    doc = (generated / "kennel/docs/Size.md").read_text()
    assert "MINUS_LARGE" in doc and "LEFT_PARENTHESIS_GIANT_RIGHT_PARENTHESIS" in doc
