"""Item 3: oneOf/anyOf models have OpenAPI Generator's surface (``actual_instance``, the variant
validators, the constructor forms, ``from_json``/``from_dict``/``to_json``/``to_dict``, its messages)
while staying typed; union fields inside other models stay plain typed unions."""

from __future__ import annotations

import json
import typing
from types import ModuleType

import pydantic
import pytest


def test_empty_union(kennel: ModuleType) -> None:
    shade = kennel.Shade()
    assert shade.actual_instance is None
    assert shade.to_json() == "null" and shade.to_dict() is None


def test_constructor_forms(kennel: ModuleType) -> None:
    assert kennel.Shade([1, 2, 3]).actual_instance == [1, 2, 3]
    assert kennel.Shade(actual_instance="#00ff00").actual_instance == "#00ff00"
    by_variant = kennel.Shade(oneof_schema_1_validator=[4, 5, 6])
    assert by_variant.oneof_schema_1_validator == [4, 5, 6]
    assert by_variant.actual_instance == [4, 5, 6]
    with pytest.raises(ValueError, match="only 1 is allowed"):
        kennel.Shade([1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="keyword arguments cannot be used"):
        kennel.Shade([1, 2, 3], actual_instance="#000000")


def test_variant_validators_keep_constraints(kennel: ModuleType) -> None:
    shade = kennel.Shade()
    with pytest.raises(pydantic.ValidationError, match="at least 3 items"):
        shade.oneof_schema_1_validator = [1, 2]
    with pytest.raises(pydantic.ValidationError, match="less than or equal to 255"):
        shade.oneof_schema_1_validator = [1, 2, 256]
    with pytest.raises(pydantic.ValidationError, match="regular expression"):
        kennel.Shade(oneof_schema_2_validator="#12345")
    shade.oneof_schema_2_validator = "#abcdef"
    assert shade.oneof_schema_2_validator == "#abcdef"


def test_setting_actual_instance_checks_the_variants(kennel: ModuleType) -> None:
    shade = kennel.Shade()
    shade.actual_instance = [9, 9, 9]
    assert shade.to_json() == "[9, 9, 9]"
    with pytest.raises(ValueError) as caught:
        shade.actual_instance = [1, 2, 300]
    text = str(caught.value)
    assert (
        "No match found when setting `actual_instance` in Shade with oneOf schemas: List[int], str."
        in text
    )
    assert "less than or equal to 255" in text
    shade.actual_instance = None  # nullable: None is allowed
    assert shade.to_json() == "null"


def test_from_json_and_to_dict(kennel: ModuleType) -> None:
    shade = kennel.Shade.from_json("[12,34,56]")
    assert shade.actual_instance == [12, 34, 56]
    assert shade.to_dict() == [12, 34, 56] and shade.to_json() == "[12, 34, 56]"
    assert kennel.Shade.from_json(None).actual_instance is None
    assert kennel.Shade.from_dict("#ABCDEF").actual_instance == "#ABCDEF"
    with pytest.raises(ValueError) as caught:
        kennel.Shade.from_json("[1, 2]")
    assert str(caught.value).startswith(
        "No match found when deserializing the JSON string into Shade with oneOf schemas: List[int], str. Details: "
    )


def test_one_of_counts_matches_strictly(kennel: ModuleType) -> None:
    assert kennel.NumberOrText(12).actual_instance == 12
    assert kennel.NumberOrText("12").actual_instance == "12"  # a string stays a string
    with pytest.raises(ValueError, match="greater than or equal to 10"):
        kennel.NumberOrText(5)
    with pytest.raises(ValueError, match="No match found"):
        kennel.NumberOrText.from_json("true")


def test_discriminated_one_of(kennel: ModuleType) -> None:
    pet = kennel.Pet.from_dict({"petType": "kitty", "purrs": True})
    assert isinstance(pet.actual_instance, kennel.Cat)
    assert pet.to_json() == '{"petType": "kitty", "purrs": true}'
    hound = kennel.Pet.from_json('{"petType": "hound", "barks": false}')
    assert isinstance(hound.actual_instance, kennel.Hound)
    with pytest.raises(
        ValueError, match="Failed to lookup data type from the field `petType`"
    ):
        kennel.Pet.from_dict({"purrs": True})
    with pytest.raises(AttributeError, match="'int' object has no attribute 'get'"):
        kennel.Pet.from_json("1")
    cat = kennel.Cat(petType="kitty", purrs=False)
    assert kennel.Pet(cat).actual_instance is cat
    with pytest.raises(ValueError) as caught:
        kennel.Pet(actual_instance="cat")
    assert "or instance of Cat" in str(caught.value) and "or instance of Hound" in str(
        caught.value
    )


def test_any_of_takes_the_first_match_and_its_messages(kennel: ModuleType) -> None:
    pet = kennel.AnyPet.from_json('{"petType": "x", "purrs": true, "barks": true}')
    assert isinstance(pet.actual_instance, kennel.Cat)
    with pytest.raises(ValueError) as caught:
        kennel.AnyPet(actual_instance="cat")
    text = str(caught.value)
    assert (
        "No match found when setting the actual_instance in AnyPet with anyOf schemas: Cat, Hound."
        in text
    )
    assert "Input type `<class 'str'>` is not `Cat`" in text
    with pytest.raises(
        ValueError,
        match="No match found when deserializing the JSON string into AnyPet",
    ):
        kennel.AnyPet.from_json("1")


def test_enum_variants_report_the_enum_error(kennel: ModuleType) -> None:
    assert kennel.Sizes.from_json('"alpha"').actual_instance is kennel.Named.First
    with pytest.raises(ValueError) as caught:
        kennel.Sizes.from_json('"huge"')
    assert "'huge' is not a valid Size, 'huge' is not a valid Named" in str(
        caught.value
    )


def test_union_fields_inside_models(kennel: ModuleType) -> None:
    owner = kennel.Owner.from_json(
        '{"pet": {"petType": "kitty", "purrs": true}, "shade": [1, 2, 3], "either": 7}'
    )
    assert isinstance(owner.pet, kennel.Pet) and isinstance(
        owner.pet.actual_instance, kennel.Cat
    )
    assert owner.shade.actual_instance == [1, 2, 3]
    assert json.loads(owner.to_json()) == {
        "pet": {"petType": "kitty", "purrs": True},
        "shade": [1, 2, 3],
        "either": 7,
    }
    owner.pet = kennel.Pet(kennel.Hound(petType="hound", barks=True))
    assert owner.to_dict()["pet"] == {"petType": "hound", "barks": True}
    with pytest.raises(pydantic.ValidationError):
        kennel.Owner.from_dict({"pet": {"petType": "kitty"}})


def test_unions_stay_typed(kennel: ModuleType) -> None:
    hints = typing.get_type_hints(kennel.Shade)
    assert hints["actual_instance"] == list[int] | str | None
    # an inline oneOf of a model field is a plain union annotation, not a class
    assert typing.get_type_hints(kennel.Owner)["either"] == int | str | None
    assert kennel.Pet.one_of_schemas == {"Cat", "Hound"}
    assert kennel.AnyPet.any_of_schemas == {"Cat", "Hound"}
