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
from typing import Any, Generic, TypedDict, TypeVar, cast

import pydantic

from .endpoint import NOT_DECLARED, Endpoint
from .enums import ACCEPT_UNKNOWN
from .exceptions import ResponseValidationError
from .response import _adapter, _reason, _validation_error

__all__ = [
    "DEFAULT_RETRY_MS",
    "EVENT_STREAM",
    "EventStreamBase",
    "EventStreamOptions",
    "RawEvent",
    "ServerSentEvent",
    "SseParser",
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
        self._data, self._event, self._retry = [], "", None
        return events

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
        self._data, self._event, self._retry = [], "", None
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


class EventStreamOptions(TypedDict, total=False):
    """How an event stream behaves (every option optional)."""

    reconnect: bool
    """Reconnect when the connection ends or fails before the sentinel, sending ``Last-Event-ID``
    and waiting the server's ``retry`` (default ``DEFAULT_RETRY_MS``) first. Off by default: the end of
    the body ends the iteration."""
    last_event_id: str | None
    """Resume after this event: sent as ``Last-Event-ID`` with the first request too."""


def decode_event_data(endpoint: Endpoint, data: str) -> Any:
    """An event's data as the operation's item type (its ``"200"`` type): ``str`` → the text as it is,
    nothing declared → the parsed JSON, or the text when it is not JSON; any other type → the parsed
    JSON, validated. Raises ``ResponseValidationError`` naming the operation otherwise.
    """
    tp = endpoint.response_type(200)
    if tp is str:
        return data
    try:
        parsed = json.loads(data)
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
    if tp is None or tp is NOT_DECLARED:
        return parsed
    token = ACCEPT_UNKNOWN.set(True)
    try:
        return _adapter(tp).validate_python(parsed)
    except pydantic.ValidationError as exc:
        raise _validation_error(endpoint, tp, exc, data.encode("utf-8"), 200) from exc
    finally:
        ACCEPT_UNKNOWN.reset(token)


class EventStreamBase(Generic[T]):
    """What both event streams share: parsing, decoding, the sentinel and reconnection decisions.

    The transport feeds the body's chunks to ``feed`` and takes events from ``pop``; at the end of the
    body (or a failure reading it) ``reconnect_delay`` says whether and after how many seconds to send
    the request again, with ``reconnect_headers``.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        sentinel: str | None,
        options: EventStreamOptions,
    ) -> None:
        self.endpoint = endpoint
        self.sentinel = sentinel
        """The data value that ends the stream (from ``x-sse-sentinel``; None: only the end of the
        body does)."""
        self.reconnect = options.get("reconnect", False)
        self.parser = SseParser(options.get("last_event_id"))
        self.finished = False
        """The stream is over: the sentinel came, the server answered 204, or it was closed."""
        self._pending: deque[RawEvent] = deque()

    @property
    def last_event_id(self) -> str | None:
        """The ID of the last event received (what a reconnection resumes after)."""
        return self.parser.last_event_id

    def feed(self, chunk: bytes) -> None:
        """The next bytes of the body."""
        self._pending.extend(self.parser.feed(chunk))

    def body_ended(self) -> None:
        """The body is over (or broke off): what it completed is still delivered."""
        self._pending.extend(self.parser.end())

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

    def reconnect_delay(self) -> float | None:
        """Seconds to wait before reconnecting after the body ended, None when the stream ends here."""
        if not self.reconnect or self.finished:
            return None
        retry = self.parser.retry
        return (DEFAULT_RETRY_MS if retry is None else retry) / 1000

    def reconnect_headers(
        self, headers: Mapping[str, str] | None
    ) -> Mapping[str, str] | None:
        """The call's headers with ``Last-Event-ID`` (when an event ID is known)."""
        last = self.parser.last_event_id
        if not last:
            return headers
        return {**(headers or {}), "Last-Event-ID": last}

    def not_event_stream(self, content_type: str | None, body: bytes) -> Exception:
        """The exception for a 2xx answer that is not an event stream."""
        return ResponseValidationError(
            self.endpoint.operation_id,
            "",
            f"expected a {EVENT_STREAM} response, got {content_type or 'no content type'}",
            body=body,
            status=200,
        )


def is_event_stream(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` is ``text/event-stream`` (parameters aside)."""
    return (
        content_type is not None
        and content_type.split(";", 1)[0].strip().lower() == EVENT_STREAM
    )
