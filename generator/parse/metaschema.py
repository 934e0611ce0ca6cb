"""The fast pass's share of openapi-spec-validator's schema walk that :mod:`.semantics` does not mirror: the
meta-schema check of each schema the walk starts from, and which regions the walk reaches a region from.

openapi-spec-validator's keyword validators start a schema walk at each component schema and, from each path
item, at the schema of each parameter and of each response's media types (references followed all the way).
Each such *root* is first checked against its dialect's meta-schema (draft 4's for OpenAPI 3.0; for 3.1 the
OAS dialect of draft 2020-12, or the dialect its ``$schema`` names), with the ``regex`` format checked by
Python's ``re``; a root the meta-schema refuses is reported and not walked. The walk then follows ``allOf``,
``anyOf``, ``oneOf``, ``not``, ``items`` and ``properties`` through references, each schema once: what it
reports of a schema (a default that does not fit, a schema that is not an object) it reports the first time
any root reaches it, whichever region that root is in.

So this module flags the regions holding a root the meta-schema refuses (checked with jsonschema-rs, on the
same meta-schema documents, read from the validators' packages without importing them), and, for every
region flagged by anything, the regions whose walk (in the full validator's order) checks or first visits a
schema of it where its own walk would not report the same: the full validator, handed only the flagged
regions, must report what it reports of the whole document. A parameter or response component is reached
only from the path items using it; a component schema the meta-schema refuses is not walked from itself,
but from any other root reaching it.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from .semantics import Region, ref_tokens, region_of

_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# openapi-schema-validator's OAS 3.1 dialect (the default of a 3.1 document) and draft 4 (every 3.0 schema's).
_OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
_DRAFT4 = "http://json-schema.org/draft-04/schema"
# The dialects jsonschema knows by their ``$schema`` (a trailing ``#`` aside) and jsonschema-specifications'
# folder of each meta-schema (jsonschema-rs knows the vocabularies of the later ones).
_DRAFTS = {
    _DRAFT4: "draft4",
    "http://json-schema.org/draft-06/schema": "draft6",
    "http://json-schema.org/draft-07/schema": "draft7",
    "https://json-schema.org/draft/2019-09/schema": "draft201909",
    "https://json-schema.org/draft/2020-12/schema": "draft202012",
}
# The subschemas the walk goes into, in its order.
_WALKED_LISTS = ("allOf", "anyOf", "oneOf")
_WALKED_SINGLES = ("not", "items")

# (the region of the root's walk, the region the root schema is written in, the root schema itself)
_Root = tuple[Region, Region, Any]


class Refusal(NamedTuple):
    """A root schema the full validator's meta-schema check refuses, and what it says: an error (the schema
    does not fit its dialect's meta-schema: the first error found, ``path`` in the schema) or a warning (a
    dialect no validator knows: the schema is not checked)."""

    region: Region
    schema: Any
    kind: str
    message: str
    path: list[str | int]


class Check(NamedTuple):
    """The meta-schema check of a document's root schemas: what it refuses, and the full validator's schema
    walk over them (each root in its order)."""

    refusals: list[Refusal]
    roots: list[_Root]

    @property
    def refused(self) -> set[int]:
        return {id(r.schema) for r in self.refusals}

    def walkers(self, data: dict[str, Any], wanted: set[Region]) -> set[Region]:
        """The regions to hand the full validator besides ``wanted`` (those flagged) for it to say of
        their schemas what it says of the whole document (see :func:`_walkers`)."""
        if not wanted:
            return set()
        return _walkers(data, self.roots, self.refused, wanted)

    def walked(self, data: dict[str, Any]) -> set[int]:
        """The ids of the schemas the full validator walks (and whose defaults it checks)."""
        return _reach(data, self.roots, self.refused)


def check(data: dict[str, Any], openapi31: bool) -> Check | None:
    """The meta-schema check of every root schema of the document, as the full validator makes it: against
    the document's dialect (``jsonSchemaDialect`` in 3.1, else OpenAPI 3.1's; draft 4's for 3.0), or the one
    a 3.1 schema's ``$schema`` names. None when only the full validator can tell: no jsonschema-rs, or a
    ``jsonSchemaDialect`` it has no meta-schema for."""
    dialect = _OAS31_DIALECT if openapi31 else _DRAFT4
    if openapi31 and "jsonSchemaDialect" in data:
        named = data["jsonSchemaDialect"]
        if not isinstance(named, str) or _dialect_key(named) is None:
            return None
        dialect = named
    if _meta_validator(_dialect_key(dialect) or "") is None:
        return None
    global _LAST
    roots = list(_roots(data))
    refusals: list[Refusal] = []
    checked: set[int] = set()
    last, kept = _LAST, {}
    for _, region, node in roots:
        if id(node) in checked:
            continue
        checked.add(id(node))
        key = (id(node), region, dialect, openapi31)
        known = last.get(key)
        if known is not None and known[0] is node:
            refusal = known[1]
        else:
            refusal = _refusal(node, region, dialect, openapi31)
        kept[key] = (node, refusal)
        if refusal is not None:
            refusals.append(refusal)
    _LAST = kept
    return Check(refusals, roots)


# The verdict on each root schema of the last document checked, by its id (and the schema itself, so the id
# stays its own): the ``build --watch`` process checks every version of a spec, whose unchanged schemas are
# the same objects (a re-parsed JSON spec shares them; nothing mutates them).
_LAST: dict[tuple[int, Region, str, bool], tuple[Any, Refusal | None]] = {}


def _reach(data: dict[str, Any], roots: list[_Root], refused: set[int]) -> set[int]:
    """The ids of the schemas the full validator's walk visits: what :func:`_walkers` walks, without its
    bookkeeping of regions (a schema is visited from any root but the first meeting of a root its
    meta-schema refuses, so the order of the roots does not change the set)."""
    targets: dict[str, Any] = {}
    visited: set[int] = set()
    meta_checked: set[int] = set()
    for _, _, root in roots:
        if not isinstance(root, dict):
            continue
        if id(root) not in meta_checked:
            meta_checked.add(id(root))
            if id(root) in refused:
                continue
        stack = [root]
        while stack:
            node = stack.pop()
            for _ in range(32):  # a chain of references, followed
                if not isinstance(node, dict) or "$ref" not in node:
                    break
                ref = node["$ref"]
                if type(ref) is not str:
                    node = None
                    break
                if ref not in targets:
                    targets[ref] = _target(data, ref)
                node = targets[ref]
            else:
                node = None
            if not isinstance(node, dict) or id(node) in visited:
                continue
            visited.add(id(node))
            for key in _WALKED_LISTS:
                children = node.get(key)
                if isinstance(children, list):
                    stack.extend(children)
            for key in _WALKED_SINGLES:
                if key in node:
                    stack.append(node[key])
            properties = node.get("properties")
            if isinstance(properties, dict):
                stack.extend(properties.values())
    return visited


def _target(data: dict[str, Any], ref: str) -> Any:
    """What a local reference points to (None for any other, or one that leads nowhere)."""
    tokens = ref_tokens(ref)
    if tokens is None:
        return None
    target: Any = data
    for token in tokens:
        if isinstance(target, dict) and token in target:
            target = target[token]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            return None
    return target


def _dialect_key(dialect: str) -> str | None:
    """The dialect jsonschema knows by ``dialect`` (as its ``$schema`` names it, an empty fragment
    aside), or None."""
    key = dialect[:-1] if dialect.endswith("#") else dialect
    return key if key == _OAS31_DIALECT or key in _DRAFTS else None


def _refusal(
    node: Any, region: Region, dialect: str, openapi31: bool
) -> Refusal | None:
    if node is None or isinstance(node, bool):
        return None
    if not isinstance(node, dict):
        # not a schema at all: the walk reports it (as the full validator does), the region is flagged
        return Refusal(region, node, "flagged", "", [])
    if openapi31 and "$schema" in node:
        dialect = node["$schema"]
        if not isinstance(dialect, str):
            return Refusal(region, node, "flagged", "", [])
    key = _dialect_key(dialect) if isinstance(dialect, str) else None
    if key is None:
        return Refusal(
            region,
            node,
            "warning",
            f"not checked: Unknown JSON Schema dialect: {dialect!r}",
            ["$schema"],
        )
    validator = _meta_validator(key)
    if validator is None:
        return Refusal(region, node, "flagged", "", [])
    if validator.is_valid(node):
        return None
    error = next(iter(validator.iter_errors(node)))
    return Refusal(
        region,
        node,
        "error",
        f"the schema does not fit the meta-schema of {dialect}: {error.message}",
        list(error.instance_path),
    )


class _Resolver:
    """Local references followed in one document (each reference string looked up once)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self._targets: dict[str, tuple[Any, Region]] = {}

    def __call__(self, node: Any, region: Region) -> tuple[Any, Region]:
        """``node`` with its local references followed, and the region it is written in (None for a
        reference that leads nowhere, or to another file: the reference checks deal with those).
        """
        for _ in range(32):
            if not isinstance(node, dict) or "$ref" not in node:
                return node, region
            ref = node["$ref"]
            if not isinstance(ref, str):
                return None, region
            known = self._targets.get(ref)
            if known is None:
                known = self._targets[ref] = self._target(ref)
            node, region = known
            if node is None:
                return None, region
        return None, region

    def _target(self, ref: str) -> tuple[Any, Region]:
        tokens = ref_tokens(ref)
        if tokens is None:
            return None, ()
        target: Any = self._data
        for token in tokens:
            if isinstance(target, dict) and token in target:
                target = target[token]
            elif (
                isinstance(target, list)
                and token.isdigit()
                and int(token) < len(target)
            ):
                target = target[int(token)]
            else:
                return None, ()
        return target, region_of(tokens)


