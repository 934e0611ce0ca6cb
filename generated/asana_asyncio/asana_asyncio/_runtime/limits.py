"""Limits that keep a client bounded against a broken or hostile server, and the I/O-free checks both
transports share: how long a request may take in all (``Deadline``), how large a buffered response may
grow (``BodyLimit``). How many pages an iteration may fetch is ``pagination.PageGuard``'s.

Each limit is a ``Configuration`` setting with the default below; ``None`` switches it off.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_RESPONSE_BYTES",
]

DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""Largest buffered (non-streaming) response body, in bytes after decompression."""
DEFAULT_MAX_PAGES = 10_000
"""Most pages one ``<method>_iter`` iteration requests."""
