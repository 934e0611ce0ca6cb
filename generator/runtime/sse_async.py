"""Server-sent event streams, asyncio, over the ``AsyncApiClient``'s aiohttp session; the twin of
``sse_sync``.

What a stream is (parsing, decoding, the sentinel, reconnecting) is ``sse``'s; this module moves the
bytes. The stream opens on first use (``async with``, ``await`` or ``async for``) and reads the body as
it arrives, never whole::

    async with open_async_event_stream(api_client, _STREAM_TICKS, {"market": "XNAS"}) as stream:
        async for event in stream:
            print(event.event, event.id, event.data)

The read timeout (``_request_timeout`` or ``configuration.timeout``: the read part of a
``(connect, read)`` pair) applies to each read, so it bounds the silence between events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Mapping
from typing import Any, TypeVar

import aiohttp
from typing_extensions import Self, Unpack

from .client_async import AsyncApiClient, _read_limited, translate_error
from .endpoint import Endpoint
from .exceptions import OpenApiException
from .sse import EventCallOptions, EventStreamBase, ServerSentEvent

__all__ = ["AsyncEventStream", "open_async_event_stream"]

T = TypeVar("T")


class AsyncEventStream(EventStreamBase[T]):
    """An operation's event stream, opened on first use: ``async with``, ``await`` or ``async for``
    open it. Iterate for ``ServerSentEvent`` s (their ``data`` of the operation's item type);
    ``await close()`` (or leaving ``async with``) closes the connection. The iteration ends at the
    sentinel, a 204, or the end of the body (unless it reconnects)."""

    client: AsyncApiClient
    response: aiohttp.ClientResponse | None = None
    """The aiohttp response being read (None between connections and once closed)."""
    _started = False

    def __await__(self) -> Generator[Any, None, Self]:
        return self.open().__await__()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __aiter__(self) -> Self:
        return self

    async def open(self) -> Self:
        """Send the request and check the answer (once; later calls return at once).

        Raises the ``ApiException`` subclass for a non-2xx status, ``ResponseValidationError`` when
        the answer is not ``text/event-stream``, ``ApiConnectionError`` / ``ApiTimeoutError`` when
        none arrives (after the configured retries)."""
        if not self._started:
            self._started = True
            await self._connect()
        return self

    async def _connect(self) -> None:
        """Send the request (again, with ``Last-Event-ID``, when reconnecting) and check its answer."""
        options = self.request_options()
        client = self.client
        scheme = (
            self.token_scheme()
        )  # an OAuth2 token fetched first, renewed once on a 401
        sent = None if scheme is None else await client._token(scheme)
        exchange = client.exchange(self.endpoint, self.args, options, preload=False)
        response = (await client._send(exchange))[0]
        if sent is not None and exchange.token_refused(response.status, sent):
            response.close()  # an unread body: the connection is not reused
            await client._token(scheme)
            exchange = client.replay(exchange, self.args, options)
            response = (await client._send(exchange))[0]
        self.method, self.url = exchange.request.method, exchange.request.display_url
        try:
            if not 200 <= response.status <= 299:
                try:
                    body = await _read_limited(response, exchange.body_limit())
                finally:
                    response.release()
                raise self.refused(
                    response.status, response.reason, response.headers, body
                )
            self.response = response
            try:
                if not self.opened(response.status, response.headers):
                    self._drop()
            except BaseException:
                self._drop()
                raise
        except OpenApiException as exc:
            exchange.failed(exc)  # the on_error hooks see a stream that did not open
            raise

    def _drop(self) -> None:
        """Close the response's connection (an event stream is never read to its end)."""
        response, self.response = self.response, None
        if response is not None:
            response.close()

    async def __anext__(self) -> ServerSentEvent[T]:
        await self.open()
        # Whatever ends the iteration (StopAsyncIteration too) drops the connection.
        try:
            return await self._next()
        except BaseException:
            self._drop()
            raise

    async def _next(self) -> ServerSentEvent[T]:
        while True:
            step = self.step()
            if isinstance(step, ServerSentEvent):
                return step
            if step == "stop":
                self._drop()
                raise StopAsyncIteration
            response = self.response
            if step != "read" or response is None:
                self._drop()
                await self.client.sleep(float(step))
                await self._connect()
                continue
            try:
                chunk = await response.content.readany()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                self._drop()
                self.broke_off(translate_error(exc, self.method, self.url)[0], exc)
                continue
            if chunk:
                self.feed(chunk)
            else:
                self._drop()
                self.body_ended()

    async def close(self) -> None:
        """Close the connection; the iteration ends here."""
        self._started = self.finished = True
        self._drop()


def open_async_event_stream(
    client: AsyncApiClient,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    **options: Unpack[EventCallOptions],
) -> AsyncEventStream[Any]:
    """The operation's event stream, not yet open (see ``AsyncEventStream.open``)."""
    return AsyncEventStream(client, endpoint, args, options)
