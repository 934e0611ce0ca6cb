"""Loopback servers for the SDK feature tests: an OAuth2 token endpoint and an API that checks tokens.

``TokenServer`` answers ``POST /token`` with a new access token per request (``tok-1``, ``tok-2``, ...)
and records every request as received (method, path, headers, body). ``BearerApi`` answers any request
with 200 and ``{"ok": true, "token": ...}`` when its bearer token is one ``TokenServer`` issued and has
not revoked, else 401; it records every request too. Both run one thread per connection.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["BearerApi", "Received", "TokenServer"]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))

    @property
    def raw(self) -> bytes:
        """Everything received, as bytes (headers and body), to search for a secret."""
        head = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
        return f"{self.method} {self.path}\r\n{head}\r\n".encode() + self.body


class _Base:
    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(
                    self.command, self.path, dict(self.headers.items()), body
                )
                with owner.lock:
                    owner.requests.append(request)
                status, payload = owner.answer(request)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.lock = threading.Lock()
        self.requests: list[Received] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, request: Received) -> tuple[int, Any]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Any:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class TokenServer(_Base):
    """``POST /token``: a new token for each request; ``expires_in`` seconds (None: not sent)."""

    def __init__(self, expires_in: int | None = 3600, delay: float = 0.0) -> None:
        super().__init__()
        self.expires_in = expires_in
        self.delay = delay
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.refresh_tokens: list[str] = []

    def reset(self, expires_in: int | None = 3600, delay: float = 0.0) -> None:
        """Forget every request and token (a session-wide server, fresh for each test)."""
        with self.lock:
            self.requests.clear()
            self.issued.clear()
            self.revoked.clear()
            self.refresh_tokens.clear()
            self.expires_in, self.delay = expires_in, delay

    def answer(self, request: Received) -> tuple[int, Any]:
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            token = f"tok-{len(self.issued) + 1}"
            self.issued.append(token)
            refresh = f"refresh-{len(self.issued)}"
            self.refresh_tokens.append(refresh)
        payload: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "refresh_token": refresh,
        }
        if self.expires_in is not None:
            payload["expires_in"] = self.expires_in
        return 200, payload

    def valid(self, token: str) -> bool:
        with self.lock:
            return token in self.issued and token not in self.revoked


class BearerApi(_Base):
    """200 for a bearer token ``tokens`` issued and did not revoke, else 401."""

    def __init__(self, tokens: TokenServer) -> None:
        super().__init__()
        self.tokens = tokens

    def answer(self, request: Received) -> tuple[int, Any]:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        if auth.startswith("Bearer ") and self.tokens.valid(token):
            return 200, {"ok": True, "token": token}
        return 401, {"error": "invalid_token"}


class PlaneLike(TokenServer):
    """A stand-in for a (self-hosted) Plane: ``POST /auth/o/token/`` issues tokens; any other request
    with the API key ``plane-api-key`` or an issued bearer token gets ``payload``, else 401.
    """

    def __init__(self, payload: Any) -> None:
        super().__init__()
        self.payload = payload

    def answer(self, request: Received) -> tuple[int, Any]:
        if request.path == "/auth/o/token/":
            return super().answer(request)
        auth = request.headers.get("Authorization", "")
        if request.headers.get("X-API-Key") == "plane-api-key" or (
            auth.startswith("Bearer ") and self.valid(auth.removeprefix("Bearer "))
        ):
            return 200, self.payload
        return 401, {"error": "unauthorized"}
