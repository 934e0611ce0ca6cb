"""The README's feature sections: WebSocket streams, pagination, retries and timeouts, errors, fast imports.

Each section carries a runnable example computed here (values through the same literal filters as the API
examples) and laid out by ``templates/docs/feature_example.py.j2``. Examples that need a particular server
start with a marker line (``*_MARKER``) so a runner can tell them apart: tests/features runs them against
the right loopback server, and a runner that only has a mock HTTP server skips them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..config import Target
from ..model.api import Api, Operation
from ..model.types import EnumModel
from .docs_api import AuthMethod, auth_method, example_for
from .docs_filters import code_span, comment, py_str_dq

WEBSOCKET_MARKER = "# Runs against a WebSocket server: see tests/features."
PAGINATION_MARKER = "# Runs against a paginating server: see tests/features."
RECORDING_MARKER = "# Runs against a recording server: see tests/features."
EVENT_STREAM_MARKER = "# Runs against a server-sent events server: see tests/features."

_PAGE_SIZE_NAMES = ("limit", "page_size", "per_page", "size", "max_results", "count")
_IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")


@dataclass(frozen=True, slots=True)
class FeatureExample:
    """One example script: the configuration block, then the client block (``kind`` picks the body)."""

    kind: str  # "websocket" | "pagination" | "retries" | "errors"
    marker: str
    package: str
    host_literal: str
    auth_kwargs: tuple[
        tuple[str, str], ...
    ]  # Configuration(name=expression) for credentials
    needs_os: bool
    api_class: str
    method: str
    call_args: str  # required arguments (and a page size) as literals
    item_type: str  # what each message / item is parsed into
    note: str  # a one-line comment above the call
    is_async: bool
    client_class: str = "ApiClient"


@dataclass(frozen=True, slots=True)
class FeatureOp:
    """An operation in a feature section's list, with its example."""

    api_class: str
    method: str
    feature_method: str  # stream_assets_ws / get_attachments_for_object_iter
    http_method: str
    path: str  # a code span
    detail: str  # Markdown
    example: FeatureExample
    block: str = ""  # the rendered, fenced example (filled in by docs.py)


@dataclass(frozen=True, slots=True)
class FeaturesDoc:
    package: str
    is_async: bool
    websocket: tuple[FeatureOp, ...]
    pagination: tuple[FeatureOp, ...]
    event_stream: tuple[FeatureOp, ...]  # one per operation and client surface
    retries: FeatureExample | None
    errors: FeatureExample | None
    lazy_model: (
        str  # a model name for the fast-imports example ("" when the API has none)
    )
    lazy_module: str
    enum_model: str  # an enum's class name for the open-enums section ("" when the API has none)
    retries_block: str = ""  # rendered, fenced examples (filled in by docs.py)
    errors_block: str = ""
    has_sync: bool = True  # a sync client (``pool_manager=``)
    has_async: bool = False  # an asyncio client (``session=``)
    async_client: str = "AsyncApiClient"  # its class name
    idempotent: tuple[tuple[str, str, str], ...] = ()  # (API class, method, header)
    oauth2: tuple[
        tuple[str, bool, bool], ...
    ] = ()  # (scheme, client credentials, refresh)


def _auth_kwargs(methods: tuple[AuthMethod, ...]) -> tuple[tuple[str, str], ...]:
    """Constructor arguments for the first way to authenticate (every scheme of one alternative)."""
    api_keys = [m.name_literal for m in methods if m.is_api_key]
    out: list[tuple[str, str]] = []
    if api_keys:
        pairs = ", ".join(f'{k}: os.environ["API_KEY"]' for k in api_keys)
        out.append(("api_key", "{" + pairs + "}"))
    if any(m.is_bearer or m.is_oauth for m in methods):
        out.append(("access_token", 'os.environ["ACCESS_TOKEN"]'))
    if any(m.is_basic for m in methods):
        out.append(("username", 'os.environ["USERNAME"]'))
        out.append(("password", 'os.environ["PASSWORD"]'))
    return tuple(out)


def _first_alternative(api: Api, op: Operation) -> tuple[AuthMethod, ...]:
    """The schemes of the operation's first security alternative (all of them are needed together)."""
    if not op.security:
        return ()
    by_name = {s.name: s for s in api.security_schemes}
    return tuple(auth_method(by_name[n]) for n in op.security[0] if n in by_name)


def _tag_class(api: Api, op: Operation) -> str:
    return next(t.class_name for t in api.tags if op in t.operations)


def _call_args(api: Api, op: Operation, target: Target, *, page_size: bool) -> str:
    example = example_for(api, op, _tag_class(api, op), target)
    values = {a.name: a.value for a in example.args}
    parts = [values[a.py_name] for a in op.args if a.required]
    if page_size:
        for name in _PAGE_SIZE_NAMES:
            arg = next(
                (a for a in op.args if a.py_name == name and not a.required), None
            )
            if arg is not None and op.pagination and name != op.pagination.cursor_param:
                parts.append(f"{name}={values[name]}")
                break
    return ", ".join(parts)


