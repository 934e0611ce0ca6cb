"""The schema registry (``generator/model/schemas.py``): which schemas become classes and under which names,
which become plain types, and what it warns about. The types here are the annotations, classes and modules
a generated package has, so each case is what a user of the package sees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.errors import Problem
from generator.model.names import PACKAGE_RESERVED, Scope
from generator.model.schemas import SchemaRegistry
from generator.model.types import (
    AnyType,
    ArrayType,
    ConstType,
    EnumModel,
    LiteralType,
    MapType,
    ModelRef,
    Nullable,
    ObjectModel,
    Primitive,
    RootModel,
    SchemaType,
    UnionType,
)
from generator.parse.load import load_document
from generator.parse.refs import Resolver


class Built:
    """The registry's result for a set of component schemas, built as ``model/build.py`` builds them."""

    def __init__(
        self,
        tmp_path: Path,
        schemas: dict[str, Any],
        *,
        openapi: str = "3.0.3",
        order: list[str] | None = None,
    ) -> None:
        spec = {
            "openapi": openapi,
            "info": {"title": "registry", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas},
        }
        path = tmp_path / "spec.json"
        path.write_text(json.dumps(spec))
        doc = load_document(path)
        self.warnings: list[Problem] = []
        registry = SchemaRegistry(
            Resolver(doc),
            Scope(PACKAGE_RESERVED),
            self.warnings,
            openapi31=openapi.startswith("3.1"),
        )
        registry.reserve_component_names(doc)
        self.types: dict[str, SchemaType] = {
            key: registry.component(doc, key) for key in order or list(schemas)
        }
        self.models = registry.models

    def field_type(self, model: str, field: str) -> SchemaType:
        found = self.models[model]
        assert isinstance(found, ObjectModel)
        (match,) = [f for f in found.fields if f.wire_name == field]
        return match.type


def _prop(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"p": schema}}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, Primitive("str")),
        ({"type": "string", "format": "date-time"}, Primitive("datetime", "date-time")),
        ({"type": "string", "format": "date"}, Primitive("date", "date")),
        ({"type": "string", "format": "uuid"}, Primitive("UUID", "uuid")),
        ({"type": "string", "format": "binary"}, Primitive("bytes", "binary")),
        ({"type": "integer", "format": "int64"}, Primitive("int", "int64")),
        ({"type": "number"}, Primitive("float")),
        (
            {"type": "number", "format": "decimal"},
            Primitive("Decimal", "decimal", json_number=True),  # sent as a JSON number
        ),
        ({"type": "string", "format": "decimal"}, Primitive("Decimal", "decimal")),
        ({"type": "boolean"}, Primitive("bool")),
        ({}, AnyType()),
        ({"type": "array", "items": {"type": "integer"}}, ArrayType(Primitive("int"))),
        ({"type": "array"}, ArrayType(AnyType())),
        (
            {"type": "object", "additionalProperties": {"type": "integer"}},
            MapType(Primitive("int")),
        ),
        ({"type": "string", "nullable": True}, Nullable(Primitive("str"))),
        ({"type": "string", "enum": ["a", "b"]}, LiteralType(("a", "b"))),
        ({"type": "boolean", "enum": [True]}, LiteralType((True,))),
    ],
)
def test_inline_schemas_become_plain_types(
    tmp_path: Path, schema: dict[str, Any], expected: SchemaType
) -> None:
    built = Built(tmp_path, {"Holder": _prop(schema)})
    assert built.field_type("Holder", "p") == expected
    assert list(built.models) == ["Holder"]  # no class for any of them


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": ["string", "null"]}, Nullable(Primitive("str"))),
        (
            {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            Nullable(Primitive("int")),
        ),
        ({"const": "fixed"}, ConstType("fixed")),
        (
            {"type": ["string", "integer"]},
            UnionType((Primitive("str"), Primitive("int"))),
        ),
    ],
)
def test_openapi_31_forms(
    tmp_path: Path, schema: dict[str, Any], expected: SchemaType
) -> None:
    built = Built(tmp_path, {"Holder": _prop(schema)}, openapi="3.1.0")
    assert built.field_type("Holder", "p") == expected


def test_component_names_win_over_inline_names_whatever_the_order(
    tmp_path: Path,
) -> None:
    """An inline object is named after its owner and property (``Owner`` + ``pet``); a component already
    called ``OwnerPet`` keeps that name even when the inline one is met first."""
    schemas = {
        "Owner": {
            "type": "object",
            "properties": {
                "pet": {"type": "object", "properties": {"a": {"type": "integer"}}}
            },
        },
        "OwnerPet": {"type": "object", "properties": {"b": {"type": "string"}}},
    }
    for order in (["Owner", "OwnerPet"], ["OwnerPet", "Owner"]):
        built = Built(tmp_path, schemas, order=order)
        assert built.types["OwnerPet"] == ModelRef("OwnerPet")
        assert built.field_type("Owner", "pet") == ModelRef("OwnerPet2")
        inline = built.models["OwnerPet2"]
        assert isinstance(inline, ObjectModel)
        assert inline.pointer == "/components/schemas/Owner/properties/pet"
        assert inline.module == "owner_pet2"


