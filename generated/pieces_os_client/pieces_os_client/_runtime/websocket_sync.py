"""WebSocket streams for operations marked ``x-websocket: true``, sync, with ``websockets``.

What a stream is (URL, handshake headers, message decoding, how it ends) is ``websocket``'s; this module
moves the frames::

    with connect_websocket(api_client, _STREAM_ASSETS, {}) as stream:
        for assets in stream:
            ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from typing_extensions import Self, Unpack
from websockets.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidStatus,
    WebSocketException,
)
from websockets.sync.client import ClientConnection, reconnect

from .client_sync import SyncApiClient
from .core import BaseClient
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiException
from .request import origin_of, redirect_headers
from .websocket import DEFAULT_CLOSE_TIMEOUT, Handshake, StreamBase, StreamOptions

__all__ = ["WebSocketStream", "connect_websocket"]

T = TypeVar("T")


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


class WebSocketStream(StreamBase[T]):
    """An open WebSocket: iterate for decoded messages; ``close()`` (or leaving ``with``) closes it
    cleanly (close code 1000)."""

    def __init__(
        self,
        connection: ClientConnection,
        endpoint: Endpoint,
        url: str,
        receive_timeout: float | None = None,
    ) -> None:
        super().__init__(endpoint, url, receive_timeout)
        self.connection = connection
        """The underlying ``websockets`` connection (to send messages, ping, ...)."""
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
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
            raise self.failed(f"WebSocket closed abnormally: {exc}") from exc
        except TimeoutError as exc:
            self._closed = True
            self.connection.close_socket()  # the server is silent: no closing handshake to wait for
            raise self.silent() from exc
        return self.decode(message)

    def close(self) -> None:
        """Close the connection with code 1000 and wait for the server to acknowledge it; iteration
        ends here."""
        self._closed = True
        self.connection.close()


def connect_websocket(
    client: BaseClient,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    **options: Unpack[StreamOptions],
) -> WebSocketStream[Any]:
    """Open the operation's WebSocket (see ``websocket.StreamOptions``).

    Raises the ``ApiException`` subclass when the server refuses the handshake with an HTTP status,
    ``ApiTimeoutError`` when opening takes longer than ``open_timeout`` and ``ApiConnectionError`` for
    any other failure to connect.
    """
    # An OAuth2 token the client fetches itself: fetched (or renewed) before the handshake, and on a
    # 401 renewed once and the handshake made once more, as for an HTTP call.
    tokens = client.configuration.oauth2
    scheme = sent = None
    if tokens is not None and isinstance(client, SyncApiClient):
        scheme = tokens.scheme_for(endpoint.auth)
        sent = client._token(scheme)
    handshake = Handshake.prepare(client, endpoint, args, options)
    try:
        connection = _open(client, endpoint, handshake)
    except ApiException as exc:
        if sent is None or exc.status != 401 or tokens is None:
            raise
        tokens.expire(sent)
        assert isinstance(client, SyncApiClient)
        client._token(scheme)
        handshake = Handshake.prepare(client, endpoint, args, options)
        connection = _open(client, endpoint, handshake)
    return WebSocketStream(
        connection, endpoint, handshake.display_url, handshake.receive_timeout
    )


def _open(
    client: BaseClient, endpoint: Endpoint, handshake: Handshake
) -> ClientConnection:
    """Connect and complete the opening handshake, the failures worded as the package's exceptions."""
    cfg = client.configuration
    url = handshake.url
    connector = _Connector(
        url,
        handshake.request.credential_headers,
        ssl=cfg.ssl_context() if url.startswith("wss:") else None,
        additional_headers=handshake.request.headers,
        user_agent_header=None,  # the client's User-Agent is among the headers
        proxy=cfg.proxy,
        open_timeout=handshake.open_timeout,
        close_timeout=DEFAULT_CLOSE_TIMEOUT,
        max_size=handshake.max_message_size,
        ping_interval=handshake.heartbeat,
        ping_timeout=handshake.heartbeat,
    )
    # Not open yet: the stream object words the exceptions of a failed opening.
    stream: StreamBase[Any] = StreamBase(
        endpoint, handshake.display_url, handshake.receive_timeout
    )
    try:
        connection = connector.connect()
    except InvalidStatus as exc:
        response = exc.response
        raise stream.refused(
            response.status_code,
            response.reason_phrase,
            response.headers,
            bytes(response.body or b""),
        ) from exc
    except TimeoutError as exc:
        raise stream.open_timed_out(exc) from exc
    except (OSError, WebSocketException) as exc:
        raise stream.failed(f"cannot open the WebSocket: {exc}") from exc
    connection.pending_legacy_warning = False
    return connection
