"""A loopback HTTP/1.1 server that records every raw request and replies with queued responses.

::

    with RecordingServer() as server:
        server.enqueue(200, json={"id": 1})
        ...  # call http://127.0.0.1:<port> (server.url)
        request = server.requests[0]
        assert request.method == "POST" and request.body == b'{"a":1}'

It parses requests itself (so the recorded bytes are exactly what the client sent), supports keep-alive
and chunked request bodies, and runs one thread per connection. With ``store_bodies=False`` bodies are
only counted and hashed, so large uploads do not sit in memory.
"""

from __future__ import annotations

import hashlib
import json as jsonlib
import socket
import socketserver
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["QueuedResponse", "RecordedRequest", "RecordingServer"]

_CHUNK = 64 * 1024


@dataclass
class RecordedRequest:
    """One request as received. ``raw_body`` is the bytes after the header block as sent (with chunk
    framing if chunked); ``body`` is the decoded body (empty when bodies are not stored).
    """

    method: str
    target: str
    headers: list[tuple[str, str]]
    raw_body: bytes
    body: bytes
    body_length: int
    body_sha256: str

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_names(self) -> set[str]:
        """Lower-cased names of every header received."""
        return {key.lower() for key, _ in self.headers}

    @property
    def path(self) -> str:
        """The target without its query string."""
        return urlsplit(self.target).path

    @property
    def query(self) -> str:
        """The raw (still encoded) query string."""
        return urlsplit(self.target).query

    @property
    def query_params(self) -> list[tuple[str, str]]:
        """The decoded query parameters, in order."""
        return parse_qsl(self.query, keep_blank_values=True)


@dataclass
class QueuedResponse:
    """A reply to send. ``delay`` waits before answering; ``drop`` closes the connection instead."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None
    delay: float = 0.0
    drop: bool = False


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        try:
            while self._handle_one():
                pass
        except (ConnectionError, TimeoutError, OSError):
            pass

    def _handle_one(self) -> bool:
        line = self.rfile.readline(65537)
        if not line:
            return False
        method, target, _version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        headers: list[tuple[str, str]] = []
        while True:
            raw = self.rfile.readline(65537).decode("latin-1")
            if raw in ("\r\n", "\n", ""):
                break
            name, _, value = raw.partition(":")
            headers.append((name.strip(), value.strip()))
        lookup = {k.lower(): v for k, v in headers}
        recorder = _BodyRecorder(self.server.store_bodies)
        if lookup.get("transfer-encoding", "").lower() == "chunked":
            self._read_chunked(recorder)
        elif "content-length" in lookup:
            remaining = int(lookup["content-length"])
            while remaining:
                data = self.rfile.read(min(_CHUNK, remaining))
                if not data:
                    break
                recorder.raw(data)
                recorder.decoded(data)
                remaining -= len(data)
        self.server.owner._record(recorder.finish(method, target, headers))
        reply = self.server.owner._next_response()
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.connection.shutdown(socket.SHUT_RDWR)
            return False
        self._write(reply)
        return lookup.get("connection", "").lower() != "close"

    def _read_chunked(self, recorder: _BodyRecorder) -> None:
        while True:
            size_line = self.rfile.readline(65537)
            recorder.raw(size_line)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the blank line
                    trailer = self.rfile.readline(65537)
                    recorder.raw(trailer)
                    if trailer in (b"\r\n", b"\n", b""):
                        return
            remaining = size
            while remaining:
                data = self.rfile.read(min(_CHUNK, remaining))
                if not data:
                    return
                recorder.raw(data)
                recorder.decoded(data)
                remaining -= len(data)
            recorder.raw(self.rfile.readline(65537))

    def _write(self, reply: QueuedResponse) -> None:
        try:
            reason = (
                reply.reason
                if reply.reason is not None
                else HTTPStatus(reply.status).phrase
            )
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {reply.status} {reason}"]
        names = {k.lower() for k, _ in reply.headers}
        lines += [f"{k}: {v}" for k, v in reply.headers]
        if "content-length" not in names and reply.status not in (204, 304):
            lines.append(f"Content-Length: {len(reply.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + reply.body)
        self.wfile.flush()


class _BodyRecorder:
    def __init__(self, store: bool) -> None:
        self.store = store
        self.raw_parts: list[bytes] = []
        self.parts: list[bytes] = []
        self.length = 0
        self.sha = hashlib.sha256()

    def raw(self, data: bytes) -> None:
        if self.store:
            self.raw_parts.append(data)

    def decoded(self, data: bytes) -> None:
        self.length += len(data)
        self.sha.update(data)
        if self.store:
            self.parts.append(data)

    def finish(
        self, method: str, target: str, headers: list[tuple[str, str]]
    ) -> RecordedRequest:
        return RecordedRequest(
            method=method,
            target=target,
            headers=headers,
            raw_body=b"".join(self.raw_parts),
            body=b"".join(self.parts),
            body_length=self.length,
            body_sha256=self.sha.hexdigest(),
        )


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128  # tests open dozens of connections at once

    def __init__(self, owner: RecordingServer, store_bodies: bool) -> None:
        self.owner = owner
        self.store_bodies = store_bodies
        super().__init__(("127.0.0.1", 0), _Handler)


class RecordingServer:
    """Records requests and answers with queued responses (500 when the queue is empty)."""

    def __init__(self, *, store_bodies: bool = True) -> None:
        self._server = _Server(self, store_bodies)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            daemon=True,
        )
        self._lock = threading.Lock()
        self._queue: deque[QueuedResponse] = deque()
        self.requests: list[RecordedRequest] = []

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``"""
        return f"http://127.0.0.1:{self.port}"

    def enqueue(
        self,
        status: int = 200,
        body: bytes | str = b"",
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        *,
        json: Any = None,
        reason: str | None = None,
        delay: float = 0.0,
        drop: bool = False,
    ) -> None:
        """Queue the next reply; ``json=`` sets the body and ``Content-Type: application/json``."""
        pairs = (
            list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        )
        if json is not None:
            body = jsonlib.dumps(json).encode()
            if not any(k.lower() == "content-type" for k, _ in pairs):
                pairs.append(("Content-Type", "application/json"))
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._queue.append(QueuedResponse(status, data, pairs, reason, delay, drop))

    def _next_response(self) -> QueuedResponse:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return QueuedResponse(500, b"recording_server: no response queued")

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> RecordingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RecordingServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
