"""``<op>_iter()`` of generated packages against the loopback recording server: the committed asyncio Asana
client (``async for``), the same spec generated as a sync client, and our own spec with a nested integer
cursor. Checks the exact requests, laziness and errors on a middle page."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.support.recording_server import RecordingServer

from .conftest import TOKEN

OPT_FIELDS = ["name", "resource_subtype", "parent.name"]
EXPECTED_FIRST = [  # in the spec's parameter order
    ("limit", "2"),
    ("parent", "159874"),
    ("opt_fields", "name,resource_subtype,parent.name"),
]


def page(names: list[str], offset: str | None) -> dict[str, Any]:
    """One Asana page: compact attachments, and next_page (null on the last page)."""
    next_page = (
        None
        if offset is None
        else {
            "offset": offset,
            "path": f"/attachments?parent=159874&limit=2&offset={offset}",
            "uri": f"https://app.asana.com/api/1.0/attachments?offset={offset}",
        }
    )
    return {
        "data": [
            {"gid": n, "resource_type": "attachment", "name": f"{n}.png"} for n in names
        ],
        "next_page": next_page,
    }


def serve_pages(server: RecordingServer) -> None:
    """Four pages (the last one short), cursors tok-1..tok-3, then null."""
    server.enqueue(200, json=page(["a1", "a2"], "tok-1"))
    server.enqueue(200, json=page(["a3", "a4"], "tok-2"))
    server.enqueue(200, json=page(["a5", "a6"], "tok-3"))
    server.enqueue(200, json=page(["a7"], None))


def assert_page_requests(server: RecordingServer, pages: int) -> None:
    """Exactly ``pages`` requests; the first without offset, each next one with the previous cursor and
    every other argument unchanged."""
    assert len(server.requests) == pages
    for number, request in enumerate(server.requests):
        assert request.method == "GET"
        assert request.path == "/attachments"
        expected = list(EXPECTED_FIRST)
        if number:
            expected.insert(1, ("offset", f"tok-{number}"))
        assert request.query_params == expected, number
        assert request.header("Authorization") == f"Bearer {TOKEN}"
        assert request.header("X-Trace") == "t-1"


# -- asyncio: the committed asana_asyncio package ---------------------------------------------------------


def run_async(server: RecordingServer, body: Any, **config: Any) -> Any:
    import asana_asyncio

    async def main() -> Any:
        configuration = asana_asyncio.Configuration(
            host=server.url, access_token=TOKEN, **config
        )
        async with asana_asyncio.ApiClient(configuration) as client:
            return await body(asana_asyncio.AttachmentsApi(client))

    return asyncio.run(main())


def _aiter(api: Any) -> Any:
    return api.get_attachments_for_object_iter(
        "159874", limit=2, opt_fields=OPT_FIELDS, _headers={"X-Trace": "t-1"}
    )


def test_async_iter_yields_every_item_of_every_page(server: RecordingServer) -> None:
    import asana_asyncio

    serve_pages(server)

    async def body(api: Any) -> list[Any]:
        return [item async for item in _aiter(api)]

    items = run_async(server, body)
    assert [i.gid for i in items] == ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]
    assert all(type(i) is asana_asyncio.AttachmentCompact for i in items)
    assert_page_requests(server, 4)


def test_async_iter_is_lazy(server: RecordingServer) -> None:
    serve_pages(server)
    seen: list[int] = []

    async def body(api: Any) -> list[str]:
        iterator = _aiter(api)
        assert len(server.requests) == 0  # creating the iterator sends nothing
        out = []
        async for item in iterator:
            seen.append(len(server.requests))
            out.append(item.gid)
            if item.gid == "a3":
                break
        return out

    assert run_async(server, body) == ["a1", "a2", "a3"]
    assert seen == [1, 1, 2]  # the second page was fetched only when a3 was wanted
    assert_page_requests(server, 2)


def test_async_iter_error_on_a_middle_page(server: RecordingServer) -> None:
    from asana_asyncio.exceptions import NotFoundException

    server.enqueue(200, json=page(["a1", "a2"], "tok-1"))
    server.enqueue(404, json={"errors": [{"message": "parent not found"}]})
    got: list[str] = []

    async def body(api: Any) -> None:
        async for item in _aiter(api):
            got.append(item.gid)

    with pytest.raises(NotFoundException) as caught:
        run_async(server, body)
    assert got == ["a1", "a2"]  # the first page's items were delivered before the error
    assert caught.value.status == 404
    assert_page_requests(server, 2)


def test_async_iter_retries_a_failing_middle_page(server: RecordingServer) -> None:
    """Each page request is an ordinary GET: a 503 on page 2 is retried, then iteration goes on."""
    server.enqueue(200, json=page(["a1", "a2"], "tok-1"))
    server.enqueue(503, json={"errors": [{"message": "busy"}]})
    server.enqueue(200, json=page(["a3"], None))

    async def body(api: Any) -> list[str]:
        return [i.gid async for i in _aiter(api)]

    assert run_async(server, body, backoff_initial=0.001, backoff_max=0.002) == [
        "a1",
        "a2",
        "a3",
    ]
    assert [r.query_params for r in server.requests][1:] == [
        EXPECTED_FIRST[:1] + [("offset", "tok-1")] + EXPECTED_FIRST[1:]
    ] * 2


def test_async_iter_starting_offset_and_empty_result(server: RecordingServer) -> None:
    server.enqueue(200, json={"data": [], "next_page": None})

    async def body(api: Any) -> list[Any]:
        return [
            i
            async for i in api.get_attachments_for_object_iter("159874", offset="tok-9")
        ]

    assert run_async(server, body) == []
    (request,) = server.requests
    assert request.query_params == [("offset", "tok-9"), ("parent", "159874")]


# -- sync: the same spec generated with --library sync ----------------------------------------------------


def _sync_iter(asana_sync: Any, server: RecordingServer) -> tuple[Any, Any]:
    configuration = asana_sync.Configuration(host=server.url, access_token=TOKEN)
    client = asana_sync.ApiClient(configuration)
    api = asana_sync.AttachmentsApi(client)
    iterator = api.get_attachments_for_object_iter(
        "159874", limit=2, opt_fields=OPT_FIELDS, _headers={"X-Trace": "t-1"}
    )
    return client, iterator


def test_sync_iter_yields_every_item_of_every_page(
    server: RecordingServer, asana_sync: Any
) -> None:
    serve_pages(server)
    client, iterator = _sync_iter(asana_sync, server)
    with client:
        items = list(iterator)
    assert [i.gid for i in items] == ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]
    assert all(type(i) is asana_sync.AttachmentCompact for i in items)
    assert_page_requests(server, 4)


def test_sync_iter_is_lazy(server: RecordingServer, asana_sync: Any) -> None:
    serve_pages(server)
    client, iterator = _sync_iter(asana_sync, server)
    with client:
        assert len(server.requests) == 0
        assert [next(iterator).gid for _ in range(2)] == ["a1", "a2"]
        assert (
            len(server.requests) == 1
        )  # a full page consumed: no request for the next one yet
        assert next(iterator).gid == "a3"
        assert len(server.requests) == 2
        for item in iterator:
            if item.gid == "a4":
                break
    assert_page_requests(server, 2)


def test_sync_iter_error_on_a_middle_page(
    server: RecordingServer, asana_sync: Any
) -> None:
    from asana_sync.exceptions import ForbiddenException

    server.enqueue(200, json=page(["a1", "a2"], "tok-1"))
    server.enqueue(200, json=page(["a3", "a4"], "tok-2"))
    server.enqueue(403, json={"errors": [{"message": "no access"}]})
    client, iterator = _sync_iter(asana_sync, server)
    got = []
    with client, pytest.raises(ForbiddenException):
        for item in iterator:
            got.append(item.gid)
    assert got == ["a1", "a2", "a3", "a4"]
    assert_page_requests(server, 3)


def test_sync_iter_malformed_page_names_the_operation(
    server: RecordingServer, asana_sync: Any
) -> None:
    from asana_sync.exceptions import ResponseValidationError

    server.enqueue(200, json=page(["a1"], "tok-1"))
    server.enqueue(200, json={"data": "not a list", "next_page": None})
    client, iterator = _sync_iter(asana_sync, server)
    with (
        client,
        pytest.raises(ResponseValidationError, match="getAttachmentsForObject"),
    ):
        list(iterator)


# -- any spec: a nested integer cursor (meta.next) under another name ------------------------------------


def test_any_spec_integer_cursor(server: RecordingServer, ticker_sync: Any) -> None:
    for number, nxt in ((1, 2), (2, 3), (3, None)):
        server.enqueue(
            200,
            json={
                "results": [{"symbol": f"S{number}", "price": number}],
                "meta": {"next": nxt},
            },
        )
    configuration = ticker_sync.Configuration(
        host=server.url + "/v2", api_key={"KeyHeader": "h", "KeyQuery": "q"}
    )
    with ticker_sync.ApiClient(configuration) as client:
        api = ticker_sync.TicksApi(client)
        symbols = [t.symbol for t in api.list_history_iter("XNAS", size=1)]
    assert symbols == ["S1", "S2", "S3"]
    assert [parse_qsl(r.query) for r in server.requests] == [
        [("size", "1"), ("key", "q")],
        [("page", "2"), ("size", "1"), ("key", "q")],
        [("page", "3"), ("size", "1"), ("key", "q")],
    ]
    assert {r.path for r in server.requests} == {"/v2/markets/XNAS/history"}
