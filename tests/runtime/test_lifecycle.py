"""Closing clients: ``close()`` (and leaving ``with`` / ``async with``) closes the pooled sockets at once,
calls still in flight fail with ``ApiConnectionError``, and an asyncio client used across several
``asyncio.run()`` calls leaves no session (nor socket) behind.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint
from generator.runtime.exceptions import ApiConnectionError, ApiTimeoutError
from tests.support.hostile_server import HostileServer, json_answer, silent

GET = Endpoint("getThing", "GET", "/thing", response_types=lambda: {"200": Any})


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        srv.behaviour = json_answer({"ok": True})
        yield srv


def test_sync_close_closes_pooled_sockets_at_once(server: HostileServer) -> None:
    client = SyncApiClient(BaseConfiguration(host=server.url))
    assert client.call(GET, {}).data == {"ok": True}
    assert server.open_connections == 1  # kept alive in the pool
    client.close()
    assert server.wait_for_no_connections(1.0), server.open_connections
    # still usable afterwards
    assert client.call(GET, {}).data == {"ok": True}
    with client:
        pass
    assert server.wait_for_no_connections(1.0), server.open_connections


def test_sync_close_fails_calls_in_flight(server: HostileServer) -> None:
    server.behaviour = silent(server)
    client = SyncApiClient(BaseConfiguration(host=server.url, timeout=None))
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.call(GET, {})
        except BaseException as exc:  # noqa: BLE001 - checked below
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    deadline = time.monotonic() + 5
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    client.close()
    worker.join(5)
    assert not worker.is_alive(), "the call in flight was not interrupted"
    assert time.monotonic() - started < 2
    (error,) = outcome
    assert isinstance(error, ApiConnectionError) and not isinstance(
        error, ApiTimeoutError
    )
    assert "closed" in str(error)
    assert len(server.requests) == 1  # not retried


def test_async_leaving_the_block_closes_sockets_at_once(server: HostileServer) -> None:
    async def main() -> None:
        async with AsyncApiClient(BaseConfiguration(host=server.url)) as client:
            await client.call(GET, {})
            assert server.open_connections == 1

    asyncio.run(main())
    assert server.wait_for_no_connections(1.0), server.open_connections


def test_async_client_across_several_event_loops_leaks_nothing(
    server: HostileServer,
) -> None:
    client = AsyncApiClient(BaseConfiguration(host=server.url))

    async def one_call() -> Any:
        return (await client.call(GET, {})).data

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            assert asyncio.run(one_call()) == {"ok": True}
            # the loop is gone: its session and socket went with it
            assert server.wait_for_no_connections(1.0), server.open_connections
        gc.collect()
    leaks = [w for w in caught if "nclosed" in str(w.message)]
    assert leaks == [], [str(w.message) for w in leaks]
    assert len(server.requests) == 3


def test_async_close_fails_calls_in_flight(server: HostileServer) -> None:
    server.behaviour = silent(server)

    async def main() -> BaseException:
        client = AsyncApiClient(BaseConfiguration(host=server.url, timeout=None))
        task = asyncio.create_task(client.call(GET, {}))
        while not server.requests:
            await asyncio.sleep(0.01)
        await client.close()
        try:
            await asyncio.wait_for(task, 5)
        except BaseException as exc:  # noqa: BLE001 - checked below
            return exc
        raise AssertionError("the call in flight succeeded")

    error = asyncio.run(main())
    assert isinstance(error, ApiConnectionError), repr(error)
    assert len(server.requests) == 1
