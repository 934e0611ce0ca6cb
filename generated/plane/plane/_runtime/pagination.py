"""Cursor pagination: iterate over the items of every page, fetching pages only as they are needed.

An operation with ``x-pagination`` carries ``Endpoint.pagination``: the argument that takes the cursor,
and where the items and the next cursor sit in a page (paths of wire names). A generated
``<method>_iter`` is one line::

    return paginate(self.api_client, _LIST_TASKS, {"project": project, "limit": limit})

Pages are fetched lazily: the next request is made only when the consumer asks for an item past the
current page, so breaking out of the loop early fetches nothing more. Errors propagate from the page
that failed, after the items of the earlier pages have been yielded.
"""

from __future__ import annotations

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

from .configuration import Timeout
from .endpoint import Endpoint, Pagination
from .exceptions import ApiValueError, ResponseValidationError
from .response import ApiResponse

__all__ = [
    "AsyncCall",
    "Call",
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


def _pagination(endpoint: Endpoint, pagination: Pagination | None) -> Pagination:
    chosen = pagination or endpoint.pagination
    if chosen is None:
        raise ApiValueError(
            f"{endpoint.operation_id}: the operation does not declare x-pagination"
        )
    return chosen


def iterate_pages(
    call: Call,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    pagination: Pagination | None = None,
) -> Iterator[Any]:
    """Every item of every page: the first request uses ``args`` as given, each next one the same
    arguments with ``pagination.cursor_param`` set to the previous page's next cursor.

    ``pagination`` defaults to ``endpoint.pagination``.
    """
    spec = _pagination(endpoint, pagination)
    page_args: Mapping[str, Any] = args
    while True:
        response = call(endpoint, page_args)
        items, cursor = page_contents(endpoint, response.data, spec)
        yield from items
        if cursor is None:
            return
        page_args = {**args, spec.cursor_param: cursor}


async def aiterate_pages(
    call: AsyncCall,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    pagination: Pagination | None = None,
) -> AsyncIterator[Any]:
    """The asyncio form of ``iterate_pages`` (``async for item in aiterate_pages(...)``)."""
    spec = _pagination(endpoint, pagination)
    page_args: Mapping[str, Any] = args
    while True:
        response = await call(endpoint, page_args)
        items, cursor = page_contents(endpoint, response.data, spec)
        for item in items:
            yield item
        if cursor is None:
            return
        page_args = {**args, spec.cursor_param: cursor}


class _SyncClient(Protocol):
    def call(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        request_timeout: Timeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
    ) -> ApiResponse[Any]: ...


class _AsyncClient(Protocol):
    async def call(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        request_timeout: Timeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
    ) -> ApiResponse[Any]: ...


def paginate(
    client: _SyncClient,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    *,
    request_timeout: Timeout = None,
    headers: Mapping[str, str] | None = None,
    retries: int | None = None,
) -> Iterator[Any]:
    """Every item of every page of ``endpoint``, fetched with ``client.call`` (a ``SyncApiClient``);
    the options apply to each page request. Nothing is sent before the first item is wanted.
    """

    def call(endpoint: Endpoint, page_args: Mapping[str, Any]) -> ApiResponse[Any]:
        return client.call(
            endpoint,
            page_args,
            request_timeout=request_timeout,
            headers=headers,
            retries=retries,
        )

    return iterate_pages(call, endpoint, args)


def apaginate(
    client: _AsyncClient,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    *,
    request_timeout: Timeout = None,
    headers: Mapping[str, str] | None = None,
    retries: int | None = None,
) -> AsyncIterator[Any]:
    """The asyncio form of ``paginate``, for an ``AsyncApiClient``.

    Use as ``async for item in apaginate(...)``.
    """

    async def call(
        endpoint: Endpoint, page_args: Mapping[str, Any]
    ) -> ApiResponse[Any]:
        return await client.call(
            endpoint,
            page_args,
            request_timeout=request_timeout,
            headers=headers,
            retries=retries,
        )

    return aiterate_pages(call, endpoint, args)
