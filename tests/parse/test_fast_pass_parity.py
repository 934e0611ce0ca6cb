"""The fast pass never hides a problem the full validator finds: for every spec the corpus tests use, and
for seeded random mutations of a few documents (3.0 and 3.1), ``validate_document`` (the fast pass, then
openapi-spec-validator on the flagged regions only) reports errors and warnings at exactly the pointers
openapi-spec-validator reports on the *whole* document, worded by the same layer
(``validate._validator_findings``). Only pointers and error-or-warning are compared, not the wording.

A mutation writes a schema keyword (of the right shape or not) or a default at a random schema location
(component schemas, parameters, responses, request bodies, headers, callbacks, webhooks, and inside them
properties, items, allOf members, additionalProperties, ...), replaces a schema with a reference or a
wrong-shaped value, repeats an operationId, a parameter or a tag, leaves a path parameter undeclared,
changes the OpenAPI version, or names a dialect (``$schema``, ``jsonSchemaDialect``).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.parse import metaschema, validate
from generator.parse.load import load_document
from generator.parse.refs import check_references

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "node_modules" / "@readme" / "oas-examples"


def _corpus_specs() -> list[Path]:
    found = sorted((ROOT / "specs").glob("*.yaml"))
    if CORPUS.is_dir():
        found += sorted(
            p
            for version in ("3.0", "3.1")
            for kind in ("json", "yaml")
            for p in (CORPUS / version / kind).glob(f"*.{kind}")
        )
    return found


# A flaw as the tests compare them: ("error" | "warning", JSON pointer).
Found = set[tuple[str, str]]
# The prefix of the message of a default that does not fit its schema, as validate words it.
_DOES_NOT_FIT = "the default value does not match its schema: "


def _by_validate(path: Path) -> set[tuple[str, str, str]]:
    """What ``validate_document`` reports: ("error" | "warning", pointer, message)."""
    doc = load_document(path)
    before = len(doc.warnings)
    flaws = validate.validate_document(doc)
    return {("error", p.location.pointer, p.message) for p in flaws} | {
        ("warning", p.location.pointer, p.message) for p in doc.warnings[before:]
    }


def _by_full_validator(path: Path) -> set[tuple[str, str, str]]:
    """What openapi-spec-validator reports on the whole document, through our wording layer."""
    doc = load_document(path)
    assert check_references(doc) == [], "the parity is about valid references"
    data = validate.without_item_schemas(doc.data)
    openapi31 = doc.data["openapi"].startswith("3.1")
    return {
        ("warning" if kind == "warning" else "error", pointer, message)
        for kind, pointer, message in validate._validator_findings(doc, data, openapi31)
    }


def _value_at(data: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


def _difference(path: Path) -> tuple[Found, Found]:
    """(what the whole-document validator reports and validate_document misses, what it adds), by pointer.

    The full validator's wording places an error it cannot locate by searching the document for the value
    it names; validate places what the fast pass words itself where it is. The allowances, each about what
    the fast pass words: (1) an error in a list or object default is placed inside it (``.../default/0``);
    (2) an error about a default holding null, a list or an object, whose value it cannot look for, is
    said at "/"; (3) an error about a default is placed at the first default of the same value; (4) a
    schema its meta-schema refuses: the full validator names the first failing keyword and places it at the
    first such keyword with that value (another schema's, often), the fast pass at the schema's own, so
    these are counted; (5) a dialect no validator knows is a warning at "/", once, for the full validator,
    at each ``$schema`` naming it for the fast pass."""
    whole = {(kind, pointer) for kind, pointer, _ in _by_full_validator(path)}
    data = load_document(path).data
    fast = set()
    said = _by_validate(path)
    ours = {(kind, pointer) for kind, pointer, _ in said}
    meta = 0
    for kind, pointer, message in sorted(said):
        if kind == "warning" and "Unknown JSON Schema dialect" in message:
            pointer = "" if ("warning", "") in whole else pointer
        elif kind == "error" and "does not fit the meta-schema" in message:
            meta += 1
            continue
        elif (
            kind == "error"
            and pointer.endswith("/default")
            and message.startswith(_DOES_NOT_FIT)
            and (kind, pointer) not in whole
        ):
            inside = {(k, p) for k, p in whole if p.startswith(pointer + "/")}
            if inside:
                fast |= inside
                continue
            value = _value_at(data, pointer)
            unplaceable = isinstance(value, (type(None), list, dict))
            if unplaceable and ("error", "") in whole:
                pointer = ""
            else:
                same = sorted(
                    p
                    for k, p in whole - ours - fast
                    if k == "error"
                    and p.endswith("/default")
                    and _value_at(data, p) == value
                    and type(_value_at(data, p)) is type(value)
                )
                pointer = same[0] if same else pointer
        fast.add((kind, pointer))
    unmatched = sorted(
        p for k, p in whole - fast if k == "error" and not p.endswith("/default")
    )
    fast |= {("error", p) for p in unmatched[:meta]}
    if meta > len(unmatched):
        fast.add(("error", f"{meta - len(unmatched)} meta-schema errors more"))
    return whole - fast, fast - whole


@pytest.mark.parametrize(
    "spec", _corpus_specs(), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_corpus_spec(spec: Path) -> None:
    assert _difference(spec) == (set(), set())


# ---------------------------------------------------------------------------------------------------------
# Mutations

# Schema keywords with values of the right shape and of the wrong one, for 3.0 (OpenAPI's schema, draft 4's
# meta-schema) and 3.1 (the OAS dialect of draft 2020-12).
_KEYWORDS: list[tuple[str, Any]] = [
    ("type", "number"),
    ("type", "strang"),
    ("type", ["string", "null"]),
    ("type", 3),
    ("minLength", 3),
    ("minLength", "3"),
    ("minLength", -1),
    ("maxLength", 2.5),
    ("maximum", 10),
    ("maximum", "10"),
    ("minimum", 0),
    ("exclusiveMaximum", True),
    ("exclusiveMaximum", 5),
    ("exclusiveMinimum", False),
    ("exclusiveMinimum", "x"),
    ("multipleOf", 0),
    ("multipleOf", 2),
    ("enum", []),
    ("enum", [1, 1]),
    ("enum", ["a", "b"]),
    ("enum", "a"),
    ("const", 1),
    ("required", ["x"]),
    ("required", []),
    ("required", ["x", "x"]),
    ("required", "x"),
    ("required", [1]),
    ("pattern", "^a+$"),
    ("pattern", "("),
    ("pattern", "\\p{L}"),
    ("pattern", "[a-z"),
    ("pattern", 5),
    ("patternProperties", {"(": {}}),
    ("patternProperties", {"^x-": {"type": "string"}}),
    ("properties", {"x": {"type": "integer"}}),
    ("properties", {"x": 3}),
    ("properties", []),
    ("properties", {"x": {"minLength": "2"}}),
    ("items", {}),
    ("items", [{}]),
    ("items", 3),
    ("items", {"type": "string", "default": 4.75}),
    ("prefixItems", [{"type": "string"}]),
    ("prefixItems", {}),
    ("additionalProperties", False),
    ("additionalProperties", {"type": "integer", "default": "not a number"}),
    ("additionalProperties", {"exclusiveMinimum": True}),
    ("additionalProperties", "no"),
    ("allOf", [{"type": "object", "properties": {"y": {"type": "string"}}}]),
    ("allOf", [{"required": ["nope"]}]),
    ("allOf", {}),
    ("anyOf", [{"type": "string"}, {"type": "integer"}]),
    ("oneOf", [3]),
    ("not", {"type": "string"}),
    ("not", []),
    ("nullable", True),
    ("nullable", "yes"),
    ("format", "int32"),
    ("format", "date"),
    ("format", 5),
    ("discriminator", {"propertyName": "x"}),
    ("discriminator", {"mapping": {}}),
    ("discriminator", "x"),
    ("externalDocs", {"url": "https://example.com"}),
    ("externalDocs", {}),
    ("xml", {"name": "x"}),
    ("xml", 3),
    ("readOnly", "x"),
    ("deprecated", 1),
    ("title", 3),
    ("description", 4),
    ("minItems", -2),
    ("uniqueItems", "x"),
    ("minProperties", 1),
    ("dependentRequired", {"a": ["b", "b"]}),
    ("contentMediaType", 3),
    ("$id", "x y"),
    ("$anchor", "1bad"),
    ("$defs", {"a": 3}),
    ("$defs", {"a": {"type": "string"}}),
    ("if", {"type": "string"}),
    ("then", 3),
    ("unevaluatedProperties", 3),
    ("propertyNames", {"pattern": "("}),
    ("contains", {"type": "integer"}),
    ("example", {"anything": True}),
    ("x-vendor", {"minLength": "no"}),
    ("$schema", "https://json-schema.org/draft/2020-12/schema"),
    ("$schema", "http://json-schema.org/draft-07/schema#"),
    ("$schema", 5),
]
_DEFAULTS: list[Any] = [1, -3, 2.5, "a", "", "2020-01-01", None, True, [1], {"a": 1}]
_METHODS = ("get", "put", "post", "delete", "patch")


def _synthetic(version: str) -> dict[str, Any]:
    """A small document with every place a schema can be: components of each kind, each referenced."""
    pet = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer", "format": "int64"},
            "name": {"type": "string", "minLength": 1},
            "tags": {"type": "array", "items": {"type": "string"}},
            "extra": {"type": "object", "additionalProperties": {"type": "number"}},
        },
    }
    data: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "synthetic", "version": "1"},
        "tags": [{"name": "pets"}, {"name": "owners"}],
        "paths": {
            "/pets/{petId}": {
                "parameters": [{"$ref": "#/components/parameters/PetId"}],
                "get": {
                    "operationId": "getPet",
                    "tags": ["pets"],
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        {"$ref": "#/components/parameters/Limit"},
                    ],
                    "responses": {
                        "200": {"$ref": "#/components/responses/PetResponse"},
                        "default": {
                            "description": "error",
                            "headers": {
                                "X-Rate": {"$ref": "#/components/headers/Rate"}
                            },
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "allOf": [
                                            {"$ref": "#/components/schemas/Error"},
                                            {
                                                "properties": {
                                                    "code": {"type": "integer"}
                                                }
                                            },
                                        ]
                                    }
                                }
                            },
                        },
                    },
                },
                "put": {
                    "operationId": "putPet",
                    "requestBody": {"$ref": "#/components/requestBodies/PetBody"},
                    "callbacks": {
                        "onChange": {
                            "{$request.body#/url}": {
                                "post": {
                                    "requestBody": {
                                        "content": {
                                            "application/json": {
                                                "schema": {"type": "string"}
                                            }
                                        }
                                    },
                                    "responses": {"200": {"description": "ok"}},
                                }
                            }
                        }
                    },
                    "responses": {"204": {"description": "done"}},
                },
            },
            "/owners": {
                "post": {
                    "operationId": "addOwner",
                    "tags": ["owners"],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Owner"}
                            }
                        }
                    },
                    "responses": {
                        "201": {
                            "description": "created",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Owner"},
                                    }
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Pet": pet,
                "Owner": {
                    "type": "object",
                    "properties": {
                        "pets": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Pet"},
                        },
                        "kind": {"type": "string", "enum": ["a", "b"], "default": "a"},
                    },
                },
                "Error": {
                    "type": "object",
                    "properties": {"message": {"type": "string"}},
                },
                "Unused": {"type": "string"},
            },
            "parameters": {
                "PetId": {
                    "name": "petId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                },
                "Limit": {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "default": 10, "maximum": 100},
                },
                "Unused": {"name": "u", "in": "header", "schema": {"type": "string"}},
            },
            "responses": {
                "PetResponse": {
                    "description": "a pet",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Pet"}
                        },
                        "text/plain": {"schema": {"type": "string"}},
                    },
                }
            },
            "requestBodies": {
                "PetBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Pet"}
                        }
                    }
                }
            },
            "headers": {"Rate": {"schema": {"type": "integer", "minimum": 0}}},
        },
    }
    if version.startswith("3.1"):
        data["webhooks"] = {
            "petAdded": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Pet"}
                            }
                        }
                    },
                    "parameters": [
                        {"name": "h", "in": "header", "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
        data["components"]["pathItems"] = {
            "Shared": {
                "get": {
                    "operationId": "shared",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"type": "object"}}
                            },
                        }
                    },
                }
            }
        }
        data["paths"]["/shared"] = {"$ref": "#/components/pathItems/Shared"}
    return data


def _schemas(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every schema object of the document (once each), the component schemas and the ``schema`` of every
    parameter, header and media type, and the schemas nested in them."""
    roots: list[Any] = []
    components = data.get("components")
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        roots += components["schemas"].values()
    stack: list[Any] = [data.get(k) for k in ("paths", "webhooks", "components")]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, dict):
                    roots.append(value)
                elif key not in ("schemas", "example", "examples") and isinstance(
                    value, (dict, list)
                ):
                    stack.append(value)
        elif isinstance(node, list):
            stack += node
    found: dict[int, dict[str, Any]] = {}
    stack = roots
    while stack:
        schema = stack.pop()
        if not isinstance(schema, dict) or id(schema) in found:
            continue
        found[id(schema)] = schema
        for key in ("items", "additionalProperties", "not"):
            stack.append(schema.get(key))
        for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
            if isinstance(schema.get(key), list):
                stack += schema[key]
        for key in ("properties", "patternProperties"):
            if isinstance(schema.get(key), dict):
                stack += schema[key].values()
    return list(found.values())


