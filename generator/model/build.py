"""Build the intermediate model from a loaded, validated document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Problem, SpecError
from ..parse.load import Document, escape_pointer_token
from ..parse.refs import Resolver, Target
from .api import Api, Operation, SecurityScheme, Server, Tag
from .names import PACKAGE_RESERVED, Scope, class_name, pascal_case, snake_case
from .operations import HTTP_METHODS, OperationBuilder, servers_of
from .replay import (
    CLAIM,
    Mismatch,
    Recorded,
    Trace,
    TracedDict,
    TracedSet,
    problems_of,
    replay,
)
from .schemas import SchemaRegistry, spec_text
from .types import Model

DEFAULT_TAG = "default"


def api_from_document(doc: Document, *, lenient: bool = False) -> Api:
    """The model of ``doc``. Raises :class:`SpecError` listing every error that stops it."""
    try:
        try:
            return _api_from_document(doc, lenient, replaying=True)
        except Mismatch:  # a replayed operation read something else: build them all
            return _api_from_document(doc, lenient, replaying=False)
    except RecursionError:
        raise SpecError(
            [doc.problem("", "the schemas nest too deeply to be modelled")]
        ) from None


def _api_from_document(doc: Document, lenient: bool, replaying: bool) -> Api:
    data: dict[str, Any] = doc.data
    warnings: list[Problem] = []
    flaws: list[Problem] = (
        []
    )  # errors, or warnings when lenient: the model is built around them
    resolver = Resolver(doc)
    classes = Scope(PACKAGE_RESERVED)
    schemes = _security_schemes(data, doc, flaws)

    # API classes are named before models, so a schema called `AssetsApi` yields to the API class.
    operations_by_tag = _operations_by_tag(data, doc)
    tag_classes = {
        tag: classes.claim(class_name(pascal_case(tag) + "Api"))
        for tag in operations_by_tag
    }

    registry = SchemaRegistry(
        resolver,
        classes,
        warnings,
        openapi31=str(data.get("openapi", "")).startswith("3.1"),
    )
    components_kept = _component_models(doc, registry, classes, warnings, tag_classes)
    trace, tables = _traced(registry, classes)
    # The operations of the last build of this file, replayed where their path item is unchanged.
    key = str(doc.path)
    head = (tuple(tag_classes.items()), {k: v for k, v in data.items() if k != "paths"})
    last = _OPERATIONS.pop(key, None)
    records = (
        last[1]
        if replaying
        and components_kept
        and last is not None
        and _same_head(last[0], head)
        else {}
    )
    recorded: dict[tuple[str, str, str], Recorded] = {}

    scheme_names = {s.name for s in schemes} | _mutual_tls_schemes(data)
    builder = OperationBuilder(
        resolver,
        registry,
        warnings,
        _list(data.get("security")),
        scheme_names,
        flaws,
        {s.name for s in schemes},
        _idempotency_header(data.get("x-idempotency-header")),
    )
    errors: list[Problem] = []
    modules = Scope({"__init__"})
    tags = []
    seen_operation_ids: dict[str, str] = {}
    for tag_name, entries in operations_by_tag.items():
        method_names = Scope({"api_client"})
        method_names.on_claim = _recorder(trace, "method")
        scopes = {
            "classes": classes,
            "modules": registry.modules,
            "method": method_names,
        }
        ops: list[Operation] = []
        for path, method, path_item in entries:
            where = (path, method, path_item.pointer)
            record = records.get(where)
            if record is not None and record.item is path_item.data:
                replay(record, tables, scopes)
                warnings.extend(doc.problem(p, m) for p, m in record.warnings)
                flaws.extend(doc.problem(p, m) for p, m in record.flaws)
                op = record.operation
                recorded[where] = record
            else:
                events: list[tuple[Any, ...]] = []
                start = (len(warnings), len(flaws))
                trace.events = events
                try:
                    op = builder.build(doc, path, method, path_item, method_names)
                except SpecError as exc:
                    errors.extend(exc.errors)
                    continue
                finally:
                    trace.events = None
                added = problems_of(doc, warnings[start[0] :])
                found = problems_of(doc, flaws[start[1] :])
                if added is not None and found is not None:
                    recorded[where] = Recorded(
                        path_item.data, tuple(events), added, found, op
                    )
            previous = seen_operation_ids.get(op.operation_id)
            if previous is not None and previous != op.pointer:
                flaws.append(
                    doc.problem(
                        op.pointer + "/operationId",
                        f"duplicate operationId {op.operation_id!r}",
                    )
                )
            seen_operation_ids[op.operation_id] = op.pointer
            ops.append(op)
        class_ = tag_classes[tag_name]
        tags.append(
            Tag(
                name=tag_name,
                class_name=class_,
                module=modules.claim(snake_case(class_), fold_case=True),
                description=_tag_description(data, tag_name),
                operations=tuple(sorted(ops, key=lambda o: o.method_name)),
            )
        )
    # Kept only when the operations read nothing outside their path item and the components of this
    # file (every reference the model followed leads there): what they read is then what `head` holds.
    if all(
        target.doc is doc and target.pointer.startswith("/components/")
        for _, target in resolver._steps.values()
    ):
        _OPERATIONS[key] = (head, recorded)
    if lenient:
        warnings.extend(flaws)
    else:
        errors.extend(flaws)
    if errors:
        raise SpecError(_unique(errors))

    info = _mapping(data.get("info"))
    models: list[Model] = sorted(registry.models.values(), key=lambda m: m.name)
    return Api(
        title=spec_text(info.get("title")) or "API",
        version=str(info.get("version", "")),
        description=spec_text(info.get("description")),
        source=doc.display,
        servers=_servers(data),
        security_schemes=schemes,
        tags=tuple(tags),
        models=tuple(models),
        cyclic_models=_cyclic(models),
        warnings=tuple(
            _unique(doc.warnings + warnings + (doc.flaws if lenient else []))
        ),
    )


# The models of the component schemas, kept per spec file between the builds of one process (the
# ``build --watch`` process builds after every save): while the components, the OpenAPI version and the API
# classes named before them are equal, the registry's state after them is too, and is restored rather than
# built again. Its warnings are placed anew (an edit elsewhere moves lines and columns). Kept only when the
# components read nothing outside themselves.
_COMPONENTS: dict[
    str, tuple[tuple[Any, ...], dict[str, Any], Scope, list[tuple[str, str]]]
] = {}


# The operations of the last build of each spec file (this process): the head they were built under (the
# API classes and every top-level field but ``paths``) and each operation's record (model/replay.py).
_OPERATIONS: dict[
    str,
    tuple[
        tuple[tuple[tuple[str, str], ...], dict[str, Any]],
        dict[tuple[str, str, str], Recorded],
    ],
] = {}


def _same_head(
    last: tuple[tuple[tuple[str, str], ...], dict[str, Any]],
    now: tuple[tuple[tuple[str, str], ...], dict[str, Any]],
) -> bool:
    """The same API classes, and the same top-level fields, each the very object it was (a re-parsed JSON
    spec shares what did not change; equal data is not enough: ``1 == True``)."""
    return (
        last[0] == now[0]
        and last[1].keys() == now[1].keys()
        and all(value is now[1][k] for k, value in last[1].items())
    )


def _recorder(trace: Trace, name: str) -> Callable[[str, bool, str], None]:
    def claimed(wanted: str, fold_case: bool, result: str) -> None:
        if trace.events is not None:
            trace.events.append((CLAIM, name, (wanted, fold_case), result))

    return claimed


def _traced(registry: SchemaRegistry, classes: Scope) -> tuple[Trace, dict[str, Any]]:
    """The registry's tables and the class and module scopes, recording while the trace records."""
    trace = Trace()
    registry.models = TracedDict(registry.models, trace, "models")
    registry._by_target = TracedDict(registry._by_target, trace, "by_target")
    registry._names_by_target = TracedDict(registry._names_by_target, trace, "names")
    registry._by_shape = TracedDict(registry._by_shape, trace, "shapes")
    registry._recursive_alias = TracedSet(registry._recursive_alias, trace, "alias")
    classes.on_claim = _recorder(trace, "classes")
    registry.modules.on_claim = _recorder(trace, "modules")
    tables: dict[str, Any] = {
        "models": registry.models,
        "by_target": registry._by_target,
        "names": registry._names_by_target,
        "shapes": registry._by_shape,
        "alias": registry._recursive_alias,
    }
    return trace, tables


