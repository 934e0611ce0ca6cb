"""Decimals on the wire, exact both ways (issue 15): the bytes a generated client sends for a ``Decimal``
declared ``type: string`` / ``type: number`` (``format: decimal``) or as pydantic writes it
(``anyOf: [number, string]``), and the values it reads back, digits a float would lose included. Sync and
asyncio clients generated from one small spec, against a loopback recording server."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator.build import load_api
from generator.cli import main
from generator.model.types import Nullable, ObjectModel, Primitive, UnionType
from tests.support.recording_server import RecordingServer

LONG = "12345678901234567890.123456789"  # float(LONG) == 12345678901234567000.0
TINY = "0.1000000000000000055511151231257827"

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Ledger", "version": "1.0.0"},
    "paths": {
        "/entries": {
            "post": {
                "operationId": "createEntry",
                "tags": ["ledger"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/EntryIn"}
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Entry"}
                            }
                        },
                    }
                },
            },
            "get": {
                "operationId": "findEntries",
                "tags": ["ledger"],
                "parameters": [
                    {
                        "name": "over",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "number", "format": "decimal"},
                    },
                    {
                        "name": "under",
                        "in": "query",
                        "schema": {"anyOf": [{"type": "number"}, {"type": "string"}]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the count",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "count": {"type": "integer"},
                                        "ratio": {"type": "number"},
                                    },
                                }
                            }
                        },
                    }
                },
            },
        },
        "/rates": {
            "put": {
                "operationId": "putRates",
                "tags": ["ledger"],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"type": "number", "format": "decimal"},
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "stored"}},
            }
        },
    },
    "components": {
        "schemas": {
            "EntryIn": {
                "type": "object",
                "required": ["amount", "weight", "price"],
                "properties": {
                    "amount": {"type": "string", "format": "decimal"},
                    "weight": {"type": "number", "format": "decimal"},
                    "price": {
                        "anyOf": [
                            {"type": "number", "minimum": 0},
                            {"type": "string"},
                        ]
                    },
                    "note": {"type": "string"},
                },
            },
            "Entry": {
                "type": "object",
                "required": ["id", "amount", "weight"],
                "properties": {
                    "id": {"type": "integer"},
                    "amount": {"type": "string", "format": "decimal"},
                    "weight": {"type": "number", "format": "decimal"},
                    "rate": {"type": "number", "maximum": 1},
                    "legacy": {
                        "type": "string",
                        "pattern": r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$",
                    },
                    "history": {
                        "type": "array",
                        "items": {"type": "number", "format": "decimal"},
                    },
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("decimals")
    spec = tmp / "ledger.json"
    spec.write_text(json.dumps(SPEC))
    out: dict[str, Any] = {}
    for library in ("sync", "asyncio"):
        name = f"ledger_{library}"
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            status = main(
                [
                    "generate",
                    str(spec),
                    "--output",
                    str(tmp / name),
                    "--package",
                    name,
                    "--library",
                    library,
                ]
            )
        assert status == 0
        sys.path.insert(0, str(tmp / name))
        out[library] = importlib.import_module(name)
    yield out
    for library in ("sync", "asyncio"):
        sys.path.remove(str(tmp / f"ledger_{library}"))
        for module in [m for m in sys.modules if m.startswith(f"ledger_{library}")]:
            del sys.modules[module]


class Ledger:
    """The generated ``LedgerApi`` of one twin; calls return their result either way."""

    def __init__(self, pkg: Any, library: str, url: str) -> None:
        self.pkg = pkg
        self.client = pkg.ApiClient(pkg.Configuration(host=url, retries=0))
        self.api = pkg.LedgerApi(self.client)
        self.loop = asyncio.new_event_loop() if library == "asyncio" else None

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.api, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            return self.loop.run_until_complete(result) if self.loop else result

        return call

    def close(self) -> None:
        if self.loop is not None:
            self.loop.run_until_complete(self.client.close())
            self.loop.close()
        else:
            self.client.close()


@pytest.fixture(params=["sync", "asyncio"])
def ledger(
    request: pytest.FixtureRequest, packages: dict[str, Any]
) -> Iterator[tuple[Ledger, RecordingServer]]:
    with RecordingServer() as server:
        client = Ledger(packages[request.param], request.param, server.url)
        try:
            yield client, server
        finally:
            client.close()


def test_decimals_are_typed_decimal_in_models_and_parameters(
    packages: dict[str, Any],
) -> None:
    pkg = packages["sync"]
    for model, names in (
        (pkg.EntryIn, ("amount", "weight", "price")),
        (pkg.Entry, ("amount", "weight", "legacy")),
    ):
        for name in names:
            assert "Decimal" in repr(model.model_fields[name].annotation), name
    rate = repr(pkg.Entry.model_fields["rate"].annotation)
    assert "float" in rate and "Decimal" not in rate
    # Decided when generating: only operations that need it take the exact paths.
    module = importlib.import_module(f"{pkg.__name__}.api.ledger_api")
    assert (
        module._CREATE_ENTRY.exact_decimals and module._CREATE_ENTRY.body.exact_numbers
    )
    assert not module._FIND_ENTRIES.exact_decimals
    assert module._PUT_RATES.body.exact_numbers
    signature = pkg.LedgerApi.find_entries.__annotations__
    assert "Decimal" in str(signature["over"]) and "Decimal" in str(signature["under"])


def test_string_decimals_go_as_fixed_point_text_and_number_decimals_as_exact_numbers(
    ledger: tuple[Ledger, RecordingServer],
) -> None:
    client, server = ledger
    server.enqueue(201, json={"id": 1, "amount": "1", "weight": 1})
    entry_in = client.pkg.EntryIn(
        amount=Decimal("0.0000001"), weight=Decimal(LONG), price=Decimal("12.30")
    )
    client.create_entry(entry_in)
    body = server.requests[0].body
    assert body == (
        b'{"amount":"0.0000001","weight":' + LONG.encode() + b',"price":"12.30"}'
    )
    # The server's own parser reads the digits back exactly.
    assert json.loads(body, parse_float=Decimal)["weight"] == Decimal(LONG)
    # Outside a request, both are the fixed-point text.
    assert entry_in.to_dict() == {
        "amount": "0.0000001",
        "weight": LONG,
        "price": "12.30",
    }


def test_a_bare_decimal_body_declared_number_goes_as_numbers(
    ledger: tuple[Ledger, RecordingServer],
) -> None:
    client, server = ledger
    server.enqueue(204)
    client.put_rates([Decimal("1E+400"), Decimal(TINY), Decimal("-0.00")])
    assert server.requests[0].body == b"[1E+400," + TINY.encode() + b",-0.00]"


def test_decimal_parameters_are_exact_text(
    ledger: tuple[Ledger, RecordingServer],
) -> None:
    client, server = ledger
    server.enqueue(200, json={"count": 2, "ratio": 0.5})
    found = client.find_entries(over=Decimal(LONG), under=Decimal("1E-7"))
    assert server.requests[0].query_params == [
        ("over", LONG),
        ("under", "0.0000001"),
    ]
    # No decimal in this response: parsed as before, int and float as they are.
    assert found.count == 2 and found.ratio == 0.5


def test_json_numbers_reach_decimal_fields_with_every_digit(
    ledger: tuple[Ledger, RecordingServer],
) -> None:
    client, server = ledger
    server.enqueue(
        201,
        body=(
            '{"id": 7, "amount": "12.30", "weight": '
            + LONG
            + ', "rate": 0.25, "legacy": "007.50", "history": [1e400, '
            + TINY
            + ", 3], "
            + '"extra": 1.5}'
        ),
        headers={"Content-Type": "application/json"},
    )
    entry = client.create_entry(
        client.pkg.EntryIn(amount=Decimal("1"), weight=Decimal("1"), price=Decimal(1))
    )
    assert entry.id == 7 and type(entry.id) is int
    assert entry.amount == Decimal("12.30") and str(entry.amount) == "12.30"
    assert str(entry.weight) == LONG
    assert entry.rate == 0.25 and type(entry.rate) is float
    assert entry.legacy == Decimal("7.50")
    assert entry.history == [Decimal("1E+400"), Decimal(TINY), Decimal(3)]
    assert [str(d) for d in entry.history] == ["1E+400", TINY, "3"]


def test_constraints_are_not_checked_on_an_exact_response(
    ledger: tuple[Ledger, RecordingServer],
) -> None:
    client, server = ledger
    # Parsed exactly and validated as Python data, the response is still not refused for a constraint
    # of the spec (rate: maximum 1), as no response is; a model built in Python is checked.
    server.enqueue(201, json={"id": 1, "amount": "1", "weight": 2, "rate": 5.5})
    entry = client.create_entry(
        client.pkg.EntryIn(amount=Decimal("1"), weight=Decimal("1"), price=Decimal(1))
    )
    assert entry.rate == 5.5
    with pytest.raises(ValueError, match="less than or equal to 1"):
        client.pkg.Entry(id=1, amount=Decimal(1), weight=Decimal(1), rate=5.5)


def test_a_mismatch_in_an_exact_response_still_names_the_field(
    ledger: tuple[Ledger, RecordingServer],
) -> None:
    client, server = ledger
    server.enqueue(201, json={"id": 1.5, "amount": "1", "weight": 2})
    with pytest.raises(client.pkg.exceptions.ResponseValidationError) as caught:
        client.create_entry(
            client.pkg.EntryIn(
                amount=Decimal("1"), weight=Decimal("1"), price=Decimal(1)
            )
        )
    assert "at 'id': got number, declared int" in str(caught.value)


def test_a_non_finite_number_decimal_is_refused_before_sending(
    ledger: tuple[Ledger, RecordingServer],
) -> None:
    client, server = ledger
    with pytest.raises(ValueError, match="finite number"):  # arguments are validated
        client.put_rates([Decimal("NaN")])
    assert server.requests == []


def _field_types(schema: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Thing": schema}},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    thing = load_api(path).model("Thing")
    assert isinstance(thing, ObjectModel)
    return {f.wire_name: f.type for f in thing.fields}


def test_which_shapes_are_decimals(tmp_path: Path) -> None:
    types = _field_types(
        {
            "type": "object",
            "properties": {
                "text": {"type": "string", "format": "decimal"},
                "number": {"type": "number", "format": "decimal"},
                "pydantic_in": {
                    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string"}]
                },
                "pydantic_in_nullable": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "number"},
                        {"type": "null"},
                    ]
                },
                "pydantic_out": {
                    "type": "string",
                    "pattern": r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$",
                },
                # Not decimals: a number or a formatted / constrained string, a plain float.
                "either": {
                    "anyOf": [{"type": "number"}, {"type": "string", "format": "email"}]
                },
                "either_enum": {
                    "anyOf": [{"type": "number"}, {"type": "string", "enum": ["x"]}]
                },
                "float": {"type": "number"},
                "text_pattern": {"type": "string", "pattern": "^[0-9]+$"},
            },
        },
        tmp_path,
    )
    text = Primitive("Decimal", "decimal")
    assert types["text"] == text and types["pydantic_in"] == text
    assert types["pydantic_out"].python == "Decimal"
    assert types["pydantic_in_nullable"] == Nullable(text)
    assert types["number"] == Primitive("Decimal", "decimal", json_number=True)
    assert types["number"].field_annotation == "Annotated[Decimal, _v.DECIMAL_NUMBER]"
    assert text.field_annotation == "Annotated[Decimal, _v.DECIMAL_TEXT]"
    for name in ("either", "either_enum"):
        assert isinstance(types[name], UnionType), name
    assert types["float"] == Primitive("float")
    assert types["text_pattern"].python == "str"
