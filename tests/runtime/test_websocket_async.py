"""Asyncio WebSocket streams (aiohttp) against a real loopback WebSocket server."""

from __future__ import annotations

import asyncio
import json
import platform
import socket
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_async import AsyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint, Param
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    ForbiddenException,
    ResponseValidationError,
)
from generator.runtime.models import ApiModel
from generator.runtime.websocket_async import AsyncWebSocketStream, aconnect_websocket
from tests.support.ws_server import WsServer

T = TypeVar("T")


class AssetEvent(ApiModel):
    id: int
    name: str


class Configuration(BaseConfiguration):
    default_host = "https://api.invalid"
    auth_schemes = (
        AuthScheme("Token", "bearer"),
        AuthScheme("Key", "api_key", "query", "api_key"),
    )


class ApiClient(AsyncApiClient):
    package_name = "testpkg"
    package_version = "1.2.3"
    configuration_class = Configuration


STREAM = Endpoint(
    "streamAssets",
    "GET",
    "/assets/{kind}/stream",
    params=(
        Param("kind", "kind", "path", required=True),
        Param("since", "since", "query"),
        Param("fields", "fields", "query", explode=False),
    ),
    accept=("application/json",),
    auth=(("Token",), ("Key",)),
    response_types=lambda: {"200": AssetEvent},
    websocket=True,
)


def event(i: int) -> str:
    return json.dumps({"id": i, "name": f"asset {i}"})


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def server() -> Iterator[WsServer]:
    with WsServer() as srv:
        yield srv


def make_client(server: WsServer, **settings: Any) -> ApiClient:
    settings.setdefault("access_token", "TOKEN")
    return ApiClient(Configuration(host=server.url, **settings))


def test_messages_are_parsed_until_a_clean_close(server: WsServer) -> None:
    server.script([event(1), event(2).encode(), event(3)], then="close")

    async def main() -> list[Any]:
        async with make_client(server) as client:
            client.set_default_header("X-Tenant", "t1")
            args = {"kind": "a b", "since": 5, "fields": ["id", "name"]}
            stream = aconnect_websocket(client, STREAM, args, headers={"X-Trace": "x"})
            assert isinstance(stream, AsyncWebSocketStream)
            async with stream:
                return [item async for item in stream]

    assert run(main()) == [AssetEvent(id=i, name=f"asset {i}") for i in (1, 2, 3)]
    (handshake,) = server.handshakes
    assert handshake.path == "/assets/a%20b/stream?since=5&fields=id,name"
    assert handshake.header("Authorization") == "Bearer TOKEN"
    assert handshake.header("X-Tenant") == "t1" and handshake.header("X-Trace") == "x"
    assert handshake.header("User-Agent") == (
        f"testpkg/1.2.3 python/{platform.python_version()}"
    )
    assert handshake.header("Upgrade") == "websocket"


def test_await_form_and_masked_query_credentials(server: WsServer) -> None:
    server.script([event(7)], then="close", close_code=1001)

    async def main() -> tuple[list[Any], str]:
        async with make_client(server, access_token=None, api_key={"Key": "K1"}) as c:
            stream = await aconnect_websocket(c, STREAM, {"kind": "x"})
            try:
                return [item.id async for item in stream], stream.url
            finally:
                await stream.close()

    ids, url = run(main())
    assert ids == [7]  # 1001 "going away" is a normal end too
    assert server.handshakes[0].path == "/assets/x/stream?api_key=K1"
    assert url == f"ws://127.0.0.1:{server.port}/assets/x/stream?api_key=***"
    assert server.handshakes[0].header("Authorization") is None


def test_async_for_opens_the_stream(server: WsServer) -> None:
    server.script([event(1), event(2)], then="close")

    async def main() -> list[int]:
        async with make_client(server) as client:
            return [
                e.id async for e in aconnect_websocket(client, STREAM, {"kind": "x"})
            ]

    assert run(main()) == [1, 2]


