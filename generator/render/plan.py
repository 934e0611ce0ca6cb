"""The plan: which files a project has, and with what context each template is rendered.

This is the only place that maps the model to files. The views built here are plain data the templates print;
they decide nothing a template would otherwise have to work out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Flavour, Target
from ..model.api import Api, Operation, Parameter, Server, Tag
from ..model.types import (
    ArrayType,
    ConstType,
    EnumModel,
    Field,
    LiteralType,
    MapType,
    Model,
    ModelRef,
    Nullable,
    ObjectModel,
    Primitive,
    RootModel,
    SchemaType,
    UnionType,
    field_imports,
    needs_imports,
    strip_nullable,
)
from .env import render
from .filters import docstring, py_literal
from .write import OutputFile

RUNTIME = Path(__file__).resolve().parent.parent / "runtime"
_SYNC_ONLY = {"client_sync.py", "watchdog.py", "websocket_sync.py", "sse_sync.py"}
_ASYNC_ONLY = {"client_async.py", "websocket_async.py", "sse_async.py"}
_WEBSOCKET = {"websocket.py", "websocket_sync.py", "websocket_async.py"}
_EVENT_STREAM = {"sse.py", "sse_sync.py", "sse_async.py"}
_TYPING_NAMES = {"Any", "Literal", "Annotated", "ClassVar", "TYPE_CHECKING"}
_STDLIB_IMPORTS = {
    "datetime": "datetime",
    "date": "datetime",
    "Decimal": "decimal",
    "UUID": "uuid",
}


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    name: str


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of a generated method: name, annotation and whether it has a default."""

    name: str
    annotation: str
    optional: bool
    description: str

    @property
    def layout_annotation(self) -> str:
        """The annotation, parenthesised when the argument's line would pass 88 columns: black then
        splits inside the parentheses, and ruff's formatter keeps them, so both agree.
        """
        line = (
            8
            + len(self.name)
            + 2
            + len(self.annotation)
            + (7 if self.optional else 0)
            + 1
        )
        return (
            f"({self.annotation})"
            if line > 88 and "|" in self.annotation
            else self.annotation
        )


@dataclass(frozen=True, slots=True)
class OperationView:
    op: Operation
    const: str  # module-level Endpoint constant
    types_function: str
    args: tuple[Arg, ...]
    response_types: tuple[tuple[str, str], ...]  # (status, annotation or "None")
    response_imports: tuple[Import, ...]
    return_annotation: str
    item_annotation: str  # pagination item type, or "Any"
    message_annotation: str  # websocket message type
    docstring: str
    event_annotation: str = "Any"  # the data of each server-sent event
    servers: tuple[str, ...] = ()  # the operation's own servers, as source text
    exact_decimals: bool = (
        False  # a response type holds a Decimal: parse numbers exactly
    )
    exact_numbers: bool = False  # the JSON body may hold a `type: number` Decimal


@dataclass(frozen=True, slots=True)
class FieldView:
    name: str
    annotation: str
    alias: str | None
    optional: bool
    description: str
    default: str = "None"  # the Python default of an optional field, as source text


@dataclass(frozen=True, slots=True)
class UnionFieldView:
    name: str  # oneof_schema_1_validator …
    annotation: str  # the variant's type with its constraints, "| None"
    label: str  # the variant's type as OpenAPI Generator's messages name it


@dataclass(frozen=True, slots=True)
class UnionView:
    """A oneOf/anyOf model: its variant fields and the typed union of their values."""

    kind: str  # "oneOf" | "anyOf"
    fields: tuple[UnionFieldView, ...]
    annotation: str  # of actual_instance: the variants' union, "| None"
    nullable: bool
    discriminator: str | None  # the property's wire name
    discriminator_fields: dict[str, str]  # discriminator value -> variant field

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f.label for f in self.fields)

    @property
    def names(self) -> list[str]:
        """The distinct variant labels, sorted (as OpenAPI Generator lists them in messages)."""
        return sorted(set(self.labels))

    @property
    def schemas_attribute(self) -> str:
        return "one_of_schemas" if self.kind == "oneOf" else "any_of_schemas"


