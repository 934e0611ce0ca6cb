"""Time and size limits against a hostile server, for the sync and the asyncio client alike.

- The timeout bounds the whole call (connecting, sending, the headers, the whole body, redirects and
  retries), not each read: a body dripped one byte every 0.5 s with a 1 s timeout ends near 1 s with
  ``ApiTimeoutError``.
- A buffered response is capped at ``max_response_bytes`` (after decompression): an endless body, a
  2 GiB ``Content-Length`` or a gzip bomb fail fast with ``ResponseTooLargeError``, memory staying near
  the cap. ``call_raw`` (``<method>_without_preload_content``) is not capped.

Timing assertions have generous margins (the machine is shared): they tell "about the timeout" from "many
times the timeout, or never".
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import (
    DEFAULT_MAX_RESPONSE_BYTES,
    BaseConfiguration,
)
from generator.runtime.endpoint import Endpoint
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ResponseTooLargeError,
    ServiceException,
)
from tests.support.hostile_server import (
    HostileServer,
    answer,
    drip_body,
    drip_headers,
    endless_body,
    gzip_answer,
    gzip_bomb,
    huge_length,
    json_answer,
)

GET = Endpoint("getThing", "GET", "/thing", response_types=lambda: {"200": Any})
MIB = 1024 * 1024


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def _sync(cfg: BaseConfiguration, **call: Any) -> Any:
    with SyncApiClient(cfg) as client:
        return client.call(GET, {}, **call)


def _async(cfg: BaseConfiguration, **call: Any) -> Any:
    async def main() -> Any:
        async with AsyncApiClient(cfg) as client:
            return await client.call(GET, {}, **call)

    return asyncio.run(main())


CLIENTS = {"sync": _sync, "asyncio": _async}


def _timed(fn: Callable[[], Any]) -> tuple[BaseException | None, float]:
    start = time.monotonic()
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - returned for the test to check
        return exc, time.monotonic() - start
    return None, time.monotonic() - start


# -- time -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(
    "behaviour",
    [drip_body(size=40, interval=0.5), endless_body(interval=0.3), drip_headers(0.3)],
    ids=["dripped-body", "endless-dripped-body", "dripped-headers"],
)
def test_the_timeout_bounds_the_whole_request(
    kind: str, behaviour: Any, server: HostileServer
) -> None:
    server.behaviour = behaviour
    cfg = BaseConfiguration(host=server.url)
    error, elapsed = _timed(lambda: CLIENTS[kind](cfg, request_timeout=1.0))
    assert isinstance(error, ApiTimeoutError), repr(error)
    assert (
        0.9 <= elapsed < 4.0
    ), elapsed  # the drip alone would take 20 s, the endless body forever
    assert "GET" in str(error) and server.url in str(error)


@pytest.mark.parametrize("kind", CLIENTS)
def test_the_configured_timeout_is_a_whole_request_timeout_too(
    kind: str, server: HostileServer
) -> None:
    server.behaviour = drip_body(size=40, interval=0.4)
    cfg = BaseConfiguration(host=server.url, timeout=(1.0, 0.5))  # 1.5 s in all
    error, elapsed = _timed(lambda: CLIENTS[kind](cfg))
    assert isinstance(error, ApiTimeoutError), repr(error)
    assert 1.4 <= elapsed < 4.5, elapsed


@pytest.mark.parametrize("kind", CLIENTS)
def test_retries_stay_within_the_timeout(kind: str, server: HostileServer) -> None:
    # 503 with Retry-After: 30 would wait 30 s before a retry (and again): the wait does not fit in the
    # 1.5 s left, so the call ends with the 503 at once.
    server.behaviour = answer(503, b"busy", [("Retry-After", "30")])
    cfg = BaseConfiguration(host=server.url, retries=5)
    error, elapsed = _timed(lambda: CLIENTS[kind](cfg, request_timeout=1.5))
    assert isinstance(error, ServiceException), repr(error)
    assert elapsed < 1.5, elapsed
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_slow_answer_within_the_timeout_still_arrives(
    kind: str, server: HostileServer
) -> None:
    server.behaviour = drip_body(size=3, interval=0.1, content_type="text/plain")
    cfg = BaseConfiguration(host=server.url)
    response = CLIENTS[kind](cfg, request_timeout=5.0)
    assert response.raw_data == b"   "


# -- size -------------------------------------------------------------------------------------------


def _peak(fn: Callable[[], Any]) -> tuple[BaseException | None, int, float]:
    gc.collect()
    tracemalloc.start()
    try:
        error, elapsed = _timed(fn)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return error, peak, elapsed


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(
    "behaviour",
    [endless_body(), huge_length(), gzip_bomb(256 * MIB)],
    ids=["endless-body", "content-length-2GiB", "gzip-bomb"],
)
def test_buffered_responses_are_capped(
    kind: str, behaviour: Any, server: HostileServer
) -> None:
    server.behaviour = behaviour
    cap = 8 * MIB
    cfg = BaseConfiguration(host=server.url, max_response_bytes=cap)
    error, peak, elapsed = _peak(lambda: CLIENTS[kind](cfg))
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert isinstance(error, ApiConnectionError)
    assert "max_response_bytes" in str(error) and str(cap) in str(error)
    assert peak < cap + 6 * MIB, peak
    assert elapsed < 10, elapsed
    assert len(server.requests) == 1  # not retried


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_declared_length_over_the_cap_fails_before_reading(
    kind: str, server: HostileServer
) -> None:
    server.behaviour = huge_length()
    cfg = BaseConfiguration(host=server.url)  # the default cap, 256 MiB
    error, peak, elapsed = _peak(lambda: CLIENTS[kind](cfg))
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "2147483648" in str(error)
    assert peak < 4 * MIB and elapsed < 3, (peak, elapsed)
    assert DEFAULT_MAX_RESPONSE_BYTES == 256 * MIB


@pytest.mark.parametrize("kind", CLIENTS)
def test_bodies_under_the_cap_are_read_whole(kind: str, server: HostileServer) -> None:
    data = {"items": list(range(1000))}
    cfg = BaseConfiguration(host=server.url, max_response_bytes=64 * 1024)
    server.behaviour = json_answer(data)
    assert CLIENTS[kind](cfg).data == data
    server.behaviour = gzip_answer(data)
    assert CLIENTS[kind](cfg).data == data
    cfg.max_response_bytes = None  # no cap
    assert CLIENTS[kind](cfg).data == data


def test_unbuffered_responses_are_not_capped(server: HostileServer) -> None:
    server.behaviour = huge_length()
    cfg = BaseConfiguration(host=server.url, max_response_bytes=MIB)
    with SyncApiClient(cfg) as client:
        response = client.call_raw(GET, {})
        assert response.status == 200
        assert len(response.read(4 * MIB)) == 4 * MIB
        response.close()

    async def main() -> None:
        async with AsyncApiClient(cfg) as aclient:
            raw = await aclient.call_raw(GET, {})
            assert len(await raw.content.readexactly(4 * MIB)) == 4 * MIB
            raw.close()

    asyncio.run(main())
