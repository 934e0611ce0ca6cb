"""A loopback HTTP/1.1 server that misbehaves on purpose: drips bytes, never ends a body, lies about its
length, sends decompression bombs. Every request gets the current ``behaviour``::

    with HostileServer() as server:
        server.behaviour = drip_body(size=100, interval=0.5)
        ...  # call server.url; then look at server.requests / server.connections

A behaviour is a function ``(conn, request) -> bool`` that writes the whole answer to the socket itself and
returns whether the connection may be kept alive. It stops quietly when the client goes away (any
``OSError`` while writing ends the connection), and every loop checks ``server.stopping`` so that stopping
the server ends endless answers. One thread per connection; ``open_connections`` counts the sockets not yet
closed by the client.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json as jsonlib
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

__all__ = [
    "HostileServer",
    "Request",
    "answer",
    "drip_body",
    "drip_headers",
    "endless_body",
    "first_then",
    "gzip_bomb",
    "huge_length",
    "json_answer",
    "redirect",
    "silent",
    "websocket_then_silence",
]


@dataclass
class Request:
    method: str
    target: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


Behaviour = Callable[["socket.socket", Request], bool]


def _head(status: int, headers: list[tuple[str, str]]) -> bytes:
    reason = {101: "Switching Protocols", 302: "Found"}.get(status, "X")
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int = 200, body: bytes = b"", headers: list[tuple[str, str]] | None = None
) -> Behaviour:
    """A normal, complete answer."""

    def behave(conn: socket.socket, request: Request) -> bool:
        extra = list(headers or [])
        if not any(k.lower() == "content-length" for k, _ in extra):
            extra.append(("Content-Length", str(len(body))))
        conn.sendall(_head(status, extra) + body)
        return True

    return behave


def json_answer(
    data: Any = None, *, raw: bytes | None = None, status: int = 200
) -> Behaviour:
    """A JSON answer (``raw`` bytes sent as they are)."""
    body = raw if raw is not None else jsonlib.dumps(data).encode()
    return answer(status, body, [("Content-Type", "application/json")])


def drip_body(
    size: int = 1000,
    interval: float = 0.5,
    content_type: str = "application/json",
) -> Behaviour:
    """Headers at once (``Content-Length: size``), then the body one byte every ``interval`` seconds."""

    def behave(conn: socket.socket, request: Request) -> bool:
        conn.sendall(
            _head(200, [("Content-Type", content_type), ("Content-Length", str(size))])
        )
        for _ in range(size):
            time.sleep(interval)
            conn.sendall(b" ")
        return False

    return behave


def drip_headers(interval: float = 0.3) -> Behaviour:
    """The status line and headers one byte every ``interval`` seconds, never finishing."""

    def behave(conn: socket.socket, request: Request) -> bool:
        head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 100_000
        for byte in head:
            time.sleep(interval)
            conn.sendall(bytes([byte]))
        return False

    return behave


def endless_body(
    interval: float = 0.0,
    chunk: bytes = b"[" + b"0," * 32_767,
    content_type: str = "application/json",
    headers: list[tuple[str, str]] | None = None,
) -> Behaviour:
    """A chunked body that never ends: ``chunk`` after ``chunk``, every ``interval`` seconds (0: as fast
    as the client reads)."""

    def behave(conn: socket.socket, request: Request) -> bool:
        conn.sendall(
            _head(
                200,
                [("Content-Type", content_type), ("Transfer-Encoding", "chunked")]
                + list(headers or []),
            )
        )
        framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        while True:
            conn.sendall(framed)
            if interval:
                time.sleep(interval)

    return behave


def huge_length(length: int = 2_147_483_648) -> Behaviour:
    """``Content-Length: length`` (2 GiB by default), then zeros as fast as the client reads them."""

    def behave(conn: socket.socket, request: Request) -> bool:
        conn.sendall(
            _head(
                200,
                [("Content-Type", "application/json"), ("Content-Length", str(length))],
            )
        )
        block = b"0" * 65536
        sent = 0
        while sent < length:
            conn.sendall(block)
            sent += len(block)
        return False

    return behave


_BOMBS: dict[int, bytes] = {}


def bomb_bytes(inflated: int = 1 << 30) -> bytes:
    """A gzip member of about 1 MB (for 1 GiB) that inflates to ``inflated`` bytes of JSON-ish zeros
    (made once per size)."""
    if inflated not in _BOMBS:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = b"0" * (1 << 20)
        parts = [compressor.compress(block) for _ in range(inflated >> 20)]
        parts.append(compressor.flush())
        _BOMBS[inflated] = b"".join(parts)
    return _BOMBS[inflated]


def gzip_bomb(inflated: int = 1 << 30) -> Behaviour:
    """A ``Content-Encoding: gzip`` JSON body of about 1 MB that inflates to ``inflated`` bytes."""
    body = bomb_bytes(inflated)
    return answer(
        200,
        body,
        [("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
    )


def gzip_answer(data: Any) -> Behaviour:
    """A small, honest gzip-encoded JSON answer."""
    return answer(
        200,
        gzip.compress(jsonlib.dumps(data).encode()),
        [("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
    )


def first_then(first: Behaviour, then: Behaviour) -> Behaviour:
    """``first`` for the first request, ``then`` for every later one."""
    served = 0
    lock = threading.Lock()

    def behave(conn: socket.socket, request: Request) -> bool:
        nonlocal served
        with lock:
            served += 1
            current = first if served == 1 else then
        return current(conn, request)

    return behave


def redirect(location: str, status: int = 302) -> Behaviour:
    """A redirect to ``location``."""
    return answer(status, b"", [("Location", location)])


def websocket_then_silence(server: HostileServer) -> Behaviour:
    """Completes a WebSocket handshake, then neither sends nor reads anything (no pong either)."""

    def behave(conn: socket.socket, request: Request) -> bool:
        key = request.header("Sec-WebSocket-Key") or ""
        accept = base64.b64encode(
            hashlib.sha1((key + _WS_GUID).encode()).digest()
        ).decode()
        conn.sendall(
            _head(
                101,
                [
                    ("Upgrade", "websocket"),
                    ("Connection", "Upgrade"),
                    ("Sec-WebSocket-Accept", accept),
                ],
            )
        )
        while not server.stopping.wait(0.05):
            pass
        return False

    return behave


_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def silent(server: HostileServer) -> Behaviour:
    """Reads the request and never answers (until the server stops)."""

    def behave(conn: socket.socket, request: Request) -> bool:
        while not server.stopping.wait(0.05):
            pass
        return False

    return behave


class HostileServer:
    """Answers every request with ``behaviour`` (a 500 until one is set)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        """A server-side TLS context: the server speaks https (``url`` says so)."""
        self.behaviour: Behaviour = answer(500, b"no behaviour set")
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def open_connections(self) -> int:
        """Connections accepted and not yet closed by the client (nor by a finished behaviour)."""
        with self._lock:
            return len(self._sockets)

    def _accept(self) -> None:
        self._listener.settimeout(0.05)  # to notice ``stopping``
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._sockets.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, reader: Any) -> Request | None:
        line = reader.readline(65537)
        if not line:
            return None
        method, target, _ = line.decode("latin-1").split(" ", 2)
        request = Request(method, target)
        while True:
            raw = reader.readline(65537).decode("latin-1")
            if raw in ("\r\n", "\n", ""):
                break
            name, _, value = raw.partition(":")
            request.headers.append((name.strip(), value.strip()))
        length = int(request.header("Content-Length") or 0)
        if length:
            request.body = reader.read(length)
        return request

    def _serve(self, raw: socket.socket) -> None:
        conn = raw
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                with self._lock:
                    self._sockets.discard(raw)
                raw.close()
                return
        reader = conn.makefile("rb")
        try:
            while not self.stopping.is_set():
                request = self._read_request(reader)
                if request is None:
                    break
                with self._lock:
                    self.requests.append(request)
                if not self.behaviour(conn, request):
                    break
        except (OSError, ValueError):
            pass
        finally:
            with self._lock:
                self._sockets.discard(raw)
            reader.close()
            conn.close()

    def wait_for_no_connections(self, timeout: float = 5.0) -> bool:
        """Whether every connection got closed within ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.open_connections == 0:
                return True
            time.sleep(0.02)
        return self.open_connections == 0

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for conn in sockets:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
