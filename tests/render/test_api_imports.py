"""What an API module imports for its methods' annotations comes from the type tree (as a model module's
does), not from the words of the annotations: a model or ``datetime`` named only inside a literal value is
not imported, and each model, stdlib and ``typing`` name the annotations use is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.build import load_api
from generator.config import Target
from generator.render.plan import code_files


def _api_module(tmp_path: Path, spec: dict[str, Any]) -> str:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    api = load_api(path)
    files = code_files(api, Target(spec=path, package="pkg", output=tmp_path / "out"))
    (module,) = [f for f in files if f.path == "pkg/api/default_api.py"]
    assert isinstance(module.content, str)
    return module.content


def _type_checking_block(source: str) -> list[str]:
    block = source.split("if TYPE_CHECKING:\n", 1)[1].split("\n\n\n", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "imports", "version": "1"},
    "paths": {
        "/pets": {
            "get": {
                "operationId": "list_pets",
                "parameters": [
                    {
                        "name": "sort",
                        "in": "query",
                        "schema": {"const": "Pet datetime Decimal"},
                    },
                    {
                        "name": "born",
                        "in": "query",
                        "schema": {"type": "string", "format": "date"},
                    },
                    {
                        "name": "owner",
                        "in": "query",
                        "schema": {"$ref": "#/components/schemas/Owner"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Toy"},
                                }
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Owner": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "Toy": {"type": "object", "properties": {"id": {"type": "integer"}}},
        }
    },
}


def test_imports_follow_the_types_not_the_words(tmp_path: Path) -> None:
    source = _api_module(tmp_path, SPEC)
    assert "sort: Literal['Pet datetime Decimal'] | None = None," in source
    assert "born: date | None = None," in source
    assert "from datetime import date\n" in source
    assert "from typing import Any, Literal, TYPE_CHECKING, cast\n" in source
    imports = _type_checking_block(source)
    assert "from ..models.owner import Owner" in imports
    assert "from ..models.toy import Toy" in imports
    # Named only inside the literal value: nothing to import.
    assert not [line for line in imports if "Pet" in line]
    assert "from datetime import datetime" not in source
    assert "Decimal" not in source.replace("'Pet datetime Decimal'", "")
