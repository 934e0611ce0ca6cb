"""Operation metadata: what a generated API method hands to the client.

A generated ``<tag>_api.py`` module holds one module-level ``Endpoint`` per operation; the method body is a
single ``api_client.call(ENDPOINT, {...})``. Nothing here does I/O or formatting.

What the runtime derives from an endpoint and needs on every call (``Endpoint.layout``: the path template
split into text and parameters, the parameters by location; ``Endpoint.response_type``: the declared type
of each status; ``Endpoint.decoder``: the function decoding a body of each status) is computed on first
use and kept on the endpoint itself, which lives as long as its module: no cache elsewhere holds
endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from .servers import Server

__all__ = [
    "NOT_DECLARED",
    "Body",
    "BodyKind",
    "Endpoint",
    "FormField",
    "Pagination",
    "Param",
    "ParamLocation",
    "RequestLayout",
    "UnknownName",
]

D = TypeVar("D")

ParamLocation = Literal["path", "query", "header", "cookie"]
BodyKind = Literal["json", "form", "multipart", "text", "binary"]


@dataclass(frozen=True, slots=True)
class Param:
    """One path, query, header or cookie parameter.

    ``name`` is the Python argument name, ``wire_name`` the name sent to the server. ``style`` defaults to
    ``simple`` for path/header and ``form`` for query/cookie; ``explode`` defaults to True for ``form`` and
    False otherwise. ``content_type`` is set for parameters declared with ``content`` (value sent as JSON).
    """

    name: str
    wire_name: str
    location: ParamLocation
    required: bool = False
    style: str | None = None
    explode: bool | None = None
    allow_reserved: bool = False
    content_type: str | None = None

    @property
    def effective_style(self) -> str:
        """The style to serialise with, after applying the OpenAPI default for the location."""
        if self.style is not None:
            return self.style
        return "simple" if self.location in ("path", "header") else "form"

    @property
    def effective_explode(self) -> bool:
        """Whether to explode arrays/objects, after applying the OpenAPI default for the style."""
        if self.explode is not None:
            return self.explode
        return self.effective_style == "form"


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of a form or multipart body; each field is its own method argument.

    ``content_type`` is the per-part encoding; ``is_json`` sends an object as a JSON part.
    """

    name: str
    wire_name: str
    is_file: bool = False
    content_type: str | None = None
    is_json: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """The request body: ``param`` names the argument holding the whole body (json/text/binary);
    ``fields`` lists the form/multipart fields."""

    kind: BodyKind
    content_type: str
    param: str | None = None
    fields: tuple[FormField, ...] = ()
    required: bool = False
    exact_numbers: bool = False  # may hold a `type: number` decimal (see `decimals`)


@dataclass(frozen=True, slots=True)
class Pagination:
    """Cursor pagination: the query parameter taking the cursor, and where the next cursor and the items
    sit in the parsed JSON response (a path of keys)."""

    cursor_param: str
    next_cursor: tuple[str, ...]
    items: tuple[str, ...]


class _NotDeclared:
    def __repr__(self) -> str:
        return "NOT_DECLARED"


NOT_DECLARED: Any = _NotDeclared()
"""What ``Endpoint.response_type`` returns for a status the operation declares nothing for."""

_TEMPLATE_VAR = re.compile(r"\{([^{}]+)\}")


class UnknownName(str):
    """A ``{name}`` in the path template that no path parameter declares (reported when called)."""


