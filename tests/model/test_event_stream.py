"""The model of an operation answering ``text/event-stream``: its item type (OpenAPI 3.2's ``itemSchema``,
else the schema, else none), the ``x-sse-sentinel`` of the response or the operation, and what a package
gets for it (the runtime's ``sse`` modules only when an operation streams events)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from generator.build import load_api
from generator.config import Target
from generator.errors import SpecError
from generator.model.api import Api
from generator.model.types import ModelRef, Primitive
from generator.render.plan import runtime_files

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "events", "version": "1"},
    "components": {
        "schemas": {
            "Tick": {"type": "object", "properties": {"p": {"type": "number"}}},
        },
        "responses": {
            "Ticks": {
                "description": "ticks",
                "x-sse-sentinel": "END",
                "content": {
                    "text/event-stream": {
                        "schema": {"type": "string"},
                        "itemSchema": {"$ref": "#/components/schemas/Tick"},
                    }
                },
            }
        },
    },
    "paths": {
        "/ticks": {
            "get": {
                "operationId": "ticks",
                "x-sse-sentinel": "ignored: the response's wins",
                "responses": {"200": {"$ref": "#/components/responses/Ticks"}},
            }
        },
        "/schema": {
            "get": {
                "operationId": "bySchema",
                "x-sse-sentinel": "[DONE]",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "text/event-stream": {
                                "schema": {"$ref": "#/components/schemas/Tick"}
                            }
                        },
                    }
                },
            }
        },
        "/bare": {
            "get": {
                "operationId": "bare",
                "responses": {
                    "default": {"description": "error"},
                    "201": {
                        "description": "ok",
                        "content": {"text/event-stream; charset=utf-8": {}},
                    },
                },
            }
        },
        "/json": {
            "get": {
                "operationId": "plain",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "string"}}},
                    },
                    "500": {
                        "description": "error stream",
                        "content": {"text/event-stream": {}},
                    },
                },
            }
        },
    },
}


def _load(tmp_path: Path, spec: dict[str, Any], version: str = "3.0.3") -> Api:
    spec = copy.deepcopy(spec)
    spec["openapi"] = version
    path = tmp_path / "events.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return load_api(path)


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_item_type_and_sentinel(tmp_path: Path, version: str) -> None:
    ops = {op.operation_id: op for op in _load(tmp_path, SPEC, version).operations}
    ticks = ops["ticks"].event_stream
    assert ticks is not None
    assert ticks.item_type == ModelRef("Tick")  # itemSchema over the schema
    assert ticks.sentinel == "END"
    by_schema = ops["bySchema"].event_stream
    assert by_schema is not None and by_schema.item_type == ModelRef("Tick")
    assert by_schema.sentinel == "[DONE]"
    bare = ops["bare"].event_stream
    assert bare is not None and bare.item_type is None and bare.sentinel is None
    assert ops["plain"].event_stream is None  # only the success response counts
    assert ops["plain"].return_type == Primitive("str")


def test_sentinel_must_be_a_string(tmp_path: Path) -> None:
    spec = copy.deepcopy(SPEC)
    spec["paths"]["/schema"]["get"]["x-sse-sentinel"] = ["[DONE]"]
    with pytest.raises(SpecError) as info:
        _load(tmp_path, spec)
    (problem,) = info.value.errors
    assert problem.location.pointer == "/paths/~1schema/get/x-sse-sentinel"
    assert "x-sse-sentinel must be a string" in problem.message


def test_item_schema_is_still_checked_for_references(tmp_path: Path) -> None:
    spec = copy.deepcopy(SPEC)
    media = spec["components"]["responses"]["Ticks"]["content"]["text/event-stream"]
    media["itemSchema"] = {"$ref": "#/components/schemas/Missing"}
    with pytest.raises(SpecError, match="Missing"):
        _load(tmp_path, spec)


def test_runtime_sse_modules_ship_only_with_an_event_stream(tmp_path: Path) -> None:
    api = _load(tmp_path, SPEC)
    target = Target(spec=tmp_path / "events.json", package="ev", library="both")
    names = {Path(f.path).name for f in runtime_files(api, target)}
    assert {"sse.py", "sse_sync.py", "sse_async.py"} <= names
    spec = copy.deepcopy(SPEC)
    for path in ("/ticks", "/schema", "/bare"):
        del spec["paths"][path]
    plain = _load(tmp_path, spec)
    names = {Path(f.path).name for f in runtime_files(plain, target)}
    assert not names & {"sse.py", "sse_sync.py", "sse_async.py"}
    sync_only = Target(spec=tmp_path / "events.json", package="ev", library="sync")
    names = {Path(f.path).name for f in runtime_files(api, sync_only)}
    assert "sse_sync.py" in names and "sse_async.py" not in names
