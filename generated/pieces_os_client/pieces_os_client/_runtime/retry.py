"""Pure retry policy: which failures are retried, and how long to wait first.

No I/O and no sleeping here: the clients ask ``should_retry()`` and ``delay()`` and do the waiting
themselves. Clock and random source are fields, so tests can freeze them.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_BACKOFF_INITIAL",
    "DEFAULT_BACKOFF_MAX",
    "DEFAULT_JITTER",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_AFTER_MAX",
    "IDEMPOTENT_METHODS",
    "RETRY_STATUS_CODES",
    "ErrorKind",
    "RetryPolicy",
    "parse_retry_after",
]

DEFAULT_MAX_RETRIES = 2
DEFAULT_BACKOFF_INITIAL = 0.5
DEFAULT_BACKOFF_MAX = 8.0
DEFAULT_RETRY_AFTER_MAX = 60.0
DEFAULT_JITTER = 0.25
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
RETRY_STATUS_CODES = frozenset({408, 429})  # plus every 5xx
IDEMPOTENCY_HEADER = "idempotency-key"

ErrorKind = Literal["connect", "read"]
"""``connect``: the request never reached the server (refused, DNS, connect timeout);
``read``: it may have (reset, read timeout, protocol error)."""


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay seconds or HTTP date), or None if unusable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        # Imported here: HTTP dates are rare, and the generator reads this module's constants (README).
        import email.utils

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        seconds = when.timestamp() - now
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(seconds, 0.0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to retry.

    Retried: connection errors, 408, 429 and 5xx, for idempotent methods or requests carrying an
    ``Idempotency-Key`` header (or the header the spec names for the operation: ``idempotency_header``), and only when the body can be sent again. A connect error (nothing was
    sent) is retried for any method. ``attempt`` counts retries: 1 is the first retry.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_initial: float = DEFAULT_BACKOFF_INITIAL
    backoff_max: float = DEFAULT_BACKOFF_MAX
    retry_after_max: float = DEFAULT_RETRY_AFTER_MAX
    jitter: float = DEFAULT_JITTER
    clock: Callable[[], float] = field(default=time.time, compare=False, repr=False)
    rng: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def is_idempotent(
        self,
        method: str,
        headers: Mapping[str, str] | None = None,
        idempotency_header: str | None = None,
    ) -> bool:
        """Whether repeating the request is safe: an idempotent method, an ``Idempotency-Key`` header,
        or the operation's own idempotency header (``idempotency_header``, any case)."""
        if method.upper() in IDEMPOTENT_METHODS:
            return True
        custom = (
            idempotency_header.lower() if idempotency_header else IDEMPOTENCY_HEADER
        )
        return any(k.lower() in (IDEMPOTENCY_HEADER, custom) for k in headers or ())

    def should_retry(
        self,
        attempt: int,
        *,
        method: str,
        headers: Mapping[str, str] | None = None,
        replayable: bool = True,
        status: int | None = None,
        error: ErrorKind | None = None,
        idempotency_header: str | None = None,
    ) -> bool:
        """Whether to make retry number ``attempt`` after a response with ``status`` or an ``error``."""
        if attempt > self.max_retries or not replayable:
            return False
        if error == "connect":
            return True
        if not self.is_idempotent(method, headers, idempotency_header):
            return False
        if error is not None:
            return True
        return status is not None and (
            status in RETRY_STATUS_CODES or 500 <= status <= 599
        )

    def delay(
        self,
        attempt: int,
        retry_after_header: str | None = None,
        rng: Callable[[], float] | None = None,
    ) -> float:
        """Seconds to wait before retry number ``attempt``.

        The server's ``Retry-After`` wins when present (capped at ``retry_after_max``); otherwise
        exponential backoff from ``backoff_initial``, capped at ``backoff_max``, minus up to ``jitter``
        (a fraction) so clients do not retry in lockstep.
        """
        retry_after = parse_retry_after(retry_after_header, self.clock())
        if retry_after is not None:
            return min(retry_after, self.retry_after_max)
        base = min(self.backoff_initial * 2.0 ** max(attempt - 1, 0), self.backoff_max)
        return base * (1.0 - self.jitter * (rng or self.rng)())
