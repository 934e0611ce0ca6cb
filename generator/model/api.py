"""The API half of the intermediate model: operations, parameters, bodies, responses, security."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..errors import Problem
from .types import NO_EXAMPLE, Example, Model, SchemaType

ParamLocation = Literal["path", "query", "header", "cookie"]
BodyKind = Literal["json", "form", "multipart", "text", "binary"]


@dataclass(frozen=True, slots=True)
class Parameter:
    """A path/query/header/cookie parameter, or one field of a form/multipart body (``location="form"``)."""

    py_name: str
    wire_name: str
    location: ParamLocation | Literal["form", "body"]
    type: SchemaType
    required: bool
    description: str = ""
    style: str | None = None
    explode: bool | None = None
    allow_reserved: bool = False
    content_type: str | None = None
    example: Example = NO_EXAMPLE
    default: Example = NO_EXAMPLE
    deprecated: bool = False
    is_file: bool = False
    enum_values: tuple[str | int | float | bool, ...] = ()

    @property
    def annotation(self) -> str:
        return self.type.annotation

    @property
    def is_optional(self) -> bool:
        return not self.required

    @property
    def custom_style(self) -> str | None:
        """The style when it is not the location's default (simple for path/header, form otherwise)."""
        default = "simple" if self.location in ("path", "header") else "form"
        return self.style if self.style and self.style != default else None

    @property
    def custom_explode(self) -> bool | None:
        """``explode`` when it is not the default for the style (true for form, false otherwise)."""
        default = (
            (self.style or "form") == "form"
            if self.location not in ("path", "header")
            else False
        )
        if self.style:
            default = self.style == "form"
        return (
            self.explode
            if self.explode is not None and self.explode != default
            else None
        )


@dataclass(frozen=True, slots=True)
class RequestBody:
    """The request body, as sent: one content type chosen (the first the runtime can encode)."""

    kind: BodyKind
    content_type: str
    content_types: tuple[str, ...]  # every declared content type, for the docs
    required: bool
    description: str = ""
    param: Parameter | None = (
        None  # json/text/binary: the one argument holding the body
    )
    fields: tuple[Parameter, ...] = ()  # form/multipart: each field is its own argument
    example: Example = NO_EXAMPLE


@dataclass(frozen=True, slots=True)
class ResponseHeader:
    name: str
    description: str
    type: SchemaType


@dataclass(frozen=True, slots=True)
class Response:
    status: str  # "200", "2XX" or "default"
    description: str
    content_types: tuple[str, ...]
    type: SchemaType | None  # None: no body
    headers: tuple[ResponseHeader, ...] = ()
    example: Example = NO_EXAMPLE

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    name: str
    kind: Literal["api_key", "bearer", "basic", "oauth2", "openid", "signature"]
    location: Literal["header", "query", "cookie"] = "header"
    param_name: str = "Authorization"
    description: str = ""
    bearer_format: str | None = None
    scopes: tuple[tuple[str, str], ...] = ()
    flows: tuple[tuple[str, str, str], ...] = ()  # (flow, authorizationUrl, tokenUrl)
    refresh_url: str | None = (
        None  # authorizationCode/password: refreshUrl, else tokenUrl
    )

    @property
    def token_url(self) -> str | None:
        """The ``tokenUrl`` of a ``clientCredentials`` flow (the client fetches those tokens)."""
        for flow, _authorization_url, token_url in self.flows:
            if flow == "clientCredentials" and token_url:
                return token_url
        return None


@dataclass(frozen=True, slots=True)
class Pagination:
    """Which parameter carries the cursor, and where the next cursor and the items are in a page."""

    cursor_param: str  # the Python name of the cursor parameter
    next_cursor: tuple[str, ...]
    items: tuple[str, ...]
    item_type: SchemaType | None = None


@dataclass(frozen=True, slots=True)
class EventStream:
    """A success response of type ``text/event-stream``: the method returns a stream of events, each
    event's data of type ``item_type`` (``itemSchema``, else the response's schema; None: JSON, or the
    text when it is not JSON). ``sentinel``: the data value that ends the stream (``x-sse-sentinel``).
    """

    item_type: SchemaType | None
    sentinel: str | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method_name: str
    http_method: str  # upper case
    path: str
    pointer: str
    summary: str
    description: str
    args: tuple[Parameter, ...]  # the method signature, required first
    params: tuple[Parameter, ...]  # path/query/header/cookie, spec order
    body: RequestBody | None
    responses: tuple[Response, ...]  # spec order
    security: tuple[tuple[str, ...], ...]  # alternatives of scheme names
    security_scopes: tuple[str, ...] = ()
    deprecated: bool = False
    websocket: bool = False
    pagination: Pagination | None = None
    servers: tuple[Server, ...] = ()
    doc_title: str = ""
    idempotency_header: str | None = (
        None  # the header carrying a generated idempotency key
    )
    event_stream: EventStream | None = None  # a text/event-stream success response

    @property
    def success(self) -> Response | None:
        """The response whose type the method returns: the first 2xx (exact codes before ranges)."""
        exact = [r for r in self.responses if r.is_success and r.status.isdigit()]
        ranged = [r for r in self.responses if r.status.upper() == "2XX"]
        candidates = sorted(exact, key=lambda r: r.status) + ranged
        return candidates[0] if candidates else None

    @property
    def return_type(self) -> SchemaType | None:
        success = self.success
        return success.type if success else None

    @property
    def accept(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(ct for r in self.responses for ct in r.content_types)
        )

    @property
    def required_args(self) -> tuple[Parameter, ...]:
        return tuple(a for a in self.args if a.required)


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    class_name: str  # AssetsApi
    module: str  # assets_api
    description: str
    operations: tuple[Operation, ...]  # sorted by method name


@dataclass(frozen=True, slots=True)
class Server:
    url: str  # with every variable at its default
    description: str = ""
    variables: tuple[
        tuple[str, str, tuple[str, ...]], ...
    ] = ()  # (name, default, enum)
    template: str = ""  # the URL as written, with its {variables}
    variable_descriptions: tuple[str, ...] = ()  # one per variable

    @property
    def url_template(self) -> str:
        return self.template or self.url


@dataclass(frozen=True, slots=True)
class Api:
    title: str
    version: str
    description: str
    source: str  # the spec's path as given, for generated file headers
    servers: tuple[Server, ...]
    security_schemes: tuple[SecurityScheme, ...]
    tags: tuple[Tag, ...]
    models: tuple[Model, ...]  # sorted by class name
    cyclic_models: frozenset[str] = frozenset()
    warnings: tuple[Problem, ...] = field(default=())
    # Filled on first use by `model()`: a lookup table, not part of the model's value.
    _models_by_name: dict[str, Model] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def host(self) -> str:
        return self.servers[0].url if self.servers else "http://localhost"

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for tag in self.tags for op in tag.operations)

    @property
    def has_websocket(self) -> bool:
        return any(op.websocket for op in self.operations)

    @property
    def has_event_stream(self) -> bool:
        """Whether an operation streams server-sent events (the package gets ``_runtime/sse*.py``)."""
        return any(op.event_stream is not None for op in self.operations)

    @property
    def has_signature_auth(self) -> bool:
        """Whether a security scheme signs requests (HTTP signatures: the package gets ``signing``)."""
        return any(s.kind == "signature" for s in self.security_schemes)

    def model(self, name: str) -> Model:
        if not self._models_by_name:
            self._models_by_name.update((m.name, m) for m in self.models)
        return self._models_by_name[name]

    def has_model(self, name: str) -> bool:
        try:
            self.model(name)
        except KeyError:
            return False
        return True
