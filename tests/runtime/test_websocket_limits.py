"""WebSocket streams against a hostile server: a handshake redirected to another host carries no
credential header (both clients), a server that stops answering pings or sending messages ends the
stream with a connection error, and a message that is not usable JSON is a ``ResponseValidationError``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ResponseValidationError,
)
from generator.runtime.request import origin_of, redirect_headers
from generator.runtime.websocket_async import aconnect_websocket
from generator.runtime.websocket_sync import connect_websocket
from tests.support.hostile_server import (
    HostileServer,
    redirect,
    websocket_then_silence,
)
from tests.support.ws_server import WsServer

SECRET = "ws-s3cr3t"


class Configuration(BaseConfiguration):
    default_host = "http://api.invalid"
    auth_schemes = (
        AuthScheme("Key", "api_key", "header", "X-API-Key"),
        AuthScheme("Token", "bearer"),
    )


STREAM = Endpoint(
    "streamThings",
    "GET",
    "/stream",
    auth=(("Key", "Token"),),
    response_types=lambda: {"200": Any},
    websocket=True,
)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def _config(host: str, **kwargs: Any) -> Configuration:
    return Configuration(
        host=host,
        api_key={"Key": SECRET},
        access_token=SECRET,
        sensitive_headers=["X-Session"],
        **kwargs,
    )


def _sync_messages(cfg: Configuration, **kwargs: Any) -> list[Any]:
    with SyncApiClient(cfg) as client:
        with connect_websocket(
            client, STREAM, {}, headers={"X-Session": SECRET}, **kwargs
        ) as stream:
            return list(stream)


def _async_messages(cfg: Configuration, **kwargs: Any) -> list[Any]:
    async def main() -> list[Any]:
        async with AsyncApiClient(cfg) as client:
            stream = aconnect_websocket(
                client, STREAM, {}, headers={"X-Session": SECRET}, **kwargs
            )
            async with stream:
                return [m async for m in stream]

    return asyncio.run(main())


CLIENTS = {"sync": _sync_messages, "asyncio": _async_messages}


@pytest.mark.parametrize("kind", CLIENTS)
def test_credentials_are_dropped_on_a_cross_origin_redirect(
    kind: str, hostile: HostileServer
) -> None:
    with WsServer() as ws:
        ws.script(['{"n": 1}'])
        scheme = "ws" if kind == "sync" else "http"
        target = f"{scheme}://127.0.0.1:{ws.port}/elsewhere"
        hostile.behaviour = redirect(target)
        assert CLIENTS[kind](_config(hostile.url)) == [{"n": 1}]
        (first,) = hostile.requests
        assert first.header("X-API-Key") == SECRET
        (handshake,) = ws.handshakes
    assert handshake.path == "/elsewhere"
    leaked = {"x-api-key", "authorization", "cookie", "x-session"} & (
        handshake.header_names()
    )
    assert not leaked, leaked
    assert all(SECRET not in value for _, value in handshake.headers)


def test_leaving_tls_is_refused_and_origins_compare_ws_as_http() -> None:
    headers = {"X-API-Key": SECRET, "Authorization": "Bearer x", "X-Other": "1"}
    origin = origin_of("wss://api.example.com/stream")
    assert origin == origin_of("https://api.example.com:443/")
    with pytest.raises(ApiConnectionError, match="https to http"):
        redirect_headers(
            headers, frozenset({"x-api-key"}), origin, "ws://api.example.com/x"
        )
    assert (
        redirect_headers(
            headers, frozenset({"x-api-key"}), origin, "https://api.example.com/x"
        )
        == headers
    )
    assert redirect_headers(
        headers, frozenset({"x-api-key"}), origin, "wss://cdn.example.com/x"
    ) == {"X-Other": "1"}


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_server_that_stops_answering_pings_ends_the_stream(
    kind: str, hostile: HostileServer
) -> None:
    hostile.behaviour = websocket_then_silence(hostile)
    cfg = _config(hostile.url, websocket_heartbeat=0.5)
    start = time.monotonic()
    with pytest.raises(ApiConnectionError):
        CLIENTS[kind](cfg)
    elapsed = time.monotonic() - start
    # Without a heartbeat it would wait for ever. The sync client then also waits for the closing
    # handshake (close timeout, 10 s) before giving the socket up.
    assert elapsed < 20, elapsed


@pytest.mark.parametrize("kind", CLIENTS)
def test_receive_timeout_ends_a_silent_stream(
    kind: str, hostile: HostileServer
) -> None:
    hostile.behaviour = websocket_then_silence(hostile)
    cfg = _config(hostile.url, websocket_heartbeat=None, websocket_receive_timeout=30)
    start = time.monotonic()
    with pytest.raises(ApiTimeoutError, match="no WebSocket message"):
        CLIENTS[kind](cfg, receive_timeout=0.5)  # per call, over the configuration's
    elapsed = time.monotonic() - start
    assert 0.4 < elapsed < 5, elapsed


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(
    "message",
    ["[" * 100_000 + "]" * 100_000, '{"n": ' + "9" * 5_000 + "}"],
    ids=["deep", "big-int"],
)
def test_unusable_messages_are_response_validation_errors(
    kind: str, message: str
) -> None:
    with WsServer() as ws:
        ws.script([message])
        with pytest.raises(ResponseValidationError):
            CLIENTS[kind](_config(ws.url))
