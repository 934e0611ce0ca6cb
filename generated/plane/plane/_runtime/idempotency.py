"""Idempotency keys, with no I/O: the header a spec names for an operation carries one generated key.

A spec declares an operation's idempotency header with the vendor extension ``x-idempotency-header:
<Header-Name>`` on the operation, or at the document's root for every POST, or by a header parameter
named ``Idempotency-Key``. Such an ``Endpoint`` has ``idempotency_header`` set: the call gets one
random key (uuid4) when the caller did not give one (a key passed as the parameter or in ``_headers``
wins), the same request carries it through every retry, and the retry policy treats the request
as idempotent (``retry.RetryPolicy.is_idempotent``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from .endpoint import Endpoint

__all__ = ["call_headers", "new_idempotency_key"]


def new_idempotency_key() -> str:
    """A fresh key: a random (version 4) UUID in its canonical text form."""
    return str(uuid.uuid4())


def call_headers(
    endpoint: Endpoint,
    args: Mapping[str, Any],
    defaults: Mapping[str, str],
    headers: Mapping[str, str] | None,
) -> Mapping[str, str] | None:
    """The per-call headers of a call of ``endpoint`` (``endpoint.idempotency_header`` set), with a new
    key in that header unless the caller gave one: in ``headers`` (``_headers``), the client's
    ``defaults`` or the operation's header parameter. Made before the request is built, so an HTTP
    signature covers the key like any other header."""
    name = endpoint.idempotency_header
    if name is None:
        return headers
    wanted = name.lower()
    for layer in (headers, defaults):
        if layer and any(key.lower() == wanted for key in layer):
            return headers
    for param in endpoint.params:
        if (
            param.location == "header"
            and param.wire_name.lower() == wanted
            and args.get(param.name) is not None
        ):
            return headers
    return {**(headers or {}), name: new_idempotency_key()}
