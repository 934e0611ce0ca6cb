"""``SyncApiClient``: sends prepared requests with urllib3, retries, follows redirects, decodes responses.

Everything that is not I/O lives in ``request``, ``response`` and ``retry``; this module only sends.
urllib3 errors are translated here, at the one transport boundary, into ``ApiConnectionError`` /
``ApiTimeoutError`` (chained ``from`` the original).
"""

from __future__ import annotations

import logging
import platform
import re
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, ClassVar

import urllib3
from typing_extensions import Self
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProxyError,
    SSLError,
)
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util import Retry, parse_url

from .configuration import BaseConfiguration, Timeout
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiTimeoutError, ResponseTooLargeError
from .limits import BodyLimit, Deadline
from .multipart import StreamingBody
from .request import (
    REDIRECT_STATUSES,
    PreparedRequest,
    build_request,
    mask_query_credentials,
    merge_headers,
    origin_of,
    query_credential_pattern,
    redirect_request,
)
from .response import ApiResponse, make_api_response
from .retry import RETRY_STATUS_CODES, ErrorKind, RetryPolicy
from .watchdog import POOL_CLASSES, Watch, current, shut_down, watchdog

__all__ = ["MAX_REDIRECTS", "SyncApiClient", "translate_error"]

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 10
# urllib3's own handling of retries and redirects is off: this client does both.
_NO_RETRIES = Retry(total=False, redirect=False)
# A request target urllib3's URL normalisation leaves unchanged (RFC 3986 path/query characters,
# upper-case percent escapes), and the scheme://authority prefixes that need its full parser.
_PLAIN_TARGET = re.compile(r"/(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-F]{2})*")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")
_AWKWARD_ORIGIN = re.compile(r"[@?#%\[\]\\\s]")


def translate_error(
    exc: HTTPError, method: str, url: str
) -> tuple[ApiConnectionError, ErrorKind | None]:
    """The client exception for a urllib3 error, and what kind of failure it was for the retry policy
    (``None``: not worth retrying)."""
    if isinstance(exc, MaxRetryError) and isinstance(exc.reason, HTTPError):
        return translate_error(exc.reason, method, url)
    if isinstance(exc, SSLError):
        return ApiConnectionError(f"TLS error: {exc}", method=method, url=url), None
    if isinstance(exc, ProxyError):
        return (
            ApiConnectionError(f"proxy error: {exc}", method=method, url=url),
            "connect",
        )
    if isinstance(exc, NewConnectionError):
        return (
            ApiConnectionError(f"cannot connect: {exc}", method=method, url=url),
            "connect",
        )
    if isinstance(exc, ConnectTimeoutError):
        return (
            ApiTimeoutError(f"timed out connecting: {exc}", method=method, url=url),
            "connect",
        )
    if isinstance(exc, Urllib3TimeoutError):
        return ApiTimeoutError(f"timed out: {exc}", method=method, url=url), "read"
    return (
        ApiConnectionError(f"connection error: {exc}", method=method, url=url),
        "read",
    )


class _QueryCredentialFilter(logging.Filter):
    """Masks API keys sent in the query string in urllib3's log lines (its debug line of every request
    shows the request target, query included). Installed on urllib3's loggers by the first client whose
    API sends a key in the query; each such client adds its parameter names."""

    def __init__(self) -> None:
        super().__init__()
        self.names: frozenset[str] = frozenset()
        self.pattern: re.Pattern[str] | None = None

    def watch(self, names: frozenset[str]) -> None:
        if not names <= self.names:
            self.names |= names
            self.pattern = query_credential_pattern(self.names)

    def filter(self, record: logging.LogRecord) -> bool:
        pattern = self.pattern
        if pattern is None:
            return True
        if isinstance(record.msg, str):
            record.msg = mask_query_credentials(record.msg, pattern)
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_query_credentials(a, pattern) if isinstance(a, str) else a
                for a in record.args
            )
        return True


