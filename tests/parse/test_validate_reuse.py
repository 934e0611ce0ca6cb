"""The fast validation pass checks again only the schemas of the regions an edit changed (the watch's saves
of a JSON spec share the rest, parse/reparse.py): over many random edits, some breaking schemas, moving
references and adding or removing components, it flags exactly the regions a pass from scratch flags, and
the validation's messages are a from-scratch validation's."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import yaml

from generator.parse import semantics, validate
from generator.parse.load import load_document

ROOT = Path(__file__).resolve().parents[2]


def _base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "specs" / "pieces_os.yaml").read_text("utf-8")
    )
    return data


def _schemas_in(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every schema object under the paths and component schemas (to edit one at random)."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = [data.get("paths"), data["components"].get("schemas")]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "type" in node or "$ref" in node or "properties" in node:
                found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _edit(rng: random.Random, data: dict[str, Any]) -> None:
    names = list(data["components"]["schemas"])
    schemas = _schemas_in(data)
    target = rng.choice(schemas)
    kind = rng.randrange(9)
    if kind == 0:
        target["type"] = rng.choice(["bogus", "string", "object", ["string", "null"]])
    elif kind == 1:
        target["default"] = rng.choice([1, "x", None, [1], {"a": 1}, True])
    elif kind == 2:
        target["allOf"] = [{"$ref": f"#/components/schemas/{rng.choice(names)}"}]
        target["required"] = [rng.choice(["id", "name", "missing", "value"])]
    elif kind == 3:  # a reference moved to another component
        target.clear()
        target["$ref"] = f"#/components/schemas/{rng.choice(names)}"
    elif kind == 4:  # a component replaced, perhaps by a broken or odd one
        data["components"]["schemas"][rng.choice(names)] = rng.choice(
            [
                {"type": "object", "properties": {"a": {"type": "nope"}}},
                {"type": "string", "default": 3},
                {"allOf": [{"$ref": f"#/components/schemas/{rng.choice(names)}"}]},
                {"type": "string", "enum": "notalist"},
            ]
        )
    elif kind == 5:  # a component added, or one no longer referenced removed
        data["components"]["schemas"][f"Added{rng.randrange(1000)}"] = {
            "type": "object",
            "required": ["x"],
            "allOf": [{"properties": {"y": {"type": "integer"}}}],
        }
    elif kind == 6:  # a path item added or removed
        paths = data["paths"]
        if rng.random() < 0.5 and len(paths) > 3:
            del paths[rng.choice(list(paths))]
        else:
            paths[f"/added{rng.randrange(1000)}"] = {
                "get": {
                    "operationId": f"added{rng.randrange(10**6)}",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$ref": f"#/components/schemas/{rng.choice(names)}"
                                    }
                                }
                            },
                        }
                    },
                }
            }
    elif kind == 7:  # a schema's properties gain a bad one
        target.setdefault("properties", {})["p"] = {"type": "object", "required": 5}
    else:  # a harmless edit (a description)
        target["description"] = f"reworded {rng.random()}"


def _fresh_regions(data: dict[str, Any], openapi31: bool) -> Any:
    return validate._flagged_regions(data, openapi31)


def test_random_edits_flag_what_a_pass_from_scratch_flags(tmp_path: Path) -> None:
    rng = random.Random(2020)
    spec = tmp_path / "spec.json"
    data = _base()
    memo = semantics.SchemaMemo()
    reused = 0
    for step in range(120):
        if step % 15 == 0:
            data = _base()
        else:
            _edit(rng, data)
        spec.write_text(json.dumps(data, indent=2), encoding="utf-8")
        doc = load_document(spec)
        plain = validate.without_item_schemas(doc.data)
        before = dict(memo.regions)
        incremental = validate._flagged_regions(plain, False, memo)
        reused += sum(1 for r, w in memo.regions.items() if before.get(r) is w)
        assert incremental == _fresh_regions(plain, False), step
        assert sorted(semantics.findings(plain, semantics.SchemaMemo())) == sorted(
            semantics.findings(plain)
        )
    assert reused > 1000  # most regions were not walked again


def test_validation_after_edits_says_what_a_fresh_validation_says(
    tmp_path: Path,
) -> None:
    rng = random.Random(7)
    spec = tmp_path / "spec.json"
    data = _base()
    for step in range(12):
        _edit(rng, data)
        spec.write_text(json.dumps(data, indent=2), encoding="utf-8")
        incremental = validate.validate_document(load_document(spec))
        saved = dict(validate._SCHEMA_MEMOS)
        validate._SCHEMA_MEMOS.clear()
        try:
            fresh = validate.validate_document(load_document(spec))
        finally:
            validate._SCHEMA_MEMOS.update(saved)
        assert [str(p) for p in incremental] == [str(p) for p in fresh], step


def test_a_changed_reference_target_is_checked_again(tmp_path: Path) -> None:
    """A path item left as it was, whose schema refers to a component that now breaks a rule: the region
    holding the component is flagged, although the path item was not walked again."""
    data = _base()
    name = next(iter(data["components"]["schemas"]))
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(data), encoding="utf-8")
    memo = semantics.SchemaMemo()
    doc = load_document(spec)
    clean = validate._flagged_regions(
        validate.without_item_schemas(doc.data), False, memo
    )
    broken = copy.deepcopy(data)
    broken["components"]["schemas"][name]["type"] = "bogus"
    spec.write_text(json.dumps(broken), encoding="utf-8")
    doc = load_document(spec)
    flagged = validate._flagged_regions(
        validate.without_item_schemas(doc.data), False, memo
    )
    assert flagged is not None and clean is not None
    assert ("components", "schemas", name) in flagged - clean


def test_a_schema_an_edited_region_no_longer_reaches_is_still_checked(
    tmp_path: Path,
) -> None:
    """Two path items refer to a schema no root leads to (under a components extension); the first one
    checked it. When an edit takes the first one's reference away, the second one (unchanged) must check
    it now: its finding is still flagged."""

    def item(schema: dict[str, Any]) -> dict[str, Any]:
        content = {"application/json": {"schema": schema}}
        return {
            "get": {"responses": {"200": {"description": "ok", "content": content}}}
        }

    odd = {"$ref": "#/components/x-defs/Odd"}
    data: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/q": item(odd), "/r": item(dict(odd))},
        "components": {"x-defs": {"Odd": {"type": "bogus"}}},
    }
    spec = tmp_path / "spec.json"
    memo = semantics.SchemaMemo()
    for version in (
        data,
        {**data, "paths": {**data["paths"], "/q": item({"type": "string"})}},
    ):
        spec.write_text(json.dumps(version), encoding="utf-8")
        plain = validate.without_item_schemas(load_document(spec).data)
        flagged = validate._flagged_regions(plain, False, memo)
        assert flagged == _fresh_regions(plain, False)
        assert flagged is not None and ("components", "x-defs", "Odd") in flagged