class RequestLayout:
    """What building a request needs from an endpoint that never changes between calls: the method,
    the Accept header, the required arguments, the parameters by location, and the path template
    split into literal text and parameters (``("/assets/", Param(...))``), each with whether it is a
    parameter of the default ``simple`` style (plain values then need no encoding), and the headers
    last made from the client's header layer (``standard_headers``). ``required`` names the required
    parameters, then the body's argument when the body is required."""

    __slots__ = (
        "accept",
        "cookie_params",
        "header_params",
        "method",
        "path_segments",
        "query_params",
        "required",
        "standard_headers",
    )

    def __init__(self, endpoint: Endpoint) -> None:
        params = endpoint.params
        self.method = endpoint.method.upper()
        self.accept = ", ".join(endpoint.accept) if endpoint.accept else None
        body = endpoint.body
        self.required = tuple(p.name for p in params if p.required) + (
            (body.param,)
            if body is not None and body.required and body.param is not None
            else ()
        )
        self.query_params = tuple(p for p in params if p.location == "query")
        self.header_params = tuple(p for p in params if p.location == "header")
        self.cookie_params = tuple(p for p in params if p.location == "cookie")
        by_wire = {p.wire_name: p for p in params if p.location == "path"}
        segments: list[str | Param] = []
        position = 0
        for match in _TEMPLATE_VAR.finditer(endpoint.path):
            segments.append(endpoint.path[position : match.start()])
            param = by_wire.get(match.group(1))
            segments.append(param if param is not None else UnknownName(match.group(0)))
            position = match.end()
        segments.append(endpoint.path[position:])
        self.path_segments: tuple[tuple[str | Param, bool], ...] = tuple(
            (s, isinstance(s, Param) and (s.style is None or s.style == "simple"))
            for s in segments
            if s != ""
        )
        self.standard_headers: list[tuple[dict[str, str], dict[str, str]] | None] = [
            None,
            None,
        ]
        """For a request without a body ([0]) and with one ([1]): the last header layer a call
        passed (a copy) and the headers it made, checked (``request.build_request``)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Everything the runtime needs to call one operation.

    ``auth`` lists OpenAPI security alternatives; each is a tuple of scheme names that must all apply, and
    the first alternative whose schemes are all configured is used. ``response_types`` is called lazily
    (once) and maps ``"200"``/``"2XX"``/``"default"`` to the type of the body (``None``: no body).
    ``servers`` are the operation's own servers (URL templates with variables; a plain string is a fixed
    URL), used instead of the configuration's host (see ``servers.operation_host``). ``exact_decimals``:
    JSON responses are parsed with every non-integer number as an exact ``Decimal`` (``decimals``).
    """

    operation_id: str
    method: str
    path: str
    params: tuple[Param, ...] = ()
    body: Body | None = None
    accept: tuple[str, ...] = ()
    auth: tuple[tuple[str, ...], ...] = ()
    response_types: Callable[[], Mapping[str, Any]] | None = None
    servers: tuple[Server | str, ...] = ()
    websocket: bool = False
    pagination: Pagination | None = None
    idempotency_header: str | None = None
    """The header that carries this operation's idempotency key (see ``idempotency``), or None."""
    exact_decimals: bool = (
        False  # a declared response type holds a Decimal (see `decimals`)
    )
    # Derived on first use (see the module docstring); not part of the endpoint's value.
    _layout: RequestLayout | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _types: tuple[Mapping[str, Any], dict[int, Any], dict[int, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def layout(self) -> RequestLayout:
        """The endpoint's ``RequestLayout``, made on first use."""
        layout = self._layout
        if layout is None:
            layout = RequestLayout(self)
            object.__setattr__(self, "_layout", layout)
        return layout

    def response_type(self, status: int) -> Any:
        """The type declared for ``status``: the exact code, then its ``"2XX"``-style range, then
        ``"default"``; ``NOT_DECLARED`` when none applies. ``response_types`` is called once.
        """
        declared, by_status, _ = self._types or self._declared()
        try:
            return by_status[status]
        except KeyError:
            pass
        found = NOT_DECLARED
        for name in (
            str(status),
            f"{status // 100}XX",
            f"{status // 100}xx",
            "default",
        ):
            if name in declared:
                found = declared[name]
                break
        by_status[status] = found
        return found

    def decoder(self, status: int, make: Callable[[Endpoint, int], D]) -> D:
        """The decoder of a ``status`` body (``response.decoder``): ``make(self, status)``, called once
        per status."""
        decoders = (self._types or self._declared())[2]
        try:
            found: D = decoders[status]
        except KeyError:
            found = decoders[status] = make(self, status)
        return found

    def _declared(
        self,
    ) -> tuple[Mapping[str, Any], dict[int, Any], dict[int, Any]]:
        """``response_types()``, called once, with the type and the decoder found for each status."""
        types = self._types
        if types is None:
            declared = self.response_types() if self.response_types is not None else {}
            types = (declared, {}, {})
            object.__setattr__(self, "_types", types)
        return types
