"""What the ``docs/<Tag>Api.md`` pages show, computed from the model: every string final and escaped.

OpenAPI Generator's python docs differ between its sync and asyncio flavours in a few blank lines, in
``async with``/``await``, and in how an operation's description is printed; :class:`DocStyle` holds
those differences, derived from the target, so the templates only test named booleans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..config import Flavour, Target
from ..model.api import Api, Operation, Parameter, SecurityScheme
from ..model.types import ArrayType, MapType, ModelRef, Nullable, SchemaType
from .docs_examples import arg_example
from .docs_filters import (
    anchor,
    code_span,
    comment,
    escape_text,
    link_text,
    md_block,
    md_inline,
    py_str_dq,
    py_value,
    table_cell,
)


@dataclass(frozen=True, slots=True)
class DocStyle:
    """Layout differences between OpenAPI Generator's sync and asyncio python docs."""

    is_async: bool

    @classmethod
    def for_flavour(cls, flavour: Flavour) -> DocStyle:
        return cls(is_async=flavour.is_async)

    @property
    def blank_after_auth_bullets(self) -> bool:
        return self.is_async

    @property
    def blank_before_param_table(self) -> bool:
        return self.is_async

    @property
    def blank_after_response_heading(self) -> bool:
        return self.is_async

    @property
    def notes_on_one_line(self) -> bool:
        return self.is_async

    @property
    def async_prefix(self) -> str:
        return "async " if self.is_async else ""

    @property
    def await_prefix(self) -> str:
        return "await " if self.is_async else ""


@dataclass(frozen=True, slots=True)
class AuthMethod:
    """One entry of an operation's auth list (OAuth2 once per flow, as OpenAPI Generator lists it)."""

    kind: str
    label: str  # bullet: "Api Key", "Bearer", "OAuth", "Basic"
    name_md: str  # the scheme name as Markdown text
    name_comment: str
    name_literal: str  # the scheme name as a Python string literal
    link: str  # [name](../README.md#name)
    bearer_format_md: str = ""

    @property
    def is_api_key(self) -> bool:
        return self.kind == "api_key"

    @property
    def is_bearer(self) -> bool:
        return self.kind == "bearer"

    @property
    def is_basic(self) -> bool:
        return self.kind == "basic"

    @property
    def is_oauth(self) -> bool:
        return self.kind in ("oauth2", "openid")


@dataclass(frozen=True, slots=True)
class ArgExample:
    name: str
    value: str
    doc_type: str
    description: str  # comment text
    optional: bool
    # The spec's default (comment text), which OpenAPI Generator's examples note.
    default: str = ""


@dataclass(frozen=True, slots=True)
class Example:
    """The Python example of one operation (also the README's getting-started example)."""

    package: str
    host_comment: str
    host_literal: str
    imports: tuple[str, ...]
    auth: tuple[AuthMethod, ...]
    client_class: str  # ApiClient / AsyncApiClient
    api_class: str
    method: str
    args: tuple[ArgExample, ...]
    call_args: str
    summary_comment: str
    has_return: bool
    exception_class: str  # "Exception" in API docs, "ApiException" in the README
    style: DocStyle
    event_stream: bool = False  # the method returns a stream of server-sent events


@dataclass(frozen=True, slots=True)
class ParamRow:
    name: str
    type_md: str
    description: str
    notes: str


@dataclass(frozen=True, slots=True)
class ResponseRow:
    status: str
    description: str
    headers: str


@dataclass(frozen=True, slots=True)
class OperationDoc:
    method: str
    http_method: str
    path_cell: str
    summary_cell: str
    signature: str
    intro: str
    auth: tuple[AuthMethod, ...]
    example: Example
    params: tuple[ParamRow, ...]
    return_md: str
    authorization: str
    content_type: str
    accept: str
    responses: tuple[ResponseRow, ...]
    example_block: str = ""  # the rendered, fenced example (filled in by docs.py)


