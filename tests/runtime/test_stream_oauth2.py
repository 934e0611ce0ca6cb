"""Streams and OAuth2 tokens the client fetches itself, both twins, against real loopback servers: a
token server (``tests.sdk.servers.TokenServer``), an SSE server and a WebSocket server that each refuse a
stale bearer token once. An event stream and a WebSocket handshake fetch the token on first use, carry
it, and on a 401 when opening renew it once and try once more; the client secret reaches the token
server only. Hooks run for the stream's HTTP request (``on_error`` too when it does not open).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint, Param
from generator.runtime.exceptions import UnauthorizedException
from generator.runtime.hooks import RequestInfo, ResponseInfo
from generator.runtime.models import ApiModel
from generator.runtime.sse_async import open_async_event_stream
from generator.runtime.sse_sync import open_event_stream
from generator.runtime.websocket_async import aconnect_websocket
from generator.runtime.websocket_sync import connect_websocket
from tests.sdk.servers import TokenServer
from tests.support.sse_server import Reply, SseServer
from tests.support.twins import TWINS
from tests.support.ws_server import WsServer

CLIENT_ID = "stream-bot"
SECRET = "Str3am-s3cret!"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{quote(SECRET)}".encode()).decode()


class Tick(ApiModel):
    symbol: str
    price: float


class Configuration(BaseConfiguration):
    default_host = "https://api.invalid"
    auth_schemes = (
        AuthScheme("Machine", "oauth2", token_url="https://auth.invalid/token"),
    )


TICKS = Endpoint(
    "streamTicks",
    "GET",
    "/markets/{market}/ticks",
    params=(Param("market", "market", "path", required=True),),
    accept=("text/event-stream",),
    auth=(("Machine",),),
    response_types=lambda: {"200": Tick},
)
FEED = Endpoint(
    "feedTicks",
    "GET",
    "/feed",
    accept=("application/json",),
    auth=(("Machine",),),
    response_types=lambda: {"200": Tick},
    websocket=True,
)


def tick(n: int) -> bytes:
    return f'id: {n}\ndata: {{"symbol": "S{n}", "price": {n}.5}}\n\n'.encode()


@pytest.fixture
def tokens() -> Iterator[TokenServer]:
    with TokenServer() as server:
        yield server


@pytest.fixture
def sse() -> Iterator[SseServer]:
    with SseServer() as server:
        yield server


@pytest.fixture
def ws() -> Iterator[WsServer]:
    with WsServer() as server:
        yield server


def configuration(host: str, tokens: TokenServer, **extra: Any) -> Configuration:
    return Configuration(
        host=host,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        scopes=["ticks:read"],
        token_url=f"{tokens.url}/token",
        **extra,
    )


def stream_events(twin: str, config: Configuration) -> list[tuple[str | None, Any]]:
    """``(id, data)`` of every event of one ``TICKS`` stream, opened with ``twin``."""
    if twin == "sync":
        with SyncApiClient(config) as client:
            with open_event_stream(client, TICKS, {"market": "XNAS"}) as stream:
                return [(e.id, e.data) for e in stream]

    async def run() -> list[tuple[str | None, Any]]:
        async with AsyncApiClient(config) as client:
            async with open_async_event_stream(
                client, TICKS, {"market": "XNAS"}
            ) as stream:
                return [(e.id, e.data) async for e in stream]

    return asyncio.run(run())


def ws_messages(twin: str, config: Configuration) -> list[Any]:
    """The messages of one ``FEED`` WebSocket, opened with ``twin``."""
    if twin == "sync":
        with SyncApiClient(config) as client:
            with connect_websocket(client, FEED, {}) as stream:
                return list(stream)

    async def run() -> list[Any]:
        async with AsyncApiClient(config) as client:
            async with aconnect_websocket(client, FEED, {}) as stream:
                return [m async for m in stream]

    return asyncio.run(run())


def assert_secret_only_at_token_url(tokens: TokenServer, seen: list[str]) -> None:
    assert all(r.headers.get("Authorization") == BASIC for r in tokens.requests)
    for text in seen:
        assert SECRET not in text and quote(SECRET) not in text
        assert BASIC.split()[1] not in text


@pytest.mark.parametrize("twin", TWINS)
def test_event_stream_fetches_a_token_on_first_use(
    twin: str, tokens: TokenServer, sse: SseServer
) -> None:
    sse.reply(Reply([tick(1), tick(2)]))
    events = stream_events(twin, configuration(sse.url, tokens))
    assert [(i, d.symbol) for i, d in events] == [("1", "S1"), ("2", "S2")]
    assert len(tokens.requests) == 1
    assert tokens.requests[0].form == {
        "grant_type": "client_credentials",
        "scope": "ticks:read",
    }
    assert [r.header("Authorization") for r in sse.requests] == ["Bearer tok-1"]
    assert_secret_only_at_token_url(
        tokens, [json.dumps(r.headers) for r in sse.requests]
    )


@pytest.mark.parametrize("twin", TWINS)
def test_event_stream_renews_a_refused_token_once_and_replays(
    twin: str, tokens: TokenServer, sse: SseServer
) -> None:
    sse.stale_tokens.add("tok-1")
    sse.reply(Reply([tick(1), tick(2), tick(3)]))
    events = stream_events(twin, configuration(sse.url, tokens))
    assert [i for i, _ in events] == ["1", "2", "3"]
    assert len(tokens.requests) == 2  # one token, then one renewal
    assert [r.header("Authorization") for r in sse.requests] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    assert_secret_only_at_token_url(
        tokens, [json.dumps(r.headers) for r in sse.requests]
    )


@pytest.mark.parametrize("twin", TWINS)
def test_event_stream_refused_twice_raises_after_one_replay(
    twin: str, tokens: TokenServer, sse: SseServer
) -> None:
    sse.stale_tokens.update({"tok-1", "tok-2"})
    sse.reply(Reply([tick(1)]))
    with pytest.raises(UnauthorizedException) as caught:
        stream_events(twin, configuration(sse.url, tokens))
    assert caught.value.status == 401
    assert len(tokens.requests) == 2
    assert len(sse.requests) == 2  # the replay is not replayed again


@pytest.mark.parametrize("twin", TWINS)
def test_hooks_run_for_the_stream_request(
    twin: str, tokens: TokenServer, sse: SseServer
) -> None:
    seen: list[str] = []

    def before(info: RequestInfo) -> None:
        info.headers["X-Trace"] = f"trace-{len(seen)}"
        seen.append(f"before {info.operation_id} {info.method} {info.url}")

    def after(info: RequestInfo, response: ResponseInfo) -> None:
        seen.append(f"after {response.status} {response.headers['Content-Type']}")

    def error(info: RequestInfo, exc: BaseException) -> None:
        seen.append(f"error {type(exc).__name__}")

    sse.stale_tokens.add("tok-1")
    sse.reply(Reply([tick(1)]), Reply(status=404, content_type="application/json"))
    hooks = {"before_send": [before], "after_response": [after], "on_error": [error]}
    config = configuration(sse.url, tokens, **hooks)
    assert [i for i, _ in stream_events(twin, config)] == ["1"]
    url = f"{sse.url}/markets/XNAS/ticks"
    assert seen == [
        f"before streamTicks GET {url}",
        "after 401 application/json; charset=utf-8",
        f"before streamTicks GET {url}",
        "after 200 text/event-stream",
    ]
    assert [r.header("X-Trace") for r in sse.requests] == ["trace-0", "trace-2"]

    seen.clear()
    with pytest.raises(Exception) as caught:
        stream_events(twin, config)
    assert getattr(caught.value, "status", None) == 404
    assert seen == [
        f"before streamTicks GET {url}",
        "after 404 application/json",
        f"error {type(caught.value).__name__}",
    ]


@pytest.mark.parametrize("twin", TWINS)
def test_websocket_handshake_fetches_a_token(
    twin: str, tokens: TokenServer, ws: WsServer
) -> None:
    ws.script([json.dumps({"symbol": "S1", "price": 1.5})])
    messages = ws_messages(twin, configuration(ws.url, tokens))
    assert [m.symbol for m in messages] == ["S1"]
    assert len(tokens.requests) == 1
    assert [h.header("Authorization") for h in ws.handshakes] == ["Bearer tok-1"]
    assert_secret_only_at_token_url(tokens, [str(h.headers) for h in ws.handshakes])


@pytest.mark.parametrize("twin", TWINS)
def test_websocket_handshake_renews_a_refused_token_once(
    twin: str, tokens: TokenServer, ws: WsServer
) -> None:
    ws.stale_tokens.add("tok-1")
    ws.script([json.dumps({"symbol": "S2", "price": 2.5})])
    messages = ws_messages(twin, configuration(ws.url, tokens))
    assert [m.symbol for m in messages] == ["S2"]
    assert len(tokens.requests) == 2
    assert [h.header("Authorization") for h in ws.handshakes] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    assert_secret_only_at_token_url(tokens, [str(h.headers) for h in ws.handshakes])


@pytest.mark.parametrize("twin", TWINS)
def test_hooks_do_not_run_for_a_websocket_handshake(
    twin: str, tokens: TokenServer, ws: WsServer
) -> None:
    seen: list[str] = []
    hooks = {
        "before_send": [lambda info: seen.append(info.url)],
        "after_response": [lambda info, response: seen.append(str(response.status))],
        "on_error": [lambda info, exc: seen.append(repr(exc))],
    }
    ws.script([json.dumps({"symbol": "S3", "price": 3.5})])
    messages = ws_messages(twin, configuration(ws.url, tokens, **hooks))
    assert [m.symbol for m in messages] == ["S3"]
    assert [h.header("Authorization") for h in ws.handshakes] == ["Bearer tok-1"]
    assert (
        seen == []
    )  # the documented choice: the WebSocket library makes the handshake
