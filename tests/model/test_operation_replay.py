"""A JSON spec saved again (the watch's builds): the operations whose path item did not change are replayed
from the last build, not built again, and the model is exactly the full build's, over random single edits
that rename operations, move them between tags, add and remove inline schemas (which take class names
from the scope all operations share) and add or remove operations."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import SpecError
from generator.model import build as model_build
from generator.model.build import api_from_document
from generator.parse.load import load_document

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "put", "post", "delete", "patch")


def _operations(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        op
        for item in data["paths"].values()
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict)
    ]


def _inline(rng: random.Random) -> dict[str, Any]:
    shape = rng.choice(
        ["a", "b"]
    )  # two shapes only: equal inline schemas share a class
    return {
        "type": "object",
        "properties": {shape: {"type": "string"}, "n": {"type": "integer"}},
    }


def _edit(rng: random.Random, data: dict[str, Any]) -> None:
    ops = _operations(data)
    op = rng.choice(ops)
    kind = rng.randrange(8 if len(ops) > 2 else 7)
    if kind == 0:
        op["summary"] = f"reworded {rng.random()}"
    elif kind == 1:  # a new operationId: method names (and hints of inline names) move
        op["operationId"] = rng.choice(
            [o.get("operationId", "x") for o in ops]
        ) + rng.choice(["", "2", "Extra"])
    elif kind == 2:  # another tag
        op["tags"] = [rng.choice(["Moved", "Other"] + list(op.get("tags") or []))]
    elif kind == 3:  # an inline response schema: a class named from the operation
        op["responses"] = {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": _inline(rng)}},
            }
        }
    elif kind == 4:  # an inline request body
        op["requestBody"] = {
            "content": {"application/json": {"schema": _inline(rng)}},
        }
    elif kind == 5:  # the inline schemas taken away again
        op.pop("requestBody", None)
        op["responses"] = {"204": {"description": "none"}}
    elif kind == 6:  # an operation added
        path = f"/added/{rng.randrange(50)}"
        data["paths"].setdefault(path, {})[rng.choice(METHODS)] = {
            "operationId": rng.choice(["added", "addedItem", "getAdded"]),
            "tags": [rng.choice(["Moved", "Other"])],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": _inline(rng)}},
                }
            },
        }
    else:  # an operation removed
        for item in data["paths"].values():
            for method in list(item):
                if item[method] is op:
                    del item[method]


def _fresh(doc: Any) -> Any:
    """The model built from scratch, leaving the process's kept state as it was."""
    operations = dict(model_build._OPERATIONS)
    components = dict(model_build._COMPONENTS)
    model_build._OPERATIONS.clear()
    model_build._COMPONENTS.clear()
    try:
        return api_from_document(doc, lenient=True)
    finally:
        model_build._OPERATIONS.clear()
        model_build._OPERATIONS.update(operations)
        model_build._COMPONENTS.clear()
        model_build._COMPONENTS.update(components)


@pytest.mark.parametrize("name", ["pieces_os", "plane", "asana"])
def test_random_edits_give_the_full_builds_model(tmp_path: Path, name: str) -> None:
    base = yaml.safe_load((ROOT / "specs" / f"{name}.yaml").read_text("utf-8"))
    rng = random.Random(name)
    spec = tmp_path / "spec.json"
    data = json.loads(json.dumps(base))
    replayed = built = 0
    for step in range(25):
        if step:
            _edit(rng, data)
        spec.write_text(json.dumps(data, indent=1), encoding="utf-8")
        doc = load_document(spec)
        last = dict(model_build._OPERATIONS.get(str(doc.path), ((), {}))[1])
        try:
            api = api_from_document(doc, lenient=True)
        except SpecError as exc:
            with pytest.raises(SpecError) as fresh_error:
                _fresh(doc)
            assert [str(p) for p in exc.errors] == [
                str(p) for p in fresh_error.value.errors
            ]
            continue
        fresh = _fresh(doc)
        assert repr(api) == repr(fresh), (name, step)
        assert [str(w) for w in api.warnings] == [str(w) for w in fresh.warnings]
        ops = {id(op) for tag in api.tags for op in tag.operations}
        replayed += sum(1 for r in last.values() if id(r.operation) in ops)
        built += len(ops)
    print(name, replayed, built)
    assert replayed > built / 3  # many operations were replayed, not built


def test_a_claim_that_would_differ_builds_everything_again(tmp_path: Path) -> None:
    """Two operations of one tag want the same method name: when the first one is renamed, the second
    (unchanged) one gets the plain name now. Its replay would claim the suffixed one: it is built again.
    """

    def op(operation_id: str) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "tags": ["t"],
            "responses": {"204": {"description": "none"}},
        }

    data: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": op("listThings")}, "/b": {"get": op("listThings")}},
    }
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(data), encoding="utf-8")
    first = api_from_document(load_document(spec), lenient=True)
    assert [o.method_name for o in first.tags[0].operations] == [
        "list_things",
        "list_things2",
    ]
    data["paths"]["/a"]["get"]["operationId"] = "other"
    spec.write_text(json.dumps(data), encoding="utf-8")
    doc = load_document(spec)
    second = api_from_document(doc, lenient=True)
    assert sorted(o.method_name for o in second.tags[0].operations) == [
        "list_things",
        "other",
    ]
    assert repr(second) == repr(_fresh(doc))
