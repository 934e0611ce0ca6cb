"""Request hooks, with no I/O: the functions ``Configuration`` calls around each request of a call.

``before_send(request)`` runs before every request is sent (each retry and redirect is another request);
it may change ``request.headers`` (add a trace header, say), and what it leaves there is sent.
``after_response(request, response)`` runs when the status and headers of an answer arrived, also for
answers the client then retries or follows. ``on_error(request, error)`` runs for a request that got no
answer (the ``ApiConnectionError`` the client retries or raises) and for the ``ApiException`` a call ends
with. Hooks run in the thread (or task) of the call; an exception a hook raises ends the call. With no
hook registered nothing here runs: the client only reads three empty lists per call.

The request that opens an event stream (``sse_sync`` / ``sse_async``) is one of these requests:
``after_response`` sees its status and headers, ``on_error`` the exception when the stream does not open.
A WebSocket handshake is not: ``websockets`` and aiohttp make it and follow its redirects themselves, so
no hook could change the headers of each request or see each answer; no hook runs for it.

``RequestInfo.state`` is a dict that lives from ``before_send`` to the ``after_response`` or
``on_error`` of the same request: where a tracing hook keeps its span.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AfterResponse", "BeforeSend", "OnError", "RequestInfo", "ResponseInfo"]


@dataclass(slots=True)
class RequestInfo:
    """One request of a call, as hooks see it. ``headers`` is the request's own header dict (with its
    credentials: log names, not values); ``url`` has query-string credentials masked; ``attempt`` is
    0 for the first request, then counts retries."""

    operation_id: str
    method: str
    url: str
    headers: dict[str, str]
    attempt: int
    started: float = field(default_factory=time.monotonic)
    """``time.monotonic()`` when ``before_send`` ran."""
    state: dict[str, Any] = field(default_factory=dict)
    """Free for the hooks, from ``before_send`` to the end of this request."""


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """An answer's status and headers, and the seconds since its request was sent."""

    status: int
    headers: Mapping[str, str]
    elapsed: float


BeforeSend = Callable[[RequestInfo], None]
AfterResponse = Callable[[RequestInfo, ResponseInfo], None]
OnError = Callable[[RequestInfo, BaseException], None]
