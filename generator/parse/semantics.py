"""The fast validation pass: the rules openapi-spec-validator's keyword validators check, in one walk.

openapi-spec-validator validates a document in two parts: the document against the OpenAPI JSON Schema
(fast with its jsonschema-rs backend), then keyword validators that walk every operation and schema through
``jsonschema_path`` accessors. That second part costs about 3 ms per operation and grows faster than the
document (5,000 operations: 14 s even with its id registries made sets). This module checks the same rules —
unique operation ids, tag names and parameters, path parameters declared, ``required`` names defined under
``allOf``, defaults that fit their schema, schema keywords of the right shape — in one pass over plain data.

It only decides whether a document is clean. When it finds anything, the caller runs the full, slow
validator, whose findings (precisely worded and located) are what the user sees; so this pass can afford
to be conservative, but must not miss a problem the full validator reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_JSON_TYPES = {"string", "integer", "number", "boolean", "array", "object", "null"}
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_SINGLES = (
    "items",
    "not",
    "additionalProperties",
    "contains",
    "if",
    "then",
    "else",
)
_SCHEMA_MAPS = (
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
)


def is_clean(data: dict[str, Any]) -> bool:
    """True when no rule of the keyword validators is broken (document-schema errors are checked apart)."""
    return next(_problems(data), None) is None


def _problems(data: dict[str, Any]) -> Iterator[str]:
    yield from _tags(data)
    yield from _paths(data)
    yield from _schemas(data)


def _tags(data: dict[str, Any]) -> Iterator[str]:
    names = [t.get("name") for t in data.get("tags") or [] if isinstance(t, dict)]
    if len(names) != len(set(map(str, names))):
        yield "duplicate tag name"


def _resolve(data: dict[str, Any], node: Any) -> Any:
    """A local ``$ref`` followed (a few steps); anything else is returned as it is."""
    for _ in range(16):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return None  # another file: the model builder resolves and checks it
        target: Any = data
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or token not in target:
                return None
            target = target[token]
        node = target
    return None


def _paths(data: dict[str, Any]) -> Iterator[str]:
    seen_ids: set[str] = set()
    for path, item in (data.get("paths") or {}).items():
        item = _resolve(data, item)
        if not isinstance(item, dict):
            continue
        shared = _parameters(data, item.get("parameters"))
        if shared is None:
            yield "duplicate parameter"
            continue
        template = set(re.findall(r"{([^}/]+)}", str(path)))
        for method in _HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_id = op.get("operationId")
            if isinstance(op_id, str):
                if op_id in seen_ids:
                    yield "duplicate operationId"
                seen_ids.add(op_id)
            own = _parameters(data, op.get("parameters"))
            if own is None:
                yield "duplicate parameter"
                continue
            in_path = {name for name, where in {**shared, **own} if where == "path"}
            if in_path != template:
                yield "path parameters do not match the path template"


def _parameters(data: dict[str, Any], raw: Any) -> dict[tuple[str, str], Any] | None:
    """The (name, in) pairs of a parameter list, or None when one is repeated."""
    found: dict[tuple[str, str], Any] = {}
    for param in raw or []:
        param = _resolve(data, param)
        if not isinstance(param, dict):
            continue
        key = (str(param.get("name")), str(param.get("in")))
        if key in found:
            return None
        found[key] = param
    return found


_TRAVERSED = frozenset(_SCHEMA_LISTS + _SCHEMA_SINGLES + _SCHEMA_MAPS)


def _schemas(data: dict[str, Any]) -> Iterator[str]:
    """Every schema object of the document, each checked once (schemas can be recursive).

    The keyword checks are inlined and each made only when its keyword is there: a large spec has tens of
    thousands of schemas, most of them a leaf with a ``type`` and a few annotations.
    """
    seen: set[int] = set()
    resolved: dict[str, Any] = (
        {}
    )  # a `$ref` string's target (the data does not change meanwhile)
    stack = list(_schema_roots(data))
    while stack:
        schema = stack.pop()
        if isinstance(schema, bool) or id(schema) in seen:
            continue
        seen.add(id(schema))
        if not isinstance(schema, dict):
            yield "a schema is not an object"
            continue
        if "$ref" in schema:
            ref = schema["$ref"]
            if type(ref) is str:
                if ref in resolved:
                    target = resolved[ref]
                else:
                    target = resolved[ref] = _resolve(data, schema)
            else:
                target = _resolve(data, schema)
            if isinstance(target, (dict, bool)):
                stack.append(target)
        # Keywords of the right shape.
        if "$schema" in schema:
            yield "a schema names its own dialect"  # only the full validator knows what that allows
        kind = schema.get("type")
        if type(kind) is str:
            if kind not in _JSON_TYPES:
                yield "unknown type"
        elif kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k not in _JSON_TYPES for k in kinds):
                yield "unknown type"
        required = schema.get("required")
        if required is not None and not (
            isinstance(required, list) and all(isinstance(r, str) for r in required)
        ):
            yield "required is not a list of names"
        traversed = not _TRAVERSED.isdisjoint(schema)
        if traversed:
            for key in _SCHEMA_MAPS:
                if key in schema and not isinstance(schema[key], dict):
                    yield f"{key} is not a mapping"
            for key in _SCHEMA_LISTS:
                if key in schema and not isinstance(schema[key], list):
                    yield f"{key} is not a list"
        if "enum" in schema and not isinstance(schema["enum"], list):
            yield "enum is not a list"
        if "allOf" in schema:
            yield from _required_defined(data, schema)
        if "default" in schema:
            yield from _default_fits(schema)
        if traversed:
            for key in _SCHEMA_LISTS:
                stack.extend(
                    s for s in schema.get(key) or [] if isinstance(s, (dict, bool))
                )
            for key in _SCHEMA_SINGLES:
                if isinstance(schema.get(key), (dict, bool)):
                    stack.append(schema[key])
            for key in _SCHEMA_MAPS:
                if isinstance(schema.get(key), dict):
                    stack.extend(schema[key].values())


def _schema_roots(data: dict[str, Any]) -> Iterator[Any]:
    components = data.get("components") or {}
    yield from (components.get("schemas") or {}).values()
    containers: list[Any] = [
        data.get("paths") or {},
        data.get("webhooks") or {},
        components,
    ]
    while containers:
        node = containers.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, (dict, bool)):
                    yield value
                elif key not in (
                    "schemas",
                    "example",
                    "examples",
                    "default",
                ) and isinstance(value, (dict, list)):
                    containers.append(value)
        elif isinstance(node, list):
            containers.extend(v for v in node if isinstance(v, (dict, list)))


def _names(data: dict[str, Any], schema: Any, depth: int = 0) -> set[str]:
    """Property names a schema defines, through its allOf/anyOf/oneOf/items/not."""
    schema = _resolve(data, schema)
    if not isinstance(schema, dict) or depth > 32:
        return set()
    names = set(schema.get("properties") or {})
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            names |= _names(data, sub, depth + 1)
    for key in ("items", "not"):
        if key in schema:
            names |= _names(data, schema[key], depth + 1)
    return names


def _required_defined(data: dict[str, Any], schema: dict[str, Any]) -> Iterator[str]:
    # The keyword validator only checks this for schemas with allOf, the same as here.
    if "allOf" not in schema or not isinstance(schema.get("required"), list):
        return
    if set(schema["required"]) - _names(data, schema):
        yield "required names a property that is not defined"


def _default_fits(schema: dict[str, Any]) -> Iterator[str]:
    if "default" not in schema:
        return
    value = schema["default"]
    if value is None and schema.get("nullable") is True:
        return
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        yield "default is not one of the enum values"
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
    if kinds and not any(_is_of(value, k) for k in kinds):
        yield "default is not of the schema's type"


def _is_of(value: Any, kind: str) -> bool:
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(
        value,
        {"string": str, "boolean": bool, "array": list, "object": dict}.get(
            kind, type(None)
        ),
    )