def union_view(model: RootModel) -> UnionView:
    prefix = "oneof" if model.composition == "oneOf" else "anyof"
    fields = tuple(
        UnionFieldView(
            f"{prefix}_schema_{i}_validator",
            _or_none(v.field_annotation),
            v.doc_type,
        )
        for i, v in enumerate(model.variants, start=1)
    )
    by_class = {
        v.name: f.name
        for v, f in zip(model.variants, fields, strict=True)
        if isinstance(v, ModelRef)
    }
    return UnionView(
        kind=model.composition,
        fields=fields,
        annotation=_or_none(
            " | ".join(dict.fromkeys(v.annotation for v in model.variants))
        ),
        nullable=isinstance(model.type, Nullable),
        discriminator=model.discriminator,
        discriminator_fields={
            value: by_class[name] for value, name in model.tags if name in by_class
        },
    )


def _or_none(annotation: str) -> str:
    return annotation if annotation.endswith("| None") else f"{annotation} | None"


@dataclass(frozen=True, slots=True)
class ModelView:
    model: Model
    stdlib_imports: tuple[Import, ...]
    typing_imports: tuple[str, ...]
    uses_field: bool
    top_imports: tuple[Import, ...]
    bottom_imports: tuple[Import, ...]
    fields: tuple[FieldView, ...]
    root_annotation: str
    extra_annotation: str | None
    uses_validators: bool = False  # imports the runtime's validators module as ``_v``
    union: UnionView | None = None


def _models_by_name(api: Api) -> dict[str, Model]:
    return {m.name: m for m in api.models}


def _model_imports(
    refs: frozenset[str], models: dict[str, Model], prefix: str
) -> list[Import]:
    return [
        Import(f"{prefix}{models[name].module}", name)
        for name in sorted(refs)
        if name in models
    ]


def _arg_schema(param: Parameter) -> SchemaType | None:
    """The type whose annotation an argument's is built on (None: files, and inline enums taken as ``str``)."""
    if param.is_file or isinstance(strip_nullable(param.type), LiteralType):
        return None
    return param.type


def _arg_annotation(param: Parameter, models: dict[str, Model]) -> str:
    t = param.type
    if param.is_file:
        base = (
            "list[FileInput]"
            if isinstance(strip_nullable(t), ArrayType)
            else "FileInput"
        )
    elif _arg_schema(param) is None:
        base = "str"
    else:
        base = t.annotation
        inner = strip_nullable(t)
        if isinstance(inner, ModelRef) and isinstance(
            models.get(inner.name), ObjectModel
        ):
            base = f"{base} | dict[str, Any]"
        elif isinstance(inner, ModelRef) and isinstance(
            models.get(inner.name), EnumModel
        ):
            base = f"{base} | str"
        elif isinstance(inner, Primitive) and inner.python == "UUID":
            # A UUID argument may be its text too.
            base = "UUID | str" + (" | None" if inner is not t else "")
    if not param.required and not base.endswith("| None"):
        base += " | None"
    return base


def _response_annotation(t: SchemaType | None) -> str:
    return "None" if t is None else t.annotation


def operation_view(op: Operation, models: dict[str, Model]) -> OperationView:
    stream = op.event_stream
    success = op.success if stream is not None else None
    response_types = tuple(
        (
            r.status,
            _response_annotation(
                # an event stream's events are decoded one by one, into the item type
                stream.item_type
                if stream is not None and r is success
                else r.type
            ),
        )
        for r in op.responses
    )
    refs: frozenset[str] = frozenset()
    for r in op.responses:
        if r.type is not None and r is not success:
            refs |= r.type.model_refs
    if stream is not None and stream.item_type is not None:
        refs |= stream.item_type.model_refs
    item = op.pagination.item_type if op.pagination else None
    return OperationView(
        op=op,
        const="_" + op.method_name.upper(),
        types_function=f"_{op.method_name}_types",
        args=tuple(
            Arg(a.py_name, _arg_annotation(a, models), not a.required, a.description)
            for a in op.args
        ),
        response_types=response_types,
        response_imports=tuple(_model_imports(refs, models, "..models.")),
        return_annotation=_response_annotation(op.return_type),
        item_annotation=item.annotation if item is not None else "Any",
        message_annotation=(
            _response_annotation(op.return_type)
            if op.return_type is not None
            else "Any"
        ),
        docstring=_method_docstring(op),
        servers=tuple(server_source(s) for s in op.servers),
        event_annotation=(
            stream.item_type.annotation
            if stream is not None and stream.item_type is not None
            else "Any"
        ),
        exact_decimals=any(
            t is not None and _holds_decimal(t, models)
            for t in (
                *(r.type for r in op.responses),
                stream.item_type if stream is not None else None,
            )
        ),
        exact_numbers=op.body is not None
        and op.body.kind == "json"
        and op.body.param is not None
        and _holds_decimal(op.body.param.type, models, number=True),
    )


