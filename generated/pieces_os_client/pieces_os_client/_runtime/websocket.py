"""What the sync and asyncio WebSocket streams share, with no I/O in it.

An operation marked ``x-websocket: true`` is opened at the HTTP request's URL (path and query serialised
by ``request.build_request``) with ``http`` → ``ws`` and ``https`` → ``wss``; the handshake carries the
same auth headers, cookies and User-Agent as an HTTP call (``Handshake``). Each message is one JSON
document, decoded into the operation's ``"200"`` type (``response.decode_message``). A normal close by
the server (1000/1001) ends the iteration; any other end raises ``ApiConnectionError``, a server silent
for longer than the receive timeout ``ApiTimeoutError``, and a message that is not JSON or not of the
type ``ResponseValidationError``. An OAuth2 token the client fetches itself (``oauth2``) is fetched before
the handshake and renewed once on a 401 to it; hooks (``hooks``) do not run for the handshake.
``websocket_sync`` (``websockets``) and ``websocket_async`` (aiohttp) only move the frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar, cast

from .core import BaseClient
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiException, ApiTimeoutError
from .request import PreparedRequest, websocket_url
from .response import decode_message, status_exception

__all__ = [
    "DEFAULT_CLOSE_TIMEOUT",
    "DEFAULT_OPEN_TIMEOUT",
    "MAX_MESSAGE_SIZE",
    "NORMAL_CLOSE_CODES",
    "Handshake",
    "StreamBase",
    "StreamOptions",
]

T = TypeVar("T")

DEFAULT_OPEN_TIMEOUT = 10.0
"""Seconds allowed for connecting and the opening handshake."""
DEFAULT_CLOSE_TIMEOUT = 10.0
"""Seconds allowed for the closing handshake before the socket is dropped."""
MAX_MESSAGE_SIZE = 16 * 1024 * 1024
"""Largest message accepted, in bytes (a larger one closes the connection with 1009)."""
NORMAL_CLOSE_CODES = frozenset({1000, 1001})
"""Close codes that end a stream normally."""


class StreamOptions(TypedDict, total=False):
    """How to open a stream (every one optional)."""

    headers: Mapping[str, str] | None
    """Headers for the handshake, over the client's default headers."""
    open_timeout: float | None
    """Seconds for connecting and the opening handshake (default ``DEFAULT_OPEN_TIMEOUT``; None: no
    limit)."""
    max_message_size: int | None
    """Largest message in bytes (default ``MAX_MESSAGE_SIZE``; None: no limit)."""
    heartbeat: float | None
    """Seconds between pings; a server that stops answering them ends the stream (default
    ``configuration.websocket_heartbeat``)."""
    receive_timeout: float | None
    """Seconds to wait for each message (default ``configuration.websocket_receive_timeout``)."""


@dataclass(frozen=True, slots=True)
class Handshake:
    """How to open an operation's WebSocket: the HTTP request it starts as, the ``ws(s)://`` URL to
    connect to (``display_url``: with query credentials masked, for messages), and the stream's
    options with their defaults applied (``StreamOptions``)."""

    request: PreparedRequest
    url: str
    display_url: str
    open_timeout: float | None
    max_message_size: int | None
    heartbeat: float | None
    receive_timeout: float | None

    @classmethod
    def prepare(
        cls,
        client: BaseClient,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        options: StreamOptions,
    ) -> Handshake:
        """The handshake of ``endpoint`` with ``client``'s host, credentials and default headers.
        Raises ``ApiValueError`` for bad arguments."""
        request = client.prepare(endpoint, args, headers=options.get("headers"))
        cfg = client.configuration
        heartbeat = options.get("heartbeat")
        receive_timeout = options.get("receive_timeout")
        return cls(
            request,
            websocket_url(request.url),
            websocket_url(request.display_url),
            options.get("open_timeout", DEFAULT_OPEN_TIMEOUT),
            options.get("max_message_size", MAX_MESSAGE_SIZE),
            heartbeat if heartbeat is not None else cfg.websocket_heartbeat,
            (
                receive_timeout
                if receive_timeout is not None
                else cfg.websocket_receive_timeout
            ),
        )


class StreamBase(Generic[T]):
    """An operation's message stream: decoding, and the exceptions its ends raise."""

    def __init__(
        self, endpoint: Endpoint, url: str, receive_timeout: float | None
    ) -> None:
        self.endpoint = endpoint
        self.url = url
        """The URL with query credentials masked."""
        self.receive_timeout = receive_timeout
        """Seconds to wait for each message (None: no limit)."""

    def decode(self, message: str | bytes) -> T:
        """One message as the operation's ``"200"`` type."""
        return cast(T, decode_message(self.endpoint, message))

    def refused(
        self,
        status: int,
        reason: str | None,
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> ApiException:
        """The exception for a handshake the server answered with an HTTP status."""
        return status_exception(
            self.endpoint, status, reason, headers, body, method="GET", url=self.url
        )

    def failed(self, what: str) -> ApiConnectionError:
        """The exception for a stream that could not open or ended abnormally (``what`` happened)."""
        return ApiConnectionError(what, method="GET", url=self.url)

    def open_timed_out(self, detail: object) -> ApiTimeoutError:
        """The exception for an opening handshake that took too long."""
        return ApiTimeoutError(
            f"timed out opening the WebSocket: {detail}", method="GET", url=self.url
        )

    def silent(self) -> ApiTimeoutError:
        """The exception for a server that sent nothing for ``receive_timeout`` seconds."""
        return ApiTimeoutError(
            f"no WebSocket message within {self.receive_timeout:g} s",
            method="GET",
            url=self.url,
        )