def _example(
    api: Api,
    op: Operation,
    target: Target,
    kind: str,
    marker: str,
    note: str,
    item_type: str = "",
) -> FeatureExample:
    auth = _auth_kwargs(_first_alternative(api, op))
    return FeatureExample(
        kind=kind,
        marker=marker,
        package=target.package,
        host_literal=py_str_dq(comment(api.host)),
        auth_kwargs=auth,
        needs_os=bool(auth),
        api_class=_tag_class(api, op),
        method=op.method_name,
        call_args=_call_args(api, op, target, page_size=kind == "pagination"),
        item_type=item_type,
        note=note,
        is_async=target.is_async,
    )


def _type_name(op: Operation) -> str:
    rtype = op.return_type
    return rtype.doc_type if rtype is not None else "None"


def _websocket_op(api: Api, op: Operation, target: Target) -> FeatureOp:
    model = _type_name(op)
    url = comment(
        api.host.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        + op.path
    )
    example = _example(
        api,
        op,
        target,
        "websocket",
        WEBSOCKET_MARKER,
        f"Opens {url}; each message is parsed into {comment(model)}",
        model,
    )
    return FeatureOp(
        api_class=example.api_class,
        method=op.method_name,
        feature_method=f"{op.method_name}_ws",
        http_method=op.http_method,
        path=code_span(op.path),
        detail=f"messages of type {code_span(model)}",
        example=example,
    )


def _pagination_op(api: Api, op: Operation, target: Target) -> FeatureOp:
    page = op.pagination
    assert page is not None
    item = page.item_type.doc_type if page.item_type is not None else "Any"
    nxt, items = ".".join(page.next_cursor), ".".join(page.items)
    example = _example(
        api,
        op,
        target,
        "pagination",
        PAGINATION_MARKER,
        f"Every {comment(item)} of every page; the next page is requested only when needed",
        item,
    )
    detail = (
        f"items at {code_span(items)} (type {code_span(item)}), next cursor at "
        f"{code_span(nxt)}, passed back as {code_span(page.cursor_param)}"
    )
    return FeatureOp(
        api_class=example.api_class,
        method=op.method_name,
        feature_method=f"{op.method_name}_iter",
        http_method=op.http_method,
        path=code_span(op.path),
        detail=detail,
        example=example,
    )


def _event_stream_ops(api: Api, op: Operation, target: Target) -> list[FeatureOp]:
    """An event-stream operation's examples, one per client surface (sync, then asyncio)."""
    stream = op.event_stream
    assert stream is not None
    item = stream.item_type.doc_type if stream.item_type is not None else "JSON"
    end = (
        f"the event whose data is {stream.sentinel}"
        if stream.sentinel is not None
        else "the end of the body"
    )
    base = _example(
        api,
        op,
        target,
        "sse",
        EVENT_STREAM_MARKER,
        comment(f"Each event's data is parsed into {item}; the loop ends at {end}"),
        item,
    )
    detail = f"events whose data is of type {code_span(item)}"
    if stream.sentinel is not None:
        detail += f", ending at {code_span(stream.sentinel)}"
    out = []
    for flavour in target.flavours:
        example = dataclasses.replace(
            base,
            api_class=flavour.api_class(base.api_class),
            client_class=flavour.client_class,
            is_async=flavour.is_async,
        )
        out.append(
            FeatureOp(
                api_class=example.api_class,
                method=op.method_name,
                feature_method=op.method_name,
                http_method=op.http_method,
                path=code_span(op.path),
                detail=detail,
                example=example,
            )
        )
    return out


def _plain_operation(api: Api) -> Operation | None:
    """The operation the retries and errors examples call: idempotent, no body, fewest arguments."""
    plain = [
        op
        for op in api.operations
        if not op.websocket
        and op.event_stream is None
        and op.body is None
        and op.http_method in _IDEMPOTENT
    ]
    plain.sort(key=lambda op: (op.http_method != "GET", len(op.required_args)))
    return plain[0] if plain else None


def features_doc(api: Api, target: Target) -> FeaturesDoc:
    plain = _plain_operation(api)
    retries = errors = None
    if plain is not None:
        retries = _example(
            api, plain, target, "retries", RECORDING_MARKER, "", _type_name(plain)
        )
        errors = _example(
            api, plain, target, "errors", RECORDING_MARKER, "", _type_name(plain)
        )
    model = api.models[0] if api.models else None
    enum = next((m for m in api.models if isinstance(m, EnumModel)), None)
    return FeaturesDoc(
        package=target.package,
        is_async=target.is_async,
        websocket=tuple(
            _websocket_op(api, op, target) for op in api.operations if op.websocket
        ),
        pagination=tuple(
            _pagination_op(api, op, target) for op in api.operations if op.pagination
        ),
        event_stream=tuple(
            o
            for op in api.operations
            if op.event_stream is not None
            for o in _event_stream_ops(api, op, target)
        ),
        retries=retries,
        errors=errors,
        lazy_model=model.name if model else "",
        lazy_module=model.module if model else "",
        enum_model=enum.name if enum else "",
        has_sync=target.has_sync,
        has_async=target.has_async,
        async_client=next(
            (f.client_class for f in target.flavours if f.is_async), "AsyncApiClient"
        ),
        idempotent=tuple(
            (f"{tag.class_name}", op.method_name, op.idempotency_header)
            for tag in api.tags
            for op in tag.operations
            if op.idempotency_header
        ),
        oauth2=tuple(
            (s.name, s.token_url is not None, s.refresh_url is not None)
            for s in api.security_schemes
            if s.kind == "oauth2" and (s.token_url or s.refresh_url)
        ),
    )