def _operations(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in (data.get("paths") or {}).items()
        if isinstance(item, dict)
        for method, op in item.items()
        if method in _METHODS and isinstance(op, dict)
    ]


def _keyword(rng: random.Random, data: dict[str, Any]) -> str:
    """A keyword at a random schema, with a value no schema of the document has for it already: the
    wording layer places a meta-schema error by the value and where it is in its schema, the first such
    place of the document, a guess the whole document and a part of it can make differently.
    """
    schemas = _schemas(data)
    schema = rng.choice(schemas)
    fresh = [
        (key, value)
        for key, value in _KEYWORDS
        if not any(
            key in s and type(s[key]) is type(value) and s[key] == value
            for s in schemas
        )
    ]
    key, value = rng.choice(fresh)
    schema[key] = copy.deepcopy(value)
    return f"{key}={value!r}"


def _scalar_defaults(data: Any) -> list[Any]:
    found, stack = [], [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            value = node.get("default")
            if value is not None and not isinstance(value, (dict, list)):
                found.append(value)
            stack += node.values()
        elif isinstance(node, list):
            stack += node
    return found


def _default(rng: random.Random, data: dict[str, Any]) -> str:
    """A default at a random schema, of a value no other default of the document has: the wording layer
    places the error of a default by looking for its value (the first default equal to it), a guess the
    whole document and a part of it can make differently."""
    existing = _scalar_defaults(data)
    fresh = [
        v for v in _DEFAULTS if not any(type(v) is type(e) and v == e for e in existing)
    ]
    if not fresh:
        return "no fresh default"
    schema = rng.choice(_schemas(data))
    schema["default"] = copy.deepcopy(rng.choice(fresh))
    return f"default={schema['default']!r} in {sorted(schema)}"


def _drop(rng: random.Random, data: dict[str, Any]) -> str:
    schema = rng.choice(_schemas(data))
    if not schema:
        return "nothing dropped"
    key = rng.choice(sorted(schema))
    del schema[key]
    return f"drop {key}"


def _replace(rng: random.Random, data: dict[str, Any]) -> str:
    """A schema (a property or a root) replaced by a reference to a component schema, or a wrong shape."""
    holders = [
        s["properties"] for s in _schemas(data) if isinstance(s.get("properties"), dict)
    ]
    holders = [h for h in holders if h]
    if not holders:
        return "nothing replaced"
    holder = rng.choice(holders)
    name = rng.choice(sorted(holder))
    names = sorted((data.get("components") or {}).get("schemas") or {})
    choices: list[Any] = [3, "x", [], True, {}]
    if names:
        choices.append({"$ref": f"#/components/schemas/{rng.choice(names)}"})
    holder[name] = rng.choice(choices)
    return f"property {name} = {holder[name]!r}"


def _operation_id(rng: random.Random, data: dict[str, Any]) -> str:
    ops = _operations(data)
    if len(ops) < 2:
        return "no operations"
    first, second = rng.sample(ops, 2)
    second[2]["operationId"] = first[2].get("operationId", "repeated")
    first[2]["operationId"] = second[2]["operationId"]
    return f"operationId of {first[:2]} and {second[:2]}"


def _path_parameter(rng: random.Random, data: dict[str, Any]) -> str:
    ops = _operations(data)
    if not ops:
        return "no operations"
    path, method, op = rng.choice(ops)
    if rng.random() < 0.5:
        op.setdefault("parameters", []).append(
            {
                "name": "ghost",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
            }
        )
        return f"{method} {path}: undeclared-in-template path parameter"
    paths = data["paths"]
    paths[path + "/{more}"] = paths.pop(path)
    return f"{path}: template parameter not declared"


def _repeat(rng: random.Random, data: dict[str, Any]) -> str:
    """A repeated parameter or tag name."""
    lists = [op["parameters"] for _, _, op in _operations(data) if op.get("parameters")]
    if rng.random() < 0.3 or not lists:
        tags = data.setdefault("tags", [])
        tags.append({"name": tags[0]["name"] if tags else "t"})
        if len(tags) == 1:
            tags.append({"name": "t"})
        return "repeated tag"
    chosen = rng.choice(lists)
    chosen.append(copy.deepcopy(rng.choice(chosen)))
    return "repeated parameter"


def _version(rng: random.Random, data: dict[str, Any]) -> str:
    data["openapi"] = "3.0.3" if data["openapi"].startswith("3.1") else "3.1.0"
    return f"openapi {data['openapi']}"


def _dialect(rng: random.Random, data: dict[str, Any]) -> str:
    if rng.random() < 0.5:
        data["jsonSchemaDialect"] = rng.choice(
            [
                "https://spec.openapis.org/oas/3.1/dialect/base",
                "https://json-schema.org/draft/2020-12/schema",
                "https://example.com/unknown",
            ]
        )
        return f"jsonSchemaDialect {data['jsonSchemaDialect']}"
    schema = rng.choice(_schemas(data))
    schema["$schema"] = rng.choice(
        [
            "https://spec.openapis.org/oas/3.1/dialect/base",
            "https://json-schema.org/draft/2020-12/schema",
            "http://json-schema.org/draft-04/schema#",
        ]
    )
    return f"$schema {schema['$schema']}"


def _structure(rng: random.Random, data: dict[str, Any]) -> str:
    """A wrong-shaped OpenAPI object (not a schema)."""
    ops = _operations(data)
    if not ops:
        return "no operations"
    path, method, op = rng.choice(ops)
    choice = rng.randrange(4)
    if choice == 0:
        op["responses"] = {}
    elif choice == 1:
        op["parameters"] = [
            {"name": "bad", "in": "nowhere", "schema": {"type": "string"}}
        ]
    elif choice == 2:
        op["summary"] = 3
    else:
        op["responses"] = {"200": {"content": {}}}
    return f"{method} {path}: structure {choice}"


_MUTATIONS: list[tuple[Callable[[random.Random, dict[str, Any]], str], int]] = [
    (_keyword, 12),
    (_default, 6),
    (_drop, 2),
    (_replace, 2),
    (_operation_id, 1),
    (_path_parameter, 1),
    (_repeat, 1),
    (_version, 2),
    (_dialect, 1),
    (_structure, 1),
]


def _mutants(
    base: dict[str, Any], seed: int, count: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    functions = [f for f, weight in _MUTATIONS for _ in range(weight)]
    for _ in range(count):
        data = copy.deepcopy(base)
        steps = [
            rng.choice(functions)(rng, data) for _ in range(rng.choice((1, 1, 2, 3)))
        ]
        yield "; ".join(steps), data


def _bases() -> list[tuple[str, dict[str, Any]]]:
    bases = [
        ("synthetic 3.0", _synthetic("3.0.3")),
        ("synthetic 3.1", _synthetic("3.1.0")),
    ]
    for name in (
        "3.0/json/petstore-expanded.json",
        "3.0/json/schema-additional-properties.json",
        "3.1/json/webhooks.json",
        "3.1/json/schema-types.json",
    ):
        if (CORPUS / name).is_file():
            bases.append((name, json.loads((CORPUS / name).read_text("utf-8"))))
    return bases


# Mutants of each base document (with a seed of their own).
MUTANTS = 60


@pytest.mark.parametrize("index", range(len(_bases())), ids=[n for n, _ in _bases()])
def test_mutated_documents(index: int, tmp_path: Path) -> None:
    name, base = _bases()[index]
    differences = []
    for number, (what, data) in enumerate(_mutants(base, 1000 + index, MUTANTS)):
        path = tmp_path / f"mutant{number}.json"
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        missed, added = _difference(path)
        if missed or added:
            differences.append(
                f"{name} #{number} ({what}): missed {missed}, added {added}"
            )
    assert not differences, "\n".join(differences)


def _pet(data: dict[str, Any]) -> dict[str, Any]:
    pet: dict[str, Any] = data["components"]["schemas"]["Pet"]
    return pet


def _default_response(data: dict[str, Any]) -> dict[str, Any]:
    get = data["paths"]["/pets/{petId}"]["get"]
    media_type = get["responses"]["default"]["content"]["application/json"]
    schema: dict[str, Any] = media_type["schema"]
    return schema


def _encoded_reference(data: dict[str, Any]) -> None:
    """A path item whose template parameter is undeclared, using another path item's parameter through a
    reference written as a URI fragment (percent-encoded braces)."""
    data["paths"]["/things/{thingId}"] = {
        "get": {
            "parameters": [{"$ref": "#/paths/~1pets~1%7BpetId%7D/get/parameters/0"}],
            "responses": {"200": {"description": "ok"}},
        }
    }


# Misses of the fast pass the mutations found: (OpenAPI version, how the synthetic document is broken,
# the pointer the full validator reports).
MISSES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (  # openapi-spec-validator checks a 3.1 schema against its dialect's meta-schema
        "3.1.0",
        lambda d: _pet(d)["properties"]["id"].update(exclusiveMaximum=True),
        "/components/schemas/Pet/properties/id/exclusiveMaximum",
    ),
    (  # and a 3.0 schema against draft 4's, which wants a maximum beside exclusiveMaximum
        "3.0.3",
        lambda d: _pet(d)["properties"]["id"].update(exclusiveMaximum=True),
        "/components/schemas/Pet/properties/id",
    ),
    (  # whose `regex` format is Python's: \p{L} is an ECMA pattern, not a Python one
        "3.0.3",
        lambda d: _pet(d)["properties"]["name"].update(pattern=r"^\p{L}+$"),
        "/components/schemas/Pet/properties/name/pattern",
    ),
    (  # the schemas of an operation's default response
        "3.1.0",
        lambda d: _default_response(d).update(default=True),
        "/paths/~1pets~1{petId}/get/responses/default/content/application~1json/schema/default",
    ),
    (  # a parameter component, checked only from the path items using it
        "3.0.3",
        lambda d: d["components"]["parameters"]["Limit"]["schema"].update(
            default="ten"
        ),
        "/components/parameters/Limit/schema/default",
    ),
    (  # a schema the meta-schema refuses is walked all the same from a path item reaching it
        "3.1.0",
        lambda d: _pet(d)["properties"].update(
            name="x", id={"type": "integer", "default": "one"}
        ),
        "/components/schemas/Pet/properties/id/default",
    ),
    (  # (the part handed to the full validator lacked the path item it refers to: "cannot validate")
        "3.0.3",
        _encoded_reference,
        "/paths/~1things~1{thingId}/get",
    ),
]


@pytest.mark.parametrize("version, breaks, pointer", MISSES)
def test_a_former_miss(
    version: str, breaks: Callable[[dict[str, Any]], None], pointer: str, tmp_path: Path
) -> None:
    data = _synthetic(version)
    breaks(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    assert ("error", pointer) in {(k, p) for k, p, _ in _by_validate(path)}
    assert _difference(path) == (set(), set())


def test_the_walked_schemas_are_those_the_region_walk_visits(tmp_path: Path) -> None:
    """``metaschema.Check.walked`` (which defaults count) takes a shortcut through the full validator's walk
    that :func:`metaschema._walkers` simulates with its regions: both visit the same schemas, on the corpus
    and on mutants (refused roots, references everywhere)."""
    documents = [load_document(spec).data for spec in _corpus_specs()]
    for index in range(2):
        _, base = _bases()[index]
        documents += [data for _, data in _mutants(base, 2000 + index, 40)]
    compared = 0
    for data in documents:
        data = validate.without_item_schemas(data)
        check = metaschema.check(data, str(data.get("openapi")).startswith("3.1"))
        if check is None:
            continue
        visited: set[int] = set()
        metaschema._walkers(data, check.roots, check.refused, set(), visited)
        assert check.walked(data) == visited
        compared += bool(visited)
    assert compared > 100
