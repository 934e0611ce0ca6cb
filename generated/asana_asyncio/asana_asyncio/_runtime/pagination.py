"""Cursor pagination: iterate over the items of every page, fetching pages only as they are needed.

An operation with ``x-pagination`` carries ``Endpoint.pagination``: the argument that takes the cursor,
and where the items and the next cursor sit in a page (paths of wire names). A generated
``<method>_iter`` is one line::

    return paginate(self.api_client, _LIST_TASKS, {"project": project, "limit": limit})

Pages are fetched lazily: the next request is made only when the consumer asks for an item past the
current page, so breaking out of the loop early fetches nothing more. Errors propagate from the page
that failed, after the items of the earlier pages have been yielded.

A server cannot keep an iteration going forever (``PageGuard``): a next cursor that was already used
(the server is handing out the same pages again) or a page past ``max_pages`` raises ``PaginationError``.
"""

from __future__ import annotations

import functools
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any, Protocol

import pydantic
from typing_extensions import Unpack

from .configuration import BaseConfiguration
from .core import CallOptions
from .endpoint import Endpoint, Pagination
from .exceptions import ApiValueError, PaginationError, ResponseValidationError
from .limits import DEFAULT_MAX_PAGES
from .response import ApiResponse

__all__ = [
    "AsyncCall",
    "Call",
    "PageGuard",
    "Pager",
    "aiterate_pages",
    "apaginate",
    "get_path",
    "iterate_pages",
    "page_contents",
    "paginate",
]

Call = Callable[[Endpoint, Mapping[str, Any]], ApiResponse[Any]]
"""Sends one page request: ``client.call`` with the per-call options bound."""
AsyncCall = Callable[[Endpoint, Mapping[str, Any]], Awaitable[ApiResponse[Any]]]
"""The asyncio form of ``Call``."""


class _Client(Protocol):
    """A ``SyncApiClient`` or an ``AsyncApiClient`` (neither transport is imported here)."""

    configuration: BaseConfiguration

    @property
    def call(self) -> Callable[..., Any]: ...


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


def _field(obj: pydantic.BaseModel, key: str) -> Any:
    """A model's value for a wire name (alias), else for a Python field name or an extra key."""
    fields = type(obj).model_fields
    for name, info in fields.items():
        if key in (info.alias, info.validation_alias):
            return getattr(obj, name)
    if key in fields:
        return getattr(obj, key)
    return (obj.model_extra or {}).get(key, _MISSING)


