"""JSON specs load with the JSON parser; their line/column marks are made only for a message, by a scan of
the text, and say what the YAML loader's marks said."""

from __future__ import annotations

import json
from pathlib import Path

from generator.parse.load import _marks_of, json_marks, load_document
from generator.parse.validate import validate_document
from tests.support.cli import clientgen

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "T", "version": "1"},
    "paths": {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"type": "string", "default": 3}
                            }
                        },
                    }
                },
            }
        }
    },
}


def _position(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def test_a_clean_json_spec_builds_no_marks(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    clean = json.loads(json.dumps(SPEC))
    clean["paths"]["/pets"] = clean["paths"].pop("/pets/{petId}")
    del clean["paths"]["/pets"]["get"]["responses"]["200"]["content"]
    spec.write_text(json.dumps(clean, indent=2))
    doc = load_document(spec)
    assert doc.is_json and doc.data == clean
    assert validate_document(doc) == []
    assert doc.known_marks is None  # nothing asked where anything is


def test_a_json_spec_error_is_at_its_line_and_column(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    text = json.dumps(SPEC, indent=3)
    spec.write_text(text)
    result = clientgen("validate", str(spec), cwd=tmp_path)
    assert result.returncode != 0
    line, column = _position(text, '"get": {')
    column += len('"get": ')
    assert (
        f"spec.json:{line}:{column}: /paths/~1pets~1{{petId}}/get: path parameter "
        "'petId' of '/pets/{petId}' is not declared"
    ) in result.stderr
    line, column = _position(text, '"default": 3')
    column += len('"default": ')
    pointer = "/paths/~1pets~1{petId}/get/responses/200/content/application~1json/schema/default"
    assert f"spec.json:{line}:{column}: {pointer}: the default value" in result.stderr


def test_json_marks_are_the_yaml_loaders(tmp_path: Path) -> None:
    for indent in (None, 1, 4):
        text = json.dumps(
            {**SPEC, "x-list": [[], {}, [1, {"a": [True, None]}], 's\\"q']},
            indent=indent,
        )
        assert json_marks(text) == _marks_of(text)


def test_repeated_key_in_json_is_still_located(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{\n  "openapi": "3.0.3",\n  "openapi": "3.0.3"\n}\n')
    result = clientgen("validate", str(spec), cwd=tmp_path)
    assert result.returncode != 0
    assert "spec.json:3:3: /openapi: duplicate key 'openapi'" in result.stderr
