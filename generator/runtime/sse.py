"""Server-sent events, with no I/O in it: the parser and what the sync and asyncio streams share.

An operation whose success response is ``text/event-stream`` returns a stream of events instead of one
decoded body. ``SseParser`` turns the body's bytes, in chunks of any size, into events by the WHATWG
rules (HTML, "Server-sent events", "Interpreting an event stream"):

- the stream is UTF-8 (invalid bytes become U+FFFD); one leading byte order mark is dropped;
- lines end with CRLF, LF or CR (a CR ending one chunk and an LF starting the next are one line end);
- a line starting with ``:`` is a comment; ``name: value`` sets a field (one space after the colon is
  dropped) and a line without a colon is a field with an empty value;
- ``event`` sets the event type, each ``data`` line adds its value and a newline to the data, ``id`` sets
  the last event ID (ignored when it contains NUL; it carries over to later events), ``retry`` sets the
  reconnection time in milliseconds (ignored unless it is all ASCII digits); other fields are ignored;
- a blank line dispatches the event, unless its data is empty (then only the type is reset); the data
  loses its last newline; an event left without a blank line at the end of the stream is dropped.

``EventStreamBase`` (subclassed by ``sse_sync.EventStream`` and ``sse_async.AsyncEventStream``, which only
move bytes) decodes each event's data into the operation's item type (``ServerSentEvent``), ends the
stream at the sentinel the spec names (``x-sse-sentinel``), and decides reconnections (with
``Last-Event-ID``, after the server's ``retry``), which are off unless asked for.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast

from .auth import AuthScheme
from .core import BaseClient, CallOptions
from .decimals import parse_exact_json
from .endpoint import NOT_DECLARED, Endpoint
from .exceptions import ApiException, ResponseTooLargeError, ResponseValidationError
from .response import _reason, status_exception, validate_parsed

__all__ = [
    "DEFAULT_RETRY_MS",
    "EVENT_STREAM",
    "EventStreamBase",
    "EventCallOptions",
    "RawEvent",
    "ServerSentEvent",
    "SseParser",
    "Step",
    "decode_event_data",
    "is_event_stream",
]

T = TypeVar("T")

EVENT_STREAM = "text/event-stream"
DEFAULT_RETRY_MS = 3000
"""Milliseconds to wait before reconnecting until the server sends ``retry``."""

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One dispatched event as the parser sees it: its type (``"message"`` unless ``event`` named
    another), its data (the ``data`` lines joined with ``\\n``), the last event ID at dispatch (None when
    no ``id`` field came yet) and the ``retry`` value given in this event's lines (None when none).
    """

    event: str
    data: str
    id: str | None
    retry: int | None


class SseParser:
    """An incremental event stream parser: ``feed`` it the body's bytes in chunks as they arrive, and
    it returns the events each chunk completes; ``end()`` when the body is over."""

    __slots__ = (
        "_data",
        "_data_size",
        "_decoder",
        "_event",
        "_line",
        "_retry",
        "_skip_lf",
        "_started",
        "last_event_id",
        "retry",
    )

    def __init__(self, last_event_id: str | None = None) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._line = ""  # the text of an unfinished line
        self._skip_lf = False  # the last chunk ended with CR: an LF first in the next is its end too
        self._started = False  # the first character was seen (a BOM there is dropped)
        self._data: list[str] = []
        self._data_size = 0
        self._event = ""
        self._retry: int | None = None
        self.last_event_id = last_event_id
        """The last event ID (carries over from event to event, and to a reconnection)."""
        self.retry: int | None = None
        """The reconnection time the server asked for last, in milliseconds (None: not asked)."""

    def feed(self, chunk: bytes) -> list[RawEvent]:
        """The events that ``chunk`` (the next bytes of the body) completes, in order."""
        return self._text(self._decoder.decode(chunk))

    def end(self) -> list[RawEvent]:
        """The body is over: a line without its line end and an event without its blank line are
        dropped. The parser can then be fed a new stream (a reconnection); the last event ID and the
        reconnection time stay."""
        events = self._text(self._decoder.decode(b"", final=True))
        self._decoder.reset()
        self._line, self._skip_lf, self._started = "", False, False
        self._data, self._data_size, self._event, self._retry = [], 0, "", None
        return events

    @property
    def buffered(self) -> int:
        """Characters held for the event being received (its data and the unfinished line)."""
        return self._data_size + len(self._line)

    def _text(self, text: str) -> list[RawEvent]:
        events: list[RawEvent] = []
        if not text:
            return events
        if not self._started:
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
        if self._skip_lf:
            self._skip_lf = False
            if text[:1] == "\n":
                text = text[1:]
        position = 0
        for match in _LINE_END.finditer(text):
            line = text[position : match.start()]
            if self._line:
                line, self._line = self._line + line, ""
            self._process(line, events)
            position = match.end()
        rest = text[position:]
        if rest:
            self._line += rest
        elif text and text[-1] == "\r":
            self._skip_lf = True
        return events

    def _process(self, line: str, events: list[RawEvent]) -> None:
        if not line:
            self._dispatch(events)
            return
        if line[0] == ":":
            return
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._data_size += len(value) + 1
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self.last_event_id = value
        elif name == "retry":
            if value.isascii() and value.isdigit():
                self._retry = self.retry = int(value)

    def _dispatch(self, events: list[RawEvent]) -> None:
        data, event, retry = self._data, self._event, self._retry
        self._data, self._data_size, self._event, self._retry = [], 0, "", None
        if data:
            events.append(
                RawEvent(event or "message", "\n".join(data), self.last_event_id, retry)
            )


