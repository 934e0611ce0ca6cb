"""The fast validation pass: the rules openapi-spec-validator's keyword validators check, in one walk.

openapi-spec-validator validates a document in two parts: the document against the OpenAPI JSON Schema
(fast with its jsonschema-rs backend), then keyword validators that walk every operation and schema through
``jsonschema_path`` accessors. That second part costs about 3 ms per operation and grows faster than the
document (5,000 operations: 14 s even with its id registries made sets). This module checks the same rules —
unique operation ids, tag names and parameters, path parameters declared, ``required`` names defined under
``allOf``, defaults that fit their schema, schema keywords of the right shape — in one pass over plain data.

It decides whether a document is clean and, when it is not, which parts of it are not: every finding comes
with its *region* (a path item, a webhook, a component, or the top level). The caller then runs the full,
slow validator on those regions only (with what they reference), whose findings (precisely worded and
located) are what the user sees; so this pass can afford to be conservative, but must not miss a problem
the full validator reports, nor put it in the wrong region.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from .defaults import judge
from .refs import unescape_token

# Where a finding is: ("paths", path), ("webhooks", name), ("components", kind, name), or a top-level key
# (() for the document itself). The full validator is handed these parts of a document and nothing else.
Region = tuple[str, ...]


class Finding(NamedTuple):
    """Something the fast pass finds wrong, in ``region``. ``schema`` is the id of the schema whose default it
    is about (0 for any other finding). A ``worded`` finding is the fast pass's final word (the message says
    what is wrong; :func:`node_tokens` finds the schema); any other is for the full validator to word.
    """

    message: str
    region: Region
    schema: int = 0
    worded: bool = False


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
    return next(findings(data), None) is None


def findings(data: dict[str, Any], memo: SchemaMemo | None = None) -> Iterator[Finding]:
    """What looks wrong, each with the region it is in (a finding can name two: a repeated operationId).
    With ``memo`` (kept between calls on versions of one document), the schemas of the regions that did
    not change are not checked again (see :class:`SchemaMemo`)."""
    yield from _tags(data)
    yield from _paths(data)
    yield from _schemas(data, memo)


def region_of(tokens: Sequence[str | int]) -> Region:
    """The region holding the node at ``tokens`` (the unescaped tokens of its JSON pointer)."""
    if not tokens:
        return ()
    head = str(tokens[0])
    size = 2 if head in ("paths", "webhooks") else 3 if head == "components" else 1
    return tuple(str(t) for t in tokens[:size])


def ref_tokens(ref: str) -> list[str] | None:
    """The unescaped tokens of a local reference (``#/a/b``), None for any other."""
    if not ref.startswith("#/"):
        return None
    return [unescape_token(t) for t in ref[2:].split("/")]


def _tags(data: dict[str, Any]) -> Iterator[Finding]:
    names = [t.get("name") for t in data.get("tags") or [] if isinstance(t, dict)]
    if len(names) != len(set(map(str, names))):
        yield Finding("duplicate tag name", ("tags",))


# The regions the schema walk is reading while it checks one region's schemas (see SchemaMemo), or None.
_reads: set[Region] | None = None


def _resolve(data: dict[str, Any], node: Any) -> Any:
    """A local ``$ref`` followed (a few steps); anything else is returned as it is."""
    for _ in range(16):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return None  # another file: the model builder resolves and checks it
        target: Any = data
        tokens = ref[2:].split("/")
        if _reads is not None:
            _reads.add(region_of([unescape_token(t) for t in tokens]))
        for token in tokens:
            token = unescape_token(token)
            if not isinstance(target, dict) or token not in target:
                return None
            target = target[token]
        node = target
    return None


def _paths(data: dict[str, Any]) -> Iterator[Finding]:
    seen_ids: dict[str, Region] = {}
    paths = data.get("paths") or {}
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        region: Region = ("paths", str(path))
        item = _resolve(data, item)
        if not isinstance(item, dict):
            continue
        shared = _parameters(data, item.get("parameters"))
        if shared is None:
            yield Finding("duplicate parameter", region)
            continue
        template = set(re.findall(r"{([^}/]+)}", str(path)))
        for method in _HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_id = op.get("operationId")
            if isinstance(op_id, str):
                if op_id in seen_ids:
                    yield Finding("duplicate operationId", seen_ids[op_id])
                    yield Finding("duplicate operationId", region)
                else:
                    seen_ids[op_id] = region
            own = _parameters(data, op.get("parameters"))
            if own is None:
                yield Finding("duplicate parameter", region)
                continue
            in_path = {name for name, where in {**shared, **own} if where == "path"}
            if in_path != template:
                yield Finding("path parameters do not match the path template", region)


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


class SchemaMemo:
    """The schema walk of the last version of a document, region by region, for the next version.

    The walk checks the schemas reached from each region's roots in turn (the same order and the same set
    of schemas as one walk of the whole, since each root's schemas are walked before the next root's). For
    each region it records what it found, the schemas it checked, those it skipped as checked before it,
    and the regions it read (its own, those its references point into, those the checks resolved). The next
    walk takes a region's record instead of walking it again when its own node and every node it read are
    the very objects they were (a re-parsed JSON spec shares the unchanged ones, parse/reparse.py; nothing
    mutates them) and every schema it skipped has been checked already by then: the walk would do exactly
    what it did. The last data is kept, so the ids of its schemas stay theirs.
    """

    def __init__(self) -> None:
        self.data: Any = None
        self.version: Any = None
        self.regions: dict[Region, _Walked] = {}


class _Walked:
    """One region's part of a schema walk (see :class:`SchemaMemo`)."""

    __slots__ = ("found", "checked", "skipped", "reads")

    def __init__(self) -> None:
        self.found: list[Finding] = []
        self.checked: set[int] = set()
        self.skipped: list[int] = []
        self.reads: dict[Region, Any] = {}


def _region_node(data: Any, region: Region) -> Any:
    node = data
    for token in region:
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


def _schemas(data: dict[str, Any], memo: SchemaMemo | None = None) -> Iterator[Finding]:
    """Every schema object of the document, each checked once (schemas can be recursive).

    The keyword checks are inlined and each made only when its keyword is there: a large spec has tens of
    thousands of schemas, most of them a leaf with a ``type`` and a few annotations. A schema's region is
    where it is written: a referenced schema is checked in the region its reference points into.
    """
    global _reads
    seen: set[int] = set()
    # a `$ref` string's target, its region and the regions resolving it read (the data does not change
    # meanwhile)
    resolved: dict[str, tuple[Any, Region, set[Region]]] = {}
    version = data.get("openapi")
    openapi31 = isinstance(version, str) and version.startswith("3.1")
    last = (
        memo.regions
        if memo is not None and memo.data is not None and memo.version == version
        else {}
    )
    regions: dict[Region, _Walked] = {}
    for region, node in _regions(data):
        if (
            region in regions
        ):  # two keys that read the same (YAML's 1 and "1"): no memo this time
            memo, last = None, {}
        known = last.get(region)
        if known is not None and _still(known, data, seen):
            seen.update(known.checked)
            regions[region] = known
            yield from known.found
            continue
        walked = _Walked()
        reads: set[Region] = {region}
        roots = _roots_of(region, node)
        _reads = reads
        try:
            for finding in _walk(
                data, roots, region, seen, resolved, walked, reads, openapi31
            ):
                walked.found.append(finding)
                if memo is None:
                    yield finding
        finally:
            _reads = None
        walked.reads = {r: _region_node(data, r) for r in reads}
        regions[region] = walked
        if memo is not None:
            yield from walked.found
    if memo is not None:
        memo.data, memo.version, memo.regions = data, version, regions


def _still(known: _Walked, data: dict[str, Any], seen: set[int]) -> bool:
    """Whether walking a region again would do what its record says (see :class:`SchemaMemo`)."""
    return all(
        _region_node(data, r) is node for r, node in known.reads.items()
    ) and all(i in seen or i in known.checked for i in known.skipped)


def _walk(
    data: dict[str, Any],
    roots: list[Any],
    root_region: Region,
    seen: set[int],
    resolved: dict[str, tuple[Any, Region, set[Region]]],
    walked: _Walked,
    reads: set[Region],
    openapi31: bool,
) -> Iterator[Finding]:
    """The checks of the schemas reached from one region's roots that no earlier region reached."""
    global _reads
    checked, skipped = walked.checked, walked.skipped
    stack = [(schema, root_region) for schema in roots]
    stack.reverse()  # the first root is checked first
    while stack:
        schema, region = stack.pop()
        if isinstance(schema, bool):
            continue
        if id(schema) in seen:
            if id(schema) not in checked:
                skipped.append(id(schema))
            continue
        seen.add(id(schema))
        checked.add(id(schema))
        if not isinstance(schema, dict):
            yield Finding("a schema is not an object", region)
            continue
        if "$ref" in schema:
            ref = schema["$ref"]
            if type(ref) is str:
                if ref not in resolved:
                    tokens = ref_tokens(ref)
                    _reads = set()
                    target = _resolve(data, schema)
                    resolved[ref] = (
                        target,
                        region_of(tokens) if tokens else region,
                        _reads,
                    )
                    _reads = reads
                target, target_region, read = resolved[ref]
                reads.update(read)
                reads.add(target_region)
            else:
                target, target_region = _resolve(data, schema), region
            if isinstance(target, (dict, bool)):
                stack.append((target, target_region))
        # Keywords of the right shape.
        # (A schema naming its dialect is checked against its meta-schema by metaschema.py; a default
        # below it is left to the full validator by defaults.py.)
        kind = schema.get("type")
        if type(kind) is str:
            if kind not in _JSON_TYPES:
                yield Finding("unknown type", region)
        elif kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if any(type(k) is not str or k not in _JSON_TYPES for k in kinds):
                yield Finding("unknown type", region)
        required = schema.get("required")
        if required is not None and not (
            isinstance(required, list) and all(isinstance(r, str) for r in required)
        ):
            yield Finding("required is not a list of names", region)
        traversed = not _TRAVERSED.isdisjoint(schema)
        if traversed:
            for key in _SCHEMA_MAPS:
                if key in schema and not isinstance(schema[key], dict):
                    yield Finding(f"{key} is not a mapping", region)
            for key in _SCHEMA_LISTS:
                if key in schema and not isinstance(schema[key], list):
                    yield Finding(f"{key} is not a list", region)
        if "enum" in schema and not isinstance(schema["enum"], list):
            yield Finding("enum is not a list", region)
        if "allOf" in schema:
            yield from (Finding(m, region) for m in _required_defined(data, schema))
        if "default" in schema:
            finding = _default_finding(data, schema, region, openapi31)
            if finding is not None:
                yield finding
        if traversed:
            for key in _SCHEMA_LISTS:
                stack.extend(
                    (s, region)
                    for s in schema.get(key) or []
                    if isinstance(s, (dict, bool))
                )
            for key in _SCHEMA_SINGLES:
                if isinstance(schema.get(key), (dict, bool)):
                    stack.append((schema[key], region))
            for key in _SCHEMA_MAPS:
                if isinstance(schema.get(key), dict):
                    stack.extend((s, region) for s in schema[key].values())


def _regions(data: dict[str, Any]) -> Iterator[tuple[Region, Any]]:
    """Every region that holds schemas not inside another schema, with its node: the component schemas,
    then the path items, webhooks and other components (:func:`_roots_of` finds their schemas).
    """
    components = data.get("components") or {}
    if not isinstance(components, dict):
        components = {}
    schemas = components.get("schemas") or {}
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            yield ("components", "schemas", str(name)), schema
    for section in ("paths", "webhooks"):
        group = data.get(section) or {}
        if isinstance(group, dict):
            for key, value in group.items():
                yield (section, str(key)), value
    for kind, group in components.items():
        if kind != "schemas" and isinstance(group, dict):
            for key, value in group.items():
                yield ("components", kind, str(key)), value


def _roots_of(region: Region, top: Any) -> list[Any]:
    """The schemas of a region that are not inside another schema: a component schema itself, else the
    ``schema`` of each parameter, header and media type in it."""
    if region[:2] == ("components", "schemas"):
        return [top]
    roots: list[Any] = []
    containers: list[Any] = [top]
    while containers:
        node = containers.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, (dict, bool)):
                    roots.append(value)
                elif key not in (
                    "schemas",
                    "example",
                    "examples",
                ) and isinstance(value, (dict, list)):
                    containers.append(value)
        elif isinstance(node, list):
            containers.extend(v for v in node if isinstance(v, (dict, list)))
    return roots


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


