"""``<op>_ws()`` of generated asyncio packages against a real loopback WebSocket server: specs/pieces_os.yaml
generated with ``--library asyncio`` (aiohttp's WebSocket client) and our own spec with parameters and auth.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.support.ws_server import WsServer

from .conftest import example_json
from .test_websocket_sync import PIECES_WS_OPS


def _messages(model: str, count: int = 3) -> list[str]:
    out = []
    for i in range(count):
        message = example_json("specs/pieces_os.yaml", model)
        message["iterable"] = message["iterable"] * (i + 1)
        out.append(json.dumps(message))
    return out


def run_with_api(
    pkg: Any, host: str, body: Callable[[Any], Awaitable[Any]], **config: Any
) -> Any:
    """Run ``body(AssetsApi)`` in a fresh event loop inside ``async with ApiClient``."""

    async def main() -> Any:
        configuration = pkg.Configuration(host=host, **config)
        async with pkg.ApiClient(configuration) as client:
            return await body(pkg.AssetsApi(client))

    return asyncio.run(main())


@pytest.mark.parametrize("method", sorted(PIECES_WS_OPS))
def test_async_messages_parsed_until_server_close(
    method: str, ws_server: WsServer, pieces_asyncio: Any
) -> None:
    path, model = PIECES_WS_OPS[method]
    ws_server.script(_messages(model), then="close")

    async def body(api: Any) -> list[Any]:
        async with getattr(api, method)() as stream:
            return [message async for message in stream]

    received = run_with_api(pieces_asyncio, ws_server.url, body)
    model_class = getattr(pieces_asyncio, model)
    assert [type(m) for m in received] == [model_class] * 3
    assert [len(m.iterable) for m in received] == [1, 2, 3]
    (handshake,) = ws_server.handshakes
    assert handshake.path == path
    assert handshake.header("User-Agent").startswith("pieces-os-asyncio/")


def test_async_headers_reach_the_handshake(
    ws_server: WsServer, pieces_asyncio: Any
) -> None:
    ws_server.script([], then="close")

    async def body(api: Any) -> list[Any]:
        api.api_client.set_default_header("X-Default", "d1")
        async with api.stream_assets_ws(_headers={"X-Trace": "t-7"}) as stream:
            return [m async for m in stream]

    assert run_with_api(pieces_asyncio, ws_server.url, body) == []
    (handshake,) = ws_server.handshakes
    assert handshake.header("X-Trace") == "t-7"
    assert handshake.header("X-Default") == "d1"


def test_async_context_exit_closes_cleanly(
    ws_server: WsServer, pieces_asyncio: Any
) -> None:
    ws_server.script(_messages("StreamedIdentifiers"), then="wait")

    async def body(api: Any) -> int:
        async with api.assets_stream_identifiers_ws() as stream:
            async for message in stream:
                return len(message.iterable)
        raise AssertionError("no message")

    assert run_with_api(pieces_asyncio, ws_server.url, body) == 1
    assert ws_server.finished.wait(5)
    assert ws_server.client_close_codes == [1000]


def test_async_malformed_message_names_the_operation(
    ws_server: WsServer, pieces_asyncio: Any
) -> None:
    from pieces_os_asyncio.exceptions import ResponseValidationError

    ws_server.script([_messages("Assets", 1)[0], "{broken"], then="close")
    seen: list[Any] = []

    async def body(api: Any) -> None:
        async with api.stream_assets_ws() as stream:
            async for message in stream:
                seen.append(message)

    with pytest.raises(ResponseValidationError, match="stream_assets"):
        run_with_api(pieces_asyncio, ws_server.url, body)
    assert len(seen) == 1


def test_async_dropped_connection_raises_api_connection_error(
    ws_server: WsServer, pieces_asyncio: Any
) -> None:
    from pieces_os_asyncio.exceptions import ApiConnectionError

    ws_server.script(_messages("WorkstreamSuggestions", 1), then="drop")

    async def body(api: Any) -> None:
        async with api.workstream_suggestions_stream_ws() as stream:
            async for _message in stream:
                pass

    with pytest.raises(ApiConnectionError):
        run_with_api(pieces_asyncio, ws_server.url, body)


def test_async_abnormal_close_raises_api_connection_error(
    ws_server: WsServer, pieces_asyncio: Any
) -> None:
    from pieces_os_asyncio.exceptions import ApiConnectionError

    ws_server.script([], then="close", close_code=1011)

    async def body(api: Any) -> None:
        async with api.stream_assets_ws() as stream:
            async for _message in stream:
                pass

    with pytest.raises(ApiConnectionError, match="1011"):
        run_with_api(pieces_asyncio, ws_server.url, body)


def test_async_handshake_refused_raises_the_status_exception(
    ws_server: WsServer, pieces_asyncio: Any
) -> None:
    from pieces_os_asyncio.exceptions import NotFoundException

    ws_server.reject_status = 404

    async def body(api: Any) -> None:
        async with api.stream_assets_ws():
            pass

    with pytest.raises(NotFoundException):
        run_with_api(pieces_asyncio, ws_server.url, body)


def test_async_any_spec_path_query_header_and_api_keys(
    ws_server: WsServer, ticker_asyncio: Any
) -> None:
    ws_server.script([json.dumps({"symbol": "AAPL", "price": 1.5, "venue-id": "v"})])

    async def main() -> list[Any]:
        configuration = ticker_asyncio.Configuration(
            host=ws_server.url + "/v2",
            api_key={"KeyHeader": "hk-1", "KeyQuery": "qk-2"},
        )
        async with ticker_asyncio.ApiClient(configuration) as client:
            api = ticker_asyncio.TicksApi(client)
            async with api.stream_ticks_ws(
                "XNAS", ["AAPL", "MSFT"], depth=5, x_client_tag="cli"
            ) as stream:
                return [tick async for tick in stream]

    (tick,) = asyncio.run(main())
    assert (tick.symbol, tick.price, tick.venue_id) == ("AAPL", 1.5, "v")
    (handshake,) = ws_server.handshakes
    path, _, query = handshake.path.partition("?")
    assert path == "/v2/markets/XNAS/ticks"
    assert sorted(query.split("&")) == ["depth=5", "key=qk-2", "symbols=AAPL,MSFT"]
    assert handshake.header("X-Client-Tag") == "cli"
    assert handshake.header("X-Ticker-Key") == "hk-1"


@pytest.mark.parametrize("method", sorted(PIECES_WS_OPS))
def test_the_committed_asyncio_twin_streams_too(
    method: str, ws_server: WsServer
) -> None:
    """``generated/pieces_os_client`` (library = "both"): ``AsyncAssetsApi.<op>_ws`` over
    ``AsyncApiClient`` yields the same parsed messages as the sync ``AssetsApi.<op>_ws``.
    """
    import pieces_os_client as pkg

    path, model = PIECES_WS_OPS[method]
    ws_server.script(_messages(model), then="close")

    async def main() -> list[Any]:
        configuration = pkg.Configuration(host=ws_server.url)
        async with pkg.AsyncApiClient(configuration) as client:
            api = pkg.AsyncAssetsApi(client)
            async with getattr(api, method)() as stream:
                return [message async for message in stream]

    received = asyncio.run(main())
    assert [type(m) for m in received] == [getattr(pkg, model)] * 3
    assert [len(m.iterable) for m in received] == [1, 2, 3]
    (handshake,) = ws_server.handshakes
    assert handshake.path == path
    assert handshake.header("User-Agent").startswith("pieces-os-client/1.0.0 ")
