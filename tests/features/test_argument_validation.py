"""``<op>_iter()`` and ``<op>_ws()`` check their arguments exactly as the plain methods do, in both twins
of a ``library = "both"`` package: a missing required argument or a value of the wrong type raises
pydantic's ``ValidationError`` titled ``<Api>.<method>`` when the method is called, and nothing reaches the
server. (Before, they passed anything on: a wrong type went out on the wire, a missing argument raised a
bare ``TypeError``.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pydantic
import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import TWINS
from tests.support.ws_server import WsServer

BAD_CALLS = [
    # (label, positional arguments, keyword arguments, the pydantic error type expected)
    ("missing required", (), {}, "missing_argument"),
    ("int for str", (7,), {}, "string_type"),
    ("str for int", ("XNAS",), {"size": "2"}, "int_type"),
]
WS_BAD_CALLS = [
    ("missing required", ("XNAS",), {}, "missing_argument"),
    ("str for list", ("XNAS", "AAPL"), {}, "list_type"),
    ("str for int", ("XNAS", ["AAPL"]), {"depth": "3"}, "int_type"),
    ("int for header str", ("XNAS", ["AAPL"]), {"x_client_tag": 5}, "string_type"),
]


class _Twin:
    """``TicksApi`` over ``ApiClient``, or ``AsyncTicksApi`` over ``AsyncApiClient`` with one event loop
    that runs what its methods return when it is a coroutine (an awaited plain method).
    """

    def __init__(self, package: Any, twin: str, host: str) -> None:
        configuration = package.Configuration(
            host=host, api_key={"KeyHeader": "h", "KeyQuery": "q"}
        )
        self.runner = asyncio.Runner() if twin == "asyncio" else None
        if self.runner is None:
            self.client = package.ApiClient(configuration)
            self.api = package.TicksApi(self.client)
        else:
            self.client = package.AsyncApiClient(configuration)
            self.api = package.AsyncTicksApi(self.client)
        self.prefix = type(self.api).__name__

    def run(self, result: Any) -> Any:
        if self.runner is not None and asyncio.iscoroutine(result):
            return self.runner.run(result)
        return result

    def error(self, call: Any) -> pydantic.ValidationError:
        with pytest.raises(pydantic.ValidationError) as caught:
            self.run(call())
        return caught.value

    def close(self) -> None:
        self.run(self.client.close())
        if self.runner is not None:
            self.runner.close()


def _shape(error: pydantic.ValidationError) -> list[tuple[str, tuple[Any, ...]]]:
    return [(e["type"], e["loc"]) for e in error.errors()]


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize(("label", "args", "kwargs", "kind"), BAD_CALLS)
def test_iter_validates_like_the_plain_method(
    server: RecordingServer,
    ticker_both: Any,
    twin: str,
    label: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    kind: str,
) -> None:
    t = _Twin(ticker_both, twin, server.url + "/v2")
    try:
        iterating = t.error(lambda: t.api.list_history_iter(*args, **kwargs))
        plain = t.error(lambda: t.api.list_history(*args, **kwargs))
    finally:
        t.close()
    prefix = t.prefix
    assert iterating.title == f"{prefix}.list_history_iter"
    assert plain.title == f"{prefix}.list_history"
    assert kind in [e["type"] for e in iterating.errors()], label
    assert _shape(iterating) == _shape(plain)
    assert server.requests == []


@pytest.mark.parametrize("twin", TWINS)
def test_iter_with_valid_arguments_still_pages(
    server: RecordingServer, ticker_both: Any, twin: str
) -> None:
    server.enqueue(200, json={"results": [{"symbol": "S1", "price": 1}], "meta": {}})
    t = _Twin(ticker_both, twin, server.url + "/v2")

    async def collect() -> list[str]:
        return [tick.symbol async for tick in t.api.list_history_iter("XNAS", size=1)]

    try:
        if twin == "sync":
            symbols = [tick.symbol for tick in t.api.list_history_iter("XNAS", size=1)]
        else:
            symbols = t.run(collect())
    finally:
        t.close()
    assert symbols == ["S1"]
    [request] = server.requests
    assert request.target == "/v2/markets/XNAS/history?size=1&key=q"


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize(("label", "args", "kwargs", "kind"), WS_BAD_CALLS)
def test_ws_validates_like_the_plain_method(
    ws_server: WsServer,
    ticker_both: Any,
    twin: str,
    label: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    kind: str,
) -> None:
    t = _Twin(ticker_both, twin, ws_server.url + "/v2")
    try:
        streaming = t.error(lambda: t.api.stream_ticks_ws(*args, **kwargs))
        plain = t.error(lambda: t.api.stream_ticks(*args, **kwargs))
    finally:
        t.close()
    prefix = t.prefix
    assert streaming.title == f"{prefix}.stream_ticks_ws"
    assert plain.title == f"{prefix}.stream_ticks"
    assert kind in [e["type"] for e in streaming.errors()], label
    assert _shape(streaming) == _shape(plain)
    assert ws_server.handshakes == []
