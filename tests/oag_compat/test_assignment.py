"""Item 2: assigning to a model field validates the value (types, constraints, inline enums, patterns),
with OpenAPI Generator's messages for inline enums and patterns."""

from __future__ import annotations

from types import ModuleType

import pydantic
import pytest

from tests.support.recording_server import RecordingServer


def test_invalid_inline_enum_assignment_is_refused(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="dog", name="Rex")
    with pytest.raises(pydantic.ValidationError) as caught:
        dog.mood = "sleepy"
    assert "must be one of enum values ('calm', 'wild')" in str(caught.value)
    assert dog.mood == "calm"  # unchanged
    dog.mood = "wild"
    assert dog.mood == "wild" and "mood" in dog.model_fields_set


def test_constraints_are_checked_on_assignment(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="dog", name="Rex")
    with pytest.raises(pydantic.ValidationError, match="at most 20 characters"):
        dog.name = "x" * 21
    with pytest.raises(pydantic.ValidationError, match="greater than 0"):
        dog.weight = 0
    with pytest.raises(pydantic.ValidationError, match="at most 3 items"):
        dog.scores = [1, 2, 3, 4]
    with pytest.raises(pydantic.ValidationError, match="less than or equal to 10"):
        dog.scores = [11]
    with pytest.raises(pydantic.ValidationError, match="valid integer"):
        dog.legs = "many"
    dog.scores = [0, 10]
    assert dog.scores == [0, 10]


def test_patterns_use_python_re_with_slash_flags(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="dog", name="Rex")
    dog.tag = "K-123"
    with pytest.raises(pydantic.ValidationError) as caught:
        dog.tag = "K-12"
    assert "must validate the regular expression /^K-\\d{3}$/" in str(caught.value)
    dog.code = "DOG_rex"  # /…/i: case-insensitive
    with pytest.raises(pydantic.ValidationError) as caught:
        dog.code = "cat_rex"
    assert "must validate the regular expression /^dog_[a-z]+$/i" in str(caught.value)


def test_values_built_in_python_are_checked(kennel: ModuleType) -> None:
    with pytest.raises(pydantic.ValidationError, match="must be one of enum values"):
        kennel.Dog.from_dict({"kind": "d", "name": "n", "mood": "sleepy"})
    with pytest.raises(pydantic.ValidationError, match="regular expression"):
        kennel.Dog.from_dict({"kind": "d", "name": "n", "tag": "nope"})
    with pytest.raises(pydantic.ValidationError, match="at least 1 character"):
        kennel.Dog(kind="d", name="")


def test_parsed_json_is_not_refused_for_a_constraint(
    kennel: ModuleType, server: RecordingServer
) -> None:
    # A server's data (or JSON text) is taken as it is: specs often state constraints stricter than
    # their servers keep. Its types and enums are still checked.
    dog = kennel.Dog.from_json(
        '{"kind": "d", "name": "", "tag": "nope", "scores": [99]}'
    )
    assert (dog.name, dog.tag, dog.scores) == ("", "nope", [99])
    server.enqueue(200, json={"kind": "dog", "name": "x" * 30, "weight": -1})
    config = kennel.Configuration(host=server.url)
    config.api_key["key"] = "k"
    with kennel.ApiClient(config) as client:
        fetched = kennel.DogsApi(client).get_dog(1)
    assert fetched.weight == -1 and len(fetched.name) == 30
    with pytest.raises(pydantic.ValidationError):
        kennel.Dog.from_json('{"kind": "d", "name": "n", "mood": "sleepy"}')
    with pytest.raises(pydantic.ValidationError):
        kennel.Dog.from_json('{"kind": "d", "name": "n", "legs": "many"}')
