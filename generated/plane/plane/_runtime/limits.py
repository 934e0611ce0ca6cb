"""Limits that keep a client bounded against a broken or hostile server, and the I/O-free decisions both
transports share: how long a call may take in all (``Deadline``), how large a buffered response may grow
(``BodyLimit``). How many pages an iteration may fetch is ``pagination.PageGuard``'s.

Each limit is a ``Configuration`` setting with the default below; ``None`` switches it off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from .exceptions import ApiTimeoutError, ResponseTooLargeError

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WEBSOCKET_HEARTBEAT",
    "BodyLimit",
    "Deadline",
    "Timeout",
    "total_seconds",
]

Timeout = float | tuple[float, float] | None
"""Seconds for the whole call; ``(connect, read)``: at most ``connect`` to open a connection and ``read``
waiting for any data, and ``connect + read`` in all; None for no limit."""

DEFAULT_TIMEOUT = 60.0
"""Seconds a call may take in all, unless ``Configuration.timeout`` says otherwise."""
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""Largest buffered (non-streaming) response body, in bytes after decompression."""
DEFAULT_MAX_PAGES = 10_000
"""Most pages one ``<method>_iter`` iteration requests."""
DEFAULT_WEBSOCKET_HEARTBEAT = 20.0
"""Seconds between WebSocket pings (and the longest wait for a pong)."""


def total_seconds(timeout: Timeout) -> float | None:
    """The time a call may take in all: the number, ``connect + read`` for a pair, None for no limit."""
    if timeout is None:
        return None
    if isinstance(timeout, tuple):
        connect, read = timeout
        if connect is None or read is None:
            return None
        return float(connect) + float(read)
    return float(timeout)


class Deadline:
    """When a call must be over. Made once per call: every connection, read, redirect and retry wait of
    the call takes its time from the same budget, so no server can stretch the call past it (a body
    dripped a byte at a time included), and neither can retries.
    """

    __slots__ = ("clock", "connect", "end", "read", "total")

    def __init__(
        self, timeout: Timeout, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.total: float | None
        self.connect: float | None
        self.read: float | None
        self.end: float | None
        if (
            type(timeout) is float
        ):  # the usual one, shortened: ``total_seconds`` gives it back
            self.total = self.connect = self.read = timeout
            self.end = clock() + timeout
            return
        self.total = total_seconds(timeout)
        if isinstance(timeout, tuple):
            self.connect, self.read = timeout
        else:
            self.connect = self.read = self.total
        self.end = None if self.total is None else clock() + self.total

    def remaining(self) -> float | None:
        """Seconds left (never below a millisecond, so that a transport given it times out rather than
        blocks); None without a limit."""
        if self.end is None:
            return None
        return max(self.end - self.clock(), 0.001)

    def expired(self) -> bool:
        return self.end is not None and self.clock() >= self.end

    def connect_timeout(self) -> float | None:
        """The limit for opening one connection: ``connect``, or less when less time is left."""
        left = self.remaining()
        if left is None:
            return self.connect
        return left if self.connect is None else min(self.connect, left)

    def read_timeout(self) -> float | None:
        """The limit for one read (``read``, or less when less time is left): a server that sends
        nothing for that long fails the attempt early, whatever the time left."""
        left = self.remaining()
        if left is None:
            return self.read
        return left if self.read is None else min(self.read, left)

    def allows_wait(self, seconds: float) -> bool:
        """Whether waiting ``seconds`` (before a retry) still leaves time for the retry itself."""
        return self.end is None or self.clock() + seconds < self.end

    def error(self, method: str, url: str) -> ApiTimeoutError:
        """The exception for a call that ran out of time."""
        return ApiTimeoutError(
            f"no complete response within the timeout of {self.total:g} s",
            method=method,
            url=url,
        )


class BodyLimit:
    """Counts the bytes of a buffered response body against ``max_response_bytes`` (None: no limit)."""

    __slots__ = ("limit", "method", "received", "url")

    def __init__(self, limit: int | None, method: str, url: str) -> None:
        self.limit = limit
        self.method = method
        self.url = url
        self.received = 0

    def check_declared(self, headers: Mapping[str, str]) -> int | None:
        """The ``Content-Length`` the headers declare (None when absent or unusable); raises
        ``ResponseTooLargeError`` at once when it is over the limit, before anything is read.
        """
        value = headers.get("Content-Length")
        if value is None:
            return None
        try:
            length = int(value)
        except ValueError:
            return None
        if self.limit is not None and length > self.limit:
            raise self.error(f"the server announces {length} bytes")
        return length

    def add(self, size: int) -> None:
        """Count ``size`` more bytes (decompressed); raises ``ResponseTooLargeError`` past the limit."""
        self.received += size
        if self.limit is not None and self.received > self.limit:
            raise self.error(f"more than {self.limit} bytes arrived")

    def error(self, what: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"response body too large: {what}, over max_response_bytes ({self.limit}); raise the "
            "limit in the Configuration, or use <method>_without_preload_content to stream it",
            method=self.method,
            url=self.url,
        )