def _component_models(
    doc: Document,
    registry: SchemaRegistry,
    classes: Scope,
    warnings: list[Problem],
    tag_classes: dict[str, str],
) -> bool:
    """Build (or take over from the last build) the component schemas' models; True when taken over."""
    data: dict[str, Any] = doc.data
    inputs = (
        data.get("components"),
        str(data.get("openapi", "")),
        tuple(tag_classes.items()),
    )
    key = str(doc.path)
    known = _COMPONENTS.get(key)
    if known is not None and known[0] == inputs:
        registry.restore(known[1])
        classes.take_from(known[2])
        warnings.extend(doc.problem(pointer, message) for pointer, message in known[3])
        return True
    start = len(warnings)
    registry.reserve_component_names(doc)
    components = _mapping(_mapping(data.get("components")).get("schemas"))
    for name in components:
        registry.component(doc, name)
    if registry.within_components(doc):
        found = [(w.location.pointer, w.message) for w in warnings[start:]]
        _COMPONENTS[key] = (inputs, registry.state(), classes.copy(), found)
    else:
        _COMPONENTS.pop(key, None)
    return False


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mutual_tls_schemes(data: dict[str, Any]) -> set[str]:
    """mutualTLS schemes: valid in requirements, configured on the transport, nothing sent per request."""
    raw = _mapping(_mapping(data.get("components")).get("securitySchemes"))
    return {
        str(n)
        for n, s in raw.items()
        if isinstance(s, dict) and s.get("type") == "mutualTLS"
    }


