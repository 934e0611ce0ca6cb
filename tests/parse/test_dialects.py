"""JSON Schema dialects in an OpenAPI 3.1 document (``jsonSchemaDialect``, a schema's own ``$schema``): the
fast pass checks each schema against its dialect's meta-schema and words what it finds, at the place it is,
without the full validator (whose import costs more than building a small spec)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.parse import validate
from generator.parse.load import load_document


def _spec(schemas: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        **top,
        "paths": {
            "/n": {
                "parameters": [
                    {"in": "query", "name": f"p{i}", "schema": schema}
                    for i, schema in enumerate(schemas)
                ],
                "get": {"responses": {"200": {"description": "ok"}}},
            }
        },
    }


def _said(path: Path) -> list[tuple[str, str, str]]:
    doc = load_document(path)
    errors = validate.validate_document(doc)
    return [("error", p.location.pointer, p.message) for p in errors] + [
        ("warning", p.location.pointer, p.message) for p in doc.warnings
    ]


def test_a_dialect_no_validator_knows_is_a_warning_at_its_schema(
    tmp_path: Path, handed: list[Any]
) -> None:
    path = tmp_path / "spec.json"
    unknown = "https://json-schema.org/draft-05/schema#"
    path.write_text(
        json.dumps(_spec([{"$schema": unknown, "type": "number", "default": "x"}])),
        encoding="utf-8",
    )
    # The validator checks nothing of that schema, not even its default.
    assert _said(path) == [
        (
            "warning",
            "/paths/~1n/parameters/0/schema/$schema",
            f"not checked: Unknown JSON Schema dialect: {unknown!r}",
        )
    ]
    assert handed == []


def test_a_schema_its_dialect_refuses_is_an_error_where_it_is_refused(
    tmp_path: Path, handed: list[Any]
) -> None:
    path = tmp_path / "spec.json"
    draft = "https://json-schema.org/draft/2019-09/schema#"
    path.write_text(
        json.dumps(
            _spec(
                [
                    {"type": "number", "minimum": 1},
                    {"$schema": draft, "type": "number", "exclusiveMaximum": True},
                ]
            )
        ),
        encoding="utf-8",
    )
    [(kind, pointer, message)] = _said(path)
    assert (kind, pointer) == (
        "error",
        "/paths/~1n/parameters/1/schema/exclusiveMaximum",
    )
    assert message.startswith(f"the schema does not fit the meta-schema of {draft}: ")
    assert "number" in message
    assert handed == []


def test_the_documents_dialect_is_the_default_of_its_schemas(
    tmp_path: Path, handed: list[Any]
) -> None:
    """Draft 4 (``jsonSchemaDialect``) takes a boolean ``exclusiveMaximum``; the default is checked all the
    same as OpenAPI 3.1's dialect would check it, where a boolean bound counts as 1."""
    path = tmp_path / "spec.json"
    path.write_text(
        json.dumps(
            _spec(
                [
                    {
                        "type": "number",
                        "maximum": 20,
                        "exclusiveMaximum": True,
                        "default": 12,
                    },
                    {"type": "number", "maximum": 20, "exclusiveMaximum": True},
                ],
                jsonSchemaDialect="http://json-schema.org/draft-04/schema#",
            )
        ),
        encoding="utf-8",
    )
    assert _said(path) == [
        (
            "error",
            "/paths/~1n/parameters/0/schema/default",
            "the default value does not match its schema: "
            "12 is greater than or equal to the maximum of True",
        )
    ]
    assert handed == []
    # A dialect no validator knows, for the whole document: the full validator says what it makes of it.
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["jsonSchemaDialect"] = "https://example.com/unknown"
    path.write_text(json.dumps(spec), encoding="utf-8")
    _said(path)
    assert len(handed) == 1
