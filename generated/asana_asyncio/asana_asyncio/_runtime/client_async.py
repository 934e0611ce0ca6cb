"""``AsyncApiClient``: the asyncio twin of ``SyncApiClient``, sending with aiohttp.

Everything that is not I/O is shared with the sync client: ``request`` builds requests and redirects,
``response`` decodes bodies and maps statuses to exceptions, ``retry`` decides when to retry and how long
to wait. aiohttp errors are translated here, at the one transport boundary, into ``ApiConnectionError`` /
``ApiTimeoutError`` (chained ``from`` the original).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
import warnings
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Mapping,
)
from contextvars import ContextVar
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp.client_middlewares import ClientHandlerType
from typing_extensions import Self
from yarl import URL

from .configuration import BaseConfiguration, Timeout
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiTimeoutError, InsecureRequestWarning
from .limits import BodyLimit, Deadline
from .multipart import StreamingBody
from .request import (
    REDIRECT_STATUSES,
    PreparedRequest,
    build_request,
    merge_headers,
    origin_of,
    redirect_headers,
    redirect_request,
)
from .response import ApiResponse, make_api_response
from .retry import RETRY_STATUS_CODES, ErrorKind, RetryPolicy

__all__ = [
    "DEFAULT_POOL_SIZE",
    "WEBSOCKET_REDIRECTS",
    "MAX_REDIRECTS",
    "AsyncApiClient",
    "client_timeout",
    "translate_error",
    "warn_unverified",
]

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 10
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


def client_timeout(value: Timeout) -> aiohttp.ClientTimeout:
    """An aiohttp timeout with the sync client's meaning: the whole request (connecting, sending, the
    headers and reading the whole body) within ``limits.total_seconds(value)``, a limit on connecting
    and one on each read (none on waiting for a free pooled connection beyond the total).
    """
    deadline = Deadline(value)
    return aiohttp.ClientTimeout(
        total=deadline.total, sock_connect=deadline.connect, sock_read=deadline.read
    )


def _hop_timeout(deadline: Deadline) -> aiohttp.ClientTimeout:
    """The aiohttp timeout for one more request of a call (a redirect, a retry): what is left of it."""
    return aiohttp.ClientTimeout(
        total=deadline.remaining(),
        sock_connect=deadline.connect_timeout(),
        sock_read=deadline.read_timeout(),
    )


def _stream_timeout(deadline: Deadline) -> aiohttp.ClientTimeout:
    """The aiohttp timeout of a response handed over unread (``call_raw``): its reader may take as long
    as it needs, so only the connect and per-read limits apply."""
    return aiohttp.ClientTimeout(
        total=None, sock_connect=deadline.connect, sock_read=deadline.read
    )


_TIMEOUTS: dict[Timeout, aiohttp.ClientTimeout] = {}


def _cached_timeout(value: Timeout) -> aiohttp.ClientTimeout:
    """``client_timeout(value)``, made once per value (aiohttp's timeouts are immutable): the first
    request of a call has the whole budget."""
    try:
        return _TIMEOUTS[value]
    except (KeyError, TypeError):
        pass
    made = client_timeout(value)
    if len(_TIMEOUTS) < 256:
        try:
            _TIMEOUTS[value] = made
        except TypeError:  # unhashable (a list): not cached
            pass
    return made


async def _read_limited(response: aiohttp.ClientResponse, limit: BodyLimit) -> bytes:
    """The whole (decompressed) body, refused with ``ResponseTooLargeError`` as soon as it passes the
    limit: a declared length over it before anything is read, otherwise while reading.
    """
    length = limit.check_declared(response.headers)
    if length is not None and "Content-Encoding" not in response.headers:
        return await response.read()  # exactly ``length`` bytes, no more
    if limit.limit is None:
        return await response.read()
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


class AsyncApiClient:
    """Calls endpoints over HTTP with aiohttp; one session (connection pool) per client, created on first
    use inside the running event loop.

    Use it with ``async with``, or ``await close()``, to release the session. ``sleep`` is what waits
    between retries (replaceable in tests).
    """

    package_name: ClassVar[str] = "openapi-client"
    package_version: ClassVar[str] = "0.0.0"
    configuration_class: ClassVar[type[BaseConfiguration]] = BaseConfiguration

    def __init__(
        self,
        configuration: BaseConfiguration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
        cookie: str | None = None,
    ) -> None:
        self.configuration = configuration or self.configuration_class.get_default()
        self.default_headers: dict[str, str] = {}
        if header_name is not None and header_value is not None:
            self.default_headers[header_name] = header_value
        self.cookie = cookie
        self.sensitive_headers: frozenset[str] = frozenset()
        """Lower-case names of headers that are secrets (see ``set_default_header``)."""
        self.user_agent = f"{self.package_name}/{self.package_version} python/{platform.python_version()}"
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._keeper: AsyncGenerator[None, None] | None = None

    # -- public API ---------------------------------------------------------------------------------

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` header sent with every request."""
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.default_headers["User-Agent"] = value

    def set_default_header(
        self, header_name: str, header_value: str, *, sensitive: bool = False
    ) -> None:
        """Send a header with every request. ``sensitive=True`` marks it a secret: masked in ``repr`` of a
        prepared request and dropped when a redirect leaves the configured host (Authorization, Cookie
        and the API's credential headers always are)."""
        self.default_headers[header_name] = header_value
        if sensitive:
            self.sensitive_headers |= {header_name.lower()}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its pooled connections now; calls still in flight fail with
        ``ApiConnectionError``. A later call opens a new session."""
        session, self._session = self._session, None
        keeper, self._keeper = self._keeper, None
        if session is not None and not session.closed:
            await session.close()
        if keeper is not None:
            await keeper.aclose()

    async def session(self) -> aiohttp.ClientSession:
        """The aiohttp session, created on first use in the running event loop."""
        return self._current_session()

    def _current_session(self) -> aiohttp.ClientSession:
        """``session()`` without a coroutine of its own (called once per request)."""
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

    def prepare(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        host: str | None = None,
    ) -> PreparedRequest:
        """The request ``call`` would send (no I/O)."""
        layers: Mapping[str, str] = self.default_headers  # read, never changed
        if self.cookie or headers:
            defaults = dict(self.default_headers)
            if self.cookie:
                defaults["Cookie"] = self.cookie
            layers = merge_headers(defaults, headers)
        return build_request(
            endpoint,
            args,
            self.configuration,
            headers=layers,
            host=host,
            sensitive_headers=self.sensitive_headers,
        )

    async def call(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        request_timeout: Timeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        host: str | None = None,
    ) -> ApiResponse[Any]:
        """Send one operation and decode its response.

        Raises the ``ApiException`` subclass for the status when it is not 2xx (with the declared error
        model in ``.data``), ``ApiConnectionError``/``ApiTimeoutError`` when no response arrives and
        ``ResponseValidationError`` when a 2xx body does not match its declared type.
        """
        request = self.prepare(endpoint, args, headers=headers, host=host)
        response, body = await self._send(
            request, request_timeout, retries, preload=True
        )
        return make_api_response(
            endpoint,
            response.status,
            response.reason,
            response.headers,
            body,
            method=request.method,
            url=request.display_url,
        )

    async def call_raw(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        request_timeout: Timeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        host: str | None = None,
    ) -> aiohttp.ClientResponse:
        """Send one operation and return the aiohttp response unread and unchecked (for
        ``<method>_without_preload_content``); the caller reads it and calls ``release()``.
        """
        request = self.prepare(endpoint, args, headers=headers, host=host)
        response, _ = await self._send(request, request_timeout, retries, preload=False)
        return response

    # -- transport ----------------------------------------------------------------------------------

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
        )

    async def _send(
        self,
        request: PreparedRequest,
        request_timeout: Timeout,
        retries: int | None,
        *,
        preload: bool,
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        """Send with retries and redirects; returns the final response (and its body when
        ``preload``). Each attempt is sent inline here (no coroutine per attempt: this is the hot path
        of every call).

        With ``preload`` the whole call (every request, body and retry wait) fits in the timeout (see
        ``limits.Deadline``) and the body in ``max_response_bytes``; without, the response is handed
        over once its headers are in, and only the connect and per-read limits apply to it.
        """
        policy: RetryPolicy | None = None  # made when a failure asks for it
        cfg = self.configuration
        if not cfg.verify_ssl:
            warn_unverified(request.url)
        value = request_timeout if request_timeout is not None else cfg.timeout
        deadline = Deadline(value)
        timeout = _cached_timeout(value) if preload else _stream_timeout(deadline)
        session = self._current_session()
        origin: tuple[str, str, int | None] | None = None
        first_url = request.url
        attempt = redirects = 0
        while True:
            # -- one request on the wire; with ``preload`` the body is read (and the connection released)
            headers = request.headers  # aiohttp copies it
            data: bytes | AsyncIterator[bytes] | None
            if isinstance(request.body, StreamingBody):
                headers = dict(headers)
                if request.body.content_length is not None:
                    headers["Content-Length"] = str(request.body.content_length)
                data = _stream(request.body)  # sent chunked when the length is unknown
            else:
                data = request.body
            try:
                response = await session.request(
                    request.method,
                    URL(
                        request.url, encoded=True
                    ),  # already percent-encoded: no requoting
                    data=data,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                    proxy=cfg.proxy,
                    proxy_headers=cfg.proxy_headers,
                    middlewares=(),  # redirects are followed here, not by aiohttp
                )
                if preload:
                    limit = BodyLimit(
                        cfg.max_response_bytes, request.method, request.display_url
                    )
                    try:
                        body = await _read_limited(response, limit)
                    except BaseException:
                        response.close()  # unread data left: the connection is not reused
                        raise
                    finally:
                        response.release()
                else:
                    body = b""
            except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError) as exc:
                if session.closed:  # close() while this call was in flight
                    raise ApiConnectionError(
                        "the client was closed during the call",
                        method=request.method,
                        url=request.display_url,
                    ) from exc
                if isinstance(exc, RuntimeError):
                    raise
                error, kind = translate_error(exc, request.method, request.display_url)
                if preload and deadline.expired():
                    error = deadline.error(request.method, request.display_url)
                attempt += 1
                if policy is None:
                    policy = cfg.retry_policy(retries)
                if kind is None or not policy.should_retry(
                    attempt,
                    method=request.method,
                    headers=request.headers,
                    replayable=request.replayable,
                    error=kind,
                ):
                    raise error from exc
                delay = policy.delay(attempt)
                if preload and not deadline.allows_wait(delay):
                    raise error from exc  # no time left for another attempt
                await self._wait(policy, attempt, delay, request, str(error))
                timeout = _hop_timeout(deadline) if preload else timeout
                continue
            status = response.status
            if status in REDIRECT_STATUSES and redirects < MAX_REDIRECTS:
                if origin is None:
                    origin = origin_of(first_url)
                follow = redirect_request(
                    request, status, response.headers.get("Location"), origin
                )
                if follow is not None:
                    response.release()
                    request, redirects = follow, redirects + 1
                    timeout = _hop_timeout(deadline) if preload else timeout
                    continue
            if status not in RETRY_STATUS_CODES and not 500 <= status <= 599:
                return response, body  # never retried: no policy needed
            if policy is None:
                policy = cfg.retry_policy(retries)
            if policy.should_retry(
                attempt + 1,
                method=request.method,
                headers=request.headers,
                replayable=request.replayable,
                status=response.status,
            ):
                delay = policy.delay(attempt + 1, response.headers.get("Retry-After"))
                if not preload or deadline.allows_wait(delay):
                    attempt += 1
                    response.release()
                    await self._wait(
                        policy, attempt, delay, request, f"HTTP {response.status}"
                    )
                    timeout = _hop_timeout(deadline) if preload else timeout
                    continue
            return response, body

    async def _wait(
        self,
        policy: RetryPolicy,
        attempt: int,
        delay: float,
        request: PreparedRequest,
        why: str,
    ) -> None:
        logger.debug(
            "retry %d/%d of %s %s in %.2fs after %s",
            attempt,
            policy.max_retries,
            request.method,
            request.display_url,
            delay,
            why,
        )
        await self.sleep(delay)
