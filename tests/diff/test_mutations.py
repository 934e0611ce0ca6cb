"""One focused spec change at a time, through ``clientgen diff``: the kinds it reports, in which lens, whether
they break, and the verdict.

The base is ``base_spec.yaml`` (a small shop API with every part a check looks at); each case mutates a copy
and runs the real command with ``--json``, so each assertion is about what a user would read.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BASE = yaml.safe_load((Path(__file__).parent / "base_spec.yaml").read_text())
Spec = dict[str, Any]


def op(d: Spec, path: str, method: str) -> Spec:
    return d["paths"][path][method]


def schema(d: Spec, name: str) -> Spec:
    return d["components"]["schemas"][name]


def param(d: Spec, path: str, method: str, name: str) -> Spec:
    return next(p for p in op(d, path, method)["parameters"] if p["name"] == name)


def _set(target: Spec, key: str, value: Any) -> None:
    target[key] = value


def _rename_op(d: Spec) -> None:
    o = op(d, "/items/{item_id}", "delete")
    o["operationId"] = "removeItem"
    o["x-clientgen-renamed-from"] = "deleteItem"


def _move_op(d: Spec) -> None:
    d["paths"]["/things/{item_id}"] = {
        "delete": d["paths"]["/items/{item_id}"].pop("delete")
    }


def _add_op(d: Spec) -> None:
    d["paths"]["/items/{item_id}"]["put"] = {
        "operationId": "replaceItem",
        "tags": ["Items"],
        "parameters": [copy.deepcopy(param(d, "/items/{item_id}", "get", "item_id"))],
        "responses": {"204": {"description": "Replaced"}},
    }


def _rename_schema(d: Spec) -> None:
    schemas = d["components"]["schemas"]
    schemas["Failure"] = schemas.pop("Error")
    schemas["Failure"]["x-clientgen-renamed-from"] = "Error"
    op(d, "/items", "get")["responses"]["404"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/Failure"}


def _rename_property(d: Spec) -> None:
    props = schema(d, "Item")["properties"]
    props["title"] = props.pop("name")
    props["title"]["x-clientgen-renamed-from"] = "name"
    schema(d, "Item")["required"] = ["id", "title", "status"]


def _rename_param(d: Spec) -> None:
    p = param(d, "/items", "get", "limit")
    p["name"] = "max"
    p["x-clientgen-renamed-from"] = "limit"


def _new_required_body(d: Spec) -> None:
    op(d, "/items/{item_id}", "delete")["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
        },
    }


def _new_optional_body(d: Spec) -> None:
    _new_required_body(d)
    op(d, "/items/{item_id}", "delete")["requestBody"]["required"] = False


def _public_op(d: Spec) -> None:
    op(d, "/pets", "get")["security"] = [{}]


# (id, mutation, kinds that must be reported, verdict)
CASES: list[tuple[str, Callable[[Spec], None], set[str], str]] = [
    # -- operations, servers, the document --------------------------------------------------------------
    (
        "operation-removed",
        lambda d: d["paths"]["/items/{item_id}"].pop("delete"),
        {"operation-removed", "python-method-removed"},
        "major",
    ),
    ("operation-added", _add_op, {"operation-added", "python-method-added"}, "minor"),
    ("operation-moved", _move_op, {"operation-moved"}, "major"),
    (
        "operation-renamed-with-alias",
        _rename_op,
        {"operation-id-changed", "python-method-renamed"},
        "major",
    ),
    (
        "operation-deprecated",
        lambda d: _set(op(d, "/pets", "get"), "deprecated", True),
        {"operation-deprecated"},
        "minor",
    ),
    (
        "operation-reactivated",
        None,
        {"operation-reactivated"},
        "minor",
    ),  # the reverse, below
    (
        "operation-summary",
        lambda d: _set(op(d, "/items", "get"), "summary", "All items"),
        {"operation-doc-changed"},
        "patch",
    ),
    (
        "operation-tags",
        lambda d: _set(op(d, "/pets", "get"), "tags", ["Animals"]),
        {"operation-tags-changed", "python-class-added", "python-class-removed"},
        "major",
    ),
    (
        "server-removed",
        lambda d: _set(d, "servers", [{"url": "https://shop.test/v2"}]),
        {"server-removed", "server-added"},
        "major",
    ),
    (
        "info-version",
        lambda d: _set(d["info"], "version", "1.1.0"),
        {"info-changed"},
        "patch",
    ),
    (
        "info-description",
        lambda d: _set(d["info"], "description", "Changed."),
        {"info-changed"},
        "patch",
    ),
    (
        "x-extension-only",
        lambda d: _set(op(d, "/items", "get"), "x-internal-note", "hi"),
        set(),
        "none",
    ),
    # -- parameters ---------------------------------------------------------------------------------
    (
        "parameter-removed",
        lambda d: op(d, "/items", "get")["parameters"].pop(1),
        {"request-parameter-removed", "python-parameter-removed"},
        "major",
    ),
    (
        "parameter-added-required",
        lambda d: op(d, "/items", "get")["parameters"].append(
            {
                "name": "shop",
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
            }
        ),
        {"request-parameter-added-required", "python-parameter-added-required"},
        "major",
    ),
    (
        "parameter-added-optional",
        lambda d: op(d, "/items", "get")["parameters"].append(
            {"name": "page", "in": "query", "schema": {"type": "integer"}}
        ),
        {"request-parameter-added-optional", "python-parameter-added-optional"},
        "minor",
    ),
    (
        "parameter-became-required",
        lambda d: _set(param(d, "/items", "get", "limit"), "required", True),
        {"request-parameter-became-required", "python-parameter-became-required"},
        "major",
    ),
    (
        "parameter-became-optional",
        None,
        {"request-parameter-became-optional", "python-parameter-type-widened"},
        "minor",
    ),
    (
        "parameter-moved-query-to-header",
        lambda d: _set(param(d, "/items", "get", "kind"), "in", "header"),
        {"request-parameter-moved"},
        "major",
    ),
    (
        "parameter-renamed-with-alias",
        _rename_param,
        {"request-parameter-renamed"},
        "major",
    ),
    (
        "parameter-type-changed",
        lambda d: _set(
            param(d, "/items", "get", "X-Trace"), "schema", {"type": "integer"}
        ),
        {"request-parameter-type-changed", "python-parameter-type-changed"},
        "major",
    ),
    (
        "parameter-type-widened",
        lambda d: _set(param(d, "/items", "get", "limit")["schema"], "type", "number"),
        {"request-parameter-type-widened", "python-parameter-type-changed"},
        "major",
    ),
    (
        "parameter-format-changed",
        lambda d: _set(
            param(d, "/items/{item_id}", "get", "item_id")["schema"], "format", "email"
        ),
        {"request-parameter-format-changed"},
        "major",
    ),
    (
        "parameter-enum-value-removed",
        lambda d: _set(param(d, "/items", "get", "kind")["schema"], "enum", ["book"]),
        {"request-parameter-enum-value-removed"},
        "major",
    ),
    (
        "parameter-enum-value-added",
        lambda d: param(d, "/items", "get", "kind")["schema"]["enum"].append("toy"),
        {"request-parameter-enum-value-added"},
        "minor",
    ),
    (
        "parameter-became-enum",
        lambda d: _set(
            param(d, "/items", "get", "X-Trace")["schema"], "enum", ["a", "b"]
        ),
        {"request-parameter-became-enum"},
        "major",
    ),
    (
        "parameter-max-decreased",
        lambda d: _set(param(d, "/items", "get", "limit")["schema"], "maximum", 50),
        {"request-parameter-constraint-tightened"},
        "major",
    ),
    (
        "parameter-max-increased",
        lambda d: _set(param(d, "/items", "get", "limit")["schema"], "maximum", 500),
        {"request-parameter-constraint-loosened"},
        "minor",
    ),
    (
        "parameter-pattern-added",
        lambda d: _set(
            param(d, "/items", "get", "X-Trace")["schema"], "pattern", "^[a-f0-9]+$"
        ),
        {"request-parameter-constraint-tightened"},
        "major",
    ),
    (
        "parameter-default-changed",
        lambda d: _set(param(d, "/items", "get", "limit")["schema"], "default", 10),
        {"request-parameter-default-changed"},
        "minor",
    ),
    (
        "parameter-style-changed",
        lambda d: _set(param(d, "/items", "get", "kind"), "explode", False),
        {"request-parameter-serialization-changed"},
        "major",
    ),
    (
        "parameter-deprecated",
        lambda d: _set(param(d, "/items", "get", "kind"), "deprecated", True),
        {"request-parameter-deprecated"},
        "minor",
    ),
    (
        "parameter-description",
        lambda d: _set(
            param(d, "/items", "get", "limit"), "description", "At most this many"
        ),
        {"request-parameter-doc-changed"},
        "patch",
    ),
    (
        "path-parameter-renamed-in-template",
        lambda d: d["paths"].__setitem__(
            "/items/{id}", d["paths"].pop("/items/{item_id}")
        )
        or [
            _set(p, "name", "id")
            for o in d["paths"]["/items/{id}"].values()
            for p in o["parameters"]
        ],
        {"python-parameter-removed"},
        "major",
    ),
    # -- request bodies -----------------------------------------------------------------------------
    (
        "body-added-required",
        _new_required_body,
        {"request-body-added-required", "python-parameter-added-required"},
        "major",
    ),
    (
        "body-added-optional",
        _new_optional_body,
        {"request-body-added-optional", "python-parameter-added-optional"},
        "minor",
    ),
    (
        "body-removed",
        lambda d: op(d, "/items", "post").pop("requestBody"),
        {"request-body-removed", "python-parameter-removed"},
        "major",
    ),
    (
        "body-became-optional",
        lambda d: _set(op(d, "/items", "post")["requestBody"], "required", False),
        {"request-body-became-optional", "python-parameter-type-widened"},
        "minor",
    ),
    ("body-became-required", None, {"request-body-became-required"}, "major"),
    (
        "body-media-type-removed",
        lambda d: _set(
            op(d, "/items", "post")["requestBody"],
            "content",
            {
                "application/xml": op(d, "/items", "post")["requestBody"]["content"][
                    "application/json"
                ]
            },
        ),
        {"request-media-type-removed", "request-media-type-added"},
        "major",
    ),
    (
        "body-media-type-added",
        lambda d: op(d, "/items", "post")["requestBody"]["content"].__setitem__(
            "application/x-www-form-urlencoded",
            {"schema": {"$ref": "#/components/schemas/NewItem"}},
        ),
        {"request-media-type-added"},
        "minor",
    ),
    (
        "request-property-added-required",
        lambda d: (
            schema(d, "NewItem")["properties"].__setitem__("sku", {"type": "string"}),
            schema(d, "NewItem")["required"].append("sku"),
        ),
        {"request-property-added-required", "python-model-field-added-required"},
        "major",
    ),
    (
        "request-property-added-optional",
        lambda d: schema(d, "NewItem")["properties"].__setitem__(
            "note", {"type": "string"}
        ),
        {"request-property-added-optional", "python-model-field-added"},
        "minor",
    ),
    (
        "request-property-removed",
        lambda d: schema(d, "NewItem")["properties"].pop("count"),
        {"request-property-removed", "python-model-field-removed"},
        "major",
    ),
    (
        "request-property-became-required",
        lambda d: schema(d, "NewItem")["required"].append("price"),
        {"request-property-became-required", "python-model-field-became-required"},
        "major",
    ),
    (
        "request-property-became-optional",
        lambda d: schema(d, "NewItem").pop("required"),
        {"request-property-became-optional", "python-model-field-type-changed"},
        "major",
    ),
    (
        "request-property-type-narrowed",
        lambda d: _set(schema(d, "NewItem")["properties"]["price"], "type", "integer"),
        {"request-property-type-narrowed", "python-model-field-type-changed"},
        "major",
    ),
    (
        "request-property-max-length-decreased",
        lambda d: _set(schema(d, "NewItem")["properties"]["name"], "maxLength", 20),
        {"request-property-constraint-tightened"},
        "major",
    ),
    (
        "request-property-max-length-removed",
        lambda d: schema(d, "NewItem")["properties"]["name"].pop("maxLength"),
        {"request-property-constraint-loosened"},
        "minor",
    ),
    (
        "request-property-read-only",
        lambda d: _set(schema(d, "NewItem")["properties"]["count"], "readOnly", True),
        {"request-property-became-read-only"},
        "major",
    ),
    (
        "request-closed-to-extra-fields",
        lambda d: _set(schema(d, "NewItem"), "additionalProperties", False),
        {"request-body-constraint-tightened"},
        "major",
    ),
    # -- responses ----------------------------------------------------------------------------------
    (
        "success-status-changed",
        lambda d: _set(
            op(d, "/items", "post")["responses"],
            "200",
            op(d, "/items", "post")["responses"].pop("201"),
        ),
        {"response-success-status-removed", "response-success-status-added"},
        "major",
    ),
    (
        "error-status-added",
        lambda d: op(d, "/items/{item_id}", "get")["responses"].__setitem__(
            "404", {"description": "Not found"}
        ),
        {"response-error-status-added"},
        "minor",
    ),
    (
        "error-status-removed",
        lambda d: op(d, "/items", "get")["responses"].pop("404"),
        {"response-error-status-removed"},
        "minor",
    ),
    (
        "response-media-type-changed",
        lambda d: _set(
            op(d, "/items/{item_id}", "get")["responses"]["200"],
            "content",
            {"application/xml": {"schema": {"$ref": "#/components/schemas/Item"}}},
        ),
        {"response-media-type-removed", "response-media-type-added"},
        "major",
    ),
    (
        "response-required-property-removed",
        lambda d: (
            schema(d, "Item")["properties"].pop("name"),
            schema(d, "Item")["required"].remove("name"),
        ),
        {"response-required-property-removed", "python-model-field-removed"},
        "major",
    ),
    (
        "response-optional-property-removed",
        lambda d: schema(d, "Item")["properties"].pop("price"),
        {"response-optional-property-removed", "python-model-field-removed"},
        "major",
    ),
    (
        "response-property-added",
        lambda d: schema(d, "Item")["properties"].__setitem__(
            "color", {"type": "string"}
        ),
        {"response-property-added", "python-model-field-added"},
        "minor",
    ),
    (
        "response-property-type-changed",
        lambda d: _set(schema(d, "Item")["properties"], "id", {"type": "integer"}),
        {"response-property-type-changed", "python-model-field-type-changed"},
        "major",
    ),
    (
        "response-property-type-widened",
        lambda d: _set(schema(d, "Item")["properties"]["rank"], "type", "number"),
        {"response-property-type-widened", "python-model-field-type-changed"},
        "major",
    ),
    (
        "response-property-became-optional",
        lambda d: schema(d, "Item")["required"].remove("name"),
        {"response-property-became-optional", "python-model-field-type-changed"},
        "major",
    ),
    (
        "response-property-became-nullable",
        lambda d: _set(schema(d, "Item")["properties"]["id"], "nullable", True),
        {"response-property-became-nullable", "python-model-field-type-changed"},
        "major",
    ),
    (
        "response-enum-value-added",
        lambda d: schema(d, "Status")["enum"].append("deleted"),
        {"response-property-enum-value-added", "python-enum-member-added"},
        "major",
    ),
    (
        "response-enum-value-removed",
        lambda d: _set(schema(d, "Status"), "enum", ["active"]),
        {"response-property-enum-value-removed", "python-enum-member-removed"},
        "major",
    ),
    (
        "response-array-items-changed",
        lambda d: _set(
            schema(d, "Item")["properties"]["tags"]["items"], "type", "integer"
        ),
        {"response-property-type-changed"},
        "major",
    ),
    (
        "response-header-removed",
        lambda d: op(d, "/items", "get")["responses"]["200"].pop("headers"),
        {"response-header-removed"},
        "major",
    ),
    (
        "response-header-added",
        lambda d: op(d, "/items", "get")["responses"]["200"]["headers"].__setitem__(
            "X-Page", {"schema": {"type": "integer"}}
        ),
        {"response-header-added"},
        "minor",
    ),
    (
        "response-header-type-changed",
        lambda d: _set(
            op(d, "/items", "get")["responses"]["200"]["headers"]["X-Total"],
            "schema",
            {"type": "string"},
        ),
        {"response-header-type-changed"},
        "major",
    ),
    (
        "response-variant-added",
        lambda d: (
            schema(d, "Pet")["oneOf"].append({"$ref": "#/components/schemas/Error"})
        ),
        {"response-body-variant-added", "python-parameter-type-widened"},
        "major",
    ),
    (
        "response-variant-removed",
        lambda d: schema(d, "Pet")["oneOf"].pop(),
        {
            "response-body-variant-removed",
            "python-attribute-removed",
            "python-parameter-type-changed",
        },
        "major",
    ),
    (
        "response-description",
        lambda d: _set(
            op(d, "/items", "get")["responses"]["200"], "description", "Every item"
        ),
        {"response-doc-changed"},
        "patch",
    ),
    (
        "property-description",
        lambda d: _set(
            schema(d, "Item")["properties"]["name"], "description", "Its name"
        ),
        {"response-property-doc-changed"},
        "patch",
    ),
    (
        "property-example",
        lambda d: _set(schema(d, "Item")["properties"]["name"], "example", "Chess"),
        {"response-property-doc-changed"},
        "patch",
    ),
    # -- security -----------------------------------------------------------------------------------
    (
        "security-added-to-public-operation",
        None,
        {"security-requirement-added"},
        "major",
    ),
    ("security-made-public", _public_op, set(), "none"),
    (
        "security-alternative-removed",
        lambda d: _set(op(d, "/items", "post"), "security", [{"ApiKey": []}]),
        {"security-alternative-removed", "security-alternative-added"},
        "major",
    ),
    (
        "security-alternative-added",
        lambda d: op(d, "/items", "post")["security"].append({"ApiKey": []}),
        {"security-alternative-added"},
        "minor",
    ),
    (
        "security-scope-added",
        lambda d: op(d, "/items", "post")["security"][0]["OAuth"].append("items:read"),
        {"security-scope-added"},
        "major",
    ),
    (
        "security-scheme-location-changed",
        lambda d: _set(d["components"]["securitySchemes"]["ApiKey"], "in", "query"),
        {"security-scheme-changed"},
        "major",
    ),
    (
        "security-token-url-changed",
        lambda d: _set(
            d["components"]["securitySchemes"]["OAuth"]["flows"]["clientCredentials"],
            "tokenUrl",
            "https://auth.shop.test/oauth/token",
        ),
        {"security-scheme-url-changed"},
        "major",
    ),
    (
        "security-scheme-scope-removed",
        lambda d: d["components"]["securitySchemes"]["OAuth"]["flows"][
            "clientCredentials"
        ]["scopes"].pop("items:read"),
        {"security-scheme-scope-removed"},
        "major",
    ),
    # -- models and renames -------------------------------------------------------------------------
    ("schema-renamed-with-alias", _rename_schema, {"python-class-renamed"}, "major"),
    (
        "schema-renamed-without-alias",
        lambda d: (
            _rename_schema(d),
            schema(d, "Failure").pop("x-clientgen-renamed-from"),
        ),
        {"python-class-removed", "python-class-added"},
        "major",
    ),
    (
        "property-renamed-with-alias",
        _rename_property,
        {"response-property-renamed", "python-model-field-renamed"},
        "major",
    ),
    (
        "unused-schema-added",
        lambda d: d["components"]["schemas"].__setitem__(
            "Coupon", {"type": "object", "properties": {"code": {"type": "string"}}}
        ),
        {"python-class-added"},
        "minor",
    ),
    (
        "enum-member-renamed-by-value",
        lambda d: _set(schema(d, "Status"), "enum", ["active", "retired"]),
        {"python-enum-member-removed", "python-enum-member-added"},
        "major",
    ),
]

# Mutations whose "before" is the mutated spec: the reverse of a case above.
REVERSED = {
    "operation-reactivated": lambda d: _set(op(d, "/pets", "get"), "deprecated", True),
    "parameter-became-optional": lambda d: _set(
        param(d, "/items", "get", "limit"), "required", True
    ),
    "body-became-required": lambda d: _set(
        op(d, "/items", "post")["requestBody"], "required", False
    ),
    "security-added-to-public-operation": _public_op,
}


def _diff(tmp: Path, before: Spec, after: Spec) -> dict[str, Any]:
    from generator.diff import diff_specs

    old, new = tmp / "old.yaml", tmp / "new.yaml"
    old.write_text(yaml.safe_dump(before, sort_keys=False))
    new.write_text(yaml.safe_dump(after, sort_keys=False))
    report = diff_specs(str(old), str(new), package="shop").report.to_json()
    return json.loads(json.dumps(report))  # exactly what --json prints


@pytest.mark.parametrize(
    ("mutation", "expected", "verdict"),
    [pytest.param(m, k, v, id=name) for name, m, k, v in CASES],
)
def test_mutation(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    mutation: Callable[[Spec], None] | None,
    expected: set[str],
    verdict: str,
) -> None:
    name = request.node.callspec.id
    before, after = copy.deepcopy(BASE), copy.deepcopy(BASE)
    if mutation is None:
        REVERSED[name](before)
    else:
        mutation(after)
    report = _diff(tmp_path, before, after)
    kinds = {c["kind"] for c in report["changes"]}
    assert expected <= kinds, report["changes"]
    assert report["verdict"] == verdict, report["changes"]
    if not expected:
        assert report["changes"] == []
    for change in report["changes"]:
        assert change["lens"] == (
            "python" if change["kind"].startswith("python-") else "http"
        )
        assert change["breaking"] == (verdict == "major" and change["breaking"])
        assert change["message"]
        if change["lens"] == "http":
            side = change["new"] or change["old"]
            assert side["pointer"].startswith(
                ("/paths", "/components", "/info", "/servers")
            )
            assert isinstance(side["line"], int) and side["line"] > 0


def test_every_lens_and_enough_http_kinds_are_exercised() -> None:
    from generator.diff.kinds import KINDS

    seen = {k for _, _, kinds, _ in CASES for k in kinds}
    assert seen <= set(KINDS), seen - set(KINDS)
    assert len({k for k in seen if KINDS[k].lens == "http"}) >= 40
    assert len({k for k in seen if KINDS[k].lens == "python"}) >= 15
    assert len(CASES) >= 60
