"""Sync WebSocket streams against a real loopback WebSocket server."""

from __future__ import annotations

import json
import platform
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint, Param
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiValueError,
    ResponseValidationError,
    UnauthorizedException,
)
from generator.runtime.models import ApiModel
from generator.runtime.request import websocket_url
from generator.runtime.websocket_sync import WebSocketStream, connect_websocket
from tests.support.ws_server import WsServer


class AssetEvent(ApiModel):
    id: int
    name: str


class Configuration(BaseConfiguration):
    default_host = "https://api.invalid"
    auth_schemes = (
        AuthScheme("Token", "bearer"),
        AuthScheme("Key", "api_key", "query", "api_key"),
    )


class ApiClient(SyncApiClient):
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
UNTYPED = Endpoint("untyped", "GET", "/raw", websocket=True)


def event(i: int) -> str:
    return json.dumps({"id": i, "name": f"asset {i}"})


@pytest.fixture
def server() -> Iterator[WsServer]:
    with WsServer() as srv:
        yield srv


@pytest.fixture
def client(server: WsServer) -> Iterator[ApiClient]:
    with ApiClient(Configuration(host=server.url, access_token="TOKEN")) as api_client:
        yield api_client


def test_websocket_url() -> None:
    assert websocket_url("http://h:1/a?b=c") == "ws://h:1/a?b=c"
    assert websocket_url("HTTPS://h/a") == "wss://h/a"
    assert websocket_url("ws://h/a") == "ws://h/a"


def test_messages_are_parsed_until_a_clean_close(
    server: WsServer, client: ApiClient
) -> None:
    server.script([event(1), event(2).encode(), event(3)], then="close")
    client.set_default_header("X-Tenant", "t1")
    args = {"kind": "a b", "since": 5, "fields": ["id", "name"]}
    with connect_websocket(client, STREAM, args, headers={"X-Trace": "x"}) as stream:
        assert isinstance(stream, WebSocketStream)
        received = list(stream)
    assert received == [AssetEvent(id=i, name=f"asset {i}") for i in (1, 2, 3)]
    (handshake,) = server.handshakes
    assert handshake.path == "/assets/a%20b/stream?since=5&fields=id,name"
    assert handshake.header("Authorization") == "Bearer TOKEN"
    assert handshake.header("X-Tenant") == "t1" and handshake.header("X-Trace") == "x"
    assert handshake.header("User-Agent") == (
        f"testpkg/1.2.3 python/{platform.python_version()}"
    )
    assert handshake.header("Upgrade") == "websocket"


def test_query_credentials_are_sent_but_masked(server: WsServer) -> None:
    server.script([], then="close", close_code=1001)
    with ApiClient(Configuration(host=server.url, api_key={"Key": "K1"})) as client:
        with connect_websocket(client, STREAM, {"kind": "x"}) as stream:
            assert list(stream) == []  # 1001 "going away" is a normal end too
    assert server.handshakes[0].path == "/assets/x/stream?api_key=K1"
    assert stream.url == f"ws://127.0.0.1:{server.port}/assets/x/stream?api_key=***"
    assert server.handshakes[0].header("Authorization") is None


def test_leaving_the_context_closes_the_socket(
    server: WsServer, client: ApiClient
) -> None:
    server.script([event(1), event(2)], then="wait")
    with connect_websocket(client, STREAM, {"kind": "x"}) as stream:
        assert next(stream) == AssetEvent(id=1, name="asset 1")
    assert server.finished.wait(5)
    assert server.client_close_codes == [1000]
    assert list(stream) == []  # iterating a closed stream just ends


def test_explicit_close(server: WsServer, client: ApiClient) -> None:
    server.script([event(1)], then="wait")
    stream = connect_websocket(client, STREAM, {"kind": "x"})
    assert next(stream).id == 1
    stream.close()
    assert server.finished.wait(5) and server.client_close_codes == [1000]
    with pytest.raises(StopIteration):
        next(stream)


@pytest.mark.parametrize(
    ("bad", "path", "message"),
    [
        ("not json", "", "not JSON"),
        ('{"id": "x", "name": "a"}', "id", "valid integer"),
        (b"\xff\xfe", "", "not JSON"),
    ],
)
def test_malformed_message(
    bad: str | bytes, path: str, message: str, server: WsServer, client: ApiClient
) -> None:
    server.script([event(1), bad], then="close")
    with connect_websocket(client, STREAM, {"kind": "x"}) as stream:
        assert next(stream).id == 1
        with pytest.raises(ResponseValidationError) as info:
            next(stream)
    assert info.value.operation_id == "streamAssets"
    assert info.value.path == path and message in str(info.value)
    assert str(info.value).startswith("streamAssets: ")


def test_untyped_messages_are_plain_json(server: WsServer, client: ApiClient) -> None:
    server.script(['{"a": [1, 2]}', "3"], then="close")
    with connect_websocket(client, UNTYPED, {}) as stream:
        assert list(stream) == [{"a": [1, 2]}, 3]


def test_dropped_connection(server: WsServer, client: ApiClient) -> None:
    server.script([event(1)], then="drop")
    received: list[Any] = []
    with connect_websocket(client, STREAM, {"kind": "x"}) as stream:
        with pytest.raises(ApiConnectionError) as info:
            for item in stream:
                received.append(item)
    assert [r.id for r in received] == [1]
    assert info.value.method == "GET" and info.value.url == stream.url
    assert "closed abnormally" in str(info.value)
    assert info.value.__cause__ is not None


def test_abnormal_close_code(server: WsServer, client: ApiClient) -> None:
    server.script([], then="close", close_code=1011, close_reason="internal")
    with connect_websocket(client, STREAM, {"kind": "x"}) as stream:
        with pytest.raises(ApiConnectionError, match="1011"):
            next(stream)


def test_rejected_handshake(server: WsServer, client: ApiClient) -> None:
    server.reject_status = 401
    with pytest.raises(UnauthorizedException) as info:
        connect_websocket(client, STREAM, {"kind": "x"})
    assert info.value.status == 401
    assert info.value.body == "rejected by test server\n"
    assert info.value.url == f"ws://127.0.0.1:{server.port}/assets/x/stream"


def test_connection_refused_and_bad_arguments() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with ApiClient(Configuration(host=f"http://127.0.0.1:{port}")) as client:
        with pytest.raises(ApiConnectionError) as info:
            connect_websocket(client, STREAM, {"kind": "x"}, open_timeout=5)
        assert info.value.url == f"ws://127.0.0.1:{port}/assets/x/stream"
        with pytest.raises(ApiValueError, match="kind"):
            connect_websocket(client, STREAM, {})
