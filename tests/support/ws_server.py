"""A real loopback WebSocket server (``websockets.asyncio.server`` in a thread) for stream tests.

::

    with WsServer() as server:
        server.script(['{"id": 1}', '{"id": 2}'], then="close")
        ...  # connect to server.url (http://127.0.0.1:<port>; clients switch to ws://)
        assert server.handshakes[0].path == "/stream?x=1"

Each connection records its handshake, sends the scripted messages, then ends as ``then`` says:
``"close"`` (a close frame with ``close_code``), ``"drop"`` (the TCP connection is aborted without a
close frame) or ``"wait"`` (until the client closes; the code it sent lands in ``client_close_codes``).
``reject_status`` refuses the handshake with that HTTP status instead.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

__all__ = ["Handshake", "WsServer"]

Ending = Literal["close", "drop", "wait"]


@dataclass
class Handshake:
    """The opening request of one connection: target (path and query) and headers as received."""

    path: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_names(self) -> set[str]:
        """Lower-cased names of every header received."""
        return {key.lower() for key, _ in self.headers}


class WsServer:
    """Serves scripted WebSocket connections on 127.0.0.1 from a background event loop."""

    def __init__(self) -> None:
        self.messages: list[str | bytes] = []
        self.then: Ending = "close"
        self.close_code = 1000
        self.close_reason = ""
        self.reject_status: int | None = None
        self.stale_tokens: set[str] = set()
        """Bearer tokens whose handshake is answered with one 401 each (then forgotten)."""
        self.handshakes: list[Handshake] = []
        self.client_close_codes: list[int | None] = []
        self.finished = threading.Event()
        """Set each time a connection's handler has finished."""
        self._port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def script(
        self,
        messages: list[str | bytes],
        then: Ending = "close",
        *,
        close_code: int = 1000,
        close_reason: str = "",
    ) -> None:
        """What every following connection is sent, and how it ends."""
        self.messages, self.then = list(messages), then
        self.close_code, self.close_reason = close_code, close_reason

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the host a client is configured with."""
        return f"http://127.0.0.1:{self._port}"

    def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        self.handshakes.append(
            Handshake(request.path, list(request.headers.raw_items()))
        )
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token in self.stale_tokens:
            self.stale_tokens.discard(token)
            return connection.respond(401, "stale token\n")
        if self.reject_status is not None:
            return connection.respond(self.reject_status, "rejected by test server\n")
        return None

    async def _handler(self, connection: ServerConnection) -> None:
        try:
            for message in self.messages:
                await connection.send(message)
            if self.then == "close":
                await connection.close(self.close_code, self.close_reason)
            elif self.then == "drop":
                connection.transport.abort()
            else:
                await connection.wait_closed()
                received = connection.protocol.close_rcvd
                self.client_close_codes.append(received.code if received else None)
        finally:
            self.finished.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server: Server
        async with serve(
            self._handler,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            ping_interval=None,
            compression=None,
        ) as server:
            self._port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    def _run(self) -> None:
        asyncio.run(self._main())

    def start(self) -> WsServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("WebSocket test server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def __enter__(self) -> WsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
