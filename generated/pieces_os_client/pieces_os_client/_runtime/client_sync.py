"""``SyncApiClient``: the client core (``core``) with a urllib3 send loop.

Everything that is not I/O (requests, redirects, retries, time limits, decoding) is the core's; this
module moves bytes. ``Urllib3Transport`` sends one request; urllib3 errors are translated here, at the
one transport boundary, into ``ApiConnectionError`` / ``ApiTimeoutError`` (chained ``from`` the
original).
"""

from __future__ import annotations

import functools
import logging
import re
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import urllib3
from typing_extensions import Self, Unpack
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
from urllib3.poolmanager import pool_classes_by_scheme
from urllib3.util import Retry, parse_url

from .auth import AuthScheme
from .configuration import BaseConfiguration
from .core import BaseClient, CallOptions, Exchange, TimeLimits
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, ApiTimeoutError, ResponseTooLargeError
from .limits import BodyLimit, Deadline
from .multipart import StreamingBody
from .request import (
    PreparedRequest,
    mask_query_credentials,
    query_credential_pattern,
)
from .response import ApiResponse
from .retry import ErrorKind
from .watchdog import POOL_CLASSES, Watch, current, shut_down, watchdog

__all__ = ["SyncApiClient", "Urllib3Transport", "translate_error"]


# urllib3's own handling of retries and redirects is off: the core does both.
_NO_RETRIES = Retry(total=False, redirect=False)
# A request target urllib3's URL normalisation leaves unchanged (RFC 3986 path and query characters,
# upper-case percent escapes, no dot segments), and the scheme://authority prefixes that need its parser.
_PLAIN_TARGET = re.compile(r"/(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-F]{2})*")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")
_AWKWARD_ORIGIN = re.compile(r"[@?#%\[\]\\\s]")
_MAX_DIRECT_POOLS = 64


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


def _read_body(response: urllib3.BaseHTTPResponse, limit: BodyLimit) -> bytes:
    """The whole (decompressed) body, refused with ``ResponseTooLargeError`` as soon as it passes
    ``max_response_bytes``: a declared length over it before anything is read, otherwise while
    reading, chunk by chunk."""
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


@functools.lru_cache(maxsize=64)
def _timeout(connect: float | None, read: float | None) -> urllib3.Timeout:
    """The urllib3 timeout of one request (urllib3 clones it for each request it makes)."""
    return urllib3.Timeout(connect=connect, read=read)


