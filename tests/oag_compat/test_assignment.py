"""Item 2: assigning to a model field validates the value (types, constraints, inline enums, patterns),
with OpenAPI Generator's messages for inline enums and patterns."""

from __future__ import annotations

from types import ModuleType

import pydantic
import pytest


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


def test_parsing_checks_the_same_rules(kennel: ModuleType) -> None:
    with pytest.raises(pydantic.ValidationError, match="must be one of enum values"):
        kennel.Dog.from_dict({"kind": "d", "name": "n", "mood": "sleepy"})
    with pytest.raises(pydantic.ValidationError, match="regular expression"):
        kennel.Dog.from_json('{"kind": "d", "name": "n", "tag": "nope"}')