def test_leaving_the_context_closes_the_socket(server: WsServer) -> None:
    server.script([event(1), event(2)], then="wait")

    async def main() -> list[Any]:
        async with make_client(server) as client:
            async with aconnect_websocket(client, STREAM, {"kind": "x"}) as stream:
                first = await stream.__anext__()
            assert stream.connection is not None and stream.connection.closed
            return [first] + [item async for item in stream]

    assert run(main()) == [AssetEvent(id=1, name="asset 1")]
    assert server.finished.wait(5)
    assert server.client_close_codes == [1000]


@pytest.mark.parametrize(
    ("bad", "path", "message"),
    [
        ("not json", "", "not JSON"),
        ('{"id": "x", "name": "a"}', "id", "valid integer"),
        (b"\xff\xfe", "", "not JSON"),
    ],
)
def test_malformed_message(
    bad: str | bytes, path: str, message: str, server: WsServer
) -> None:
    server.script([event(1), bad], then="close")

    async def main() -> ResponseValidationError:
        async with make_client(server) as client:
            async with aconnect_websocket(client, STREAM, {"kind": "x"}) as stream:
                assert (await stream.__anext__()).id == 1
                with pytest.raises(ResponseValidationError) as info:
                    await stream.__anext__()
        return info.value

    error = run(main())
    assert error.operation_id == "streamAssets"
    assert error.path == path and message in str(error)


def test_dropped_connection(server: WsServer) -> None:
    server.script([event(1)], then="drop")

    async def main() -> tuple[list[Any], ApiConnectionError, str]:
        received: list[Any] = []
        async with make_client(server) as client:
            async with aconnect_websocket(client, STREAM, {"kind": "x"}) as stream:
                with pytest.raises(ApiConnectionError) as info:
                    async for item in stream:
                        received.append(item)
        return received, info.value, stream.url

    received, error, url = run(main())
    assert [r.id for r in received] == [1]
    assert error.method == "GET" and error.url == url
    assert "without a close frame" in str(error)


def test_abnormal_close_code(server: WsServer) -> None:
    server.script([], then="close", close_code=1011, close_reason="internal")

    async def main() -> None:
        async with make_client(server) as client:
            async with aconnect_websocket(client, STREAM, {"kind": "x"}) as stream:
                with pytest.raises(
                    ApiConnectionError, match="code 1011 \\(internal\\)"
                ):
                    await stream.__anext__()
                with pytest.raises(StopAsyncIteration):
                    await stream.__anext__()

    run(main())


def test_rejected_handshake(server: WsServer) -> None:
    server.reject_status = 403

    async def main() -> ForbiddenException:
        async with make_client(server) as client:
            with pytest.raises(ForbiddenException) as info:
                await aconnect_websocket(client, STREAM, {"kind": "x"})
        return info.value

    error = run(main())
    assert error.status == 403
    assert error.url == f"ws://127.0.0.1:{server.port}/assets/x/stream"


def test_connection_refused_timeout_and_bad_arguments() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.listen(0)  # accepts the TCP connection but never answers the handshake
        silent = f"http://127.0.0.1:{port}"

        async def open_silent() -> None:
            async with ApiClient(Configuration(host=silent)) as client:
                await aconnect_websocket(
                    client, STREAM, {"kind": "x"}, open_timeout=0.2
                )

        with pytest.raises(ApiTimeoutError):
            run(open_silent())

    async def main() -> ApiConnectionError:
        async with ApiClient(Configuration(host=f"http://127.0.0.1:{port}")) as client:
            with pytest.raises(ApiValueError, match="kind"):
                aconnect_websocket(client, STREAM, {})
            with pytest.raises(ApiConnectionError) as info:
                async with aconnect_websocket(client, STREAM, {"kind": "x"}):
                    pass
        return info.value

    error = run(main())
    assert not isinstance(error, ApiTimeoutError)
    assert error.url == f"ws://127.0.0.1:{port}/assets/x/stream"
    assert "cannot connect" in str(error)
