"""A real loopback server-sent events server (aiohttp's web server in a thread) for stream tests.

::

    with SseServer() as server:
        server.reply(Reply([b"data: 1\\n\\n", b"data: [DONE]\\n\\n"]))
        ...  # call server.url (http://127.0.0.1:<port>)
        assert server.requests[0].path == "/ticks"

Each request takes the next queued ``Reply`` (the last one again when the queue runs out): its status
and content type, then its body chunks, each flushed as it is written (``pause`` seconds apart), then
the response ends, or with ``hang`` stays open (sending nothing) until the client goes away, which
sets ``disconnected``. ``chunks`` may be a generator, so an endless or very long stream is never held
in memory on this side either.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType

from aiohttp import web

__all__ = ["Recorded", "Reply", "SseServer"]


@dataclass
class Reply:
    chunks: Iterable[bytes] = ()
    status: int = 200
    content_type: str = "text/event-stream"
    pause: float = 0.0
    hang: bool = False


@dataclass
class Recorded:
    """One request as received: target (path and query) and headers."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class SseServer:
    """Serves queued event-stream replies on 127.0.0.1 from a background event loop."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Recorded] = []
        self.disconnected = threading.Event()
        self.bytes_sent = 0
        self.stale_tokens: set[str] = set()
        """Bearer tokens answered with one 401 each (then forgotten): a token the server no longer
        takes, for a client's renew-and-replay."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reply(self, *replies: Reply) -> None:
        """Queue the replies to the next requests, in order."""
        self.replies.extend(replies)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Recorded(request.path_qs, dict(request.headers)))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.stale_tokens:
            self.stale_tokens.discard(token)
            return web.json_response({"error": "invalid_token"}, status=401)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        response = web.StreamResponse(
            status=reply.status,
            headers={"Content-Type": reply.content_type, "Cache-Control": "no-cache"},
        )
        await response.prepare(request)
        try:
            for chunk in reply.chunks:
                await response.write(chunk)
                self.bytes_sent += len(chunk)
                if reply.pause:
                    await asyncio.sleep(reply.pause)
            if reply.hang:
                transport = request.transport
                while transport is not None and not transport.is_closing():
                    await asyncio.sleep(0.01)
                self.disconnected.set()
                return response
        except (ConnectionResetError, ConnectionError):
            self.disconnected.set()
            return response
        await response.write_eof()
        return response

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def __enter__(self) -> SseServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
