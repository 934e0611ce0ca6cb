"""Transport injection: a caller's ``urllib3.PoolManager`` (sync) or ``aiohttp.ClientSession``
(asyncio) carries the client's requests, and is still open and usable after the client is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import urllib3

from tests.support.recording_server import RecordingServer

RECEIPT = {"ok": True, "token": "t"}


class CountingPool(urllib3.PoolManager):
    """A pool manager that counts its requests and marks each with a header (as a proxy or a
    tracing layer might)."""

    def __init__(self) -> None:
        super().__init__(headers={"X-Via": "shared-pool"})
        self.calls = 0

    def urlopen(self, method: str, url: str, redirect: bool = True, **kw: Any) -> Any:
        self.calls += 1
        headers = dict(kw.pop("headers", None) or {})
        headers["X-Via"] = "shared-pool"
        return super().urlopen(method, url, redirect=redirect, headers=headers, **kw)


def _configuration(payments: Any, server: RecordingServer) -> Any:
    return payments.Configuration(host=server.url, access_token="static-token")


def test_sync_client_sends_through_injected_pool_and_leaves_it_open(
    payments: Any, server: RecordingServer
) -> None:
    server.enqueue(200, json=RECEIPT)
    server.enqueue(200, json=RECEIPT)
    pool = CountingPool()
    with payments.ApiClient(
        _configuration(payments, server), pool_manager=pool
    ) as client:
        assert client.pool_manager is pool
        payments.PaymentsApi(client).get_balance()
    assert pool.calls == 1
    assert server.requests[0].header("X-Via") == "shared-pool"
    assert server.requests[0].header("Authorization") == "Bearer static-token"
    # closed client, open pool: its idle connection is still pooled and the pool still works
    assert len(pool.pools) == 1
    response = pool.request("GET", server.url + "/after")
    assert response.status == 200 and pool.calls == 2
    assert server.requests[1].target == "/after"
    pool.clear()


def test_sync_client_own_pool_is_cleared_on_close(
    payments: Any, server: RecordingServer
) -> None:
    server.enqueue(200, json=RECEIPT)
    with payments.ApiClient(_configuration(payments, server)) as client:
        payments.PaymentsApi(client).get_balance()
        own = client.pool_manager
        assert len(own.pools) == 1
    assert len(own.pools) == 0


def test_async_client_sends_through_injected_session_and_leaves_it_open(
    payments: Any, server: RecordingServer
) -> None:
    server.enqueue(200, json=RECEIPT)
    server.enqueue(200, json=RECEIPT)
    sent: list[str] = []

    async def on_request_start(
        session: aiohttp.ClientSession, context: Any, params: Any
    ) -> None:
        sent.append(str(params.url))

    async def main() -> None:
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(on_request_start)
        async with aiohttp.ClientSession(
            headers={"X-Via": "shared-session"}, trace_configs=[trace]
        ) as session:
            client = payments.AsyncApiClient(
                _configuration(payments, server), session=session
            )
            async with client:
                assert await client.session() is session
                await payments.AsyncPaymentsApi(client).get_balance()
            assert not session.closed  # the client did not close what it did not create
            async with session.get(server.url + "/after") as response:
                assert response.status == 200

    asyncio.run(main())
    assert sent == [server.url + "/balance", server.url + "/after"]
    assert server.requests[0].header("X-Via") == "shared-session"
    assert server.requests[0].header("Authorization") == "Bearer static-token"


def test_async_client_own_session_is_closed_on_close(
    payments: Any, server: RecordingServer
) -> None:
    server.enqueue(200, json=RECEIPT)

    async def main() -> aiohttp.ClientSession:
        async with payments.AsyncApiClient(_configuration(payments, server)) as client:
            await payments.AsyncPaymentsApi(client).get_balance()
            return await client.session()

    assert asyncio.run(main()).closed


def test_the_other_twins_argument_is_refused(payments: Any) -> None:
    import pytest

    with pytest.raises(TypeError, match="session"):
        payments.ApiClient(payments.Configuration(), session=object())
    with pytest.raises(TypeError, match="pool_manager"):
        payments.AsyncApiClient(payments.Configuration(), pool_manager=object())
