"""A response that fails validation says where (the field path as it is in the data, union labels left
out), what came (its JSON type, never the value) and what was declared there."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import pydantic
import pytest
from pydantic import Discriminator, Field, RootModel, Tag

from generator.runtime.endpoint import Endpoint
from generator.runtime.exceptions import ResponseValidationError
from generator.runtime.response import decode_message, decode_response
from generator.runtime.validation import describe_mismatch, type_name

JSON = {"Content-Type": "application/json"}


class Cat(pydantic.BaseModel):
    kind: Literal["cat"]
    meows: bool


class Dog(pydantic.BaseModel):
    kind: Literal["dog"]
    barks: bool


class Pet(
    RootModel[
        Annotated[
            Annotated[Cat, Tag("Cat")] | Annotated[Dog, Tag("Dog")],
            Discriminator(
                lambda v: (
                    {"cat": "Cat", "dog": "Dog"}.get(v.get("kind"))
                    if isinstance(v, dict)
                    else type(v).__name__
                )
            ),
        ]
    ]
):
    pass


class Item(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(validate_by_alias=True, validate_by_name=True)
    id: UUID
    price: Decimal | None
    either: int | str
    pet: Cat | Dog | None = None
    pets: list[Pet] = []
    counts: dict[str, int] = {}
    dashed: int = Field(0, alias="x-dashed")


def _endpoint(tp: object) -> Endpoint:
    return Endpoint("getItem", "GET", "/item", response_types=lambda: {"200": tp})


def _fail(tp: object, body: str) -> ResponseValidationError:
    with pytest.raises(ResponseValidationError) as info:
        decode_response(_endpoint(tp), 200, JSON, body.encode())
    return info.value


UID = '"00000000-0000-0000-0000-000000000001"'


@pytest.mark.parametrize(
    ("body", "path", "got", "declared"),
    [
        ('{"id": 3, "price": 1, "either": 1}', "id", "integer", "UUID"),
        (
            f'{{"id": {UID}, "price": [], "either": 1}}',
            "price",
            "array",
            "Decimal | None",
        ),
        (f'{{"id": {UID}, "price": 1, "either": null}}', "either", "null", "int | str"),
        (
            f'{{"id": {UID}, "price": 1, "either": 1, "pet": {{"kind": "cat", "meows": "q"}}}}',
            "pet.meows",
            "string",
            "bool",
        ),
        (
            f'{{"id": {UID}, "price": 1, "either": 1, "pets": [{{"kind": "dog", "barks": 3}}]}}',
            "pets[0].barks",
            "integer",
            "bool",
        ),
        (
            f'{{"id": {UID}, "price": 1, "either": 1, "counts": {{"a": {{}}}}}}',
            "counts.a",
            "object",
            "int",
        ),
        (
            f'{{"id": {UID}, "price": 1, "either": 1, "x-dashed": "z"}}',
            "x-dashed",
            "string",
            "int",
        ),
        ('{"price": 1, "either": 1}', "id", "nothing", "UUID"),
    ],
)
def test_message_names_path_value_type_and_declared_type(
    body: str, path: str, got: str, declared: str
) -> None:
    error = _fail(Item, body)
    assert error.path == path
    assert f"at {path!r}: got {got}, declared {declared}: " in str(error)
    assert str(error).startswith("getItem: response 200 does not match")


def test_values_are_not_quoted() -> None:
    error = _fail(Item, '{"id": "s3cr3t-token", "price": 1, "either": 1}')
    assert "s3cr3t" not in str(error) and error.path == "id"


def test_whole_body_and_list_of_models() -> None:
    error = _fail(list[Item], '{"id": 1}')
    assert error.path == "" and "got object, declared list[Item]" in str(error)
    error = _fail(list[Item], f'[{{"id": {UID}, "price": 1, "either": 1}}, {{}}]')
    assert error.path == "[1].id" and "got nothing, declared UUID" in str(error)


def test_websocket_messages_say_the_same() -> None:
    endpoint = _endpoint(Item)
    with pytest.raises(ResponseValidationError) as info:
        decode_message(endpoint, '{"id": true, "price": 1, "either": 1}')
    assert info.value.path == "id"
    assert "got boolean, declared UUID" in str(info.value)


def test_describe_mismatch_of_a_root_union() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        Pet.model_validate({"kind": "cat", "meows": None})
    assert describe_mismatch(Pet, info.value)[0] == "meows"
    assert describe_mismatch(Pet, info.value)[1].startswith("got null, declared bool")


def test_type_names_read_as_written() -> None:
    assert type_name(list[Item] | None) == "list[Item] | None"
    assert type_name(dict[str, Literal["a", 1]]) == "dict[str, Literal['a', 1]]"
    assert type_name(Pet) == "Pet"


def test_websocket_messages_of_a_decimal_operation_keep_every_digit() -> None:
    class Quote(pydantic.BaseModel):
        price: Decimal
        size: float

    exact = Endpoint(
        "watchQuotes",
        "GET",
        "/quotes",
        response_types=lambda: {"200": Quote},
        exact_decimals=True,
    )
    quote = decode_message(
        exact, '{"price": 12345678901234567890.123456789, "size": 1.5}'
    )
    assert quote.price == Decimal("12345678901234567890.123456789")
    assert quote.size == 1.5 and type(quote.size) is float
    plain = Endpoint(
        "watchQuotes", "GET", "/quotes", response_types=lambda: {"200": Quote}
    )
    # Without the flag (no decimal in the operation's types, decided at generation) JSON floats are used.
    assert decode_message(plain, '{"price": 0.1, "size": 2}').price == Decimal("0.1")
