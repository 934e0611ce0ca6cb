"""Runaway pagination: a server that repeats a cursor it already returned, or that never stops handing
out new ones, ends the iteration with ``PaginationError`` instead of requesting pages forever.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from typing import Any

import pytest

from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import DEFAULT_MAX_PAGES, BaseConfiguration
from generator.runtime.endpoint import Endpoint, Pagination, Param
from generator.runtime.exceptions import OpenApiException, PaginationError
from generator.runtime.models import ApiModel
from generator.runtime.pagination import aiterate_pages, iterate_pages
from generator.runtime.response import ApiResponse
from tests.support.recording_server import RecordingServer


class NextPage(ApiModel):
    offset: str | None = None


class Page(ApiModel):
    data: list[int] | None = None
    next_page: NextPage | None = None


LIST = Endpoint(
    "listThings",
    "GET",
    "/things",
    params=(Param("offset", "offset", "query"),),
    response_types=lambda: {"200": Page},
    pagination=Pagination("offset", ("next_page", "offset"), ("data",)),
)


def _pages(cursors: list[str | None], items: int = 1) -> list[Page]:
    return [
        Page(
            data=list(range(items)),
            next_page=NextPage(offset=c) if c is not None else None,
        )
        for c in cursors
    ]


class FakeCall:
    """Answers page requests from a list (or forever from a generator) and records the cursors."""

    def __init__(self, pages: Any) -> None:
        self.pages = iter(pages)
        self.cursors: list[Any] = []

    def __call__(self, endpoint: Endpoint, args: Mapping[str, Any]) -> ApiResponse[Any]:
        self.cursors.append(args.get("offset"))
        return ApiResponse(200, {}, next(self.pages), b"")


def test_a_repeated_cursor_stops_the_iteration() -> None:
    call = FakeCall(_pages(["a", "b", "a", "c", None]))
    items = []
    with pytest.raises(PaginationError, match="repeated") as info:
        for item in iterate_pages(call, LIST, {}):
            items.append(item)
    assert call.cursors == [
        None,
        "a",
        "b",
    ]  # the page after "b" repeats "a": not requested again
    assert len(items) == 3  # the items of the pages received are still delivered
    assert info.value.operation_id == "listThings" and info.value.pages == 3
    assert isinstance(info.value, OpenApiException)


def test_the_cursor_a_caller_starts_from_counts_as_seen() -> None:
    call = FakeCall(_pages(["start"]))
    with pytest.raises(PaginationError, match="repeated"):
        list(iterate_pages(call, LIST, {"offset": "start"}))
    assert call.cursors == ["start"]


def test_empty_pages_with_ever_new_cursors_end_at_max_pages() -> None:
    endless = (
        Page(data=[], next_page=NextPage(offset=str(n))) for n in itertools.count()
    )
    call = FakeCall(endless)
    with pytest.raises(PaginationError, match="50 pages") as info:
        list(iterate_pages(call, LIST, {}, max_pages=50))
    assert len(call.cursors) == 50 and info.value.pages == 50


def test_max_pages_allows_exactly_that_many_pages() -> None:
    call = FakeCall(_pages(["a", "b", None]))
    assert list(iterate_pages(call, LIST, {}, max_pages=3)) == [0, 0, 0]
    assert DEFAULT_MAX_PAGES >= 10_000
    assert BaseConfiguration().max_pages == DEFAULT_MAX_PAGES


def test_asyncio_iteration_has_the_same_guards() -> None:
    async def run(pages: Any, **kwargs: Any) -> list[Any]:
        fake = FakeCall(pages)

        async def call(endpoint: Endpoint, args: Mapping[str, Any]) -> ApiResponse[Any]:
            return fake(endpoint, args)

        return [item async for item in aiterate_pages(call, LIST, {}, **kwargs)]

    with pytest.raises(PaginationError, match="repeated"):
        asyncio.run(run(_pages(["a", "a"])))
    endless = (
        Page(data=[], next_page=NextPage(offset=str(n))) for n in itertools.count()
    )
    with pytest.raises(PaginationError, match="7 pages"):
        asyncio.run(run(endless, max_pages=7))


def _serve_repeating(server: RecordingServer, pages: int) -> None:
    for _ in range(pages):
        server.enqueue(200, json={"data": [1], "next_page": {"offset": "same"}})


def test_clients_take_max_pages_from_the_configuration_and_per_call() -> None:
    with RecordingServer() as server:
        for n in range(3):
            server.enqueue(200, json={"data": [n], "next_page": {"offset": f"c{n}"}})
        cfg = BaseConfiguration(host=server.url, max_pages=3)
        with SyncApiClient(cfg) as client:
            from generator.runtime.pagination import paginate

            with pytest.raises(PaginationError, match="3 pages"):
                list(paginate(client, LIST, {}))
            assert len(server.requests) == 3
            server.requests.clear()
            with pytest.raises(PaginationError, match="repeated"):
                _serve_repeating(server, 2)
                list(paginate(client, LIST, {}, max_pages=100))
            assert len(server.requests) == 2

        async def main() -> None:
            from generator.runtime.pagination import apaginate

            async with AsyncApiClient(cfg) as aclient:
                for n in range(2):
                    server.enqueue(
                        200, json={"data": [n], "next_page": {"offset": f"d{n}"}}
                    )
                got = []
                with pytest.raises(PaginationError, match="2 pages"):
                    async for item in apaginate(aclient, LIST, {}, max_pages=2):
                        got.append(item)
                assert got == [0, 1]

        server.requests.clear()
        asyncio.run(main())
        assert len(server.requests) == 2
