"""Item 5: fields a schema does not declare are ``additional_properties`` (a live dict) and are serialised
flat beside the declared ones."""

from __future__ import annotations

import json
from types import ModuleType

import pydantic
import pytest


def test_unknown_fields_are_additional_properties(kennel: ModuleType) -> None:
    dog = kennel.Dog.from_dict(
        {"kind": "dog", "name": "Rex", "chip-id": "A1", "toys": [1]}
    )
    assert dog.additional_properties == {"chip-id": "A1", "toys": [1]}
    assert dog.to_dict() == {"kind": "dog", "name": "Rex", "chip-id": "A1", "toys": [1]}


def test_the_dict_is_live_and_per_instance(kennel: ModuleType) -> None:
    first, second = kennel.Dog(kind="d", name="a"), kennel.Dog(kind="d", name="b")
    assert first.additional_properties == {} and second.additional_properties == {}
    assert first.additional_properties is not second.additional_properties
    first.additional_properties["vaccinated"] = True
    assert json.loads(first.to_json()) == {"kind": "d", "name": "a", "vaccinated": True}
    assert second.additional_properties == {}
    with pytest.raises(KeyError):
        second.additional_properties["vaccinated"]


def test_assigning_the_dict_replaces_them(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="d", name="a", old=1)
    dog.additional_properties = {"new": 2}
    assert dog.to_dict() == {"kind": "d", "name": "a", "new": 2}
    assert "additional_properties" not in dog.to_dict()


def test_typed_additional_properties_are_checked_when_parsed(
    kennel: ModuleType,
) -> None:
    assert kennel.Tagged.from_dict({"note": "n", "a": 1}).additional_properties == {
        "a": 1
    }
    with pytest.raises(pydantic.ValidationError):
        kennel.Tagged.from_dict({"note": "n", "a": "not an integer"})


def test_to_str_shows_them_as_openapi_generator_does(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="d", name="a", extra=1)
    text = dog.to_str()
    assert text.startswith("{'additional_properties': {'extra': 1},")
    assert "'colour': 'brown'" in text and "'tag': None" in text