def type_md(t: SchemaType, file: bool = False) -> str:
    """A type cell: ``**str**``, or a link to the model page for model types and containers of models."""
    inner = t.inner if isinstance(t, Nullable) else t
    if file or not inner.model_refs:
        return f"**{t.doc_type}**"
    target = inner
    while isinstance(target, (ArrayType, MapType)):
        target = target.item if isinstance(target, ArrayType) else target.value
    if isinstance(target, ModelRef):
        return f"[**{t.doc_type}**]({target.name}.md)"
    return f"**{t.doc_type}**"


def scheme_methods(api: Api, op: Operation) -> tuple[AuthMethod, ...]:
    """The operation's security schemes in spec order; OAuth2 once per flow."""
    return _scheme_methods(api.security_schemes, op.security)


# Operations share a few security requirements.
@lru_cache(maxsize=1024)
def _scheme_methods(
    schemes: tuple[SecurityScheme, ...], security: tuple[tuple[str, ...], ...]
) -> tuple[AuthMethod, ...]:
    by_name = {s.name: s for s in schemes}
    names = dict.fromkeys(name for alternative in security for name in alternative)
    methods: list[AuthMethod] = []
    for name in names:
        scheme = by_name.get(name)
        if scheme is None:
            continue
        repeat = max(1, len(scheme.flows)) if scheme.kind == "oauth2" else 1
        methods.extend([auth_method(scheme)] * repeat)
    return tuple(methods)


_LABELS = {
    "api_key": "Api Key",
    "bearer": "Bearer",
    "basic": "Basic",
    "oauth2": "OAuth",
    "openid": "OAuth",
    "signature": "HTTP signature",
}


@lru_cache(
    maxsize=256
)  # an operation's schemes are the same few, thousands of times over
def auth_method(scheme: SecurityScheme) -> AuthMethod:
    return AuthMethod(
        kind=scheme.kind,
        label=_LABELS[scheme.kind],
        name_md=md_inline(scheme.name),
        name_comment=comment(scheme.name),
        name_literal=py_value(scheme.name),
        link=f"[{link_text(scheme.name)}](../README.md#{anchor(scheme.name)})",
        bearer_format_md=md_inline(scheme.bearer_format or ""),
    )


def _imports(api: Api, op: Operation, package: str) -> tuple[str, ...]:
    refs: set[str] = set()
    for arg in op.args:
        refs |= arg.type.model_refs
    if op.event_stream is not None:
        if op.event_stream.item_type is not None:
            refs |= op.event_stream.item_type.model_refs
    elif op.return_type is not None:
        refs |= op.return_type.model_refs
    modules = sorted(
        (api.model(name).module, name) for name in refs if api.has_model(name)
    )
    return tuple(
        f"from {package}.models.{module} import {name}" for module, name in modules
    )


def call_args(op: Operation) -> str:
    return ", ".join(
        a.py_name if a.required else f"{a.py_name}={a.py_name}" for a in op.args
    )


def example_for(
    api: Api,
    op: Operation,
    tag_class: str,
    target: Target,
    exception_class: str = "Exception",
    flavour: Flavour | None = None,
) -> Example:
    """The example of ``op`` for one client surface (default: the package's first, sync when it has one)."""
    flavour = flavour or target.flavours[0]
    style = DocStyle.for_flavour(flavour)
    args = tuple(
        ArgExample(
            name=a.py_name,
            value=arg_example(a, op.body, target.package, api),
            doc_type=a.type.doc_type,
            description=comment(a.description),
            optional=not a.required,
            default=(
                comment(py_value(a.default.value))
                if a.default.present and not a.required
                else ""
            ),
        )
        for a in op.args
    )
    return Example(
        package=target.package,
        host_comment=comment(api.host),
        host_literal=py_str_dq(comment(api.host)),
        imports=_imports(api, op, target.package),
        auth=scheme_methods(api, op),
        client_class=flavour.client_class,
        api_class=flavour.api_class(tag_class),
        method=op.method_name,
        args=args,
        call_args=call_args(op),
        summary_comment=comment(op.summary),
        has_return=op.return_type is not None,
        exception_class=exception_class,
        style=style,
        event_stream=op.event_stream is not None,
    )


