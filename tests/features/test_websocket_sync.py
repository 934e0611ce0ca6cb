"""``<op>_ws()`` of the generated sync packages against a real loopback WebSocket server
(tests/support/ws_server.py): every x-websocket operation of pieces_os_client, and a spec of our own with
path/query/header parameters and API-key auth."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.ws_server import WsServer

from .conftest import example_json

PIECES_WS_OPS = {
    # method: (path, response model)
    "stream_assets_ws": ("/assets/stream", "Assets"),
    "get_assets_stream_transferables_ws": ("/assets/stream/transferables", "Assets"),
    "assets_stream_identifiers_ws": (
        "/assets/stream/identifiers",
        "StreamedIdentifiers",
    ),
    "workstream_suggestions_stream_ws": (
        "/workstream/suggestions/stream",
        "WorkstreamSuggestions",
    ),
}


def _messages(model: str, count: int = 3) -> list[dict[str, Any]]:
    """``count`` distinct valid messages of ``model``."""
    base = example_json("specs/pieces_os.yaml", model)
    out = []
    for i in range(count):
        message = json.loads(json.dumps(base))
        message["iterable"] = message["iterable"] * (
            i + 1
        )  # 1, 2, 3 items: distinguishable
        out.append(message)
    return out


@pytest.fixture
def pieces_api(ws_server: WsServer) -> Any:
    import pieces_os_client

    configuration = pieces_os_client.Configuration(host=ws_server.url)
    with pieces_os_client.ApiClient(configuration) as client:
        yield pieces_os_client.AssetsApi(client)


def test_all_four_websocket_operations_have_a_ws_method() -> None:
    import pieces_os_client

    ws = {n for n in dir(pieces_os_client.AssetsApi) if n.endswith("_ws")}
    assert ws == set(PIECES_WS_OPS)
    for name in PIECES_WS_OPS:  # the plain method the seed examples call is still there
        assert callable(getattr(pieces_os_client.AssetsApi, name.removesuffix("_ws")))


@pytest.mark.parametrize("method", sorted(PIECES_WS_OPS))
def test_messages_parsed_into_the_response_model_until_server_close(
    method: str, ws_server: WsServer, pieces_api: Any
) -> None:
    import pieces_os_client

    path, model = PIECES_WS_OPS[method]
    sent = _messages(model)
    ws_server.script([json.dumps(m) for m in sent], then="close")
    with getattr(pieces_api, method)() as stream:
        received = list(
            stream
        )  # ends by itself: the server's close (1000) stops iteration
    model_class = getattr(pieces_os_client, model)
    assert [type(m) for m in received] == [model_class] * 3
    assert [len(m.iterable) for m in received] == [1, 2, 3]
    assert received[0] == model_class.from_dict(sent[0])
    (handshake,) = ws_server.handshakes
    assert handshake.path == path
    assert handshake.header("Upgrade").lower() == "websocket"
    assert handshake.header("User-Agent").startswith("pieces-os-client/1.0.0")


def test_headers_default_headers_and_cookie_reach_the_handshake(
    ws_server: WsServer,
) -> None:
    import pieces_os_client

    ws_server.script([], then="close")
    configuration = pieces_os_client.Configuration(host=ws_server.url)
    client = pieces_os_client.ApiClient(
        configuration, header_name="X-Default", header_value="d1", cookie="sid=abc"
    )
    with client:
        api = pieces_os_client.AssetsApi(client)
        with api.stream_assets_ws(_headers={"X-Trace": "t-42"}) as stream:
            assert list(stream) == []
    (handshake,) = ws_server.handshakes
    assert handshake.header("X-Trace") == "t-42"
    assert handshake.header("X-Default") == "d1"
    assert handshake.header("Cookie") == "sid=abc"


def test_leaving_the_context_closes_the_socket_cleanly(
    ws_server: WsServer, pieces_api: Any
) -> None:
    ws_server.script(
        [json.dumps(m) for m in _messages("StreamedIdentifiers", 3)], then="wait"
    )
    with pieces_api.assets_stream_identifiers_ws() as stream:
        first = next(iter(stream))
        assert len(first.iterable) == 1
    # the server was waiting for the client: it received a normal close (1000)
    assert ws_server.finished.wait(5)
    assert ws_server.client_close_codes == [1000]
    assert list(stream) == []  # nothing more after close


def test_breaking_out_of_the_loop_inside_with_closes(
    ws_server: WsServer, pieces_api: Any
) -> None:
    ws_server.script([json.dumps(m) for m in _messages("Assets", 3)], then="wait")
    with pieces_api.stream_assets_ws() as stream:
        for message in stream:
            assert len(message.iterable) == 1
            break
    assert ws_server.finished.wait(5)
    assert ws_server.client_close_codes == [1000]


@pytest.mark.parametrize(
    "bad", ["not json {", json.dumps({"iterable": "not a list"}), json.dumps([1])]
)
def test_malformed_message_raises_response_validation_error_naming_the_operation(
    bad: str, ws_server: WsServer, pieces_api: Any
) -> None:
    from pieces_os_client.exceptions import ResponseValidationError

    good = json.dumps(_messages("WorkstreamSuggestions", 1)[0])
    ws_server.script([good, bad], then="close")
    with pieces_api.workstream_suggestions_stream_ws() as stream:
        iterator = iter(stream)
        assert len(next(iterator).iterable) == 1
        with pytest.raises(ResponseValidationError) as caught:
            next(iterator)
    assert "workstream_suggestions_stream" in str(caught.value)


def test_dropped_connection_raises_api_connection_error(
    ws_server: WsServer, pieces_api: Any
) -> None:
    from pieces_os_client.exceptions import ApiConnectionError, ApiException

    ws_server.script([json.dumps(m) for m in _messages("Assets", 2)], then="drop")
    received = []
    with pytest.raises(ApiConnectionError) as caught:
        with pieces_api.get_assets_stream_transferables_ws() as stream:
            for message in stream:
                received.append(message)
    assert not isinstance(caught.value, ApiException)
    assert len(received) <= 2  # what arrived before the drop was delivered first
    assert "/assets/stream/transferables" in str(caught.value)


def test_abnormal_close_code_raises_api_connection_error(
    ws_server: WsServer, pieces_api: Any
) -> None:
    from pieces_os_client.exceptions import ApiConnectionError

    ws_server.script([], then="close", close_code=1011, close_reason="boom")
    with pytest.raises(ApiConnectionError, match="1011"):
        with pieces_api.stream_assets_ws() as stream:
            list(stream)


def test_handshake_refused_raises_the_status_exception(
    ws_server: WsServer, pieces_api: Any
) -> None:
    from pieces_os_client.exceptions import ServiceException

    ws_server.reject_status = 503
    with pytest.raises(ServiceException) as caught:
        pieces_api.stream_assets_ws()
    assert caught.value.status == 503


def test_nothing_listening_raises_api_connection_error() -> None:
    import socket

    import pieces_os_client
    from pieces_os_client.exceptions import ApiConnectionError

    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configuration = pieces_os_client.Configuration(host=f"http://127.0.0.1:{port}")
    with pieces_os_client.ApiClient(configuration) as client:
        with pytest.raises(ApiConnectionError):
            pieces_os_client.AssetsApi(client).stream_assets_ws()


def test_any_spec_path_query_header_and_api_keys(
    ws_server: WsServer, ticker_sync: Any
) -> None:
    """Our own spec: path and query parameters are serialised as for HTTP, the header parameter and the
    API keys (header and query) arrive, the host's base path is kept, and wire names map to fields.
    """
    ws_server.script(
        [
            json.dumps({"symbol": "AAPL", "price": 187.5, "venue-id": "v1"}),
            json.dumps({"symbol": "MSFT", "price": 402}),
        ]
    )
    configuration = ticker_sync.Configuration(
        host=ws_server.url + "/v2", api_key={"KeyHeader": "hk-1", "KeyQuery": "qk-2"}
    )
    with ticker_sync.ApiClient(configuration) as client:
        api = ticker_sync.TicksApi(client)
        with api.stream_ticks_ws(
            "XNAS", ["AAPL", "MSFT"], depth=5, x_client_tag="cli"
        ) as stream:
            ticks = list(stream)
    assert [(t.symbol, t.price) for t in ticks] == [("AAPL", 187.5), ("MSFT", 402)]
    assert ticks[0].venue_id == "v1"
    assert isinstance(ticks[0], ticker_sync.Tick)
    (handshake,) = ws_server.handshakes
    path, _, query = handshake.path.partition("?")
    assert path == "/v2/markets/XNAS/ticks"
    assert sorted(query.split("&")) == ["depth=5", "key=qk-2", "symbols=AAPL,MSFT"]
    assert handshake.header("X-Client-Tag") == "cli"
    assert handshake.header("X-Ticker-Key") == "hk-1"