_MUST_CHECK = "a default the full validator must check"
_DOES_NOT_FIT = "the default value does not match its schema: "


def _default_finding(
    data: dict[str, Any], schema: dict[str, Any], region: Region, openapi31: bool
) -> Finding | None:
    """What is wrong with the default of ``schema``, or None when it fits. openapi-spec-validator reads the
    default of a schema that is no reference (it follows the reference, never reads beside it), and not one
    that is null where the schema is nullable; it checks it with the schema validator of the version
    (:mod:`.defaults` judges the same)."""
    if type(schema.get("$ref")) is str:
        return None
    value = schema["default"]
    if value is None and schema.get("nullable") is True:
        return None
    verdict = judge(value, schema, openapi31, lambda node: _resolve(data, node))
    if verdict is None:
        return Finding(_MUST_CHECK, region, id(schema))
    if not verdict:
        return None
    return Finding(_DOES_NOT_FIT + "; ".join(verdict), region, id(schema), True)


def node_tokens(
    data: dict[str, Any], region: Region, node: int
) -> list[str | int] | None:
    """The tokens of the JSON pointer of the node whose id is ``node``: the first place in ``region``
    where it is written (None when it is not there)."""
    top = _region_node(data, region)
    stack: list[tuple[Any, list[str | int]]] = [(top, list(region))]
    while stack:
        here, tokens = stack.pop()
        if id(here) == node:
            return tokens
        if isinstance(here, dict):
            children: list[tuple[Any, list[str | int]]] = [
                (v, [*tokens, k])
                for k, v in here.items()
                if isinstance(v, (dict, list))
            ]
        elif isinstance(here, list):
            children = [
                (v, [*tokens, i])
                for i, v in enumerate(here)
                if isinstance(v, (dict, list))
            ]
        else:
            continue
        stack.extend(reversed(children))
    return None
