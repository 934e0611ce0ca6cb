"""WebSocket streams for operations marked ``x-websocket: true``, asyncio, over the ``AsyncApiClient``'s
aiohttp session.

What a stream is (URL, handshake headers, message decoding, how it ends) is ``websocket``'s; this module
moves the frames::

    async with aconnect_websocket(api_client, _STREAM_ASSETS, {}) as stream:
        async for assets in stream:
            ...

``stream = await aconnect_websocket(...)`` opens it without a ``with`` block (then ``await
stream.close()``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Generator, Mapping
from typing import Any, TypeVar

import aiohttp
from typing_extensions import Self, Unpack
from yarl import URL

from .client_async import (
    WEBSOCKET_REDIRECTS,
    AsyncApiClient,
    translate_error,
    warn_unverified,
)
from .endpoint import Endpoint
from .exceptions import ApiException
from .request import origin_of
from .websocket import (
    DEFAULT_CLOSE_TIMEOUT,
    NORMAL_CLOSE_CODES,
    Handshake,
    StreamBase,
    StreamOptions,
)

__all__ = ["AsyncWebSocketStream", "aconnect_websocket"]

T = TypeVar("T")


class AsyncWebSocketStream(StreamBase[T]):
    """A WebSocket opened on first use: ``async with``, ``await`` or ``async for`` open it. Iterate for
    decoded messages; ``close()`` (or leaving ``async with``) closes it cleanly (close code 1000).
    """

    def __init__(
        self,
        client: AsyncApiClient,
        endpoint: Endpoint,
        handshake: Handshake,
        args: Mapping[str, Any] | None = None,
        options: StreamOptions | None = None,
    ) -> None:
        super().__init__(endpoint, handshake.display_url, handshake.receive_timeout)
        self.client = client
        self.handshake = handshake
        self._again = None if args is None else (args, options or {})
        """The arguments to prepare the handshake again with an OAuth2 token fetched on opening."""
        """How it opens; its ``heartbeat`` is the seconds between pings, and a pong missing for half
        as long ends the stream (aiohttp's rule)."""
        self.connection: aiohttp.ClientWebSocketResponse[bool] | None = None
        """The underlying aiohttp WebSocket once open (to send messages, ping, ...)."""
        self._finished = False
        self._closing = False

    def __await__(self) -> Generator[Any, None, Self]:
        return self.open().__await__()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc_info: object) -> None:
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
        # An OAuth2 token the client fetches itself: fetched (or renewed) before the handshake, and
        # on a 401 renewed once and the handshake made once more, as for an HTTP call.
        client = self.client
        tokens = client.configuration.oauth2
        again = self._again
        scheme = None
        if tokens is not None and again is not None:
            scheme = tokens.scheme_for(self.endpoint.auth)
        if scheme is None or again is None or tokens is None:
            await self._connect()
            return self
        sent = await client._token(scheme)
        self.handshake = Handshake.prepare(client, self.endpoint, *again)
        try:
            await self._connect()
        except ApiException as exc:
            if sent is None or exc.status != 401:
                raise
            tokens.expire(sent)
            await client._token(scheme)
            self.handshake = Handshake.prepare(client, self.endpoint, *again)
            await self._connect()
        return self

    async def _connect(self) -> None:
        """Connect with ``handshake`` and complete the opening handshake."""
        cfg = self.client.configuration
        session = self.client.transport.websocket_session()
        handshake = self.handshake
        if not cfg.verify_ssl:
            warn_unverified(handshake.url)
        connecting = session.ws_connect(
            URL(handshake.url, encoded=True),
            headers=handshake.request.headers,
            timeout=aiohttp.ClientWSTimeout(
                ws_receive=self.receive_timeout, ws_close=DEFAULT_CLOSE_TIMEOUT
            ),
            heartbeat=handshake.heartbeat,
            max_msg_size=handshake.max_message_size or 0,  # 0: no limit
            proxy=cfg.proxy,
            proxy_headers=cfg.proxy_headers,
        )
        # aiohttp follows the handshake's redirects itself: the session's middleware drops every
        # credential header when one leaves this origin.
        guard = WEBSOCKET_REDIRECTS.set(
            (origin_of(handshake.url), handshake.request.credential_headers)
        )
        try:
            self.connection = await asyncio.wait_for(connecting, handshake.open_timeout)
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status < 300:  # answered, but not with a WebSocket upgrade
                raise self.failed(f"WebSocket handshake failed: {exc.message}") from exc
            raise self.refused(exc.status, exc.message, exc.headers or {}) from exc
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            error, _ = translate_error(exc, "GET", self.url)
            raise error from exc
        finally:
            WEBSOCKET_REDIRECTS.reset(guard)

    async def __anext__(self) -> T:
        if self._finished or self._closing:
            raise StopAsyncIteration
        connection = self.connection or (await self.open()).connection
        assert connection is not None
        try:
            message = await connection.receive()
        except (
            asyncio.TimeoutError
        ) as exc:  # receive_timeout: the server sent nothing so long
            self._finished = True
            with contextlib.suppress(asyncio.TimeoutError, aiohttp.ClientError):
                await asyncio.wait_for(
                    connection.close(), 1.0
                )  # a silent server won't answer
            raise self.silent() from exc
        if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            return self.decode(message.data)
        self._finished = True
        if self._closing:  # closed by us while iterating
            raise StopAsyncIteration
        if message.type == aiohttp.WSMsgType.CLOSE:
            if message.data in NORMAL_CLOSE_CODES:
                raise StopAsyncIteration
            reason = f" ({message.extra})" if message.extra else ""
            raise self.failed(
                f"WebSocket closed abnormally: code {message.data}{reason}"
            )
        if message.type == aiohttp.WSMsgType.ERROR:
            raise self.failed(f"WebSocket error: {message.data!r}") from message.data
        raise self.failed("WebSocket connection lost without a close frame")

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
    **options: Unpack[StreamOptions],
) -> AsyncWebSocketStream[Any]:
    """The operation's WebSocket (see ``websocket.StreamOptions``); it opens on ``async with`` /
    ``await`` / ``async for``. Arguments are checked here (``ApiValueError``)."""
    return AsyncWebSocketStream(
        client,
        endpoint,
        Handshake.prepare(client, endpoint, args, options),
        args,
        options,
    )
