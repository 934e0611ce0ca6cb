"""The fast pass's judgement of defaults (generator/parse/defaults.py) is openapi-spec-validator's.

openapi-spec-validator checks a default with openapi-schema-validator's OAS30Validator / OAS31Validator and
their format checkers. Whenever the fast pass answers (it may leave a schema to the full validator), its answer
must be theirs: checked here on thousands of generated schemas and values, and on the format checkers'
registries, so a new format or a changed rule in those packages fails this test rather than the user's build.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)

from generator.parse.defaults import _JUDGED, judge

TARGET = {"type": "integer", "maximum": 5}
ROOT_SCHEMAS = {"T": TARGET, "S": {"type": "string", "minLength": 2}}
FORMATS = [
    "int32",
    "int64",
    "float",
    "double",
    "password",
    "binary",
    "byte",
    "email",
    "idn-email",
    "ipv4",
    "ipv6",
    "date",
    "time",
    "date-time",
    "uuid",
    "regex",
    "idn-hostname",
    "hostname",
    "uri",
    "duration",
    "phone-number",  # no checker knows it
]
STRINGS = [
    "",
    "a",
    "ab",
    "abc",
    "a@b",
    "1.2.3.4",
    "256.1.1.1",
    "::1",
    "fe80::1%eth0",
    "2024-02-29",
    "2023-02-29",
    "2024-1-1",
    "23:20:50",
    "23:20:50.52",
    "2024-01-01T00:00:00Z",
    "2024-01-01t00:00:00z",
    "2024-01-01 00:00",
    "12345678-1234-5678-1234-567812345678",
    "12345678123456781234567812345678",
    "dGVzdA==",
    "dGVzdA",
    "Bücher.example",
    "xn--bcher-kva.example",
    "[",
    "^a+$",
    "12345",
    "1.0",
    "Ü",
]
NUMBERS = [
    0,
    1,
    -1,
    2,
    3,
    4,
    6,
    10,
    12,
    2**31,
    -(2**31) - 1,
    2**63,
    0.5,
    1.0,
    2.5,
    -3.0,
]


def _value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.random()
    if depth < 2 and pick < 0.12:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 2 and pick < 0.24:
        return {k: _value(rng, depth + 1) for k in rng.sample("abc", rng.randint(0, 3))}
    return rng.choice(
        [
            None,
            True,
            False,
            rng.choice(NUMBERS),
            rng.choice(STRINGS),
            rng.choice(STRINGS),
        ]
    )


def _schema(rng: random.Random, v31: bool, depth: int = 0) -> Any:
    if v31 and rng.random() < 0.04:
        return rng.choice([True, False])
    schema: dict[str, Any] = {}
    types = ["string", "number", "integer", "boolean", "array", "object"]
    if v31:
        types.append("null")
    keywords = rng.sample(_KEYWORDS, rng.randint(0, 4))
    for key in keywords:
        if key == "type":
            if v31 and rng.random() < 0.3:
                schema["type"] = rng.sample(types, 2)
            else:
                schema["type"] = rng.choice(types)
        elif key == "nullable":
            schema["nullable"] = rng.choice([True, False])
        elif key == "enum":
            schema["enum"] = [_value(rng, 2) for _ in range(rng.randint(1, 3))]
        elif key == "const" and v31:
            schema["const"] = _value(rng, 2)
        elif key == "format":
            schema["format"] = rng.choice(FORMATS)
        elif key in ("minimum", "maximum"):
            schema[key] = rng.choice([*NUMBERS, True] if v31 else NUMBERS)
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            # (a boolean in 3.1 is a mistake the validator still compares with)
            schema[key] = (
                rng.choice([*NUMBERS, True, False])
                if v31
                else rng.choice([True, False])
            )
        elif key in ("minLength", "maxLength", "minItems", "maxItems"):
            schema[key] = rng.randint(0, 3)
        elif key in ("minProperties", "maxProperties"):
            schema[key] = rng.randint(0, 3)
        elif key == "pattern":
            schema["pattern"] = rng.choice(
                ["^a", "b$", "[0-9]+", "(unclosed", "^.{2}$"]
            )
        elif key == "multipleOf":
            schema["multipleOf"] = rng.choice([1, 2, 3, 0.5])
        elif key == "uniqueItems":
            schema["uniqueItems"] = rng.choice([True, False])
        elif key == "items" and depth < 3:
            schema["items"] = _schema(rng, v31, depth + 1)
        elif key == "properties" and depth < 3:
            schema["properties"] = {
                k: _schema(rng, v31, depth + 1)
                for k in rng.sample("abc", rng.randint(1, 2))
            }
        elif key == "required":
            schema["required"] = rng.sample("abc", rng.randint(1, 2))
        elif key == "additionalProperties" and depth < 3:
            schema["additionalProperties"] = (
                rng.choice([True, False])
                if rng.random() < 0.5
                else _schema(rng, v31, depth + 1)
            )
        elif key in ("allOf", "anyOf", "oneOf") and depth < 3:
            schema[key] = [
                _schema(rng, v31, depth + 1) for _ in range(rng.randint(1, 2))
            ]
        elif key == "not" and depth < 3:
            schema["not"] = _schema(rng, v31, depth + 1)
        elif key == "$ref":
            schema["$ref"] = rng.choice(
                ["#/components/schemas/T", "#/components/schemas/S"]
            )
        elif key in ("readOnly", "writeOnly"):
            schema[key] = rng.choice([True, False])
        elif key == "discriminator":
            schema["discriminator"] = {"propertyName": "a"}
        elif key == "description":
            schema["description"] = "text"
        elif key == "$schema" and v31:
            schema["$schema"] = rng.choice(
                [
                    "http://json-schema.org/draft-04/schema#",
                    "https://json-schema.org/draft/2020-12/schema",
                ]
            )
    return schema


# Every keyword the judge knows, the commonest twice, and some it takes as annotations or leaves alone.
_KEYWORDS = [
    *sorted(_JUDGED),
    "type",
    "format",
    "nullable",
    "readOnly",
    "writeOnly",
    "description",
    "$schema",
]


def _resolve(node: Any) -> Any:
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return ROOT_SCHEMAS.get(ref.rsplit("/", 1)[-1])
    return None


def _validators_say(schema: Any, value: Any, v31: bool) -> bool | None:
    """Whether openapi-schema-validator takes ``value`` for ``schema`` (None: it fails with an error)."""
    if isinstance(schema, bool):
        root: Any = schema
    else:
        root = {**schema, "components": {"schemas": ROOT_SCHEMAS}}
    cls, checker = (
        (OAS31Validator, oas31_format_checker)
        if v31
        else (OAS30Validator, oas30_format_checker)
    )
    try:
        # Every error, as openapi-spec-validator asks for them (not is_valid, which stops at the first).
        return not list(cls(root, format_checker=checker).iter_errors(value))
    except Exception:
        return None


@pytest.mark.parametrize("v31", [False, True], ids=["3.0", "3.1"])
def test_every_answer_is_the_validators(v31: bool) -> None:
    rng = random.Random(20261206 + v31)
    cases = answered = failing = 0
    for _ in range(6000):
        schema = _schema(rng, v31)
        value = _value(rng)
        verdict = judge(value, schema, v31, _resolve)
        cases += 1
        if verdict is None:
            continue
        answered += 1
        failing += bool(verdict)
        said = _validators_say(schema, value, v31)
        assert said is not None, (schema, value, verdict)
        assert (verdict == []) == said, (schema, value, verdict)
    # The judge answers most cases, and both ways: the comparison is not vacuous.
    assert answered > cases * 0.6
    assert cases * 0.15 < failing < answered - cases * 0.15


@pytest.mark.parametrize("v31", [False, True], ids=["3.0", "3.1"])
def test_every_format_the_checkers_know_is_judged_as_they_check_it(v31: bool) -> None:
    checker = oas31_format_checker if v31 else oas30_format_checker
    names = sorted(set(checker.checkers) | set(FORMATS))
    values: list[Any] = [*STRINGS, *NUMBERS, True, None, [1], {"a": 1}]
    for name in names:
        answered = 0
        for value in values:
            verdict = judge(value, {"format": name}, v31, _resolve)
            said = _validators_say({"format": name}, value, v31)
            if verdict is None:
                continue
            answered += 1
            assert said is not None, (name, value)
            assert (verdict == []) == said, (name, value, verdict)
        # Every format a checker knows is judged for most values, not left to the full validator.
        if name in checker.checkers:
            assert answered >= len(values) - 2, name


def test_a_failing_default_says_why() -> None:
    assert judge("lots", {"type": "integer"}, False, _resolve) == [
        "'lots' is not of type 'integer'"
    ]
    assert judge(
        {"a": 7},
        {"properties": {"a": {"$ref": "#/components/schemas/T"}}},
        True,
        _resolve,
    ) == ["'a': 7 is greater than the maximum of 5"]
    assert judge([1, "x"], {"items": {"type": "integer"}}, False, _resolve) == [
        "item 1: 'x' is not of type 'integer'"
    ]
    # 3.0's integer is Python's int only; 3.1's takes 1.0.
    assert judge(1.0, {"type": "integer"}, False, _resolve) == [
        "1.0 is not of type 'integer'"
    ]
    assert judge(1.0, {"type": "integer"}, True, _resolve) == []