def get_path(data: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` in a parsed response: each key is looked up by wire name in a pydantic model
    (root models are unwrapped) or as a mapping key. None when a step is missing or null.
    """
    value = data
    for key in path:
        if isinstance(value, pydantic.RootModel):
            value = value.root
        if isinstance(value, pydantic.BaseModel):
            value = _field(value, key)
        elif isinstance(value, Mapping):
            value = value.get(key, _MISSING)
        else:
            return None
        if value is None or value is _MISSING:
            return None
    return value


def page_contents(
    endpoint: Endpoint, data: Any, pagination: Pagination
) -> tuple[list[Any], Any]:
    """The items of one page and the cursor for the next (None: this was the last page).

    A missing or null items list is an empty page; an empty-string cursor ends the iteration like a
    null one. Items that are not a list raise ``ResponseValidationError``.
    """
    items = get_path(data, pagination.items)
    if isinstance(items, pydantic.RootModel):
        items = items.root
    if items is None:
        items = []
    elif not isinstance(items, (list, tuple)):
        raise ResponseValidationError(
            endpoint.operation_id,
            ".".join(pagination.items),
            f"expected a list of items, got {type(items).__name__}",
        )
    cursor = get_path(data, pagination.next_cursor)
    return list(items), (None if cursor == "" else cursor)


class PageGuard:
    """Counts the pages of one iteration and remembers the cursors used, so that a server repeating a
    cursor, or never ending, stops the iteration (``PaginationError``) instead of running it forever.
    """

    __slots__ = ("endpoint", "max_pages", "pages", "seen")

    def __init__(
        self, endpoint: Endpoint, max_pages: int | None, first_cursor: Any = None
    ) -> None:
        self.endpoint = endpoint
        self.max_pages = max_pages
        self.pages = 0
        self.seen: set[Any] = set()
        if first_cursor is not None:
            self.seen.add(_cursor_key(first_cursor))

    def next_page(self, cursor: Any) -> None:
        """Record a page received whose next cursor is ``cursor`` (not None); raise ``PaginationError``
        when requesting that page is not allowed."""
        self.pages += 1
        key = _cursor_key(cursor)
        if key in self.seen:
            text = repr(cursor)
            raise PaginationError(
                self.endpoint.operation_id,
                f"the server repeated the next-page cursor {text[:100]} after {self.pages} "
                "page(s): iterating on would request the same pages again",
                pages=self.pages,
            )
        if self.max_pages is not None and self.pages >= self.max_pages:
            raise PaginationError(
                self.endpoint.operation_id,
                f"stopped after {self.pages} pages (max_pages); the server still had a next "
                "cursor",
                pages=self.pages,
            )
        self.seen.add(key)


def _cursor_key(cursor: Any) -> Any:
    """A hashable stand-in for a cursor (a cursor object that is not hashable compares by its repr)."""
    try:
        hash(cursor)
    except TypeError:
        return ("unhashable", repr(cursor))
    return cursor


class Pager:
    """One iteration's cursor logic, with no I/O: the arguments of each page request (``next_args``)
    and the items of each page received (``items``). The sync and asyncio loops only send.
    """

    __slots__ = ("args", "cursor", "endpoint", "guard", "spec", "started")

    def __init__(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        pagination: Pagination | None = None,
        max_pages: int | None = DEFAULT_MAX_PAGES,
    ) -> None:
        spec = pagination or endpoint.pagination
        if spec is None:
            raise ApiValueError(
                f"{endpoint.operation_id}: the operation does not declare x-pagination"
            )
        self.endpoint = endpoint
        self.spec = spec
        self.args = args
        self.guard = PageGuard(endpoint, max_pages, args.get(spec.cursor_param))
        self.cursor: Any = None
        self.started = False

    def next_args(self) -> Mapping[str, Any] | None:
        """The arguments of the next page request, None when the last page was received. Raises
        ``PaginationError`` when the server's next cursor must not be followed (``PageGuard``).
        """
        if not self.started:
            self.started = True
            return self.args
        if self.cursor is None:
            return None
        self.guard.next_page(self.cursor)
        return {**self.args, self.spec.cursor_param: self.cursor}

    def items(self, data: Any) -> list[Any]:
        """The items of a page (its parsed response); remembers its next cursor."""
        items, self.cursor = page_contents(self.endpoint, data, self.spec)
        return items


def iterate_pages(
    call: Call,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    pagination: Pagination | None = None,
    *,
    max_pages: int | None = DEFAULT_MAX_PAGES,
) -> Iterator[Any]:
    """Every item of every page: the first request uses ``args`` as given, each next one the same
    arguments with ``pagination.cursor_param`` set to the previous page's next cursor.

    ``pagination`` defaults to ``endpoint.pagination``. ``PaginationError`` ends the iteration when a
    cursor repeats or more than ``max_pages`` pages (None: no limit) would be requested.
    """
    pager = Pager(endpoint, args, pagination, max_pages)
    while (page_args := pager.next_args()) is not None:
        yield from pager.items(call(endpoint, page_args).data)


async def aiterate_pages(
    call: AsyncCall,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    pagination: Pagination | None = None,
    *,
    max_pages: int | None = DEFAULT_MAX_PAGES,
) -> AsyncIterator[Any]:
    """The asyncio form of ``iterate_pages`` (``async for item in aiterate_pages(...)``)."""
    pager = Pager(endpoint, args, pagination, max_pages)
    while (page_args := pager.next_args()) is not None:
        for item in pager.items((await call(endpoint, page_args)).data):
            yield item


def paginate(
    client: _Client,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    *,
    max_pages: int | None = None,
    **options: Unpack[CallOptions],
) -> Iterator[Any]:
    """Every item of every page of ``endpoint``, fetched with ``client.call``; the options apply to each
    page request. Nothing is sent before the first item is wanted. ``max_pages`` defaults to the
    client's ``configuration.max_pages``.
    """
    limit = max_pages if max_pages is not None else client.configuration.max_pages
    call = functools.partial(client.call, **options)
    return iterate_pages(call, endpoint, args, max_pages=limit)


def apaginate(
    client: _Client,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    *,
    max_pages: int | None = None,
    **options: Unpack[CallOptions],
) -> AsyncIterator[Any]:
    """The asyncio form of ``paginate``, for an ``AsyncApiClient``: ``async for item in
    apaginate(...)``."""
    limit = max_pages if max_pages is not None else client.configuration.max_pages
    acall = functools.partial(client.call, **options)
    return aiterate_pages(acall, endpoint, args, max_pages=limit)
