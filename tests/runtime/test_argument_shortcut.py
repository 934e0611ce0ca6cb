"""The argument check's shortcut (``arguments._Plain``: a call whose arguments all have exactly a type
their annotations name passes without pydantic, kept because the client benchmark measured pydantic's
``validate_call`` at several microseconds a call) is pinned to the general path: every call it passes,
pydantic passes too, and every other call gets pydantic's answer (the same error)."""

from __future__ import annotations

import datetime
import enum
import itertools
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

import pydantic
import pytest

from generator.runtime.arguments import _checker, _Plain, validate_arguments
from generator.runtime.endpoint import Body, Endpoint
from generator.runtime.models import ApiModel


class Colour(str, enum.Enum):
    RED = "red"


class Pet(ApiModel):
    name: str


class PetChild(Pet):
    pass


class Revalidated(ApiModel):
    model_config = pydantic.ConfigDict(revalidate_instances="always")
    name: str


ENDPOINT = Endpoint(
    "op", "POST", "/", body=Body("json", "application/json", param="pet")
)


class Api:
    def op(
        self,
        pet: Pet,
        count: int,
        ratio: float | None = None,
        flag: bool | None = None,
        ident: uuid.UUID | str | None = None,
        colour: Colour | None = None,
        when: datetime.datetime | None = None,
        day: datetime.date | None = None,
        small: Annotated[int, pydantic.Field(le=3)] | None = None,
        tags: list[str] | None = None,
        amount: Decimal | None = None,
        again: Revalidated | None = None,
        anything: Any = None,
        *,
        _request_timeout: float | tuple[float, float] | None = None,
        _headers: Mapping[str, str] | None = None,
        _host_index: int | None = None,
    ) -> None:
        return None


NAMES = [
    "pet",
    "count",
    "ratio",
    "flag",
    "ident",
    "colour",
    "when",
    "day",
    "small",
    "tags",
    "amount",
    "again",
    "anything",
    "_request_timeout",
    "_headers",
    "_host_index",
]
VALUES: list[Any] = [
    None,
    "x",
    "",
    3,
    7,
    True,
    1.5,
    float("nan"),
    Decimal("NaN"),
    Decimal("1.5"),
    uuid.UUID(int=5),
    Colour.RED,
    "red",
    datetime.datetime(2024, 1, 1),
    datetime.date(2024, 1, 1),
    Pet(name="a"),
    PetChild(name="b"),
    {"name": "c"},
    ["t"],
    Revalidated(name="r"),
    b"x",
]


@pytest.fixture(scope="module")
def checker() -> _Plain:
    check = _checker(Api.op, ENDPOINT, {})
    assert isinstance(check, _Plain)
    return check


def _pydantic_accepts(
    check: _Plain, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> bool:
    try:
        check.validate(*args, **kwargs)
    except pydantic.ValidationError:
        return False
    return True


def test_every_call_the_shortcut_passes_pydantic_passes(checker: _Plain) -> None:
    api = Api()
    base_pet, base_count = Pet(name="p"), 1
    passed = 0
    for name, value in itertools.product(NAMES, VALUES):
        kwargs = {"pet": base_pet, "count": base_count, name: value}
        by_position = dict(kwargs)
        calls = [((api,), kwargs), ((api, by_position.pop("pet")), by_position)]
        for args, kw in calls:  # all by keyword; the first by position
            if checker.plain(args, kw):
                passed += 1
                assert _pydantic_accepts(checker, args, kw), (name, value)
    assert passed > 50  # the shortcut is taken for the plain calls


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {}),  # missing required
        ((Pet(name="p"),), {}),
        ((Pet(name="p"), 1), {"count": 1}),  # twice
        ((Pet(name="p"), 1), {"colour_": Colour.RED}),  # unknown
        (
            (
                Pet(name="p"),
                1,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            ),
            {},
        ),
        ((Pet(name="p"), True), {}),  # bool for int
        ((Pet(name="p"), "1"), {}),  # str for int
        ((PetChild(name="p"), 1), {}),  # a subclass: pydantic decides
        ((Pet(name="p"), 1), {"small": 2}),  # a constraint: pydantic decides
        ((Pet(name="p"), 1), {"amount": Decimal("NaN")}),
        ((Pet(name="p"), 1), {"again": Revalidated(name="r")}),
        ((Pet(name="p"), 1), {"_request_timeout": (1.0, 2.0)}),
        ((Pet(name="p"), 1), {"_headers": {"A": "b"}}),
        (({"name": "d"}, 1), {}),  # a dict for the JSON body
    ],
)
def test_other_calls_get_pydantics_answer(
    checker: _Plain, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    args = (Api(), *args)
    assert not checker.plain(args, kwargs)
    try:
        checker.validate(*args, **kwargs)
    except pydantic.ValidationError as expected:
        with pytest.raises(pydantic.ValidationError) as caught:
            checker(*args, **kwargs)
        assert caught.value.errors() == expected.errors()
    else:
        checker(*args, **kwargs)


def test_the_decorated_method_refuses_what_pydantic_refuses() -> None:
    op = validate_arguments(ENDPOINT, {})(Api.op)
    api = Api()
    assert op(api, Pet(name="p"), 1, ident="x", colour=Colour.RED) is None
    with pytest.raises(pydantic.ValidationError, match="valid integer"):
        op(api, Pet(name="p"), "1")
    with pytest.raises(pydantic.ValidationError, match="less than or equal"):
        op(api, Pet(name="p"), 1, small=4)
    with pytest.raises(pydantic.ValidationError, match="Missing required"):
        op(api, count=1)


class KeywordOnly:
    def op(self, count: int, *, name: str, flag: bool | None = None) -> None:
        return None


@pytest.mark.parametrize(
    ("args", "kwargs", "plain"),
    [
        ((1,), {"name": "x"}, True),
        ((), {"count": 1, "name": "x"}, True),
        ((1,), {}, False),  # the keyword-only one missing, all positional ones given
        ((), {"name": "x"}, False),
        ((1,), {"name": "x", "flag": True}, True),
        ((1, "x"), {}, False),  # a keyword-only one by position
    ],
)
def test_required_keyword_only_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], plain: bool
) -> None:
    checker = _checker(KeywordOnly.op, ENDPOINT, {})
    call = (KeywordOnly(), *args)
    assert checker.plain(call, kwargs) is plain
    if plain:
        checker.validate(*call, **kwargs)
    else:
        with pytest.raises(pydantic.ValidationError):
            checker(*call, **kwargs)