_LOG_FILTER = _QueryCredentialFilter()
_URLLIB3_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.poolmanager",
    "urllib3.util.retry",
)


def _mask_query_credentials_in_logs(configuration: BaseConfiguration) -> None:
    names = frozenset(
        s.param_name
        for s in configuration.auth_schemes
        if s.kind == "api_key" and s.location == "query"
    )
    if not names:
        return
    if _LOG_FILTER.pattern is None:
        for name in _URLLIB3_LOGGERS:
            logging.getLogger(name).addFilter(_LOG_FILTER)
    _LOG_FILTER.watch(names)


_READ_CHUNK = 64 * 1024
_DRAIN_MAX = (
    64 * 1024
)  # the most of a redirect's or retried response's body read to reuse its connection


def _discard(response: urllib3.BaseHTTPResponse) -> None:
    """Done with a response whose body is not wanted (a redirect, a retried status): a short body is
    read so the connection can be reused; any other (long, unknown or endless) closes the connection.
    """
    length = response.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) <= _DRAIN_MAX:
        response.drain_conn()
    else:
        response.close()
    response.release_conn()


def _hop_timeout(deadline: Deadline) -> urllib3.Timeout:
    """The urllib3 timeout of one more request of a call (a redirect, a retry): what is left of it."""
    return urllib3.Timeout(
        connect=deadline.connect_timeout(), read=deadline.read_timeout()
    )


_TIMEOUTS: dict[Timeout, urllib3.Timeout] = {}


def _timeout(value: Timeout) -> urllib3.Timeout:
    """The urllib3 timeout of a call's first request (connect, and each read; the whole call's limit is
    the watchdog's); made once per value (urllib3 clones it for each request)."""
    try:
        return _TIMEOUTS[value]
    except (KeyError, TypeError):
        pass
    deadline = Deadline(value)
    made = urllib3.Timeout(connect=deadline.connect, read=deadline.read)
    if len(_TIMEOUTS) < 256:
        try:
            _TIMEOUTS[value] = made
        except TypeError:  # unhashable (a list): not cached
            pass
    return made


