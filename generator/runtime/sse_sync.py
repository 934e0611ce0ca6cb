"""Server-sent event streams, sync, over the ``SyncApiClient``'s urllib3 pool.

What a stream is (parsing, decoding, the sentinel, reconnecting) is ``sse``'s; this module moves the
bytes. The request goes out as any call does (auth, headers, redirects, retries before the first
byte); the body is then read a chunk at a time as it arrives, never whole::

    with open_event_stream(api_client, _STREAM_TICKS, {"market": "XNAS"}) as stream:
        for event in stream:
            print(event.event, event.id, event.data)

The read timeout (``_request_timeout`` or ``configuration.timeout``: the read part of a
``(connect, read)`` pair) applies to each read, so it bounds the silence between events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import urllib3
from typing_extensions import Self, Unpack
from urllib3.exceptions import HTTPError

from .client_sync import SyncApiClient, _discard, _read_body, translate_error
from .endpoint import Endpoint
from .exceptions import OpenApiException
from .sse import EventCallOptions, EventStreamBase, ServerSentEvent

__all__ = ["EventStream", "open_event_stream"]

T = TypeVar("T")

_CHUNK = 16 * 1024


class EventStream(EventStreamBase[T]):
    """An operation's open event stream: iterate for ``ServerSentEvent`` s (their ``data`` of the
    operation's item type). ``close()`` (or leaving ``with``) closes the connection; the iteration ends
    at the sentinel, a 204, or the end of the body (unless it reconnects)."""

    client: SyncApiClient
    response: urllib3.BaseHTTPResponse | None = None
    """The urllib3 response being read (None between connections and once closed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connect()  # opened at once: a refused call raises where the method is called

    def _connect(self) -> None:
        """Send the request (again, with ``Last-Event-ID``, when reconnecting) and check its answer."""
        client = self.client
        scheme = self.token_scheme()
        sent = None if scheme is None else client._token(scheme)
        options = self.request_options()
        exchange = client.exchange(self.endpoint, self.args, options, preload=False)
        response = client._send(exchange)[0]
        if sent is not None and exchange.token_refused(response.status, sent):
            _discard(response)
            client._token(scheme)
            exchange = client.replay(exchange, self.args, options)
            response = client._send(exchange)[0]
        self.method, self.url = exchange.request.method, exchange.request.display_url
        status = response.status
        try:
            if not 200 <= status <= 299:
                body = _read_body(response, exchange.body_limit())
                response.release_conn()
                raise self.refused(status, response.reason, response.headers, body)
            self.response = response
            try:
                if not self.opened(status, response.headers):
                    self._release()
            except BaseException:
                self._release()
                raise
        except OpenApiException as exc:
            exchange.failed(exc)  # the on_error hooks see a stream that did not open
            raise

    def _release(self) -> None:
        response, self.response = self.response, None
        if response is not None:
            response.close()  # an event stream is never read to its end: the connection goes
            response.release_conn()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> ServerSentEvent[T]:
        # Whatever ends the iteration (StopIteration included) closes the connection.
        try:
            return self._next()
        except BaseException:
            self._release()
            raise

    def _next(self) -> ServerSentEvent[T]:
        while True:
            step = self.step()
            if isinstance(step, ServerSentEvent):
                return step
            if step == "stop":
                self._release()
                raise StopIteration
            response = self.response
            if step != "read" or response is None:
                self._release()
                self.client.sleep(float(step))
                self._connect()
                continue
            try:
                chunk = response.read1(_CHUNK)
            except HTTPError as exc:
                self._release()
                self.broke_off(translate_error(exc, self.method, self.url)[0], exc)
                continue
            if chunk:
                self.feed(chunk)
            else:
                self._release()
                self.body_ended()

    def close(self) -> None:
        """Close the connection; the iteration ends here."""
        self.finished = True
        self._release()


def open_event_stream(
    client: SyncApiClient,
    endpoint: Endpoint,
    args: Mapping[str, Any],
    **options: Unpack[EventCallOptions],
) -> EventStream[Any]:
    """Send the operation's request and return its event stream once the response headers are in.

    Raises the ``ApiException`` subclass for a non-2xx status, ``ResponseValidationError`` when the
    answer is not ``text/event-stream``, ``ApiConnectionError`` / ``ApiTimeoutError`` when none
    arrives (after the configured retries).
    """
    return EventStream(client, endpoint, args, options)
