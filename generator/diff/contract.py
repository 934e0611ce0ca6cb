"""The HTTP contract of a spec as plain, comparable data: what a client sends and what it gets back.

A *contract* keeps what is on the wire (operations by method and path, parameters, bodies, responses,
security, servers) and drops what is not (descriptions and examples become a short digest, so a doc-only edit
is still seen). ``$ref``s to schemas stay references, keyed by the target's JSON pointer, so recursive schemas
stay finite and a shared schema is compared once; every other ``$ref`` is followed. ``allOf`` is merged into
one schema. Each node keeps its JSON pointer, and, where the generated package has one, the Python object it
became (``py``), so the manifest can keep an old contract and the diff still names both.

It is JSON-serialisable as it is: the build records it in the manifest and diffs the next build against it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..model.api import Api
from ..parse.load import Document, escape_pointer_token
from ..parse.refs import Resolver, Target

RENAMED_FROM = "x-clientgen-renamed-from"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_CONSTRAINTS = (
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "multipleOf",
)
_DOC_KEYS = ("title", "description", "summary", "example", "examples")
_PATH_PARAM = re.compile(r"\{[^}/]*\}")

Contract = dict[str, Any]


def _plain(value: Any) -> Any:
    """``value`` as JSON data (YAML dates and other scalars become strings)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def doc_digest(node: Any) -> str | None:
    """A short digest of what a node says to readers only (title, description, examples); None without."""
    if not isinstance(node, dict):
        return None
    docs = {k: node[k] for k in _DOC_KEYS if k in node}
    if not docs:
        return None
    text = json.dumps(docs, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _renamed_from(node: Any) -> list[str]:
    value = node.get(RENAMED_FROM) if isinstance(node, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def operation_key(method: str, path: str) -> str:
    """``GET /users/{}``: path parameter names do not matter on the wire."""
    return f"{method.upper()} {_PATH_PARAM.sub('{}', path)}"


class _Names:
    """Where the generated package put each operation, parameter, model and field (by JSON pointer)."""

    def __init__(
        self,
        api: Api | None,
        package: str,
        memo: dict[int, tuple[object, str, Any]] | None = None,
    ) -> None:
        """``memo`` keeps each operation's and model's names between calls, by identity (the watch's
        builds reuse unchanged models and operations)."""
        self.operations: dict[str, str] = {}
        self.params: dict[tuple[str, str, str], str] = {}
        self.models: dict[str, str] = {}
        self.fields: dict[tuple[str, str], str] = {}
        self.body: dict[str, str] = {}
        if api is None:
            return
        known = memo if memo is not None else {}
        now: dict[int, tuple[object, str, Any]] = {}
        for tag in api.tags:
            owner = f"{package}.{tag.class_name}"
            for op in tag.operations:
                entry = known.get(id(op))
                if entry is None or entry[0] is not op or entry[1] != owner:
                    entry = (op, owner, _operation_names(owner, op))
                now[id(op)] = entry
                method, params, body = entry[2]
                self.operations.setdefault(op.pointer, method)
                for key, label in params:
                    self.params.setdefault(key, label)
                if body is not None:
                    self.body.setdefault(op.pointer, body)
        for model in api.models:
            entry = known.get(id(model))
            if entry is None or entry[0] is not model or entry[1] != package:
                entry = (model, package, _model_names(package, model))
            now[id(model)] = entry
            name, fields = entry[2]
            self.models[model.pointer] = name
            self.fields.update(fields)
        if memo is not None:
            memo.clear()
            memo.update(now)


def _operation_names(
    owner: str, op: Any
) -> tuple[str, list[tuple[tuple[str, str, str], str]], str | None]:
    method = f"{owner}.{op.method_name}"
    params = [
        (
            (op.pointer, param.location, param.wire_name.lower()),
            f"{method}({param.py_name})",
        )
        for param in op.params
    ]
    body = (
        f"{method}({op.body.param.py_name})"
        if op.body is not None and op.body.param is not None
        else None
    )
    return method, params, body


def _model_names(
    package: str, model: Any
) -> tuple[str, list[tuple[tuple[str, str], str]]]:
    name = f"{package}.{model.name}"
    return name, [
        ((model.pointer, f.wire_name), f"{name}.{f.py_name}")
        for f in getattr(model, "fields", ())
    ]


class _Builder:
    def __init__(self, doc: Document, names: _Names) -> None:
        self.doc = doc
        self.resolver = Resolver(doc)
        self.names = names
        self.schemas: dict[str, Any] = {}

    # -- references -------------------------------------------------------------------------------------
    def _key(self, target: Target) -> str:
        if target.doc is self.doc:
            return target.pointer
        return f"{target.doc.display}#{target.pointer}"

    def _follow(self, node: Any, doc: Document, ptr: str) -> Target:
        try:
            return self.resolver.follow(node, doc, ptr)
        except Exception:  # a broken reference (lenient input): treat the node as it is
            return Target(node, doc, ptr)

    # -- schemas ----------------------------------------------------------------------------------------
    def schema(self, node: Any, doc: Document, ptr: str, depth: int = 0) -> Any:
        if isinstance(node, dict) and "$ref" in node:
            target = self._follow(node, doc, ptr)
            if target.data is node:
                return {"ptr": ptr}
            key = self._key(target)
            if key not in self.schemas:
                self.schemas[key] = None  # claimed: a cycle back here stays a reference
                self.schemas[key] = self._schema_body(
                    target.data, target.doc, target.pointer, depth + 1
                )
            return {"ref": key, "ptr": ptr}
        return self._schema_body(node, doc, ptr, depth)

    def _schema_body(self, node: Any, doc: Document, ptr: str, depth: int) -> Any:
        if isinstance(node, bool):
            return {"ptr": ptr, "bool": node}
        if not isinstance(node, dict) or depth > 64:
            return {"ptr": ptr}
        out: dict[str, Any] = {"ptr": ptr}
        if ptr in self.names.models and doc is self.doc:
            out["py"] = self.names.models[ptr]
        merged = self._merge_all_of(node, doc, ptr, depth)
        types = merged["types"]
        if not types and merged["properties"]:
            types.add("object")
        if merged["nullable"] and types:
            types.add("null")
        if types:
            out["type"] = sorted(types)
        for key in ("format", "default", "readOnly", "writeOnly", "deprecated"):
            if key in merged["raw"]:
                out[key] = _plain(merged["raw"][key])
        if "enum" in merged["raw"] and isinstance(merged["raw"]["enum"], list):
            out["enum"] = _plain(merged["raw"]["enum"])
        elif "const" in merged["raw"]:
            out["enum"] = [_plain(merged["raw"]["const"])]
        constraints = {
            k: _plain(merged["raw"][k]) for k in _CONSTRAINTS if k in merged["raw"]
        }
        if constraints:
            out["constraints"] = constraints
        digest = doc_digest(node)
        if digest:
            out["doc"] = digest
        renamed = _renamed_from(node)
        if renamed:
            out["renamed_from"] = renamed
        if merged["properties"]:
            props: dict[str, Any] = {}
            for name, (prop, prop_doc, prop_ptr, owner) in merged["properties"].items():
                value = self.schema(prop, prop_doc, prop_ptr, depth + 1)
                label = self.names.fields.get((owner, name))
                if label:
                    value["py"] = label
                props[name] = value
            out["properties"] = props
        if merged["required"]:
            out["required"] = sorted(merged["required"])
        items = merged["raw"].get("items")
        if items is not None:
            out["items"] = self.schema(items, doc, ptr + "/items", depth + 1)
        additional = merged["raw"].get("additionalProperties")
        if isinstance(additional, bool):
            out["additional"] = additional
        elif isinstance(additional, dict):
            out["additional"] = self.schema(
                additional, doc, ptr + "/additionalProperties", depth + 1
            )
        for keyword in ("oneOf", "anyOf"):
            variants = node.get(keyword)
            if isinstance(variants, list):
                out["variants"] = [
                    self.schema(v, doc, f"{ptr}/{keyword}/{i}", depth + 1)
                    for i, v in enumerate(variants)
                ]
                out["variant_keyword"] = keyword
                break
        discriminator = merged["raw"].get("discriminator")
        if isinstance(discriminator, dict):
            out["discriminator"] = _plain(
                {
                    "propertyName": discriminator.get("propertyName"),
                    "mapping": discriminator.get("mapping", {}),
                }
            )
        return out

    def _merge_all_of(
        self, node: dict[str, Any], doc: Document, ptr: str, depth: int
    ) -> dict[str, Any]:
        """The schema with its ``allOf`` members merged in: types, properties, required names, keywords."""
        merged: dict[str, Any] = {
            "types": set(),
            "nullable": False,
            "properties": {},
            "required": set(),
            "raw": {},
        }
        self._merge_into(merged, node, doc, ptr, depth, set())
        return merged

    def _merge_into(
        self,
        merged: dict[str, Any],
        node: Any,
        doc: Document,
        ptr: str,
        depth: int,
        seen: set[str],
    ) -> None:
        if not isinstance(node, dict) or depth > 64:
            return
        t = node.get("type")
        if isinstance(t, str):
            merged["types"].add(t)
        elif isinstance(t, list):
            merged["types"].update(str(x) for x in t)
        if node.get("nullable") is True:
            merged["nullable"] = True
        props = node.get("properties")
        if isinstance(props, dict):
            owner = ptr if doc is self.doc else ""
            for name, prop in props.items():
                merged["properties"].setdefault(
                    str(name),
                    (
                        prop,
                        doc,
                        f"{ptr}/properties/{escape_pointer_token(name)}",
                        owner,
                    ),
                )
        required = node.get("required")
        if isinstance(required, list):
            merged["required"].update(str(r) for r in required)
        for key, value in node.items():
            if key not in ("allOf", "properties", "required", "type", "nullable"):
                merged["raw"].setdefault(key, value)
        members = node.get("allOf")
        if isinstance(members, list):
            for i, member in enumerate(members):
                target = self._follow(member, doc, f"{ptr}/allOf/{i}")
                key = self._key(target)
                if key in seen:
                    continue
                seen.add(key)
                self._merge_into(
                    merged, target.data, target.doc, target.pointer, depth + 1, seen
                )

    # -- operations -------------------------------------------------------------------------------------
    def parameter(self, node: Any, ptr: str, op_ptr: str) -> tuple[str, Any] | None:
        target = self._follow(node, self.doc, ptr)
        data = target.data
        if not isinstance(data, dict) or "name" not in data or "in" not in data:
            return None
        location = str(data["in"])
        name = str(data["name"])
        wire = name.lower() if location == "header" else name
        schema_node = data.get("schema")
        schema_ptr = target.pointer + "/schema"
        content = data.get("content")
        if schema_node is None and isinstance(content, dict) and content:
            media, media_node = next(iter(content.items()))
            if isinstance(media_node, dict):
                schema_node = media_node.get("schema")
                schema_ptr = (
                    f"{target.pointer}/content/{escape_pointer_token(media)}/schema"
                )
        out: dict[str, Any] = {
            "ptr": ptr,
            "in": location,
            "name": name,
            "required": bool(data.get("required", location == "path")),
            "schema": (
                self.schema(schema_node, target.doc, schema_ptr)
                if schema_node is not None
                else {"ptr": schema_ptr}
            ),
        }
        for key in ("deprecated", "style", "explode", "allowReserved"):
            if key in data:
                out[key] = _plain(data[key])
        digest = doc_digest(data)
        if digest:
            out["doc"] = digest
        renamed = _renamed_from(data)
        if renamed:
            out["renamed_from"] = renamed
        label = self.names.params.get((op_ptr, location, name.lower()))
        if label:
            out["py"] = label
        return f"{location}:{wire}", out

    def content(self, node: Any, doc: Document, ptr: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not isinstance(node, dict):
            return out
        for media, media_node in node.items():
            media_ptr = f"{ptr}/{escape_pointer_token(media)}"
            schema_node = (
                media_node.get("schema") if isinstance(media_node, dict) else None
            )
            entry: dict[str, Any] = {"ptr": media_ptr}
            if schema_node is not None:
                entry["schema"] = self.schema(schema_node, doc, media_ptr + "/schema")
            digest = doc_digest(media_node)
            if digest:
                entry["doc"] = digest
            out[str(media).split(";")[0].strip().lower()] = entry
        return out

    def operation(
        self, path: str, method: str, node: dict[str, Any], shared: list[Any], ptr: str
    ) -> dict[str, Any]:
        op: dict[str, Any] = {
            "ptr": ptr,
            "method": method.upper(),
            "path": path,
        }
        if "operationId" in node:
            op["id"] = str(node["operationId"])
        label = self.names.operations.get(ptr)
        if label:
            op["py"] = label
        tags = node.get("tags")
        if isinstance(tags, list):
            op["tags"] = [str(t) for t in tags]
        if node.get("deprecated") is True:
            op["deprecated"] = True
        digest = doc_digest(node)
        if digest:
            op["doc"] = digest
        renamed = _renamed_from(node)
        if renamed:
            op["renamed_from"] = renamed
        params: dict[str, Any] = {}
        path_item_ptr = ptr.rsplit("/", 1)[0]
        for i, p in enumerate(shared):
            found = self.parameter(p, f"{path_item_ptr}/parameters/{i}", ptr)
            if found:
                params[found[0]] = found[1]
        for i, p in enumerate(node.get("parameters") or []):
            found = self.parameter(p, f"{ptr}/parameters/{i}", ptr)
            if found:
                params[found[0]] = found[1]
        if params:
            op["params"] = params
        body = node.get("requestBody")
        if body is not None:
            target = self._follow(body, self.doc, ptr + "/requestBody")
            data = target.data if isinstance(target.data, dict) else {}
            entry: dict[str, Any] = {
                "ptr": ptr + "/requestBody",
                "required": bool(data.get("required", False)),
                "content": self.content(
                    data.get("content"), target.doc, target.pointer + "/content"
                ),
            }
            if ptr in self.names.body:
                entry["py"] = self.names.body[ptr]
            digest = doc_digest(data)
            if digest:
                entry["doc"] = digest
            op["body"] = entry
        responses: dict[str, Any] = {}
        for status, response in (node.get("responses") or {}).items():
            status_ptr = f"{ptr}/responses/{escape_pointer_token(status)}"
            target = self._follow(response, self.doc, status_ptr)
            data = target.data if isinstance(target.data, dict) else {}
            entry = {
                "ptr": status_ptr,
                "content": self.content(
                    data.get("content"), target.doc, target.pointer + "/content"
                ),
            }
            headers: dict[str, Any] = {}
            for name, header in (data.get("headers") or {}).items():
                header_ptr = f"{target.pointer}/headers/{escape_pointer_token(name)}"
                h = self._follow(header, target.doc, header_ptr)
                hdata = h.data if isinstance(h.data, dict) else {}
                headers[str(name).lower()] = {
                    "ptr": header_ptr,
                    "name": str(name),
                    "required": bool(hdata.get("required", False)),
                    "schema": (
                        self.schema(hdata.get("schema"), h.doc, h.pointer + "/schema")
                        if hdata.get("schema") is not None
                        else {"ptr": h.pointer + "/schema"}
                    ),
                }
            if headers:
                entry["headers"] = headers
            digest = doc_digest(data)
            if digest:
                entry["doc"] = digest
            responses[str(status).upper()] = entry
        op["responses"] = responses
        if "security" in node:
            op["security"] = security_requirements(node["security"])
        servers = node.get("servers")
        if isinstance(servers, list):
            op["servers"] = _server_urls(servers)
        return op


def security_requirements(value: Any) -> list[list[list[Any]]]:
    """Alternatives, each a sorted list of ``[scheme, [scopes]]``; ``[[]]`` means anonymous is allowed."""
    out = []
    for requirement in value if isinstance(value, list) else []:
        if not isinstance(requirement, dict):
            continue
        out.append(
            sorted(
                [str(name), sorted(str(s) for s in (scopes or []))]
                for name, scopes in requirement.items()
            )
        )
    return out


def _server_urls(servers: list[Any]) -> list[str]:
    return [str(s.get("url")) for s in servers if isinstance(s, dict) and "url" in s]


def _schemes(node: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(node, dict):
        return out
    for name, scheme in node.items():
        if not isinstance(scheme, dict):
            continue
        entry: dict[str, Any] = {
            "ptr": f"/components/securitySchemes/{escape_pointer_token(name)}"
        }
        for key in ("type", "in", "name", "scheme", "openIdConnectUrl"):
            if key in scheme:
                entry[key] = str(scheme[key])
        flows = scheme.get("flows")
        if isinstance(flows, dict):
            entry["flows"] = {
                str(flow): {
                    **{
                        k: str(v)
                        for k, v in data.items()
                        if k in ("authorizationUrl", "tokenUrl", "refreshUrl")
                    },
                    "scopes": sorted(str(s) for s in (data.get("scopes") or {})),
                }
                for flow, data in flows.items()
                if isinstance(data, dict)
            }
        out[str(name)] = entry
    return out


class ContractCache:
    """The contract of each operation and the component schemas of the last build, kept by the
    ``build --watch`` process so that an edit of one operation computes only that operation again.

    An operation is reused when the digest of its inputs is the same: its node, its path item's shared
    parameters, the Python names the package gave it, and the *head* of the spec (everything but
    ``paths``, with the names of the models and fields), since the references an operation follows point
    there. The schemas are reused whole while the head is the same. A spec whose contract reaches a schema
    outside its own ``components`` or follows a reference into another file or under ``paths`` is not
    cached.
    """

    def __init__(self, salt: str = "") -> None:
        # What else the contract depends on: the generator's code (set by the build from its inputs'
        # digest), so that a cache written by another clientgen is not used.
        self.salt = salt
        self.head: str | None = None
        self.schemas: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}
        # The inputs of the last head digest and the digest (this process only): while they are equal, the
        # digest is not computed again (comparing is several times quicker than dumping a large spec's
        # components).
        self.last_head: tuple[Any, str | None] | None = None
        # Each operation's inputs and their digest at the last call (this process only): an operation whose
        # node and shared parameters are the very objects of the last call (a re-parsed JSON spec shares
        # the unchanged path items) and whose names and head are equal keeps its digest (dumping every
        # operation to JSON again was most of the contract's time after a one-operation edit).
        self.operation_keys: dict[str, tuple[tuple[Any, ...], str | None]] = {}
        # The package names of each operation and model of the last call, by identity (see _Names).
        self.names: dict[int, tuple[object, str, Any]] = {}
        # The entries known to be JSON data (read from the render cache's file, or walked by the manifest's
        # check, release._stored): id -> the entry, which the check does not walk again.
        self.plain: dict[int, Any] = {}

    def entries(self) -> list[Any]:
        """The cached operations and schemas (each a JSON-like value)."""
        return [*self.operations.values(), *self.schemas.values()]

    def head_of(self, *parts: Any) -> str | None:
        """:func:`_key` of ``parts``, the head of a contract."""
        if self.last_head is not None and self.last_head[0] == parts:
            return self.last_head[1]
        head = _key(*parts)
        self.last_head = (parts, head)
        return head

    def saved(self) -> dict[str, Any]:
        """The cache as JSON data (see :meth:`restore`)."""
        if self.head is None:
            return {}
        return {
            "head": self.head,
            "schemas": self.schemas,
            "operations": self.operations,
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Take the entries :meth:`saved` returned (in another process); their head holds the salt."""
        head, schemas, operations = (
            data.get("head"),
            data.get("schemas"),
            data.get("operations"),
        )
        if (
            isinstance(head, str)
            and isinstance(schemas, dict)
            and isinstance(operations, dict)
        ):
            self.head, self.schemas, self.operations = head, schemas, operations
            self.plain = {id(v): v for v in self.entries()}  # as json.loads made them

    def __len__(self) -> int:
        return len(self.operations)


def _key(*parts: Any) -> str | None:
    """A digest of ``parts`` as JSON (None when they are not JSON data, which is then not cached)."""
    try:
        text = json.dumps(parts, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=20
    ).hexdigest()


def contract_of(
    doc: Document,
    api: Api | None = None,
    package: str = "",
    cache: ContractCache | None = None,
) -> Contract:
    """The contract of the document ``doc`` (``api``, its model, names the Python objects). With a
    ``cache``, the operations and schemas whose inputs did not change since the last call are taken from
    it (see :class:`ContractCache`), and the cache then holds this contract's."""
    data = doc.data if isinstance(doc.data, dict) else {}
    names = _Names(api, package, cache.names if cache is not None else None)
    builder = _Builder(doc, names)
    head: str | None = None
    known: dict[str, Any] = {}
    by_operation: dict[str, list[Any]] = {}
    if cache is not None:
        head = cache.head_of(
            cache.salt,
            package,
            {k: v for k, v in data.items() if k != "paths"},
            sorted(names.models.items()),
            sorted(names.fields.items()),
        )
        for (op_ptr, location, name), label in names.params.items():
            by_operation.setdefault(op_ptr, []).append([location, name, label])
        if head is not None and head == cache.head:
            known = cache.operations
            builder.schemas = dict(cache.schemas)
    fresh: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    operation_keys: dict[str, tuple[tuple[Any, ...], str | None]] = {}
    for path, item in (data.get("paths") or {}).items():
        item_ptr = f"/paths/{escape_pointer_token(path)}"
        target = builder._follow(item, doc, item_ptr)
        if not isinstance(target.data, dict):
            continue
        shared = target.data.get("parameters") or []
        for method in METHODS:
            node = target.data.get(method)
            if isinstance(node, dict):
                ptr = f"{item_ptr}/{method}"
                key = None
                if head is not None and cache is not None:
                    inputs = (
                        head,
                        str(path),
                        ptr,
                        node,
                        shared,
                        names.operations.get(ptr),
                        names.body.get(ptr),
                        by_operation.get(ptr),
                    )
                    last = cache.operation_keys.get(ptr)
                    if last is not None and _same_inputs(last[0], inputs):
                        key = last[1]
                    else:
                        key = _key(*inputs)
                    operation_keys[ptr] = (inputs, key)
                op = known.get(key) if key is not None else None
                if op is None:
                    op = builder.operation(str(path), method, node, shared, ptr)
                if key is not None:
                    fresh[key] = op
                operations[operation_key(method, str(path))] = op
    components = data.get("components") or {}
    info = data.get("info") or {}
    contract: Contract = {
        "info": {
            "title": str(info.get("title", "")),
            "version": str(info.get("version", "")),
        },
        "servers": _server_urls(data.get("servers") or []),
        "security": security_requirements(data.get("security") or []),
        "schemes": _schemes(components.get("securitySchemes")),
        "operations": operations,
        "schemas": {},
    }
    digest = doc_digest(info)
    if digest:
        contract["info"]["doc"] = digest
    # Every component schema, referenced or not: each one is a model class in the package.
    for name in components.get("schemas") or {}:
        builder.schema(
            {"$ref": f"#/components/schemas/{escape_pointer_token(name)}"},
            doc,
            "",
        )
    contract["schemas"] = {
        k: v for k, v in sorted(builder.schemas.items()) if v is not None
    }
    if cache is not None:
        # Everything an operation reaches must be in the head: no other file, nothing under ``paths``.
        resolver = builder.resolver
        own = (
            len(resolver.documents) == 1
            and all(k.startswith("/components/") for k in builder.schemas)
            and not any(
                t.pointer.startswith("/paths/") or t.doc is not doc
                for _, t in resolver._steps.values()
            )
        )
        cache.head = head if own else None
        cache.schemas = dict(builder.schemas) if own else {}
        cache.operations = fresh if own else {}
        cache.operation_keys = operation_keys if own else {}
        plain = cache.plain
        cache.plain = {id(v): v for v in cache.entries() if plain.get(id(v)) is v}
    return contract


def _same_inputs(last: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    """Whether an operation's inputs are those of the last call: its node and shared parameters the same
    objects (equal data may still dump differently: key order, ``1`` and ``True``), the rest equal.
    """
    return (
        last[3] is now[3]
        and (last[4] is now[4] or last[4] == now[4] == [])
        and last[:3] == now[:3]
        and last[5:] == now[5:]
    )
