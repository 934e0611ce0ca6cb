"""Operation metadata: what a generated API method hands to the client.

A generated ``<tag>_api.py`` module holds one module-level ``Endpoint`` per operation; the method body is a
single ``api_client.call(ENDPOINT, {...})``. Nothing here does I/O or formatting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .servers import Server

__all__ = [
    "Body",
    "BodyKind",
    "Endpoint",
    "FormField",
    "Pagination",
    "Param",
    "ParamLocation",
]

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


@dataclass(frozen=True, slots=True)
class Pagination:
    """Cursor pagination: the query parameter taking the cursor, and where the next cursor and the items
    sit in the parsed JSON response (a path of keys)."""

    cursor_param: str
    next_cursor: tuple[str, ...]
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Everything the runtime needs to call one operation.

    ``auth`` lists OpenAPI security alternatives; each is a tuple of scheme names that must all apply, and
    the first alternative whose schemes are all configured is used. ``response_types`` is called lazily
    (once) and maps ``"200"``/``"2XX"``/``"default"`` to the type of the body (``None``: no body).
    ``servers`` are the operation's own servers (URL templates with variables; a plain string is a fixed
    URL), used instead of the configuration's host (see ``servers.operation_host``).
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