@dataclass(frozen=True, slots=True)
class ServerSentEvent(Generic[T]):
    """One event of a stream: ``data`` decoded into the operation's item type, the event's name
    (``"message"`` unless the server named another), the last event ID (None until the server sends an
    ``id``), and the ``retry`` (milliseconds) the event carried, if any."""

    data: T
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class EventCallOptions(CallOptions, total=False):
    """The options of an event-stream call: a call's (``CallOptions``), and how the stream behaves."""

    sentinel: str | None
    """The data value that ends the stream (the spec's ``x-sse-sentinel``)."""
    reconnect: bool
    """Reconnect when the connection ends or fails before the sentinel, sending ``Last-Event-ID``
    and waiting the server's ``retry`` (default ``DEFAULT_RETRY_MS``) first. Off by default: the end of
    the body ends the iteration."""
    last_event_id: str | None
    """Resume after this event: sent as ``Last-Event-ID`` with the first request too."""


_CALL_OPTIONS = ("request_timeout", "headers", "retries", "host")


def decode_event_data(endpoint: Endpoint, data: str) -> Any:
    """An event's data as the operation's item type (its ``"200"`` type): ``str`` → the text as it is,
    nothing declared → the parsed JSON, or the text when it is not JSON; any other type → the parsed
    JSON, validated. Raises ``ResponseValidationError`` naming the operation otherwise.
    """
    tp = endpoint.response_type(200)
    if tp is str:
        return data
    exact = (
        endpoint.exact_decimals
    )  # the item type holds a Decimal: numbers parsed exactly
    try:
        parsed = parse_exact_json(data.encode("utf-8")) if exact else json.loads(data)
    except (ValueError, RecursionError) as exc:
        if tp is None or tp is NOT_DECLARED:
            return data
        raise ResponseValidationError(
            endpoint.operation_id,
            "",
            f"event data is not JSON: {_reason(exc)}",
            body=data.encode("utf-8"),
            status=200,
        ) from exc
    return validate_parsed(endpoint, tp, parsed, data.encode("utf-8"), exact=exact)


Step = Literal["read", "stop"]


