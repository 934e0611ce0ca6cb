"""Item 9: ``ApiClient.sanitize_for_serialization(obj)`` and ``ApiClient.deserialize(response_text,
response_type, content_type)`` with OpenAPI Generator's signatures."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid
from types import ModuleType

import pydantic
import pytest


def test_sanitize_scalars_and_containers(kennel: ModuleType) -> None:
    client = kennel.ApiClient()
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, 450000, tzinfo=datetime.timezone.utc)

    class Colour(int, enum.Enum):
        RED = 1

    assert client.sanitize_for_serialization(None) is None
    assert client.sanitize_for_serialization(when) == "2024-05-06T07:08:09.450000+00:00"
    assert client.sanitize_for_serialization(datetime.date(2024, 5, 6)) == "2024-05-06"
    assert client.sanitize_for_serialization(decimal.Decimal("1.0")) == "1.0"
    value = client.sanitize_for_serialization([Colour.RED, kennel.Size.MINUS_LARGE])
    assert value == [1, "-large"] and type(value[0]) is int
    assert client.sanitize_for_serialization((1, "a")) == (1, "a")
    ident = uuid.UUID(int=5)
    assert client.sanitize_for_serialization({"id": ident}) == {"id": str(ident)}
    assert client.sanitize_for_serialization(b"raw") == b"raw"


def test_sanitize_models_and_other_objects(kennel: ModuleType) -> None:
    client = kennel.ApiClient()
    dog = kennel.Dog(kind="dog", name="Rex", extra=1)
    dog.scores = [1]
    assert client.sanitize_for_serialization([dog]) == [
        {"kind": "dog", "name": "Rex", "extra": 1, "scores": [1]}
    ]
    owner = kennel.Owner(pet=kennel.Pet(kennel.Cat(petType="kitty", purrs=True)))
    assert client.sanitize_for_serialization(owner) == {
        "pet": {"petType": "kitty", "purrs": True}
    }
    assert client.sanitize_for_serialization(kennel.Shade([1, 2, 3])) == [1, 2, 3]

    class Login(pydantic.BaseModel):
        user: str
        password: pydantic.SecretStr

    login = Login(user="u", password=pydantic.SecretStr("p"))
    assert client.sanitize_for_serialization(login) == {"user": "u", "password": "p"}


def test_deserialize_type_names(kennel: ModuleType) -> None:
    client = kennel.ApiClient()
    dogs = client.deserialize(
        json.dumps({"a": {"kind": "dog", "name": "Rex"}}),
        "Dict[str, Dog]",
        "application/json",
    )
    assert isinstance(dogs["a"], kennel.Dog) and dogs["a"].legs == 4
    listed = client.deserialize(
        '[{"kind": "d", "name": "n"}]', "List[Dog]", "application/json"
    )
    assert listed[0].name == "n"
    assert client.deserialize('[["a"]]', "List[List[str]]", "application/json") == [
        ["a"]
    ]
    assert client.deserialize(
        '"2024-05-06"', "date", "application/json"
    ) == datetime.date(2024, 5, 6)
    assert isinstance(
        client.deserialize('"2024-05-06T01:02:03Z"', "datetime", None),
        datetime.datetime,
    )
    assert client.deserialize("1.1", "decimal", "application/json") == decimal.Decimal(
        1.1
    )
    assert client.deserialize("null", "datetime", "application/json") is None
    pet = client.deserialize(
        '{"petType": "kitty", "purrs": true}', "Pet", "application/json"
    )
    assert isinstance(pet.actual_instance, kennel.Cat)
    assert (
        client.deserialize('"-large"', "Size", "application/json")
        is kennel.Size.MINUS_LARGE
    )
    assert client.deserialize('{"x": 1}', dict[str, int], "application/json") == {
        "x": 1
    }
    with pytest.raises(pydantic.ValidationError):
        client.deserialize('{"kind": "d"}', "Dog", "application/json")


def test_deserialize_content_types(kennel: ModuleType) -> None:
    client = kennel.ApiClient()
    text = '{"a": "a"}'
    for media in (
        "application/json",
        "application/vnd.api+json; charset=utf-8",
        "APPLICATION/JSON",
    ):
        assert client.deserialize(text, "Dict[str, str]", media) == {"a": "a"}
    assert client.deserialize(text, "str", "text/plain") == text
    assert client.deserialize(b"plain", "str", None) == "plain"  # not JSON: the text
    for media in (
        "text",
        "text/n0t-exist!ng",
        "application/jsonnnnn",
        "application/<+json",
    ):
        with pytest.raises(kennel.ApiException) as caught:
            client.deserialize(text, "str", media)
        assert caught.value.status == 0 and media in str(caught.value.reason)
    with pytest.raises(
        kennel.exceptions.ApiValueError, match="unknown type name 'Nope'"
    ):
        client.deserialize(text, "Nope", "application/json")
