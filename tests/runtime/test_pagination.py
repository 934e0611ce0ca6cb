"""Cursor pagination: path lookup, laziness and the exact page requests (sync and asyncio clients)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import Field

from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint, Pagination, Param
from generator.runtime.exceptions import (
    ApiValueError,
    ResponseValidationError,
    ServiceException,
)
from generator.runtime.models import ApiModel, ApiRootModel
from generator.runtime.pagination import (
    aiterate_pages,
    apaginate,
    get_path,
    iterate_pages,
    page_contents,
    paginate,
)
from generator.runtime.response import ApiResponse
from tests.support.recording_server import RecordingServer


class Task(ApiModel):
    gid: str
    name: str


class NextPage(ApiModel):
    offset: str | None = None
    uri: str | None = None


class TaskPage(ApiModel):
    data: list[Task] | None = None
    next_page: NextPage | None = Field(default=None, alias="next-page")


class Tasks(ApiRootModel[list[Task]]):
    pass


PAGINATION = Pagination(
    cursor_param="offset", next_cursor=("next-page", "offset"), items=("data",)
)
LIST_TASKS = Endpoint(
    "getTasks",
    "GET",
    "/projects/{project_gid}/tasks",
    params=(
        Param("project_gid", "project_gid", "path", required=True),
        Param("limit", "limit", "query"),
        Param("offset", "offset", "query"),
        Param("opt_fields", "opt.fields", "query", explode=False),
    ),
    accept=("application/json",),
    response_types=lambda: {"200": TaskPage},
    pagination=PAGINATION,
)
ARGS: dict[str, Any] = {
    "project_gid": "p 1",
    "limit": 2,
    "offset": None,
    "opt_fields": ["name", "gid"],
}


def _page(first: int, count: int, cursor: str | None) -> dict[str, Any]:
    tasks = [{"gid": str(i), "name": f"task {i}"} for i in range(first, first + count)]
    next_page = {"offset": cursor, "uri": "https://x/y"} if cursor else None
    return {"data": tasks, "next-page": next_page}


def _three_pages(server: RecordingServer) -> None:
    server.enqueue(200, json=_page(0, 2, "c1"))
    server.enqueue(200, json=_page(2, 2, "c 2/é"))
    server.enqueue(200, json=_page(4, 1, None))


def _targets(server: RecordingServer) -> list[str]:
    return [r.target for r in server.requests]


EXPECTED_TARGETS = [
    "/projects/p%201/tasks?limit=2&opt.fields=name,gid",
    "/projects/p%201/tasks?limit=2&offset=c1&opt.fields=name,gid",
    "/projects/p%201/tasks?limit=2&offset=c%202%2F%C3%A9&opt.fields=name,gid",
]


class Configuration(BaseConfiguration):
    default_host = "https://api.invalid"


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


@pytest.fixture
def client(server: RecordingServer) -> Iterator[SyncApiClient]:
    with SyncApiClient(Configuration(host=server.url)) as api_client:
        api_client.sleep = lambda _: None
        yield api_client


# -- path lookup ------------------------------------------------------------------------------------


def test_get_path_by_alias_name_extra_and_dict() -> None:
    page = TaskPage.model_validate(_page(0, 1, "c1") | {"meta": {"total": 9}})
    assert get_path(page, ("next-page", "offset")) == "c1"
    assert get_path(page, ("next_page", "offset")) == "c1"  # Python name as a fallback
    assert get_path(page, ("meta", "total")) == 9  # an extra (unknown) field
    assert get_path({"a": {"b": [1]}}, ("a", "b")) == [1]
    assert get_path({"a": None}, ("a", "b")) is None
    assert get_path({"a": 1}, ("a", "b")) is None
    assert get_path(page, ("missing",)) is None
    assert get_path(Tasks.model_validate([]), ("x",)) is None


def test_page_contents() -> None:
    page = TaskPage.model_validate(_page(0, 2, "c1"))
    items, cursor = page_contents(LIST_TASKS, page, PAGINATION)
    assert [t.gid for t in items] == ["0", "1"] and cursor == "c1"
    assert page_contents(LIST_TASKS, TaskPage(), PAGINATION) == ([], None)
    assert page_contents(
        LIST_TASKS, {"data": [], "next-page": {"offset": ""}}, PAGINATION
    ) == ([], None)
    wrapped = {"data": Tasks.model_validate([{"gid": "1", "name": "a"}])}
    assert page_contents(LIST_TASKS, wrapped, PAGINATION)[0] == [
        Task(gid="1", name="a")
    ]
    numeric = Pagination("offset", ("next",), ("data",))
    assert page_contents(LIST_TASKS, {"data": [1], "next": 20}, numeric) == ([1], 20)
    with pytest.raises(ResponseValidationError, match="getTasks.*expected a list"):
        page_contents(LIST_TASKS, {"data": {"a": 1}}, PAGINATION)


# -- fake calls: laziness and argument passing ------------------------------------------------------


class FakeCalls:
    def __init__(self, pages: list[Any]) -> None:
        self.pages = pages
        self.args: list[dict[str, Any]] = []

    def __call__(self, endpoint: Endpoint, args: Mapping[str, Any]) -> ApiResponse[Any]:
        assert endpoint is LIST_TASKS
        self.args.append(dict(args))
        page = self.pages[len(self.args) - 1]
        if isinstance(page, Exception):
            raise page
        return ApiResponse(200, {}, page, b"")


def test_iterate_pages_is_lazy_and_passes_arguments_through() -> None:
    calls = FakeCalls([_page(0, 2, "c1"), _page(2, 2, "c2"), _page(4, 1, None)])
    items = iterate_pages(calls, LIST_TASKS, {"project_gid": "p", "limit": 2})
    assert calls.args == []  # nothing sent before the first item is asked for
    assert [next(items)["gid"], next(items)["gid"]] == ["0", "1"]
    assert len(calls.args) == 1
    assert [t["gid"] for t in items] == ["2", "3", "4"]
    assert calls.args == [
        {"project_gid": "p", "limit": 2},
        {"project_gid": "p", "limit": 2, "offset": "c1"},
        {"project_gid": "p", "limit": 2, "offset": "c2"},
    ]


def test_explicit_pagination_and_missing_pagination() -> None:
    calls = FakeCalls([{"items": [1, 2], "cursor": None}])
    spec = Pagination("page", ("cursor",), ("items",))
    assert list(iterate_pages(calls, LIST_TASKS, {}, spec)) == [1, 2]
    plain = Endpoint("plain", "GET", "/plain")
    with pytest.raises(ApiValueError, match="plain: the operation does not declare"):
        next(iterate_pages(calls, plain, {}))


def test_aiterate_pages_error_on_a_middle_page() -> None:
    boom = RuntimeError("page 2 failed")
    calls = FakeCalls([_page(0, 2, "c1"), boom, _page(4, 1, None)])

    async def acall(endpoint: Endpoint, args: Mapping[str, Any]) -> ApiResponse[Any]:
        return calls(endpoint, args)

    async def main() -> list[str]:
        seen: list[str] = []
        with pytest.raises(RuntimeError) as info:
            async for task in aiterate_pages(acall, LIST_TASKS, {"limit": 2}):
                seen.append(task["gid"])
        assert info.value is boom
        return seen

    assert asyncio.run(main()) == ["0", "1"]
    assert len(calls.args) == 2


# -- against the recording server --------------------------------------------------------------------


def test_paginate_three_pages(server: RecordingServer, client: SyncApiClient) -> None:
    _three_pages(server)
    tasks = list(paginate(client, LIST_TASKS, ARGS, headers={"X-Trace": "t"}))
    assert [t.gid for t in tasks] == ["0", "1", "2", "3", "4"]
    assert all(isinstance(t, Task) for t in tasks)
    assert _targets(server) == EXPECTED_TARGETS
    assert [r.header("X-Trace") for r in server.requests] == ["t"] * 3


def test_paginate_breaking_early_sends_one_request(
    server: RecordingServer, client: SyncApiClient
) -> None:
    _three_pages(server)
    iterator = paginate(client, LIST_TASKS, ARGS)
    assert server.requests == []
    for task in iterator:
        if task.gid == "1":
            break
    assert _targets(server) == EXPECTED_TARGETS[:1]


def test_paginate_error_on_a_middle_page(
    server: RecordingServer, client: SyncApiClient
) -> None:
    server.enqueue(200, json=_page(0, 2, "c1"))
    server.enqueue(500, json={"detail": "boom"})
    seen: list[str] = []
    with pytest.raises(ServiceException) as info:
        for task in paginate(client, LIST_TASKS, ARGS, retries=0):
            seen.append(task.gid)
    assert seen == ["0", "1"]
    assert info.value.status == 500
    assert _targets(server) == EXPECTED_TARGETS[:2]


def test_apaginate_three_pages_and_laziness(server: RecordingServer) -> None:
    _three_pages(server)
    server.enqueue(200, json=_page(0, 2, "c1"))

    async def main() -> tuple[list[str], list[str]]:
        async with AsyncApiClient(Configuration(host=server.url)) as client:
            every = [t.gid async for t in apaginate(client, LIST_TASKS, ARGS)]
            first: list[str] = []
            async for task in apaginate(client, LIST_TASKS, ARGS, retries=0):
                first.append(task.gid)
                break
            return every, first

    every, first = asyncio.run(main())
    assert every == ["0", "1", "2", "3", "4"] and first == ["0"]
    assert _targets(server) == EXPECTED_TARGETS + EXPECTED_TARGETS[:1]


def test_apaginate_error_on_a_middle_page(server: RecordingServer) -> None:
    server.enqueue(200, json=_page(0, 2, "c1"))
    server.enqueue(200, json={"data": [{"gid": 2}]})  # name missing: invalid page

    async def main() -> list[str]:
        seen: list[str] = []
        async with AsyncApiClient(Configuration(host=server.url)) as client:
            with pytest.raises(ResponseValidationError, match="getTasks"):
                async for task in apaginate(client, LIST_TASKS, ARGS):
                    seen.append(task.gid)
        return seen

    assert asyncio.run(main()) == ["0", "1"]
    assert _targets(server) == EXPECTED_TARGETS[:2]