def _roots(data: dict[str, Any]) -> Iterator[_Root]:
    """The roots of the full validator's schema walk, in its order: from each path item, the schemas of
    its parameters, then of each operation's responses (media types) and parameters; then the component
    schemas."""
    resolve = _Resolver(data)
    paths = data.get("paths")
    if isinstance(paths, dict):
        for url, raw_item in paths.items():
            walker: Region = ("paths", str(url))
            item, region = resolve(raw_item, walker)
            if not isinstance(item, dict):
                continue
            yield from _parameter_roots(resolve, walker, region, item.get("parameters"))
            for method, operation in item.items():
                if method in _OPERATIONS and isinstance(operation, dict):
                    responses = operation.get("responses")
                    if isinstance(responses, dict):
                        for response in responses.values():
                            yield from _response_roots(
                                resolve, walker, region, response
                            )
                    yield from _parameter_roots(
                        resolve, walker, region, operation.get("parameters")
                    )
    components = data.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            walker = ("components", "schemas", str(name))
            node, at = resolve(schema, walker)
            yield walker, at, node


def _response_roots(
    resolve: _Resolver, walker: Region, region: Region, raw: Any
) -> Iterator[_Root]:
    response, where = resolve(raw, region)
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return
    for raw_media_type in content.values():
        media_type, at = resolve(raw_media_type, where)
        if isinstance(media_type, dict) and "schema" in media_type:
            node, at = resolve(media_type["schema"], at)
            yield walker, at, node