def _holds_decimal(
    t: SchemaType, models: dict[str, Model], *, number: bool = False
) -> bool:
    """Whether a value of ``t`` can hold a Decimal (with ``number``: one sent as a JSON number), through
    the models it refers to."""
    seen: set[str] = set()
    todo: list[SchemaType] = [t]
    while todo:
        current = todo.pop()
        if isinstance(current, Primitive):
            if current.python == "Decimal" and (current.json_number or not number):
                return True
        elif isinstance(current, ArrayType):
            todo.append(current.item)
        elif isinstance(current, MapType):
            todo.append(current.value)
        elif isinstance(current, Nullable):
            todo.append(current.inner)
        elif isinstance(current, UnionType):
            todo.extend(current.variants)
        elif isinstance(current, ModelRef) and current.name not in seen:
            seen.add(current.name)
            model = models.get(current.name)
            if isinstance(model, ObjectModel):
                todo.extend(f.type for f in model.fields)
                if model.additional is not None:
                    todo.append(model.additional)
            elif isinstance(model, RootModel):
                todo.append(model.type)
                todo.extend(model.variants)
    return False


def server_source(server: Server, *, always: bool = False) -> str:
    """A server as source text: its URL when it has no variables (unless ``always``), else a runtime
    ``Server(...)``."""
    if not server.variables:
        if not always:
            return py_literal(server.url)
        if not server.description:
            return f"Server({py_literal(server.url)})"
        return f"Server({py_literal(server.url)}, {py_literal(server.description)})"
    descriptions = server.variable_descriptions or ("",) * len(server.variables)
    variables = ", ".join(
        f"ServerVariable({py_literal(name)}, {py_literal(default)}, {py_literal(enum)}"
        + (f", {py_literal(text)}" if text else "")
        + ")"
        for (name, default, enum), text in zip(
            server.variables, descriptions, strict=False
        )
    )
    return (
        f"Server({py_literal(server.url_template)}, {py_literal(server.description)}, "
        f"({variables},))"
    )


def _default_arg_doc(arg: Parameter) -> str:
    """What an argument is when the spec does not say."""
    if arg.location == "body":
        if isinstance(strip_nullable(arg.type), ModelRef):
            return f"The request body: a {strip_nullable(arg.type).annotation} or a dict of its fields."
        return "The request body."
    if arg.location == "form":
        return f"The `{arg.wire_name}` form field."
    return f"The `{arg.wire_name}` {arg.location} parameter."