def _param_row(a: Parameter) -> ParamRow:
    notes = "" if a.required else "[optional] "
    if a.default.present:
        notes += f"[default to {table_cell(py_value(a.default.value))}]"
    return ParamRow(
        a.py_name, type_md(a.type, a.is_file), table_cell(a.description), notes
    )


def _intro(op: Operation, style: DocStyle) -> str:
    notes = (
        escape_text(op.description)
        if style.notes_on_one_line
        else md_block(op.description)
    )
    return "\n\n".join(p for p in (md_inline(op.summary), notes) if p)


def operation_doc(
    api: Api,
    op: Operation,
    tag_class: str,
    target: Target,
    flavour: Flavour,
    render_example: Callable[[Example], str] | None = None,
) -> OperationDoc:
    """The operation's section of the API page of one client surface; ``render_example`` fills
    ``example_block``."""
    style = DocStyle.for_flavour(flavour)
    rtype = op.return_type
    signature = f"{op.method_name}({call_args(op)})"
    auth = scheme_methods(api, op)
    example = example_for(api, op, tag_class, target, flavour=flavour)
    if op.event_stream is not None:
        return _event_stream_doc(op, signature, auth, example, flavour, render_example)
    return OperationDoc(
        method=op.method_name,
        http_method=op.http_method,
        path_cell=table_cell(op.path),
        summary_cell=table_cell(op.summary),
        signature=f"{rtype.doc_type} {signature}" if rtype is not None else signature,
        intro=_intro(op, style),
        auth=auth,
        example=example,
        params=tuple(_param_row(a) for a in op.args),
        return_md=type_md(rtype) if rtype is not None else "void (empty response body)",
        authorization=", ".join(m.link for m in auth) or "No authorization required",
        content_type=", ".join(op.body.content_types) if op.body else "Not defined",
        accept=", ".join(op.accept) or "Not defined",
        responses=_response_rows(op),
        example_block=render_example(example) if render_example is not None else "",
    )


def _response_rows(op: Operation) -> tuple[ResponseRow, ...]:
    return tuple(
        ResponseRow(
            status=table_cell(r.status),
            description=table_cell(r.description),
            headers="".join(
                f" * {table_cell(h.name)} - {table_cell(h.description)} <br> "
                for h in r.headers
            )
            or " - ",
        )
        for r in op.responses
    )


def _event_stream_doc(
    op: Operation,
    signature: str,
    auth: tuple[AuthMethod, ...],
    example: Example,
    flavour: Flavour,
    render_example: Callable[[Example], str] | None,
) -> OperationDoc:
    """The section of an operation that returns a stream of server-sent events: the stream class in
    the signature, what each event's data is in the return type."""
    stream = op.event_stream
    assert stream is not None
    item = stream.item_type
    stream_class = "AsyncEventStream" if flavour.is_async else "EventStream"
    data_md = (
        type_md(item) if item is not None else "JSON (or the text when it is not JSON)"
    )
    end = (
        f"the event whose data is {code_span(stream.sentinel)} or "
        if stream.sentinel is not None
        else ""
    )
    return_md = (
        f"**{stream_class}** of server-sent events (`text/event-stream`): each a "
        f"`ServerSentEvent` with `event`, `id`, `retry` and `data` of type {data_md}; the stream "
        f"ends at {end}the end of the body. Leaving the `{'async with' if flavour.is_async else 'with'}` "
        "block closes the connection; `_reconnect=True` resumes a broken stream with "
        "`Last-Event-ID`."
    )
    item_doc = item.doc_type if item is not None else "object"
    return OperationDoc(
        method=op.method_name,
        http_method=op.http_method,
        path_cell=table_cell(op.path),
        summary_cell=table_cell(op.summary),
        signature=f"{stream_class}[{item_doc}] {signature}",
        intro=_intro(op, DocStyle.for_flavour(flavour)),
        auth=auth,
        example=example,
        params=tuple(_param_row(a) for a in op.args),
        return_md=return_md,
        authorization=", ".join(m.link for m in auth) or "No authorization required",
        content_type=", ".join(op.body.content_types) if op.body else "Not defined",
        accept=", ".join(op.accept) or "Not defined",
        responses=_response_rows(op),
        example_block=render_example(example) if render_example is not None else "",
    )