class Urllib3Transport:
    """Sends one request at a time with urllib3, through one ``PoolManager`` (a ``ProxyManager`` when
    the configuration names a proxy), and keeps what ``close()`` needs: every connection it opened and
    the watches of the calls in flight (``watchdog``)."""

    def __init__(
        self,
        configuration: BaseConfiguration,
        pool_manager: urllib3.PoolManager | None = None,
    ) -> None:
        self.owned = pool_manager is None
        """Whether the pool manager is the transport's own (``close()`` clears only its own)."""
        self.pool_manager = (
            _pool_manager(configuration)
            if pool_manager is None
            else _watched(pool_manager)
        )
        # Every connection this transport opened, and the calls in flight: what close() shuts down.
        self._connections: weakref.WeakSet[HTTPConnection] = weakref.WeakSet()
        self._in_flight: set[Watch] = set()
        # ``scheme://authority`` -> its pool, for ``direct`` (only with a plain PoolManager).
        self._pools: dict[str, HTTPConnectionPool] = {}

    def watch(self, end: float | None) -> Watch:
        """Start watching a call that must be over at ``end`` (None: never): past it, the watchdog
        shuts its connection down, which ends a blocked read at once."""
        watch = Watch(end, self._connections)
        self._in_flight.add(watch)
        watchdog.start(watch)
        return watch

    def unwatch(self, watch: Watch) -> None:
        """The call is over."""
        watchdog.stop(watch)
        self._in_flight.discard(watch)

    def send(
        self, request: PreparedRequest, limits: TimeLimits, watch: Watch
    ) -> urllib3.BaseHTTPResponse:
        """Send one request and read its status and headers (the body is left unread); ``limits``
        bound connecting and each read (the whole call's limit is the watch's)."""
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
        current.watch = (
            watch  # connections used by this urlopen attach themselves to it
        )
        try:
            direct = self.direct(request.url)
            if (
                direct is not None
            ):  # what PoolManager.urlopen does, without parsing the URL
                pool, target = direct
                return pool.urlopen(
                    request.method,
                    target,
                    body=body,
                    headers=headers,
                    timeout=_timeout(limits[0], limits[1]),
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
                timeout=_timeout(limits[0], limits[1]),
                retries=_NO_RETRIES,
                redirect=False,
                preload_content=False,
                chunked=chunked,
            )
        finally:
            current.watch = None

    def direct(self, url: str) -> tuple[HTTPConnectionPool, str] | None:
        """The connection pool and request target ``PoolManager.urlopen`` would use for ``url``, when
        urllib3 would send it unchanged: no proxy, an ``http(s)://host[:port]`` prefix, and a path and
        query of characters urllib3 leaves alone, without dot segments; None otherwise (the
        ``PoolManager`` parses it). The pool of a prefix is looked up once, and again once urllib3 has
        closed it (evicted, ``close()``): the URL is not parsed and no pool key is built per request,
        which the client benchmark showed to matter (BENCHMARKS.md)."""
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
        if pool is None or pool.pool is None:  # not seen yet, or closed
            if _AWKWARD_ORIGIN.search(prefix):
                return None
            origin = parse_url(prefix)
            pool = self.pool_manager.connection_from_host(
                origin.host, port=origin.port, scheme=origin.scheme
            )
            if len(self._pools) >= _MAX_DIRECT_POOLS:
                self._pools.clear()
            self._pools[prefix] = pool
        if _PLAIN_TARGET.fullmatch(target) is None or _DOT_SEGMENT.search(
            target.partition("?")[0]
        ):
            return None
        return pool, target

    def close(self) -> None:
        """Close every connection now: idle pooled ones, and those of calls in flight (in other
        threads), which then fail. Later requests open new connections. Of a pool manager handed in,
        only the connections of calls in flight are shut down; its idle ones are its owner's.
        """
        self._pools.clear()
        if not self.owned:
            for watch in list(self._in_flight):
                watch.interrupt("closed")
            return
        for watch in list(self._in_flight):
            watch.fired = "closed"
        for connection in list(self._connections):
            shut_down(
                connection
            )  # ends a blocked read at once, whatever holds the socket
        self.pool_manager.clear()


