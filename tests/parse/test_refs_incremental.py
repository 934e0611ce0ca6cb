"""The ``build --watch`` process checks the references after every save. After a clean check, an edit of
some path items has only theirs checked again; whatever the edit, the problems found are those a first
check of the edited document finds, in the same order and places."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from generator.parse import refs
from generator.parse.load import load_document


def _spec() -> dict[str, Any]:
    def op(target: str) -> dict[str, Any]:
        return {
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{target}"}
                        }
                    },
                }
            }
        }

    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {f"/things/{i}": {"get": op(f"Thing{i % 5}")} for i in range(20)},
        "components": {
            "schemas": {
                f"Thing{i}": {
                    "type": "object",
                    "properties": {
                        "next": {"$ref": f"#/components/schemas/Thing{(i + 1) % 5}"}
                    },
                }
                for i in range(5)
            }
        },
    }


def _edits() -> list[tuple[str, Any]]:
    def reword(s: dict[str, Any]) -> None:
        s["paths"]["/things/3"]["get"]["summary"] = "Reworded."

    def broken_in_path(s: dict[str, Any]) -> None:
        s["paths"]["/things/7"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"] = {"$ref": "#/components/schemas/Missing"}

    def fixed(s: dict[str, Any]) -> None:
        s["paths"]["/things/7"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"] = {"$ref": "#/components/schemas/Thing1"}

    def added_path(s: dict[str, Any]) -> None:
        s["paths"]["/new"] = {
            "get": {"responses": {"default": {"$ref": "#/components/responses/Nope"}}}
        }

    def removed_path(s: dict[str, Any]) -> None:
        del s["paths"]["/new"]

    def broken_component(s: dict[str, Any]) -> None:
        s["components"]["schemas"]["Thing2"]["properties"]["next"] = {
            "$ref": "#/components/schemas/Gone"
        }

    def path_cycle(s: dict[str, Any]) -> None:
        s["components"]["schemas"]["Thing2"]["properties"]["next"] = {
            "$ref": "#/components/schemas/Thing3"
        }
        s["paths"]["/loop"] = {"$ref": "#/paths/~1loop"}

    return [
        ("reword", reword),
        ("broken in a path", broken_in_path),
        ("fixed", fixed),
        ("reword again", reword),
        ("added path", added_path),
        ("removed path", removed_path),
        ("broken component", broken_component),
        ("path cycle", path_cycle),
    ]


def _check(path: Path) -> list[str]:
    doc = load_document(path)
    return [str(p) for p in refs.check_references(doc)] + [str(p) for p in doc.flaws]


def test_checking_again_after_edits_finds_what_a_first_check_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec()
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec, indent=2))
    refs._CLEAN.clear()
    assert _check(path) == []
    walked: list[str] = []
    real = refs._references

    def spy(node: Any, pointer: str, names: bool = False) -> Any:
        walked.append(pointer)
        return real(node, pointer, names)

    monkeypatch.setattr(refs, "_references", spy)
    for name, change in _edits():
        change(spec)
        path.write_text(json.dumps(copy.deepcopy(spec), indent=2))
        walked.clear()
        again = _check(path)
        partial = "" not in walked
        refs._CLEAN.clear()
        fresh = _check(path)
        assert again == fresh, name
        if name in ("reword", "broken in a path", "reword again", "added path"):
            assert partial and walked, f"{name}: only the edited path item is walked"
        if name == "broken in a path":
            assert any("Missing" in p for p in again)
