"""WebSocket streams for operations marked ``x-websocket: true`` (asyncio, with aiohttp).

The asyncio twin of ``websocket_sync``: same URL, headers and message decoding, over the
``AsyncApiClient``'s aiohttp session::

    async with aconnect_websocket(api_client, _STREAM_ASSETS, {}) as stream:
        async for assets in stream:
            ...

``stream = await aconnect_websocket(...)`` opens it without a ``with`` block (then ``await
stream.close()``). A normal close by the server (1000/1001) ends the iteration; any other end raises
``ApiConnectionError``, and a message that is not JSON or not of the type raises
``ResponseValidationError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Generator, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

import aiohttp
from yarl import URL

from .client_async import (
    WEBSOCKET_REDIRECTS,
    AsyncApiClient,
    translate_error,
    warn_unverified,
)
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiTimeoutError
from .request import origin_of, websocket_url
from .response import decode_message, status_exception

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Self

__all__ = [
    "DEFAULT_CLOSE_TIMEOUT",
    "DEFAULT_OPEN_TIMEOUT",
    "MAX_MESSAGE_SIZE",
    "AsyncWebSocketStream",
    "aconnect_websocket",
]

T = TypeVar("T")

DEFAULT_OPEN_TIMEOUT = 10.0
"""Seconds allowed for connecting and the opening handshake."""
DEFAULT_CLOSE_TIMEOUT = 10.0
"""Seconds allowed for the closing handshake before the socket is dropped."""
MAX_MESSAGE_SIZE = 16 * 1024 * 1024
"""Largest message accepted, in bytes (a larger one closes the connection with 1009)."""
NORMAL_CLOSE_CODES = frozenset({1000, 1001})


class AsyncWebSocketStream(Generic[T]):
    """A WebSocket opened on first use: ``async with``, ``await`` or ``async for`` open it. Iterate for
    decoded messages; ``close()`` (or leaving ``async with``) closes it cleanly (close code 1000).
    """

    def __init__(
        self,
        client: AsyncApiClient,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        open_timeout: float | None = DEFAULT_OPEN_TIMEOUT,
        max_message_size: int = MAX_MESSAGE_SIZE,
        heartbeat: float | None = None,
        receive_timeout: float | None = None,
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self._request = client.prepare(endpoint, args, headers=headers)
        self.url = websocket_url(self._request.display_url)
        """The URL with query credentials masked."""
        self.open_timeout = open_timeout
        self.max_message_size = max_message_size
        cfg = client.configuration
        self.heartbeat = heartbeat if heartbeat is not None else cfg.websocket_heartbeat
        """Seconds between pings; a pong missing for half as long ends the stream (aiohttp's rule)."""
        self.receive_timeout = (
            receive_timeout
            if receive_timeout is not None
            else cfg.websocket_receive_timeout
        )
        """Seconds to wait for each message (None: no limit)."""
        self.connection: aiohttp.ClientWebSocketResponse[bool] | None = None
        """The underlying aiohttp WebSocket once open (to send messages, ping, ...)."""
        self._finished = False
        self._closing = False

    def __await__(self) -> Generator[Any, None, Self]:
        return self.open().__await__()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __aiter__(self) -> Self:
        return self

    async def open(self) -> Self:
        """Connect and complete the opening handshake (once; later calls return at once).

        Raises the ``ApiException`` subclass when the server refuses the handshake with an HTTP status,
        ``ApiTimeoutError`` when opening takes longer than ``open_timeout`` and ``ApiConnectionError``
        for any other failure to connect.
        """
        if self.connection is not None:
            return self
        cfg = self.client.configuration
        session = await self.client.session()
        url = websocket_url(self._request.url)
        if not cfg.verify_ssl:
            warn_unverified(url)
        connecting = session.ws_connect(
            URL(url, encoded=True),
            headers=self._request.headers,
            timeout=aiohttp.ClientWSTimeout(
                ws_receive=self.receive_timeout, ws_close=DEFAULT_CLOSE_TIMEOUT
            ),
            heartbeat=self.heartbeat,
            max_msg_size=self.max_message_size,
            proxy=cfg.proxy,
            proxy_headers=cfg.proxy_headers,
        )
        # aiohttp follows the handshake's redirects itself: the session's middleware drops every
        # credential header when one leaves this origin.
        guard = WEBSOCKET_REDIRECTS.set(
            (origin_of(url), self._request.credential_headers)
        )
        try:
            self.connection = await asyncio.wait_for(connecting, self.open_timeout)
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status < 300:  # answered, but not with a WebSocket upgrade
                raise ApiConnectionError(
                    f"WebSocket handshake failed: {exc.message}",
                    method="GET",
                    url=self.url,
                ) from exc
            raise status_exception(
                self.endpoint,
                exc.status,
                exc.message,
                exc.headers or {},
                b"",
                method="GET",
                url=self.url,
            ) from exc
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            error, _ = translate_error(exc, "GET", self.url)
            raise error from exc
        finally:
            WEBSOCKET_REDIRECTS.reset(guard)
        return self

    async def __anext__(self) -> T:
        if self._finished or self._closing:
            raise StopAsyncIteration
        connection = self.connection or (await self.open()).connection
        assert connection is not None
        try:
            message = await connection.receive()
        except (
            asyncio.TimeoutError
        ) as exc:  # receive_timeout: the server sent nothing for so long
            self._finished = True
            with contextlib.suppress(asyncio.TimeoutError, aiohttp.ClientError):
                await asyncio.wait_for(
                    connection.close(), 1.0
                )  # a silent server won't answer
            raise ApiTimeoutError(
                f"no WebSocket message within {self.receive_timeout:g} s",
                method="GET",
                url=self.url,
            ) from exc
        if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            return cast(T, decode_message(self.endpoint, message.data))
        self._finished = True
        if self._closing:  # closed by us while iterating
            raise StopAsyncIteration
        if message.type == aiohttp.WSMsgType.CLOSE:
            if message.data in NORMAL_CLOSE_CODES:
                raise StopAsyncIteration
            reason = f" ({message.extra})" if message.extra else ""
            raise ApiConnectionError(
                f"WebSocket closed abnormally: code {message.data}{reason}",
                method="GET",
                url=self.url,
            )
        if message.type == aiohttp.WSMsgType.ERROR:
            raise ApiConnectionError(
                f"WebSocket error: {message.data!r}", method="GET", url=self.url
            ) from message.data
        raise ApiConnectionError(
            "WebSocket connection lost without a close frame",
            method="GET",
            url=self.url,
        )

    async def close(self) -> None:
        """Close the connection with code 1000 and wait (briefly) for the server to acknowledge it;
        iteration ends here."""
        self._closing = True
        if self.connection is not None and not self.connection.closed:
            await self.connection.close()


def aconnect_websocket(
    client: AsyncApiClient,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    open_timeout: float | None = DEFAULT_OPEN_TIMEOUT,
    max_message_size: int = MAX_MESSAGE_SIZE,
    heartbeat: float | None = None,
    receive_timeout: float | None = None,
) -> AsyncWebSocketStream[Any]:
    """The operation's WebSocket with ``client``'s host, credentials and default headers; it opens on
    ``async with`` / ``await`` / ``async for``. Arguments are checked here (``ApiValueError``).

    ``heartbeat`` and ``receive_timeout`` default to the configuration's ``websocket_heartbeat`` and
    ``websocket_receive_timeout``.
    """
    return AsyncWebSocketStream(
        client,
        endpoint,
        args,
        headers=headers,
        open_timeout=open_timeout,
        max_message_size=max_message_size,
        heartbeat=heartbeat,
        receive_timeout=receive_timeout,
    )
