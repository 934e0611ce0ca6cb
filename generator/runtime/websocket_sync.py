"""WebSocket streams for operations marked ``x-websocket: true`` (sync, with ``websockets``).

The URL is the HTTP request's (path and query serialised by ``request.build_request``) with ``http`` →
``ws`` and ``https`` → ``wss``; the handshake carries the same auth headers, cookies and User-Agent as
an HTTP call. Each message is one JSON document, decoded into the operation's ``"200"`` type::

    with connect_websocket(api_client, _STREAM_ASSETS, {}) as stream:
        for assets in stream:
            ...

A normal close by the server (1000/1001) ends the iteration; any other end raises
``ApiConnectionError``, and a message that is not JSON or not of the type raises
``ResponseValidationError``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast

from websockets.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidStatus,
    WebSocketException,
)
from websockets.sync.client import ClientConnection, reconnect

from .configuration import BaseConfiguration
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiTimeoutError
from .request import PreparedRequest, origin_of, redirect_headers, websocket_url
from .response import decode_message, status_exception

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Self

__all__ = [
    "DEFAULT_CLOSE_TIMEOUT",
    "DEFAULT_OPEN_TIMEOUT",
    "MAX_MESSAGE_SIZE",
    "WebSocketStream",
    "connect_websocket",
]

T = TypeVar("T")

DEFAULT_OPEN_TIMEOUT = 10.0
"""Seconds allowed for connecting and the opening handshake."""
DEFAULT_CLOSE_TIMEOUT = 10.0
"""Seconds allowed for the closing handshake before the socket is dropped."""
MAX_MESSAGE_SIZE = 16 * 1024 * 1024
"""Largest message accepted, in bytes (a larger one closes the connection with 1009)."""


class _Client(Protocol):
    """What a stream needs from a ``SyncApiClient``."""

    configuration: BaseConfiguration

    def prepare(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        host: str | None = None,
    ) -> PreparedRequest: ...


class _Connector(reconnect):
    """``websockets``' connector (which refuses a redirect from wss to ws), also dropping every
    credential header (``request.redirect_headers``: API keys, sensitive headers, Authorization,
    Cookie) when a redirect leaves the configured origin.
    """

    def __init__(
        self, uri: str, credential_headers: frozenset[str], **kwargs: Any
    ) -> None:
        super().__init__(uri, **kwargs)
        self.origin = origin_of(uri)
        self.credential_headers = credential_headers

    def process_redirect(self, exc: Exception) -> Exception | str:
        target = super().process_redirect(exc)
        if isinstance(target, str):
            headers = cast(Mapping[str, str], self.additional_headers or {})
            try:
                self.additional_headers = redirect_headers(
                    headers, self.credential_headers, self.origin, target
                )
            except ApiConnectionError as refused:
                return refused
        return target


class WebSocketStream(Generic[T]):
    """An open WebSocket: iterate for decoded messages; ``close()`` (or leaving ``with``) closes it
    cleanly (close code 1000)."""

    def __init__(
        self,
        connection: ClientConnection,
        endpoint: Endpoint,
        url: str,
        receive_timeout: float | None = None,
    ) -> None:
        self.connection = connection
        """The underlying ``websockets`` connection (to send messages, ping, ...)."""
        self.endpoint = endpoint
        self.url = url
        """The URL with query credentials masked."""
        self.receive_timeout = receive_timeout
        """Seconds to wait for each message (None: no limit)."""
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        if self._closed:  # messages still buffered after close() are not wanted
            raise StopIteration
        try:
            message = self.connection.recv(timeout=self.receive_timeout)
        except ConnectionClosedOK:
            raise StopIteration from None
        except (
            ConnectionClosedError
        ) as exc:  # also a heartbeat ping left without a pong
            raise ApiConnectionError(
                f"WebSocket closed abnormally: {exc}", method="GET", url=self.url
            ) from exc
        except TimeoutError as exc:
            self._closed = True
            self.connection.close_socket()  # the server is silent: no closing handshake to wait for
            raise ApiTimeoutError(
                f"no WebSocket message within {self.receive_timeout:g} s",
                method="GET",
                url=self.url,
            ) from exc
        return cast(T, decode_message(self.endpoint, message))

    def close(self) -> None:
        """Close the connection with code 1000 and wait for the server to acknowledge it; iteration
        ends here."""
        self._closed = True
        self.connection.close()


def connect_websocket(
    client: _Client,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    open_timeout: float | None = DEFAULT_OPEN_TIMEOUT,
    max_message_size: int | None = MAX_MESSAGE_SIZE,
    heartbeat: float | None = None,
    receive_timeout: float | None = None,
) -> WebSocketStream[Any]:
    """Open the operation's WebSocket with ``client``'s host, credentials and default headers.

    ``heartbeat`` (seconds between pings, a pong missing as long ends the stream) and
    ``receive_timeout`` (seconds to wait for each message) default to the configuration's
    ``websocket_heartbeat`` and ``websocket_receive_timeout``.

    Raises the ``ApiException`` subclass when the server refuses the handshake with an HTTP status,
    ``ApiTimeoutError`` when opening takes longer than ``open_timeout`` and ``ApiConnectionError`` for
    any other failure to connect.
    """
    request = client.prepare(endpoint, args, headers=headers)
    url = websocket_url(request.url)
    display_url = websocket_url(request.display_url)
    cfg = client.configuration
    ping = heartbeat if heartbeat is not None else cfg.websocket_heartbeat
    connector = _Connector(
        url,
        request.credential_headers,
        ssl=cfg.ssl_context() if url.startswith("wss:") else None,
        additional_headers=request.headers,
        user_agent_header=None,  # the client's User-Agent is among the headers
        proxy=cfg.proxy,
        open_timeout=open_timeout,
        close_timeout=DEFAULT_CLOSE_TIMEOUT,
        max_size=max_message_size,
        ping_interval=ping,
        ping_timeout=ping,
    )
    try:
        connection = connector.connect()
    except InvalidStatus as exc:
        response = exc.response
        raise status_exception(
            endpoint,
            response.status_code,
            response.reason_phrase,
            response.headers,
            bytes(response.body or b""),
            method="GET",
            url=display_url,
        ) from exc
    except TimeoutError as exc:
        raise ApiTimeoutError(
            f"timed out opening the WebSocket: {exc}", method="GET", url=display_url
        ) from exc
    except (OSError, WebSocketException) as exc:
        raise ApiConnectionError(
            f"cannot open the WebSocket: {exc}", method="GET", url=display_url
        ) from exc
    connection.pending_legacy_warning = False
    return WebSocketStream(
        connection,
        endpoint,
        display_url,
        (
            receive_timeout
            if receive_timeout is not None
            else cfg.websocket_receive_timeout
        ),
    )
