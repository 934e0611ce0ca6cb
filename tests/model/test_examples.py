"""Which example a parameter, a request body and a response get: ``example``, else the ``value`` of the
first of ``examples`` (an Example object, inline or through ``$ref``), else, for a parameter, its schema's.
The docs print these values, so a wrong pick shows there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.build import load_api
from generator.model.api import Operation


def _spec(examples_of: dict[str, Any]) -> dict[str, Any]:
    """One POST operation whose parameter, JSON body and 200 response carry ``examples_of``'s keys."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "examples", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "make_thing",
                    "parameters": [
                        {
                            "name": "kind",
                            "in": "query",
                            "schema": {"type": "string", "example": "from-schema"},
                            **examples_of.get("param", {}),
                        }
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"type": "object"},
                                **examples_of.get("body", {}),
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object"},
                                    **examples_of.get("response", {}),
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "examples": {
                "Param": {"value": "by-ref"},
                "Body": {"value": {"name": "body-by-ref"}},
                "Response": {"value": {"id": 7}},
            }
        },
    }


def _operation(
    tmp_path: Path, examples_of: dict[str, Any], *, lenient: bool = False
) -> Operation:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_spec(examples_of)))
    api = load_api(spec, lenient=lenient)
    (operation,) = [op for tag in api.tags for op in tag.operations]
    return operation


def _examples(op: Operation) -> tuple[Any, Any, Any]:
    (param,) = [a for a in op.args if a.wire_name == "kind"]
    assert op.body is not None
    (response,) = [r for r in op.responses if r.status == "200"]
    return (
        param.example.value if param.example.present else "absent",
        op.body.example.value if op.body.example.present else "absent",
        response.example.value if response.example.present else "absent",
    )


def test_example_comes_first(tmp_path: Path) -> None:
    """Both is a flaw (the two keys exclude each other); with ``--lenient``, ``example`` wins."""
    both = {
        "param": {"example": "own", "examples": {"a": {"value": "listed"}}},
        "body": {"example": {"name": "own"}, "examples": {"a": {"value": {}}}},
        "response": {"example": {"id": 1}, "examples": {"a": {"value": {}}}},
    }
    op = _operation(tmp_path, both, lenient=True)
    assert _examples(op) == ("own", {"name": "own"}, {"id": 1})


def test_first_inline_example_object(tmp_path: Path) -> None:
    listed = {
        "param": {"examples": {"a": {"value": "first"}, "b": {"value": "second"}}},
        "body": {"examples": {"a": {"value": {"name": "first"}}, "b": {"value": {}}}},
        "response": {"examples": {"a": {"value": {"id": 2}}, "b": {"value": {}}}},
    }
    assert _examples(_operation(tmp_path, listed)) == (
        "first",
        {"name": "first"},
        {"id": 2},
    )


def test_example_objects_by_reference(tmp_path: Path) -> None:
    """A ``$ref`` to ``components/examples`` is followed for bodies and responses as for parameters."""
    referenced = {
        "param": {"examples": {"a": {"$ref": "#/components/examples/Param"}}},
        "body": {"examples": {"a": {"$ref": "#/components/examples/Body"}}},
        "response": {"examples": {"a": {"$ref": "#/components/examples/Response"}}},
    }
    assert _examples(_operation(tmp_path, referenced)) == (
        "by-ref",
        {"name": "body-by-ref"},
        {"id": 7},
    )


def test_without_examples(tmp_path: Path) -> None:
    """A parameter falls back to its schema's example; a body or response without one has none."""
    assert _examples(_operation(tmp_path, {})) == ("from-schema", "absent", "absent")


def test_external_value_only_is_no_example(tmp_path: Path) -> None:
    external = {"body": {"examples": {"a": {"externalValue": "https://x.test/a"}}}}
    assert _examples(_operation(tmp_path, external))[1] == "absent"