def _method_docstring(op: Operation) -> str:
    """Summary, description and one line per argument, as safe docstring text."""
    parts = [op.summary or f"{op.http_method} {op.path}"]
    if op.description and op.description.strip() != op.summary.strip():
        parts.append(op.description)
    if op.deprecated:
        parts.append("Deprecated: the API may remove this operation.")
    stream = op.event_stream
    if stream is not None:
        item = stream.item_type.annotation if stream.item_type is not None else "JSON"
        end = (
            f"at the event whose data is {stream.sentinel!r} or "
            if stream.sentinel is not None
            else ""
        )
        parts.append(
            "Returns a stream of server-sent events: iterate over it in a `with` block (`async "
            "with` for the asyncio client); leaving the block closes the connection. Each event "
            f"is a ServerSentEvent (`event`, `id`, `retry`) whose `data` is parsed into {item}. "
            f"The stream ends {end}when the server ends the body. `_request_timeout` bounds each "
            "wait for the next bytes; `_reconnect=True` resumes a broken stream after the "
            "server's `retry`, sending `Last-Event-ID`."
        )
    if op.args:
        lines = ["Args:"]
        for a in op.args:
            text = " ".join(a.description.split()) or _default_arg_doc(a)
            # Wrapped here, at the method body's indent, with continuation lines under the text.
            lines += textwrap.wrap(
                f"    {a.py_name}: {text}",
                width=80,
                subsequent_indent="        ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        parts.append("\n".join(lines))
    return docstring("\n\n".join(parts), indent="        ")


def _annotation_types(op: Operation) -> list[SchemaType]:
    """The types whose annotations an operation's methods print: arguments, result, page item, the
    data of an event stream's events."""
    item = op.pagination.item_type if op.pagination is not None else None
    events = op.event_stream.item_type if op.event_stream is not None else None
    # An event-stream method returns its stream of events, never the response's type.
    result = op.return_type if op.event_stream is None else None
    candidates = [*map(_arg_schema, op.args), result, item, events]
    return [t for t in candidates if t is not None]


def _api_imports(
    views: list[OperationView], models: dict[str, Model]
) -> tuple[list[Import], list[str], list[Import]]:
    """Annotation-only model imports, typing names and stdlib imports an API module needs, read from the
    type tree as ``model_view`` reads them. (``Any``, which the methods' annotations also use beside
    models and for untyped pages, the API module imports whatever its operations are.)
    """
    refs: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    for view in views:
        for t in _annotation_types(view.op):
            refs |= t.model_refs
            names |= needs_imports(t)
    stdlib = sorted(
        (Import(_STDLIB_IMPORTS[n], n) for n in names if n in _STDLIB_IMPORTS),
        key=lambda i: (i.module, i.name),
    )
    return (
        _model_imports(refs, models, "..models."),
        sorted(names & _TYPING_NAMES),
        stdlib,
    )


_PLAIN_DEFAULT_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


def _plain_default(t: SchemaType, value: Any, models: dict[str, Model]) -> str | None:
    """``value`` as a Python literal of type ``t``, or None when it is not one without conversion."""
    t = strip_nullable(t)
    if isinstance(t, Primitive):
        kinds = _PLAIN_DEFAULT_TYPES.get(t.python)
        if kinds is None or not isinstance(value, kinds):
            return None
        if isinstance(value, bool) and t.python != "bool":
            return None
        return py_literal(float(value) if t.python == "float" else value)
    if isinstance(t, (LiteralType, ConstType)):
        allowed = t.values if isinstance(t, LiteralType) else (t.value,)
        matches = [v for v in allowed if v == value and type(v) is type(value)]
        return py_literal(value) if matches else None
    if isinstance(t, ModelRef):
        enum = models.get(t.name)
        if not isinstance(enum, EnumModel):
            return None
        for member in enum.members:
            if member.value == value and type(member.value) is type(value):
                return f"{enum.name}.{member.py_name}"
        return None
    if isinstance(t, ArrayType) and isinstance(value, list):
        items = [_plain_default(t.item, v, models) for v in value]
        return None if None in items else "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    if isinstance(t, MapType) and isinstance(value, dict):
        entries = [(k, _plain_default(t.value, v, models)) for k, v in value.items()]
        if any(v is None for _, v in entries):
            return None
        return "{" + ", ".join(f"{py_literal(str(k))}: {v}" for k, v in entries) + "}"
    return None


def default_literal(f: Field, models: dict[str, Model]) -> str | None:
    """The Python default of a field with a spec ``default`` (None: no usable default).

    Strings, numbers, booleans, inline enum values, members of enum classes and lists or maps of those
    become the attribute's default, as OpenAPI Generator's clients have them. Defaults that would need
    converting (dates, models) are left out: the field then defaults to None, and the server applies its
    own default. Defaults are never sent by themselves: a field left unset is not serialised.
    """
    if not f.default.present or f.default.value is None:
        return None
    return _plain_default(f.type, f.default.value, models)


def model_view(
    model: Model, models: dict[str, Model], cyclic: frozenset[str]
) -> ModelView:
    refs = model.model_refs
    names: set[str] = set()
    fields: list[FieldView] = []
    root_annotation = ""
    extra_annotation = None
    union: UnionView | None = None
    if isinstance(model, ObjectModel):
        for f in model.fields:
            names |= needs_imports(f.type) | field_imports(f.type)
            default = default_literal(f, models) if f.is_optional else None
            fields.append(
                FieldView(
                    name=f.py_name,
                    annotation=f.field_annotation,
                    alias=f.wire_name if f.has_alias else None,
                    optional=f.is_optional,
                    description=f.description,
                    default=default or "None",
                )
            )
        if model.additional is not None:
            names |= needs_imports(model.additional)
            extra_annotation = f"dict[str, {model.additional.annotation}]"
    elif isinstance(model, RootModel) and model.composition:
        union = union_view(model)
        for v in model.variants:
            names |= needs_imports(v) | field_imports(v)
        names |= {"Any", "ClassVar", "Literal", "TYPE_CHECKING"}
    elif isinstance(model, RootModel):
        names |= needs_imports(model.type)
        root_annotation = model.type.annotation
    in_cycle = model.name in cyclic
    deps = _model_imports(refs, models, ".")
    bottom = [i for i in deps if in_cycle and i.name in cyclic]
    top = [i for i in deps if i not in bottom]
    stdlib = sorted(
        (Import(_STDLIB_IMPORTS[n], n) for n in names if n in _STDLIB_IMPORTS),
        key=lambda i: (i.module, i.name),
    )
    typing_names = set(names & _TYPING_NAMES)
    if isinstance(model, RootModel):
        typing_names.add("Any")
    return ModelView(
        model=model,
        stdlib_imports=tuple(stdlib),
        typing_imports=tuple(sorted(typing_names)),
        uses_field=any(f.alias for f in fields)
        or extra_annotation is not None
        or "Field" in names,
        uses_validators="_v" in names,
        top_imports=tuple(top),
        bottom_imports=tuple(bottom),
        fields=tuple(fields),
        root_annotation=root_annotation,
        extra_annotation=extra_annotation,
        union=union,
    )


def runtime_files(api: Api, target: Target) -> list[OutputFile]:
    skip: set[str] = set()
    if not target.has_sync:
        skip |= _SYNC_ONLY
    if not target.has_async:
        skip |= _ASYNC_ONLY
    if not api.has_websocket:
        skip = skip | _WEBSOCKET
    if not api.has_event_stream:
        skip = skip | _EVENT_STREAM
    if not api.has_signature_auth:
        skip = skip | {"signing.py"}
    files = []
    for path in sorted(RUNTIME.glob("*.py")):
        if path.name in skip:
            continue
        files.append(
            OutputFile(
                f"{target.package}/_runtime/{path.name}",
                path.read_text(encoding="utf-8"),
            )
        )
    return files


def _iterator_imports(tag: Tag, flavours: tuple[Flavour, ...]) -> list[str]:
    """The iterator types the ``<method>_iter`` annotations of a tag's API classes use."""
    if not any(op.pagination for op in tag.operations):
        return []
    return sorted(f.iterator for f in flavours)


def code_files(
    api: Api, target: Target, reuse: Mapping[str, str] | None = None
) -> list[OutputFile]:
    """The project's code, as rendered; a file whose path is in ``reuse`` is taken from there as it is
    (incremental rendering, see render/cache.py)."""
    reuse = reuse or {}
    models = _models_by_name(api)
    pkg = target.package
    flavours = target.flavours
    exports = [
        *(Import(f".{f.client_module}", f.client_class) for f in flavours),
        Import(".api_response", "ApiResponse"),
        Import(".configuration", "Configuration"),
        *(
            Import(".exceptions", n)
            for n in (
                "ApiConnectionError",
                "ApiException",
                "ApiTimeoutError",
                "OpenApiException",
            )
        ),
        *(
            Import(f".api.{tag.module}", f.api_class(tag.class_name))
            for tag in api.tags
            for f in flavours
        ),
        *(Import(f".models.{m.module}", m.name) for m in api.models),
    ]
    common = {
        "api": api,
        "target": target,
        "flavours": flavours,
        "header": f"Generated by clientgen from {target.source}. Do not edit.",
        "exports": sorted(exports, key=lambda e: e.name),
    }
    files = [
        OutputFile("pyproject.toml", render("package/pyproject.toml.jinja", **common)),
        OutputFile("MANIFEST.in", render("package/MANIFEST.in.jinja", **common)),
        OutputFile(f"{pkg}/py.typed", ""),
        OutputFile(f"{pkg}/__init__.py", render("package/__init__.py.jinja", **common)),
        OutputFile(
            f"{pkg}/configuration.py",
            render(
                "package/configuration.py.jinja",
                server_sources=[server_source(s, always=True) for s in api.servers],
                **common,
            ),
        ),
        *(
            OutputFile(
                f"{pkg}/{f.client_module}.py",
                render("package/api_client.py.jinja", f=f, **common),
            )
            for f in flavours
        ),
        OutputFile(
            f"{pkg}/api_response.py", render("package/api_response.py.jinja", **common)
        ),
        OutputFile(
            f"{pkg}/exceptions.py", render("package/exceptions.py.jinja", **common)
        ),
        OutputFile(f"{pkg}/rest.py", render("package/rest.py.jinja", **common)),
        *(
            [
                OutputFile(
                    f"{pkg}/signing.py", render("package/signing.py.jinja", **common)
                )
            ]
            if api.has_signature_auth
            else []
        ),
        OutputFile(f"{pkg}/api/__init__.py", render("api/__init__.py.jinja", **common)),
        OutputFile(
            f"{pkg}/models/__init__.py", render("models/__init__.py.jinja", **common)
        ),
    ]
    for tag in api.tags:
        path = f"{pkg}/api/{tag.module}.py"
        if path in reuse:
            files.append(OutputFile(path, reuse[path]))
            continue
        views = [operation_view(op, models) for op in tag.operations]
        model_imports, typing_names, stdlib = _api_imports(views, models)
        # An event-stream operation returns its stream as it is: `cast` and `ApiResponse` serve the others.
        plain_calls = any(op.event_stream is None for op in tag.operations)
        typing_imports = sorted(
            {"Any", "TYPE_CHECKING", *(["cast"] if plain_calls else []), *typing_names}
        )
        endpoint_imports = ["Endpoint"]
        if any(op.params for op in tag.operations):
            endpoint_imports.append("Param")
        if any(op.body for op in tag.operations):
            endpoint_imports.append("Body")
        if any(op.body and op.body.fields for op in tag.operations):
            endpoint_imports.append("FormField")
        if any(op.pagination for op in tag.operations):
            endpoint_imports.append("Pagination")
        files.append(
            OutputFile(
                path,
                render(
                    "api/api.py.jinja",
                    tag=tag,
                    operations=views,
                    model_imports=model_imports,
                    typing_imports=typing_imports,
                    endpoint_imports=sorted(endpoint_imports),
                    server_imports=(
                        ["Server", "ServerVariable"]
                        if any(s.variables for op in tag.operations for s in op.servers)
                        else []
                    ),
                    stdlib_imports=stdlib,
                    uses_files=any(a.is_file for op in tag.operations for a in op.args),
                    iterator_imports=_iterator_imports(tag, flavours),
                    transports=[f.transport for f in flavours],
                    uses_websocket=any(op.websocket for op in tag.operations),
                    plain_calls=plain_calls,
                    uses_event_stream=any(
                        op.event_stream is not None for op in tag.operations
                    ),
                    **common,
                ),
            )
        )
    for model in api.models:
        path = f"{pkg}/models/{model.module}.py"
        if path in reuse:
            files.append(OutputFile(path, reuse[path]))
            continue
        view = model_view(model, models, api.cyclic_models)
        files.append(
            OutputFile(
                path,
                render(
                    f"models/{'union' if view.union else model.kind}.py.jinja",
                    m=view,
                    **common,
                ),
            )
        )
    files.extend(runtime_files(api, target))
    return files


__all__ = ["Arg", "Import", "ModelView", "OperationView", "code_files"]
