"""``AsyncApiClient``: the client core (``core``) with an aiohttp send loop; the asyncio twin of
``SyncApiClient``.

Everything that is not I/O (requests, redirects, retries, time limits, decoding) is the core's; this
module moves bytes. ``AiohttpTransport`` sends one request over the client's session; aiohttp errors are
translated here, at the one transport boundary, into ``ApiConnectionError`` / ``ApiTimeoutError``
(chained ``from`` the original).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import time
import warnings
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Mapping,
)
from contextvars import ContextVar
from typing import Any, Literal, overload
from urllib.parse import urlsplit

import aiohttp
from aiohttp.client_middlewares import ClientHandlerType
from typing_extensions import Self, Unpack
from yarl import URL

from .auth import AuthScheme
from .configuration import BaseConfiguration
from .core import BaseClient, CallOptions, Exchange, TimeLimits
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiTimeoutError, InsecureRequestWarning
from .limits import BodyLimit, Deadline
from .multipart import StreamingBody
from .request import PreparedRequest, redirect_headers
from .response import ApiResponse
from .retry import ErrorKind

__all__ = [
    "DEFAULT_POOL_SIZE",
    "WEBSOCKET_REDIRECTS",
    "AiohttpTransport",
    "AsyncApiClient",
    "Deadlines",
    "translate_error",
    "warn_unverified",
]

DEFAULT_POOL_SIZE = 100
"""Connections per client when ``configuration.connection_pool_maxsize`` is not set."""


def translate_error(
    exc: BaseException, method: str, url: str
) -> tuple[ApiConnectionError, ErrorKind | None]:
    """The client exception for an aiohttp (or timeout) error, and what kind of failure it was for the
    retry policy (``None``: not worth retrying). The most specific match wins."""
    if isinstance(exc, (aiohttp.ClientSSLError, aiohttp.ServerFingerprintMismatch)):
        return ApiConnectionError(f"TLS error: {exc}", method=method, url=url), None
    if isinstance(
        exc, (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError)
    ):
        return (
            ApiConnectionError(f"proxy error: {exc}", method=method, url=url),
            "connect",
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return (
            ApiConnectionError(f"cannot connect: {exc}", method=method, url=url),
            "connect",
        )
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return (
            ApiTimeoutError(f"timed out connecting: {exc}", method=method, url=url),
            "connect",
        )
    if isinstance(exc, asyncio.TimeoutError):
        detail = str(exc) or "no response within the timeout"
        return ApiTimeoutError(f"timed out: {detail}", method=method, url=url), "read"
    if isinstance(exc, aiohttp.InvalidURL):
        return ApiConnectionError(f"invalid URL: {exc}", method=method, url=url), None
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return (
            ApiConnectionError(
                "server closed the connection without a response",
                method=method,
                url=url,
            ),
            "read",
        )
    return (
        ApiConnectionError(f"connection error: {exc!r}", method=method, url=url),
        "read",
    )


def _read_limited(
    response: aiohttp.ClientResponse, limit: BodyLimit
) -> Awaitable[bytes]:
    """The whole (decompressed) body, refused with ``ResponseTooLargeError`` as soon as it passes the
    limit: a declared length over it before anything is read (raised here), otherwise while
    reading. (Not a coroutine itself: the common case awaits aiohttp's ``read`` directly.)
    """
    length = limit.check_declared(response.headers)
    if length is not None and "Content-Encoding" not in response.headers:
        return response.read()  # exactly ``length`` bytes, no more
    if limit.limit is None:
        return response.read()
    return _read_chunks(response, limit)


async def _read_chunks(response: aiohttp.ClientResponse, limit: BodyLimit) -> bytes:
    """``_read_limited`` counting each chunk as it arrives."""
    chunks: list[bytes] = []
    content = response.content
    while chunk := await content.readany():
        limit.add(len(chunk))
        chunks.append(chunk)
    return b"".join(chunks)


WEBSOCKET_REDIRECTS: ContextVar[
    tuple[tuple[str, str, int | None], frozenset[str]] | None
] = ContextVar("websocket_redirects", default=None)
"""``(origin, credential headers)`` of the WebSocket handshake being opened in this task (set by
``websocket_async``), for ``_guard_websocket_redirects``."""


async def _guard_websocket_redirects(
    request: aiohttp.ClientRequest, handler: ClientHandlerType
) -> aiohttp.ClientResponse:
    """Session middleware, for the one kind of request whose redirects aiohttp follows itself: a
    WebSocket handshake (``ws_connect`` has no way to turn them off). aiohttp drops only Authorization
    and Cookie on leaving the origin; here every credential header goes too, and leaving TLS raises
    ``ApiConnectionError`` (``request.redirect_headers``). HTTP calls bypass it (``middlewares=()``).
    """
    guard = WEBSOCKET_REDIRECTS.get()
    if guard is not None:
        origin, credentials = guard
        kept = redirect_headers(
            request.headers, credentials, origin, str(request.url), method="GET"
        )
        for name in [k for k in request.headers if k not in kept]:
            request.headers.popall(name, None)
    return await handler(request)


def warn_unverified(url: str) -> None:
    """Warn (``InsecureRequestWarning``) that an https or wss request goes out without certificate
    verification, naming the host, as urllib3 does for the sync client."""
    if url[:6].lower() in ("https:", "wss://"):
        host = urlsplit(url).hostname or url
        warnings.warn(
            f"Unverified HTTPS request is being made to host {host!r}: the server's certificate is "
            "not checked (verify_ssl=False), so anyone in between can read and change the traffic",
            InsecureRequestWarning,
            stacklevel=4,
        )


async def _close_with_loop(
    session: aiohttp.ClientSession,
) -> AsyncGenerator[None, None]:
    """Suspended for the life of ``session``'s event loop; closes the session when finalised.

    An async generator first iterated inside a running loop is registered with that loop, and
    ``loop.shutdown_asyncgens()`` (which ``asyncio.run()``, ``asyncio.Runner`` and test runners call
    before closing the loop) closes it: the ``finally`` below then runs while the loop still can.
    """
    try:
        yield
    finally:
        if not session.closed:
            await session.close()


def _start(keeper: AsyncGenerator[None, None]) -> None:
    """Run ``keeper`` to its ``yield`` (no await before it, so this completes synchronously)."""
    step = keeper.asend(None)
    try:
        step.send(None)
    except StopIteration:
        return
    step.close()
    raise RuntimeError("the session keeper suspended before its yield")


async def _stream(body: StreamingBody) -> AsyncIterator[bytes]:
    """The body's chunks, each produced in a worker thread so file reads never block the event loop."""
    chunks = iter(body)
    try:
        while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            with contextlib.suppress(ValueError):  # still running in its thread
                close()


_NO_AUTO_CONTENT_TYPE = frozenset({"Content-Type"})
_LABELLED_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _skip_content_type(
    method: str, headers: Mapping[str, str], body: object
) -> frozenset[str] | None:
    """aiohttp's ``skip_auto_headers`` for one request: aiohttp labels a POST, PUT or PATCH, or any
    request with a body, that has no Content-Type (``application/octet-stream``), while the core
    decides every content type (as urllib3 sends none it was not given), so such a request is told to
    skip it. Every other request passes None: asking aiohttp to skip anything (on the request or the
    session) sends it down a slower path that copies the request's headers to check them, which the
    client benchmark measured per call."""
    if (body is None and method not in _LABELLED_METHODS) or "Content-Type" in headers:
        return None
    if any(name.lower() == "content-type" for name in headers):
        return None
    return _NO_AUTO_CONTENT_TYPE


@functools.lru_cache(maxsize=64)
def _timeout(limits: TimeLimits, watched: bool = False) -> aiohttp.ClientTimeout:
    """The aiohttp timeout of one request: ``(connect, read, total)`` (aiohttp's timeouts are
    immutable, so one is made per value). No limit on waiting for a free pooled connection beyond the
    total. ``watched``: the total is kept by the call's ``Deadlines`` instead of an aiohttp timer.

    A connect or read limit at least as long as the total can never fire before the total does, so
    it is left to the total: aiohttp re-arms a ``sock_read`` timer on every chunk it reads (one timer
    handle made and cancelled per read), measurable per call on a fast server. With the default
    timeout (a single number) this is every buffered call."""
    connect, read, total = limits
    if total is not None:
        if read is not None and read >= total:
            read = None
        if connect is not None and connect >= total:
            connect = None
        if watched:
            total = None
    return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


class _Watch:
    """One buffered call in flight: the task running it, when it must be over (``time.monotonic()``),
    whether it is over (``done``) and whether its deadline cancelled it (``fired``)."""

    __slots__ = ("done", "end", "fired", "task")

    def __init__(self, end: float, task: asyncio.Task[Any]) -> None:
        self.end = end
        self.task = task
        self.done = self.fired = False


class Deadlines:
    """The deadlines of the buffered calls in flight on one event loop, kept by one timer: it is set
    for the earliest deadline, and cancels the task of a call still running past its own (aiohttp's
    own total timeout does the same, with one timer per request). A call that ends first is only
    marked done, so a run of calls with the same timeout sets no timer but the first: the client
    benchmark measured aiohttp's per-request timer at several microseconds a call (BENCHMARKS.md).
    The send loop turns the cancellation into the call's ``ApiTimeoutError``.
    """

    __slots__ = ("heap", "live", "loop", "order", "queue", "timer", "timer_at")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: deque[_Watch] = deque()
        """Watches in the order they started, their deadlines never decreasing: calls with one
        timeout, the usual case, end up here (an append, not a heap push)."""
        self.heap: list[tuple[float, int, _Watch]] = []
        """The watches whose deadline is earlier than the last one queued."""
        self.live = 0  # watches not yet done
        self.order = 0  # ties of ``end`` in the heap: first come, first cancelled
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = 0.0

    def watch(self, end: float, task: asyncio.Task[Any]) -> _Watch:
        """Start watching ``task``, whose call must be over at ``end``."""
        watch = _Watch(end, task)
        queue = self.queue
        while queue and queue[0].done:
            queue.popleft()
        if len(queue) > 2 * self.live + 64:  # done ones behind a long call: drop them
            kept = [w for w in queue if not w.done]
            queue.clear()
            queue.extend(kept)
        if not queue or queue[-1].end <= end:
            queue.append(watch)
        else:
            heap = self.heap
            while heap and heap[0][2].done:
                heapq.heappop(heap)
            if len(heap) > 2 * self.live + 64:
                heap[:] = [entry for entry in heap if not entry[2].done]
                heapq.heapify(heap)
            self.order += 1
            heapq.heappush(heap, (end, self.order, watch))
        self.live += 1
        if self.timer is None or end < self.timer_at:
            self._schedule(end)
        return watch

    def unwatch(self, watch: _Watch) -> None:
        """The call is over."""
        watch.done = True
        self.live -= 1

    def _schedule(self, end: float) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer_at = end
        self.timer = self.loop.call_later(max(end - time.monotonic(), 0.0), self._fire)

    def _fire(self) -> None:
        """Cancel the calls past their deadline; set the timer for the next one."""
        self.timer = None
        queue, heap = self.queue, self.heap
        now = time.monotonic()
        while queue or heap:
            if queue and (not heap or queue[0].end <= heap[0][0]):
                watch = queue.popleft()
            else:
                watch = heapq.heappop(heap)[2]
            if not watch.done:
                if watch.end > now:  # the earliest still running: put back, wait for it
                    if queue and queue[0].end >= watch.end:
                        queue.appendleft(watch)
                    else:
                        self.order += 1
                        heapq.heappush(heap, (watch.end, self.order, watch))
                    self._schedule(watch.end)
                    return
                watch.fired = True
                watch.task.cancel()


class AiohttpTransport:
    """Sends one request at a time over an aiohttp session (the client's connection pool), created on
    first use inside the running event loop and closed with that loop at the latest.

    A ``session`` handed in (``AsyncApiClient(session=...)``) carries every HTTP call instead and is
    never closed here: its owner closes it. WebSocket handshakes still use a session of the client's
    own, whose middleware keeps credential headers from following a redirect to another origin.
    """

    def __init__(
        self,
        configuration: BaseConfiguration,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.configuration = configuration
        self.injected = session
        """The caller's session (None: the client makes and closes its own)."""
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._keeper: AsyncGenerator[None, None] | None = None
        self._deadlines: Deadlines | None = None

    def deadlines(self) -> Deadlines:
        """The ``Deadlines`` of the running event loop's calls."""
        loop = asyncio.get_running_loop()
        deadlines = self._deadlines
        if deadlines is None or deadlines.loop is not loop:
            deadlines = self._deadlines = Deadlines(loop)
        return deadlines

    def session(self) -> aiohttp.ClientSession:
        """The session HTTP calls use: the caller's, or the client's own of the running event loop."""
        return self.injected or self.websocket_session()

    def websocket_session(self) -> aiohttp.ClientSession:
        """The client's own session of the running event loop (made on first use there)."""
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or session.closed or self._loop is not loop:
            session = self._session = self._make_session()
            self._loop = loop
            # A session belongs to one event loop: closed when that loop shuts down (asyncio.run()
            # ends), so a client used across several asyncio.run() calls leaves none behind.
            self._keeper = _close_with_loop(session)
            _start(self._keeper)
        return session

    def _make_session(self) -> aiohttp.ClientSession:
        cfg = self.configuration
        use_ssl: bool = (
            cfg.verify_ssl or cfg.ssl_ca_cert is not None or cfg.cert_file is not None
        )
        connector = aiohttp.TCPConnector(
            limit=cfg.connection_pool_maxsize or DEFAULT_POOL_SIZE,
            ssl=cfg.ssl_context() if use_ssl else False,
        )
        # No cookie jar (as with urllib3): cookies are only what the caller configures.
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            middlewares=(_guard_websocket_redirects,),  # HTTP calls pass middlewares=()
            # No session-wide skip_auto_headers: with one set, aiohttp copies the headers of every
            # request to check them against it (see ``_skip_content_type``).
        )

    def request(
        self,
        session: aiohttp.ClientSession,
        request: PreparedRequest,
        limits: TimeLimits,
        watched: bool = False,
    ) -> Awaitable[aiohttp.ClientResponse]:
        """Send one request over ``session`` within ``limits`` (``watched``: the total is kept by the
        call's ``Deadlines``): aiohttp's own awaitable of the response (its status and headers; the
        body is left unread). Handing it back
        rather than awaiting it here spares each call one coroutine, which the client benchmark
        counts (BENCHMARKS.md); the send loop reads the body (``_read_limited``) and releases the
        connection."""
        headers = request.headers  # aiohttp copies it
        data: bytes | AsyncIterator[bytes] | None
        if isinstance(request.body, StreamingBody):
            headers = dict(headers)
            if request.body.content_length is not None:
                headers["Content-Length"] = str(request.body.content_length)
            data = _stream(request.body)  # sent chunked when the length is unknown
        else:
            data = request.body
        cfg = self.configuration
        return session.request(
            request.method,
            URL(request.url, encoded=True),  # already percent-encoded: no requoting
            data=data,
            headers=headers,
            timeout=_timeout(limits, watched),
            allow_redirects=False,
            proxy=cfg.proxy,
            proxy_headers=cfg.proxy_headers,
            middlewares=(),  # redirects are the core's, not aiohttp's
            skip_auto_headers=(
                None  # (``_skip_content_type``'s first test, without its call)
                if data is None and request.method not in _LABELLED_METHODS
                else _skip_content_type(request.method, headers, data)
            ),
        )

    async def close(self) -> None:
        """Close the client's own session and its pooled connections now (a later request opens a new
        one); a session the caller handed in stays open."""
        session, self._session = self._session, None
        keeper, self._keeper = self._keeper, None
        if session is not None and not session.closed:
            await session.close()
        if keeper is not None:
            await keeper.aclose()


class AsyncApiClient(BaseClient):
    """Calls endpoints over HTTP with aiohttp; one session (connection pool) per client, created on first
    use inside the running event loop (``transport``), or the ``session`` handed in (for proxies,
    custom TLS or a pool shared with other code), which the client uses but never closes.

    Use it with ``async with``, or ``await close()``, to release the session. ``sleep`` is what waits
    between retries (replaceable in tests).
    """

    def _setup(self, *, session: aiohttp.ClientSession | None = None) -> None:
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.transport = AiohttpTransport(self.configuration, session)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its pooled connections now; calls still in flight fail with
        ``ApiConnectionError``. A later call opens a new session."""
        await self.transport.close()

    async def session(self) -> aiohttp.ClientSession:
        """The aiohttp session, created on first use in the running event loop."""
        return self.transport.session()

    def call(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Coroutine[Any, Any, ApiResponse[Any]]:
        """Send one operation: a coroutine of its decoded answer (see ``Exchange.result``), which
        raises ``ApiConnectionError`` / ``ApiTimeoutError`` when none arrives in time.

        The request is prepared here (an argument that cannot be sent raises at once); it is sent
        when the coroutine is awaited. Without an OAuth2 token to fetch, that coroutine is the send
        loop's own: one coroutine frame fewer per call, which the client benchmark counts.
        """
        tokens = self.configuration.oauth2
        scheme = None if tokens is None else tokens.scheme_for(endpoint.auth)
        if scheme is None:
            exchange = self.exchange(endpoint, args, options, preload=True)
            return self._send(exchange, decode=True)
        return self._call_with_token(scheme, endpoint, args, options)

    async def _call_with_token(
        self,
        scheme: AuthScheme,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        options: CallOptions,
    ) -> ApiResponse[Any]:
        """``call`` for an operation sent with an OAuth2 token the client fetches itself: a new
        token and one replay after a 401."""
        sent = await self._token(scheme)
        exchange = self.exchange(endpoint, args, options, preload=True)
        response, body = await self._send(exchange)
        if sent is not None and exchange.token_refused(response.status, sent):
            await self._token(scheme)  # one new token, one replay
            exchange = self.replay(exchange, args, options)
            response, body = await self._send(exchange)
        return exchange.result(response.status, response.reason, response.headers, body)

    async def _token(self, scheme: AuthScheme | None) -> str | None:
        """The token to send for ``scheme``: the one in hand, or a new one from the token URL (one
        task asks; the others wait for its answer)."""
        tokens = self.configuration.oauth2
        if scheme is None or tokens is None:
            return None
        if tokens.fresh():
            return tokens.access_token
        async with tokens.async_lock():
            if tokens.fresh():
                return tokens.access_token
            request = tokens.token_request(scheme)
            cfg = self.configuration
            deadline = Deadline(cfg.timeout)
            try:
                async with self.transport.session().post(
                    request.url,
                    data=request.body,
                    headers=request.headers,
                    timeout=_timeout((deadline.connect, deadline.read, deadline.total)),
                    allow_redirects=False,  # the secret goes to the token URL only
                    proxy=cfg.proxy,
                    proxy_headers=cfg.proxy_headers,
                    middlewares=(),
                ) as response:
                    limit = BodyLimit(cfg.max_response_bytes, "POST", request.url)
                    body = await _read_limited(response, limit)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                error, _ = translate_error(exc, "POST", request.url)
                raise error from exc
            return tokens.accept(request, response.status, response.reason, body)

    async def call_raw(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> aiohttp.ClientResponse:
        """Send one operation and return the aiohttp response unread and unchecked (for
        ``<method>_without_preload_content``); the caller reads it and calls ``release()``.
        """
        tokens = self.configuration.oauth2
        if tokens is not None:
            await self._token(tokens.scheme_for(endpoint.auth))
        exchange = self.exchange(endpoint, args, options, preload=False)
        return (await self._send(exchange))[0]

    @overload
    async def _send(
        self, exchange: Exchange, decode: Literal[False] = False
    ) -> tuple[aiohttp.ClientResponse, bytes]: ...

    @overload
    async def _send(
        self, exchange: Exchange, decode: Literal[True]
    ) -> ApiResponse[Any]: ...

    async def _send(
        self, exchange: Exchange, decode: bool = False
    ) -> tuple[aiohttp.ClientResponse, bytes] | ApiResponse[Any]:
        """The call's answer, and its body (read within ``max_response_bytes``) when ``preload``;
        ``decode``: the answer decoded (``Exchange.result``).

        The whole call's deadline (``exchange.end``) is kept by the loop's ``Deadlines``: past it,
        this task is cancelled wherever it waits (connecting, reading, before a retry), and the
        cancellation becomes the call's ``ApiTimeoutError``."""
        if not self.configuration.verify_ssl:
            warn_unverified(exchange.request.url)
        transport = self.transport
        session = transport.injected or transport.websocket_session()
        end = exchange.deadline.end if exchange.preload else None  # (``exchange.end``)
        task = None if end is None else asyncio.current_task()
        if task is None or end is None:
            watch = None
        else:
            deadlines = transport.deadlines()
            watch = deadlines.watch(end, task)
        watched = watch is not None
        try:
            while True:
                if exchange.hooked:
                    exchange.before_send()  # may change the request's headers
                request = exchange.request
                try:
                    response = await transport.request(
                        session, request, exchange.limits, watched
                    )
                    body = b""
                    if exchange.preload:  # (``read``, without its coroutine)
                        try:
                            body = await _read_limited(response, exchange.body_limit())
                        except BaseException:
                            response.close()  # unread data left: not reused
                            raise
                        finally:
                            response.release()
                except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError) as exc:
                    if session.closed:  # close() while this call was in flight
                        raise exchange.closed() from exc
                    if isinstance(exc, RuntimeError):
                        raise
                    error, kind = translate_error(
                        exc, request.method, request.display_url
                    )
                    exchange.after_error(error, kind, exc)
                else:
                    if exchange.after_response(response.status, response.headers):
                        if decode:
                            return exchange.result(
                                response.status, response.reason, response.headers, body
                            )
                        return response, body
                    response.release()
                if exchange.retry_delay is not None:
                    await self.sleep(exchange.retry_delay)
        except asyncio.CancelledError as exc:
            if watch is None or not watch.fired:
                raise  # cancelled by someone else: theirs
            uncancel = getattr(watch.task, "uncancel", None)  # Python 3.11+
            if uncancel is not None:
                uncancel()
            cause = asyncio.TimeoutError("the call's deadline passed")
            cause.__context__ = exc
            request = exchange.request
            error, kind = translate_error(cause, request.method, request.display_url)
            exchange.after_error(error, kind, cause, timed_out=True)  # raises
            raise exchange.deadline.error(
                request.method, request.display_url
            ) from cause
        finally:
            if watch is not None:
                deadlines.unwatch(watch)
