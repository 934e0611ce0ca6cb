"""Event streams of both twins (``sse_sync`` over urllib3, ``sse_async`` over aiohttp) against a real
loopback SSE server: typed events, the sentinel, closing, errors naming the operation, the read timeout
between events, reconnecting with ``Last-Event-ID``, and memory that stays flat over 100,000 events.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint, Param
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    NotFoundException,
    ResponseTooLargeError,
    ResponseValidationError,
)
from generator.runtime.models import ApiModel
from generator.runtime.sse import ServerSentEvent
from generator.runtime.sse_async import AsyncEventStream, open_async_event_stream
from generator.runtime.sse_sync import open_event_stream
from tests.support.sse_server import Reply, SseServer
from tests.support.twins import TWINS


class Tick(ApiModel):
    symbol: str
    price: float


class Problem(ApiModel):
    message: str


STREAM = Endpoint(
    "streamTicks",
    "GET",
    "/markets/{market}/ticks",
    params=(Param("market", "market", "path", required=True),),
    accept=("text/event-stream", "application/json"),
    response_types=lambda: {"200": Tick, "404": Problem},
)


def tick(n: int, *, id: bool = True) -> bytes:
    head = f"id: {n}\n" if id else ""
    return f'{head}event: tick\ndata: {{"symbol": "S{n}", "price": {n}.5}}\n\n'.encode()


@pytest.fixture
def sse() -> Iterator[SseServer]:
    with SseServer() as server:
        yield server


def collect(
    twin: str,
    url: str,
    *,
    limit: int | None = None,
    on_event: Callable[[int], None] | None = None,
    configuration: dict[str, Any] | None = None,
    sleeps: list[float] | None = None,
    **options: Any,
) -> list[ServerSentEvent[Any]]:
    """The events of one stream of ``STREAM`` (the first ``limit``, then the stream is closed)."""
    config = BaseConfiguration(host=url, **(configuration or {}))
    events: list[ServerSentEvent[Any]] = []

    def keep(event: ServerSentEvent[Any]) -> bool:
        if on_event is not None:
            on_event(len(events))
        events.append(event)
        return limit is not None and len(events) >= limit

    if twin == "sync":
        with SyncApiClient(config) as client:
            if sleeps is not None:
                client.sleep = sleeps.append
            with open_event_stream(
                client, STREAM, {"market": "XNAS"}, **options
            ) as stream:
                for event in stream:
                    if keep(event):
                        break
        return events

    async def main() -> None:
        async with AsyncApiClient(config) as client:
            if sleeps is not None:

                async def record(delay: float) -> None:
                    sleeps.append(delay)

                client.sleep = record
            stream = open_async_event_stream(
                client, STREAM, {"market": "XNAS"}, **options
            )
            async with stream:
                async for event in stream:
                    if keep(event):
                        break

    asyncio.run(main())
    return events


@pytest.mark.parametrize("twin", TWINS)
def test_typed_events_until_the_body_ends(twin: str, sse: SseServer) -> None:
    sse.reply(Reply([b": hi\n\n", tick(1), tick(2)[:9], tick(2)[9:] + tick(3)]))
    events = collect(twin, sse.url)
    assert [type(e.data) for e in events] == [Tick] * 3
    assert [(e.event, e.id, e.data.symbol, e.data.price) for e in events] == [
        ("tick", "1", "S1", 1.5),
        ("tick", "2", "S2", 2.5),
        ("tick", "3", "S3", 3.5),
    ]
    (request,) = sse.requests
    assert request.path == "/markets/XNAS/ticks"
    assert request.header("Accept") == "text/event-stream, application/json"
    assert request.header("Last-Event-ID") is None


@pytest.mark.parametrize("twin", TWINS)
def test_sentinel_ends_the_stream_and_closes_the_connection(
    twin: str, sse: SseServer
) -> None:
    # The server would go on (and then hang): the sentinel ends the iteration and the client hangs up.
    sse.reply(Reply([tick(1), b"data: [DONE]\n\n", tick(2)], hang=True))
    events = collect(twin, sse.url, sentinel="[DONE]")
    assert [e.data.symbol for e in events] == ["S1"]
    assert sse.disconnected.wait(5)


@pytest.mark.parametrize("twin", TWINS)
def test_leaving_the_context_closes_the_connection(twin: str, sse: SseServer) -> None:
    sse.reply(Reply([tick(1), tick(2)], hang=True))
    events = collect(twin, sse.url, limit=1)
    assert [e.id for e in events] == ["1"]
    assert sse.disconnected.wait(5)


@pytest.mark.parametrize("twin", TWINS)
def test_malformed_event_names_the_operation(twin: str, sse: SseServer) -> None:
    sse.reply(Reply([tick(1), b'data: {"symbol": 7}\n\n', tick(3)]))
    seen: list[int] = []
    with pytest.raises(ResponseValidationError) as info:
        collect(twin, sse.url, on_event=seen.append)
    assert seen == [0]  # the first event came through
    assert info.value.operation_id == "streamTicks"
    assert str(info.value).startswith("streamTicks: ")
    assert info.value.path == "symbol"


@pytest.mark.parametrize("twin", TWINS)
def test_read_timeout_applies_between_events(twin: str, sse: SseServer) -> None:
    # Events 0.3 s apart pass a 1 s read timeout; then the server goes silent.
    sse.reply(Reply([tick(1), tick(2), tick(3)], pause=0.3, hang=True))
    started = time.monotonic()
    seen: list[int] = []
    with pytest.raises(ApiTimeoutError) as info:
        collect(twin, sse.url, on_event=seen.append, request_timeout=(5, 1.0))
    elapsed = time.monotonic() - started
    assert seen == [0, 1, 2]
    assert 1.0 <= elapsed < 8, elapsed
    assert "/markets/XNAS/ticks" in str(info.value)


@pytest.mark.parametrize("twin", TWINS)
def test_reconnects_with_last_event_id_after_retry(twin: str, sse: SseServer) -> None:
    sse.reply(
        Reply([b"retry: 20\n\n", tick(1), tick(2), b"data: half"]),  # cut mid-event
        Reply([tick(3), b"data: [DONE]\n\n"]),
    )
    sleeps: list[float] = []
    events = collect(twin, sse.url, sentinel="[DONE]", reconnect=True, sleeps=sleeps)
    assert [e.id for e in events] == ["1", "2", "3"]
    assert sleeps == [0.02]  # the server's retry, in seconds
    first, second = sse.requests
    assert first.header("Last-Event-ID") is None
    assert second.header("Last-Event-ID") == "2"


@pytest.mark.parametrize("twin", TWINS)
def test_no_reconnect_by_default(twin: str, sse: SseServer) -> None:
    sse.reply(Reply([tick(1)]), Reply([tick(2)]))
    assert [e.id for e in collect(twin, sse.url)] == ["1"]
    assert len(sse.requests) == 1


@pytest.mark.parametrize("twin", TWINS)
def test_last_event_id_option_resumes(twin: str, sse: SseServer) -> None:
    sse.reply(Reply([tick(8, id=False)]))
    events = collect(twin, sse.url, last_event_id="7")
    assert [e.id for e in events] == ["7"]  # carried over, as the spec says
    assert sse.requests[0].header("Last-Event-ID") == "7"


@pytest.mark.parametrize("twin", TWINS)
def test_204_ends_a_reconnecting_stream(twin: str, sse: SseServer) -> None:
    sse.reply(Reply([b"retry: 1\n", tick(1)]), Reply(status=204))
    events = collect(twin, sse.url, reconnect=True, sleeps=[])
    assert [e.id for e in events] == ["1"]
    assert len(sse.requests) == 2


@pytest.mark.parametrize("twin", TWINS)
def test_error_status_raises_its_exception(twin: str, sse: SseServer) -> None:
    sse.reply(
        Reply(
            [b'{"message": "no market"}'], status=404, content_type="application/json"
        )
    )
    with pytest.raises(NotFoundException) as info:
        collect(twin, sse.url)
    assert isinstance(info.value.data, Problem)
    assert info.value.data.message == "no market"


@pytest.mark.parametrize("twin", TWINS)
def test_answer_that_is_not_an_event_stream(twin: str, sse: SseServer) -> None:
    sse.reply(Reply([b'{"symbol": "A"}'], content_type="application/json"))
    with pytest.raises(ResponseValidationError, match="not text/event-stream"):
        collect(twin, sse.url)


@pytest.mark.parametrize("twin", TWINS)
def test_connection_refused(twin: str) -> None:
    with pytest.raises(ApiConnectionError):
        collect(twin, "http://127.0.0.1:9", configuration={"retries": 0})


def test_async_stream_opens_on_await() -> None:
    with SseServer() as server:
        server.reply(Reply([tick(1)]))

        async def main() -> list[str | None]:
            async with AsyncApiClient(BaseConfiguration(host=server.url)) as client:
                stream: AsyncEventStream[Tick] = await open_async_event_stream(
                    client, STREAM, {"market": "XNAS"}
                )
                assert stream.response is not None and len(server.requests) == 1
                ids = [e.id async for e in stream]
                await stream.close()
                return ids

        assert asyncio.run(main()) == ["1"]


# -- memory ------------------------------------------------------------------------------------------


def _many(count: int) -> Iterator[bytes]:
    batch: list[bytes] = []
    for n in range(count):
        batch.append(tick(n))
        if len(batch) == 500:
            yield b"".join(batch)
            batch.clear()
    yield b"".join(batch) + b"data: [DONE]\n\n"


@pytest.mark.parametrize("twin", TWINS)
def test_memory_stays_flat_over_100_000_events(twin: str, sse: SseServer) -> None:
    count = 100_000
    sse.reply(Reply(_many(count)))
    peaks: dict[int, int] = {}

    def measure(index: int) -> None:
        if index == 1_000:  # warmed up: connection, decoders, pydantic's validators
            tracemalloc.reset_peak()
        elif index in (10_000, count - 1):
            peaks[index] = tracemalloc.get_traced_memory()[1]

    tracemalloc.start()
    try:
        seen = 0

        def on_event(index: int) -> None:
            nonlocal seen
            seen += 1
            measure(index)

        events = collect_discarding(twin, sse.url, on_event)
    finally:
        tracemalloc.stop()
    assert events == count
    assert (
        sse.bytes_sent > 5_000_000
    )  # what buffering the body would cost, at the least
    # The peak after 100,000 events is the peak after 10,000 (no growth with the stream's length),
    # and far below the size of the body.
    assert peaks[count - 1] < peaks[10_000] + 256 * 1024, peaks
    assert (
        peaks[count - 1] < 4 * 1024 * 1024
    ), peaks  # (measured: 0.6 MB sync, 1.9 MB asyncio)


def collect_discarding(twin: str, url: str, on_event: Callable[[int], None]) -> int:
    """Iterate a stream to its sentinel keeping no event; returns how many came."""
    config = BaseConfiguration(host=url)
    count = 0
    if twin == "sync":
        with SyncApiClient(config) as client:
            with open_event_stream(
                client, STREAM, {"market": "XNAS"}, sentinel="[DONE]"
            ) as stream:
                for _event in stream:
                    on_event(count)
                    count += 1
        return count

    async def main() -> int:
        n = 0
        async with AsyncApiClient(config) as client:
            stream = open_async_event_stream(
                client, STREAM, {"market": "XNAS"}, sentinel="[DONE]"
            )
            async with stream:
                async for _event in stream:
                    on_event(n)
                    n += 1
        return n

    return asyncio.run(main())


@pytest.mark.parametrize("twin", TWINS)
def test_an_endless_event_is_bounded_by_max_response_bytes(
    twin: str, sse: SseServer
) -> None:
    # An event that never ends (no line end, then silence) cannot fill memory.
    sse.reply(Reply([tick(1), b"data: ", *[b"x" * 50_000] * 10], hang=True))
    seen: list[int] = []
    with pytest.raises(ResponseTooLargeError, match="max_response_bytes"):
        collect(
            twin,
            sse.url,
            on_event=seen.append,
            configuration={"max_response_bytes": 200_000},
        )
    assert seen == [0]
    assert sse.disconnected.wait(5)