class SyncApiClient:
    """Calls endpoints over HTTP with urllib3; one connection pool per client.

    Use it as a context manager, or call ``close()``, to release the pool. ``sleep`` is what waits
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
        self.sleep: Callable[[float], None] = time.sleep
        _mask_query_credentials_in_logs(self.configuration)
        self.pool_manager = self._make_pool_manager()
        self._pools: dict[str, HTTPConnectionPool] = {}
        # Every connection this client opened, and the calls in flight: what close() shuts down.
        self._connections: weakref.WeakSet[HTTPConnection] = weakref.WeakSet()
        self._in_flight: set[Watch] = set()

    def _make_pool_manager(self) -> urllib3.PoolManager:
        cfg = self.configuration
        kwargs: dict[str, Any] = {
            "num_pools": 4,
            "maxsize": cfg.connection_pool_maxsize or 10,
            "cert_reqs": "CERT_REQUIRED" if cfg.verify_ssl else "CERT_NONE",
            "ca_certs": cfg.ssl_ca_cert,
            "cert_file": cfg.cert_file,
            "key_file": cfg.key_file,
            "retries": False,
        }
        if not cfg.verify_ssl:
            kwargs["assert_hostname"] = False
        manager: urllib3.PoolManager
        if cfg.proxy:
            manager = urllib3.ProxyManager(
                proxy_url=cfg.proxy, proxy_headers=cfg.proxy_headers, **kwargs
            )
        else:
            manager = urllib3.PoolManager(**kwargs)
        # Connections that a call's deadline (and close()) can interrupt: see watchdog.py.
        manager.pool_classes_by_scheme = dict(POOL_CLASSES)
        return manager

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

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection now: idle pooled ones, and those of calls in flight (in other threads),
        which then fail with ``ApiConnectionError``. The client can still be used: a later call opens new
        connections."""
        for watch in list(self._in_flight):
            watch.fired = "closed"
        for connection in list(self._connections):
            shut_down(
                connection
            )  # ends a blocked read at once, whatever else holds the socket
        self.pool_manager.clear()
        self._pools.clear()

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

    def call(
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
        response, body = self._send(request, request_timeout, retries, preload=True)
        return make_api_response(
            endpoint,
            response.status,
            response.reason,
            response.headers,
            body,
            method=request.method,
            url=request.display_url,
        )

    def call_raw(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        request_timeout: Timeout = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        host: str | None = None,
    ) -> urllib3.BaseHTTPResponse:
        """Send one operation and return the urllib3 response unread and unchecked (for
        ``<method>_without_preload_content``); the caller reads it and calls ``release_conn()``.
        """
        request = self.prepare(endpoint, args, headers=headers, host=host)
        response, _ = self._send(request, request_timeout, retries, preload=False)
        return response

    # -- transport ----------------------------------------------------------------------------------

    def _send(
        self,
        request: PreparedRequest,
        request_timeout: Timeout,
        retries: int | None,
        *,
        preload: bool,
    ) -> tuple[urllib3.BaseHTTPResponse, bytes]:
        """Send with retries and redirects; returns the final response (and its body when
        ``preload``).

        With ``preload`` the whole call (every request, body and retry wait) fits in the timeout (see
        ``limits.Deadline``; the watchdog cuts a blocked read short) and the body in
        ``max_response_bytes``; without, the response is handed over once its headers are in, and only
        the connect and per-read limits apply to it.
        """
        policy: RetryPolicy | None = None  # made when a failure asks for it
        cfg = self.configuration
        value = request_timeout if request_timeout is not None else cfg.timeout
        deadline = Deadline(value)
        timeout = _timeout(value)
        watch = Watch(deadline.end if preload else None, self._connections)
        self._in_flight.add(watch)
        watchdog.start(watch)
        origin: tuple[str, str, int | None] | None = None
        first_url = request.url
        attempt = redirects = 0
        try:
            while True:
                try:
                    response = self._urlopen(request, timeout, watch)
                    status = response.status
                    if status in REDIRECT_STATUSES and redirects < MAX_REDIRECTS:
                        if origin is None:
                            origin = origin_of(first_url)
                        follow = redirect_request(
                            request, status, response.headers.get("Location"), origin
                        )
                        if follow is not None:
                            _discard(response)
                            request, redirects = follow, redirects + 1
                            timeout = _hop_timeout(deadline) if preload else timeout
                            continue
                    if status in RETRY_STATUS_CODES or 500 <= status <= 599:
                        if policy is None:
                            policy = cfg.retry_policy(retries)
                        if policy.should_retry(
                            attempt + 1,
                            method=request.method,
                            headers=request.headers,
                            replayable=request.replayable,
                            status=status,
                        ):
                            delay = policy.delay(
                                attempt + 1, response.headers.get("Retry-After")
                            )
                            if not preload or deadline.allows_wait(delay):
                                attempt += 1
                                _discard(response)
                                self._wait(
                                    policy, attempt, delay, request, f"HTTP {status}"
                                )
                                timeout = _hop_timeout(deadline) if preload else timeout
                                continue
                    if not preload:
                        return response, b""
                    return response, self._read_body(response, request)
                except HTTPError as exc:
                    if watch.fired == "closed":
                        raise ApiConnectionError(
                            "the client was closed during the call",
                            method=request.method,
                            url=request.display_url,
                        ) from exc
                    error, kind = translate_error(
                        exc, request.method, request.display_url
                    )
                    if preload and (watch.fired or deadline.expired()):
                        error, kind = (
                            deadline.error(request.method, request.display_url),
                            "read",
                        )
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
                    self._wait(policy, attempt, delay, request, str(error))
                    timeout = _hop_timeout(deadline) if preload else timeout
        finally:
            watchdog.stop(watch)
            self._in_flight.discard(watch)

    def _read_body(
        self, response: urllib3.BaseHTTPResponse, request: PreparedRequest
    ) -> bytes:
        """The whole (decompressed) body, refused with ``ResponseTooLargeError`` as soon as it passes
        ``max_response_bytes``: a declared length over it before anything is read, otherwise while
        reading, chunk by chunk."""
        limit = BodyLimit(
            self.configuration.max_response_bytes, request.method, request.display_url
        )
        try:
            length = limit.check_declared(response.headers)
            if limit.limit is None or (
                length is not None and "Content-Encoding" not in response.headers
            ):
                return response.read()  # exactly ``length`` bytes (or no limit)
            chunks: list[bytes] = []
            while chunk := response.read(_READ_CHUNK):
                limit.add(len(chunk))
                chunks.append(chunk)
            return b"".join(chunks)
        except ResponseTooLargeError:
            response.close()  # the rest is not read: the connection cannot be reused
            response.release_conn()
            raise

    def _wait(
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
        self.sleep(delay)

    def _urlopen(
        self, request: PreparedRequest, timeout: urllib3.Timeout, watch: Watch
    ) -> urllib3.BaseHTTPResponse:
        """Send one request and read its status and headers (the body is left unread)."""
        current.watch = (
            watch  # connections used by this urlopen attach themselves to it
        )
        try:
            return self._urlopen_watched(request, timeout)
        finally:
            current.watch = None

    def _urlopen_watched(
        self, request: PreparedRequest, timeout: urllib3.Timeout
    ) -> urllib3.BaseHTTPResponse:
        headers = request.headers  # urllib3 does not change it
        body: bytes | Iterator[bytes] | None
        chunked = False
        if isinstance(request.body, StreamingBody):
            headers = dict(headers)
            if request.body.content_length is not None:
                headers["Content-Length"] = str(request.body.content_length)
            else:
                chunked = True
            body = iter(request.body)
        else:
            body = request.body
        direct = self._direct(request.url)
        if (
            direct is not None
        ):  # what PoolManager.urlopen would do, without parsing the URL again
            pool, request_uri = direct
            return pool.urlopen(
                request.method,
                request_uri,
                body=body,
                headers=headers,
                timeout=timeout,
                retries=_NO_RETRIES,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                chunked=chunked,
            )
        return self.pool_manager.urlopen(
            request.method,
            request.url,
            body=body,
            headers=headers,
            timeout=timeout,
            retries=_NO_RETRIES,
            redirect=False,
            preload_content=False,
            chunked=chunked,
        )

    def _direct(self, url: str) -> tuple[HTTPConnectionPool, str] | None:
        """The pool and request target for ``url`` when urllib3 would send it unchanged: a plain
        ``PoolManager`` (no proxy), an ``http(s)://host[:port]`` prefix, and a path and query made only
        of characters urllib3 leaves alone, without dot segments. Otherwise None (``PoolManager``
        parses it)."""
        if type(self.pool_manager) is not urllib3.PoolManager:
            return None
        if url.startswith("http://"):
            slash = url.find("/", 7)
        elif url.startswith("https://"):
            slash = url.find("/", 8)
        else:
            return None
        if slash < 0:
            return None
        prefix, target = url[:slash], url[slash:]
        pool = self._pools.get(prefix)
        if (
            pool is None or pool.pool is None
        ):  # not seen yet, or closed (evicted, close())
            if _AWKWARD_ORIGIN.search(prefix):
                return None
            origin = parse_url(prefix)
            pool = self.pool_manager.connection_from_host(
                origin.host, port=origin.port, scheme=origin.scheme
            )
            if len(self._pools) >= 64:
                self._pools.clear()
            self._pools[prefix] = pool
        path = target.partition("?")[0]
        if not _PLAIN_TARGET.fullmatch(target) or _DOT_SEGMENT.search(path):
            return None
        return pool, target
