"""Synthetic OpenAPI 3.0 documents of a chosen size, for measuring how generation cost grows.

``make_spec(n)`` returns a document with exactly ``n`` operations and schemas in proportion: the API is a set
of CRUD resources, five operations each (list, create, get, update, delete), and every resource brings three
object schemas (the resource, its create input, its page of results) and one string enum. Resources are grouped
five to a tag. Each resource but the first of its tag refers to that first one (a ``parent``), so models refer to
other models' modules the way real APIs' do, without building reference chains as long as the document.
The document is deterministic (no randomness), valid, and written as YAML like the project's real specs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

__all__ = ["make_spec", "write_spec", "OPS_PER_RESOURCE", "RESOURCES_PER_TAG"]

OPS_PER_RESOURCE = 5
RESOURCES_PER_TAG = 5


def _names(i: int) -> tuple[str, str]:
    """(PascalCase schema name, snake_case path segment) of resource ``i``."""
    return f"Resource{i:05d}", f"resource{i:05d}s"


def _resource_schemas(i: int) -> dict[str, Any]:
    name, _ = _names(i)
    props: dict[str, Any] = {
        "id": {
            "type": "string",
            "format": "uuid",
            "description": f"Identifier of the {name}.",
        },
        "name": {"type": "string", "maxLength": 200, "description": "Display name."},
        "description": {"type": "string", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "size": {"type": "integer", "format": "int64", "minimum": 0},
        "score": {"type": "number", "format": "double"},
        "archived": {"type": "boolean", "default": False},
        "status": {"$ref": f"#/components/schemas/{name}Status"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    }
    if i % RESOURCES_PER_TAG:
        parent, _ = _names(i - i % RESOURCES_PER_TAG)
        props["parent"] = {"$ref": f"#/components/schemas/{parent}"}
    input_props = {
        k: props[k]
        for k in (
            "name",
            "description",
            "size",
            "archived",
            "status",
            "tags",
            "metadata",
        )
    }
    return {
        name: {
            "type": "object",
            "description": f"A {name}.",
            "required": ["id", "name", "created_at", "status"],
            "properties": props,
        },
        f"{name}Input": {
            "type": "object",
            "description": f"The fields to create or update a {name}.",
            "required": ["name"],
            "properties": input_props,
        },
        f"{name}Page": {
            "type": "object",
            "description": f"One page of {name} results.",
            "required": ["items"],
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/{name}"},
                },
                "next_cursor": {"type": "string", "nullable": True},
                "total": {"type": "integer"},
            },
        },
        f"{name}Status": {
            "type": "string",
            "description": f"Lifecycle state of a {name}.",
            "enum": ["draft", "active", "archived", "deleted"],
        },
    }


def _json_response(schema_ref: str, description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
    }


def _resource_paths(i: int, tag: str) -> dict[str, Any]:
    name, seg = _names(i)
    ref = f"#/components/schemas/{name}"
    errors = {
        "404": {"$ref": "#/components/responses/NotFound"},
        "default": {"$ref": "#/components/responses/Error"},
    }
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"{ref}Input"}}},
    }
    id_param = {"$ref": "#/components/parameters/id"}
    return {
        f"/{seg}": {
            "get": {
                "operationId": f"list{name}s",
                "tags": [tag],
                "summary": f"List {name}s",
                "parameters": [
                    {"$ref": "#/components/parameters/limit"},
                    {"$ref": "#/components/parameters/cursor"},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"$ref": f"{ref}Status"},
                    },
                    {
                        "name": "tags",
                        "in": "query",
                        "style": "form",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                ],
                "responses": {
                    "200": _json_response(f"{ref}Page"),
                    "default": errors["default"],
                },
            },
            "post": {
                "operationId": f"create{name}",
                "tags": [tag],
                "summary": f"Create a {name}",
                "requestBody": body,
                "responses": {
                    "201": _json_response(ref, "Created"),
                    "default": errors["default"],
                },
            },
        },
        f"/{seg}/{{id}}": {
            "get": {
                "operationId": f"get{name}",
                "tags": [tag],
                "summary": f"Get one {name}",
                "parameters": [
                    id_param,
                    {
                        "name": "X-Request-Id",
                        "in": "header",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {"200": _json_response(ref), **errors},
            },
            "put": {
                "operationId": f"update{name}",
                "tags": [tag],
                "summary": f"Replace a {name}",
                "parameters": [id_param],
                "requestBody": body,
                "responses": {"200": _json_response(ref), **errors},
            },
            "delete": {
                "operationId": f"delete{name}",
                "tags": [tag],
                "summary": f"Delete a {name}",
                "parameters": [id_param],
                "responses": {"204": {"description": "Deleted"}, **errors},
            },
        },
    }


def make_spec(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.0.3 document with exactly ``operations`` operations (a multiple of 5, at least 5)."""
    if operations < OPS_PER_RESOURCE or operations % OPS_PER_RESOURCE:
        raise ValueError(
            f"operations must be a positive multiple of {OPS_PER_RESOURCE}, not {operations}"
        )
    resources = operations // OPS_PER_RESOURCE
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
        }
    }
    tags = []
    for i in range(resources):
        tag = f"Group{i // RESOURCES_PER_TAG:04d}"
        if i % RESOURCES_PER_TAG == 0:
            tags.append({"name": tag, "description": f"Resources of group {tag}."})
        paths.update(_resource_paths(i, tag))
        schemas.update(_resource_schemas(i))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Synthetic API ({operations} operations)",
            "version": "1.0.0",
        },
        "servers": [{"url": "http://localhost:8080"}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "id": {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                },
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 100,
                        "default": 20,
                    },
                },
                "cursor": {
                    "name": "cursor",
                    "in": "query",
                    "schema": {"type": "string"},
                },
            },
            "responses": {
                "NotFound": _json_response("#/components/schemas/Error", "Not found"),
                "Error": _json_response(
                    "#/components/schemas/Error", "Unexpected error"
                ),
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def write_spec(operations: int, path: Path) -> Path:
    """Write ``make_spec(operations)`` to ``path`` as YAML (JSON when PyYAML is missing; both are YAML)."""
    spec = make_spec(operations)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(spec, Dumper=dumper, sort_keys=False, width=120)
    except ImportError:  # pragma: no cover - the bench venv installs PyYAML
        import json

        text = json.dumps(spec, indent=1)
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    write_spec(int(sys.argv[1]), Path(sys.argv[2]))