def test_identical_inline_objects_share_one_class(tmp_path: Path) -> None:
    item = {"type": "object", "properties": {"a": {"type": "integer"}}}
    built = Built(
        tmp_path,
        {
            "Owner": {
                "type": "object",
                "properties": {"one": item, "many": {"type": "array", "items": item}},
            }
        },
    )
    assert built.field_type("Owner", "one") == ModelRef("OwnerOne")
    assert built.field_type("Owner", "many") == ArrayType(ModelRef("OwnerOne"))
    assert sorted(built.models) == ["Owner", "OwnerOne"]


def test_a_reference_is_the_class_of_its_target(tmp_path: Path) -> None:
    built = Built(
        tmp_path,
        {
            "Pet": _prop({"type": "string"}),
            "Owner": {
                "type": "object",
                "properties": {
                    "pet": {"$ref": "#/components/schemas/Pet"},
                    "maybe": {"$ref": "#/components/schemas/Pet", "nullable": True},
                },
            },
        },
    )
    assert built.field_type("Owner", "pet") == ModelRef("Pet")
    assert built.field_type("Owner", "maybe") == Nullable(ModelRef("Pet"))
    assert sorted(built.models) == ["Owner", "Pet"]


def test_a_component_that_is_a_plain_type_is_no_class(tmp_path: Path) -> None:
    built = Built(tmp_path, {"Id": {"type": "string", "format": "uuid"}})
    assert built.types["Id"] == Primitive("UUID", "uuid")
    assert built.models == {}


def test_named_enums_become_enum_classes(tmp_path: Path) -> None:
    built = Built(
        tmp_path,
        {
            "Status": {"type": "string", "enum": ["on", "off-line", None]},
            "Level": {"type": "integer", "enum": [1, 2]},
            "Mixed": {"enum": ["a", 1]},
        },
    )
    status, level, mixed = (built.models[n] for n in ("Status", "Level", "Mixed"))
    assert isinstance(status, EnumModel)
    assert [(m.py_name, m.value) for m in status.members] == [
        ("ON", "on"),
        ("OFF_MINUS_LINE", "off-line"),  # OpenAPI Generator spells the sign out
    ]
    assert status.value_type == "str"
    assert isinstance(level, EnumModel) and level.value_type == "int"
    assert isinstance(mixed, EnumModel)
    assert [m.value for m in mixed.members] == ["a", "1"]
    assert [w.message for w in built.warnings] == [
        "an enum mixing types is generated with string values"
    ]
    assert built.warnings[0].location.pointer == "/components/schemas/Mixed"


def test_a_recursive_alias_becomes_a_root_model(tmp_path: Path) -> None:
    built = Built(
        tmp_path,
        {"Tree": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}},
    )
    assert built.types["Tree"] == ModelRef("Tree")
    tree = built.models["Tree"]
    assert isinstance(tree, RootModel)
    assert tree.type == ArrayType(ModelRef("Tree"))


def test_one_of_with_a_discriminator_is_a_union_class(tmp_path: Path) -> None:
    def kind(value: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": {"type": "string", "enum": [value]}},
        }

    built = Built(
        tmp_path,
        {
            "Cat": kind("cat"),
            "Dog": kind("dog"),
            "Animal": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Cat"},
                    {"$ref": "#/components/schemas/Dog"},
                ],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"cat": "#/components/schemas/Cat"},
                },
            },
            "MaybeCat": {
                "anyOf": [{"$ref": "#/components/schemas/Cat"}, {"type": "null"}]
            },
        },
    )
    animal = built.models["Animal"]
    assert isinstance(animal, RootModel)
    assert animal.composition == "oneOf"
    assert animal.variants == (ModelRef("Cat"), ModelRef("Dog"))
    assert animal.discriminator == "kind"
    # The explicit mapping, then each other variant under its schema's name.
    assert animal.tags == (("cat", "Cat"), ("Dog", "Dog"))
    # `anyOf: [X, null]` is X or None, not a class.
    assert built.types["MaybeCat"] == Nullable(ModelRef("Cat"))
    assert "MaybeCat" not in built.models


def test_all_of_merges_the_parts(tmp_path: Path) -> None:
    built = Built(
        tmp_path,
        {
            "Base": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "integer"}},
            },
            "Both": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "required": ["x"],
                        "properties": {
                            "x": {"type": "integer"},
                            "name": {"type": "string"},  # a later part overrides
                        },
                        "additionalProperties": False,
                    },
                ]
            },
        },
    )
    both = built.models["Both"]
    assert isinstance(both, ObjectModel)
    assert [(f.wire_name, f.type, f.required) for f in both.fields] == [
        ("id", Primitive("int"), True),
        ("x", Primitive("int"), True),
        ("name", Primitive("str"), False),
    ]
    assert both.closed


def test_constructs_the_types_cannot_express_are_warned_at_their_pointer(
    tmp_path: Path,
) -> None:
    built = Built(
        tmp_path,
        {
            "Holder": {
                "type": "object",
                "properties": {
                    "neg": {"not": {"type": "string"}},
                    "odd": {"type": "strange"},
                },
            }
        },
    )
    assert built.field_type("Holder", "neg") == AnyType()
    assert built.field_type("Holder", "odd") == AnyType()
    assert [(w.location.pointer, w.message) for w in built.warnings] == [
        (
            "/components/schemas/Holder/properties/neg",
            "`not` cannot be expressed in a Python type; the constraint is not checked",
        ),
        (
            "/components/schemas/Holder/properties/odd",
            "unknown type 'strange'; typed as Any",
        ),
    ]