def _watched(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    """A caller's pool manager, its pools made watchable when they are urllib3's own classes (the
    watched ones differ only in tying a connection to the call in flight in this thread, so the whole
    call's deadline and ``close()`` can cut it off); custom pool classes are left as they are.
    """
    if manager.pool_classes_by_scheme == pool_classes_by_scheme:
        manager.pool_classes_by_scheme = dict(POOL_CLASSES)
    return manager


def _pool_manager(configuration: BaseConfiguration) -> urllib3.PoolManager:
    cfg = configuration
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


class SyncApiClient(BaseClient):
    """Calls endpoints over HTTP with urllib3; one connection pool per client (``transport``), or the
    ``pool_manager`` handed in (a ``PoolManager`` or ``ProxyManager`` for proxies, custom TLS or a pool
    shared with other code), which the client uses but never clears or closes.

    Use it as a context manager, or call ``close()``, to release the pool. ``sleep`` is what waits
    between retries (replaceable in tests).
    """

    def _setup(self, *, pool_manager: urllib3.PoolManager | None = None) -> None:
        self.sleep: Callable[[float], None] = time.sleep
        _mask_query_credentials_in_logs(self.configuration)
        self.transport = Urllib3Transport(self.configuration, pool_manager)

    @property
    def pool_manager(self) -> urllib3.PoolManager:
        """urllib3's ``PoolManager`` the client sends with."""
        return self.transport.pool_manager

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection now: idle pooled ones, and those of calls in flight (in other threads),
        which then fail with ``ApiConnectionError``. The client can still be used: a later call opens new
        connections. A ``pool_manager`` handed in keeps its idle connections (its owner clears it).
        """
        self.transport.close()

    def call(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> ApiResponse[Any]:
        """Send one operation and decode its answer (see ``Exchange.result``); raises
        ``ApiConnectionError`` / ``ApiTimeoutError`` when none arrives."""
        tokens = self.configuration.oauth2
        scheme = None if tokens is None else tokens.scheme_for(endpoint.auth)
        sent = None if scheme is None else self._token(scheme)
        exchange = self.exchange(endpoint, args, options, preload=True)
        response, body = self._send(exchange)
        if sent is not None and exchange.token_refused(response.status, sent):
            self._token(scheme)  # one new token, one replay
            exchange = self.replay(exchange, args, options)
            response, body = self._send(exchange)
        return exchange.result(response.status, response.reason, response.headers, body)

    def _token(self, scheme: AuthScheme | None) -> str | None:
        """The token to send for ``scheme``: the one in hand, or a new one from the token URL (one
        thread asks; the others wait for its answer)."""
        tokens = self.configuration.oauth2
        if scheme is None or tokens is None:
            return None
        if not tokens.fresh():
            with tokens.lock:
                if not tokens.fresh():
                    request = tokens.token_request(scheme)
                    limits = Deadline(self.configuration.timeout)
                    try:
                        response = self.transport.pool_manager.urlopen(
                            "POST",
                            request.url,
                            body=request.body,
                            headers=request.headers,
                            timeout=_timeout(limits.connect, limits.read),
                            retries=_NO_RETRIES,
                            redirect=False,  # the secret goes to the token URL only
                            preload_content=False,
                        )
                    except HTTPError as exc:
                        error, _ = translate_error(exc, "POST", request.url)
                        raise error from exc
                    body = _read_body(
                        response,
                        BodyLimit(
                            self.configuration.max_response_bytes, "POST", request.url
                        ),
                    )
                    response.release_conn()
                    tokens.accept(request, response.status, response.reason, body)
        return tokens.access_token

    def call_raw(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> urllib3.BaseHTTPResponse:
        """Send one operation and return the urllib3 response unread and unchecked (for
        ``<method>_without_preload_content``); the caller reads it and calls ``release_conn()``.
        """
        tokens = self.configuration.oauth2
        if tokens is not None:
            self._token(tokens.scheme_for(endpoint.auth))
        return self._send(self.exchange(endpoint, args, options, preload=False))[0]

    def _send(self, exchange: Exchange) -> tuple[urllib3.BaseHTTPResponse, bytes]:
        """The call's answer (and its body, read within ``max_response_bytes``, when ``preload``)."""
        transport = self.transport
        watch = transport.watch(exchange.end)
        try:
            while True:
                request = exchange.request
                if exchange.hooked:
                    exchange.before_send()
                try:
                    response = transport.send(request, exchange.limits, watch)
                    if exchange.after_response(response.status, response.headers):
                        if not exchange.preload:
                            return response, b""
                        return response, _read_body(response, exchange.body_limit())
                    _discard(response)
                except HTTPError as exc:
                    if watch.fired == "closed":
                        raise exchange.closed() from exc
                    error, kind = translate_error(
                        exc, request.method, request.display_url
                    )
                    exchange.after_error(
                        error, kind, exc, timed_out=watch.fired is not None
                    )
                if exchange.retry_delay is not None:
                    self.sleep(exchange.retry_delay)
        finally:
            transport.unwatch(watch)
