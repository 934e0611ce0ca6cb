"""Idempotency keys, with no I/O: the header a spec names for an operation carries one generated key.

A spec declares an operation's idempotency header with the vendor extension ``x-idempotency-header:
<Header-Name>`` on the operation, or at the document's root for every POST, or by a header parameter
named ``Idempotency-Key``. Such an ``Endpoint`` has ``idempotency_header`` set: the call gets one
random key (uuid4) when the caller did not give one (a key passed as the parameter or in ``_headers``
wins), the same request object carries it through every retry, and the retry policy treats the request
as idempotent (``retry.RetryPolicy.is_idempotent``).
"""

from __future__ import annotations

import uuid

from .request import PreparedRequest

__all__ = ["add_idempotency_key", "new_idempotency_key"]


def new_idempotency_key() -> str:
    """A fresh key: a random (version 4) UUID in its canonical text form."""
    return str(uuid.uuid4())


def add_idempotency_key(request: PreparedRequest, header: str) -> None:
    """Give ``request`` a key in ``header`` unless it has one already (under any case of the name)."""
    wanted = header.lower()
    if any(name.lower() == wanted for name in request.headers):
        return
    request.headers[header] = new_idempotency_key()