def _parameter_roots(
    resolve: _Resolver, walker: Region, region: Region, parameters: Any
) -> Iterator[_Root]:
    if not isinstance(parameters, list):
        return
    for raw in parameters:
        parameter, where = resolve(raw, region)
        if isinstance(parameter, dict) and "schema" in parameter:
            node, at = resolve(parameter["schema"], where)
            yield walker, at, node


def _walkers(
    data: dict[str, Any],
    roots: list[_Root],
    refused: set[int],
    wanted: set[Region],
    visited: set[int] | None = None,
) -> set[Region]:
    """The regions whose walk, in the full validator's order, meta-checks or first visits a schema written
    in one of ``wanted`` (other than itself) where that region's own walk would not do the same: a region
    that is not a component schema (only other regions' walks reach its schemas), a component schema the
    meta-schema refuses (its own walk stops there), or the top of a component schema with ``allOf`` and
    ``required`` (whether the validator checks that every required property is defined depends on which
    walk gets there first)."""
    resolve = _Resolver(data)
    own = {
        walker: root
        for walker, region, root in roots
        if walker == region and walker[:2] == ("components", "schemas")
    }

    def needed(at: Region, walker: Region, node: Any) -> bool:
        if at not in wanted or at == walker:
            return False
        top = own.get(at)
        if top is None or id(top) in refused:
            return True
        return (
            node is top
            and isinstance(top, dict)
            and "allOf" in top
            and "required" in top
        )

    found: set[Region] = set()
    meta_checked: set[int] = set()
    if visited is None:
        visited = set()
    for walker, region, root in roots:
        if root is None:
            continue
        if not isinstance(root, (dict, bool)):
            if needed(region, walker, root):
                found.add(walker)  # reported as no schema from each walk reaching it
            continue
        if id(root) not in meta_checked:
            meta_checked.add(id(root))
            if needed(region, walker, root):
                found.add(walker)  # meta-checked from here
            if id(root) in refused:
                continue
        stack: list[tuple[Any, Region]] = [(root, region)]
        while stack:
            node, at = stack.pop()
            node, at = resolve(node, at)
            if node is None or id(node) in visited:
                continue
            if needed(at, walker, node):
                found.add(walker)
            if not isinstance(node, dict):
                continue  # reported (when not a boolean) where the walk meets it
            visited.add(id(node))
            children: list[Any] = []
            for key in _WALKED_LISTS:
                if isinstance(node.get(key), list):
                    children += node[key]
            children += [node[key] for key in _WALKED_SINGLES if key in node]
            if isinstance(node.get("properties"), dict):
                children += node["properties"].values()
            stack += reversed([(child, at) for child in children])
    return found