class EventStreamBase(Generic[T]):
    """What both event streams share: parsing, decoding, the sentinel, the answers that open a stream
    and reconnection decisions. The transport loops over ``step()``::

        while True:
            step = stream.step()
            if isinstance(step, ServerSentEvent): return step        # the next event
            if step == "stop": <close>; <end the iteration>
            if step == "read": <read a chunk>: stream.feed(chunk), or at the end stream.body_ended()
            else: <wait step seconds>; <send the request again>

    The request is sent with ``request_options()``; a failure while reading goes to ``broke_off`` (raises unless the stream reconnects).
    """

    def __init__(
        self,
        client: BaseClient,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        options: EventCallOptions,
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self.args = args
        self.call_options = cast(
            CallOptions, {k: options[k] for k in _CALL_OPTIONS if k in options}  # type: ignore[literal-required]
        )
        self.sentinel = options.get("sentinel")
        """The data value that ends the stream (from ``x-sse-sentinel``; None: only the end of the
        body does)."""
        self.reconnect = options.get("reconnect", False)
        self.parser = SseParser(options.get("last_event_id"))
        self.finished = False
        """The stream is over: the sentinel came, the server answered 204, or it was closed."""
        self.connected = False
        """A response body is being read."""
        self.reconnects = 0
        """How many times the stream reconnected."""
        self.method = self.url = ""
        """The request's method and URL (query credentials masked), for messages."""
        self._pending: deque[RawEvent] = deque()

    @property
    def last_event_id(self) -> str | None:
        """The ID of the last event received (what a reconnection resumes after)."""
        return self.parser.last_event_id

    def feed(self, chunk: bytes) -> None:
        """The next bytes of the body. Raises ``ResponseTooLargeError`` when the event being received
        grows past ``max_response_bytes`` (a server that never ends its event cannot fill memory).
        """
        parser = self.parser
        self._pending.extend(parser.feed(chunk))
        limit = self.client.configuration.max_response_bytes
        if limit is not None and parser.buffered > limit:
            self.finished = True
            raise ResponseTooLargeError(
                f"an event of more than {limit} characters, over max_response_bytes ({limit})",
                method=self.method,
                url=self.url,
            )

    def body_ended(self) -> None:
        """The body is over: the events it completed are still delivered."""
        self.connected = False
        self._pending.extend(self.parser.end())

    def broke_off(self, error: Exception, cause: BaseException) -> None:
        """Reading the body failed (``error``, from the transport's ``cause``): raises it unless the
        stream reconnects."""
        self.connected = False
        self.parser.end()
        if not self.reconnect or self.finished:
            self.finished = True
            raise error from cause

    def pop(self) -> ServerSentEvent[T] | None:
        """The next complete event, decoded (None when none is complete yet, or after the sentinel)."""
        while self._pending and not self.finished:
            raw = self._pending.popleft()
            if self.sentinel is not None and raw.data == self.sentinel:
                self.finished = True
                self._pending.clear()
                return None
            data = cast(T, decode_event_data(self.endpoint, raw.data))
            return ServerSentEvent(data, raw.event, raw.id, raw.retry)
        return None

    def step(self) -> ServerSentEvent[T] | Step | float:
        """What the transport does next: return an event, ``"read"`` a chunk, ``"stop"`` (close the
        connection and end the iteration), or wait that many seconds and reconnect."""
        event = self.pop()
        if event is not None:
            return event
        if self.finished:
            return "stop"
        if self.connected:
            return "read"
        delay = self.reconnect_delay()
        if delay is None:
            self.finished = True
            return "stop"
        self.reconnects += 1
        return delay

    def reconnect_delay(self) -> float | None:
        """Seconds to wait before reconnecting after the body ended, None when the stream ends here."""
        if not self.reconnect or self.finished:
            return None
        retry = self.parser.retry
        return (DEFAULT_RETRY_MS if retry is None else retry) / 1000

    def token_scheme(self) -> AuthScheme | None:
        """The OAuth2 scheme whose token the client fetches itself (see ``oauth2``), None when there
        is none: a stream fetches (or renews) it before each connection and, on a 401 when opening,
        renews it once and sends the request once more, as a call does."""
        tokens = self.client.configuration.oauth2
        return None if tokens is None else tokens.scheme_for(self.endpoint.auth)

    def request_options(self) -> CallOptions:
        """The call's options for the next request: its headers with ``Last-Event-ID`` when an event
        ID is known (always on a reconnection, and from the start with ``last_event_id``).
        """
        options = self.call_options
        last = self.parser.last_event_id
        if not last:
            return options
        headers = {**(options.get("headers") or {}), "Last-Event-ID": last}
        return {**options, "headers": headers}

    def opened(self, status: int, headers: Mapping[str, str]) -> bool:
        """Whether a 2xx answer's body is an event stream to read: False for 204 (the server says
        there are no more events: the stream ends); raises ``ResponseValidationError`` when the
        content type is not ``text/event-stream``."""
        if status == 204:
            self.finished = True
            return False
        content_type = headers.get("Content-Type")
        if not is_event_stream(content_type):
            self.finished = True
            raise ResponseValidationError(
                self.endpoint.operation_id,
                "",
                f"{self.method} {self.url} answered {content_type or 'no content type'}, "
                f"not {EVENT_STREAM}",
                status=status,
            )
        self.connected = True
        return True

    def refused(
        self,
        status: int,
        reason: str | None,
        headers: Mapping[str, str],
        body: bytes,
    ) -> ApiException:
        """The exception for a non-2xx answer (which ends the stream, reconnecting or not)."""
        self.finished = True
        return status_exception(
            self.endpoint,
            status,
            reason,
            headers,
            body,
            method=self.method,
            url=self.url,
        )


def is_event_stream(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` is ``text/event-stream`` (parameters aside)."""
    return (
        content_type is not None
        and content_type.split(";", 1)[0].strip().lower() == EVENT_STREAM
    )