def _operations_by_tag(
    data: dict[str, Any], doc: Document
) -> dict[str, list[tuple[str, str, Target]]]:
    """Operations grouped by their first tag: tags in the order the spec declares them, then first use."""
    grouped: dict[str, list[tuple[str, str, Target]]] = {}
    for tag in _list(data.get("tags")):
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            grouped.setdefault(tag["name"], [])
    resolver = Resolver(doc)
    for path, item in _mapping(data.get("paths")).items():
        item_target = resolver.follow(item, doc, f"/paths/{escape_pointer_token(path)}")
        if not isinstance(item_target.data, dict):
            continue
        for method in HTTP_METHODS:
            op = item_target.data.get(method)
            if not isinstance(op, dict):
                continue
            op_tags = [t for t in _list(op.get("tags")) if isinstance(t, str)]
            tag = op_tags[0] if op_tags else DEFAULT_TAG
            grouped.setdefault(tag, []).append((path, method, item_target))
    return {tag: ops for tag, ops in grouped.items() if ops}


def _tag_description(data: dict[str, Any], name: str) -> str:
    for tag in _list(data.get("tags")):
        if isinstance(tag, dict) and tag.get("name") == name:
            return spec_text(tag.get("description"))
    return ""


def _servers(data: dict[str, Any]) -> tuple[Server, ...]:
    return servers_of(data.get("servers"))


def _security_schemes(
    data: dict[str, Any], doc: Document, flaws: list[Problem]
) -> tuple[SecurityScheme, ...]:
    raw = _mapping(_mapping(data.get("components")).get("securitySchemes"))
    result = []
    for name, scheme in raw.items():
        pointer = f"/components/securitySchemes/{escape_pointer_token(name)}"
        if not isinstance(scheme, dict) or "$ref" in scheme:
            scheme = Resolver(doc).follow(scheme, doc, pointer).data
        if not isinstance(scheme, dict):
            flaws.append(
                doc.problem(pointer, "a security scheme must be a mapping; ignored")
            )
            continue
        kind = scheme.get("type")
        description = spec_text(scheme.get("description"))
        if kind == "apiKey":
            location = scheme.get("in", "header")
            if location not in ("header", "query", "cookie"):
                flaws.append(
                    doc.problem(
                        pointer + "/in",
                        f"apiKey `in` must be header, query or cookie, not {location!r}",
                    )
                )
                location = "header"
            result.append(
                SecurityScheme(
                    name, "api_key", location, str(scheme.get("name", "")), description
                )
            )
        elif kind == "http":
            http_scheme = str(scheme.get("scheme", "")).lower()
            if http_scheme == "basic":
                result.append(SecurityScheme(name, "basic", description=description))
            elif http_scheme == "signature":
                result.append(
                    SecurityScheme(name, "signature", description=description)
                )
            else:
                result.append(
                    SecurityScheme(
                        name,
                        "bearer",
                        description=description,
                        bearer_format=scheme.get("bearerFormat"),
                    )
                )
        elif kind == "oauth2":
            flows = []
            scopes: dict[str, str] = {}
            refresh_url: str | None = None
            for flow_name, flow in _mapping(scheme.get("flows")).items():
                if not isinstance(flow, dict):
                    continue
                if (
                    flow_name in ("authorizationCode", "password")
                    and refresh_url is None
                ):
                    refresh_url = (
                        spec_text(flow.get("refreshUrl") or flow.get("tokenUrl"))
                        or None
                    )
                flows.append(
                    (
                        str(flow_name),
                        spec_text(flow.get("authorizationUrl")),
                        spec_text(flow.get("tokenUrl")),
                    )
                )
                for scope_name, scope_text in _mapping(flow.get("scopes")).items():
                    scopes.setdefault(str(scope_name), spec_text(scope_text))
            result.append(
                SecurityScheme(
                    name,
                    "oauth2",
                    description=description,
                    scopes=tuple(scopes.items()),
                    flows=tuple(flows),
                    refresh_url=refresh_url,
                )
            )
        elif kind == "openIdConnect":
            result.append(SecurityScheme(name, "openid", description=description))
        elif kind == "mutualTLS":
            continue  # configured on the transport (cert_file/key_file), nothing to send per request
        else:
            flaws.append(
                doc.problem(pointer, f"unknown security scheme type {kind!r}; ignored")
            )
    return tuple(result)


def _cyclic(models: list[Model]) -> frozenset[str]:
    """Models on a reference cycle (Tarjan's strongly connected components, iteratively)."""
    graph = {m.name: sorted(m.model_refs) for m in models}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cyclic: set[str] = set()
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = [e for e in graph.get(node, []) if e in graph]
            if i < len(edges):
                work.append((node, i + 1))
                nxt = edges[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                self_loop = node in graph.get(node, [])
                if len(component) > 1 or self_loop:
                    cyclic.update(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return frozenset(cyclic)


def _idempotency_header(value: Any) -> str | None:
    """The document's ``x-idempotency-header`` (a header name), or None."""
    return value.strip() if isinstance(value, str) and value.strip() else None