def _regex(pattern: str) -> bool:
    """The ``regex`` format as the full validator checks it: Python's ``re`` compiles the pattern."""
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _any(value: str) -> bool:
    """The other formats of the meta-schemas (``uri``, ``uri-reference``): the full validator's format
    checker does not check them."""
    return True


@cache
def _meta_validator(dialect: str) -> Any:
    """jsonschema-rs on the meta-schema of ``dialect`` as openapi-schema-validator checks a root schema
    with it (formats: ``regex`` by Python's ``re``, no other), read from the validators' packages (None
    for a dialect it has none of, or without jsonschema-rs)."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    registry = None
    if dialect == _OAS31_DIALECT:
        folder = _package_folder("openapi_schema_validator")
        if folder is None:
            return None
        meta = _read(folder / "schemas" / "oas3.1" / "metaschema.json")
        vocabulary = _read(folder / "schemas" / "oas3.1" / "vocabularies" / "base")
        registry = jsonschema_rs.Registry(
            [(vocabulary["$id"], vocabulary), (meta["$id"], meta)]
        )
    elif dialect in _DRAFTS:
        folder = _package_folder("jsonschema_specifications")
        if folder is None:
            return None
        meta = _read(folder / "schemas" / _DRAFTS[dialect] / "metaschema.json")
    else:
        return None
    return jsonschema_rs.validator_for(
        meta,
        registry=registry,
        validate_formats=True,
        formats={"regex": _regex, "uri": _any, "uri-reference": _any},
    )


def _package_folder(name: str) -> Path | None:
    found = importlib.util.find_spec(name)
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations)))


def _read(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))
