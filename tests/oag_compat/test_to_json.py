"""Item 6: ``to_json()`` is ``json.dumps(to_dict())``, as in OpenAPI Generator's clients."""

from __future__ import annotations

import json
from types import ModuleType


def test_to_json_is_json_dumps_of_to_dict(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="dog", name="Rex", scores=[1, 2], label=None)
    assert (
        dog.to_json()
        == '{"kind": "dog", "name": "Rex", "scores": [1, 2], "label": null}'
    )
    assert dog.to_json() == json.dumps(dog.to_dict())


def test_non_ascii_is_escaped_as_json_dumps_does(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="chien", name="Médor")
    assert dog.to_json() == '{"kind": "chien", "name": "M\\u00e9dor"}'
    assert kennel.Dog.from_json(dog.to_json()).name == "Médor"


def test_unions_and_nested_models(kennel: ModuleType) -> None:
    owner = kennel.Owner(pet=kennel.Pet(kennel.Cat(petType="kitty", purrs=True)))
    assert owner.to_json() == '{"pet": {"petType": "kitty", "purrs": true}}'
    assert kennel.Shade([1, 2, 3]).to_json() == "[1, 2, 3]"
