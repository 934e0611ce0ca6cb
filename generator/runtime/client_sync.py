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
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, ClassVar

import urllib3
from typing_extensions import Self
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
from .exceptions import ApiConnectionError, ApiTimeoutError
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


_TIMEOUTS: dict[Timeout, urllib3.Timeout] = {}


def _timeout(value: Timeout) -> urllib3.Timeout:
    """The urllib3 timeout for a setting; made once per value (urllib3 clones it for each request)."""
    try:
        return _TIMEOUTS[value]
    except (KeyError, TypeError):
        pass
    if isinstance(value, tuple):
        made = urllib3.Timeout(connect=value[0], read=value[1])
    else:
        made = urllib3.Timeout(connect=value, read=value)
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
        if cfg.proxy:
            return urllib3.ProxyManager(
                proxy_url=cfg.proxy, proxy_headers=cfg.proxy_headers, **kwargs
            )
        return urllib3.PoolManager(**kwargs)

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
        """Close pooled connections."""
        self.pool_manager.clear()

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
        response = self._send(request, request_timeout, retries, preload_content=True)
        return make_api_response(
            endpoint,
            response.status,
            response.reason,
            response.headers,
            response.data,
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
        return self._send(request, request_timeout, retries, preload_content=False)

    # -- transport ----------------------------------------------------------------------------------

    def _send(
        self,
        request: PreparedRequest,
        request_timeout: Timeout,
        retries: int | None,
        *,
        preload_content: bool,
    ) -> urllib3.BaseHTTPResponse:
        """Send with retries and redirects; returns the final response."""
        policy: RetryPolicy | None = None  # made when a failure asks for it
        timeout = _timeout(
            request_timeout
            if request_timeout is not None
            else self.configuration.timeout
        )
        origin: tuple[str, str, int | None] | None = None
        first_url = request.url
        attempt = redirects = 0
        while True:
            try:
                response = self._urlopen(request, timeout, preload_content)
            except HTTPError as exc:
                error, kind = translate_error(exc, request.method, request.display_url)
                attempt += 1
                if policy is None:
                    policy = self.configuration.retry_policy(retries)
                if kind is None or not policy.should_retry(
                    attempt,
                    method=request.method,
                    headers=request.headers,
                    replayable=request.replayable,
                    error=kind,
                ):
                    raise error from exc
                self._wait(policy, attempt, None, request, str(error))
                continue
            status = response.status
            if status in REDIRECT_STATUSES and redirects < MAX_REDIRECTS:
                if origin is None:
                    origin = origin_of(first_url)
                follow = redirect_request(
                    request, response.status, response.headers.get("Location"), origin
                )
                if follow is not None:
                    response.drain_conn()
                    response.release_conn()
                    request, redirects = follow, redirects + 1
                    continue
            if status not in RETRY_STATUS_CODES and not 500 <= status <= 599:
                return response  # never retried: no policy needed
            if policy is None:
                policy = self.configuration.retry_policy(retries)
            if policy.should_retry(
                attempt + 1,
                method=request.method,
                headers=request.headers,
                replayable=request.replayable,
                status=response.status,
            ):
                attempt += 1
                retry_after = response.headers.get("Retry-After")
                response.drain_conn()
                response.release_conn()
                self._wait(
                    policy, attempt, retry_after, request, f"HTTP {response.status}"
                )
                continue
            return response

    def _wait(
        self,
        policy: RetryPolicy,
        attempt: int,
        retry_after: str | None,
        request: PreparedRequest,
        why: str,
    ) -> None:
        delay = policy.delay(attempt, retry_after)
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
        self, request: PreparedRequest, timeout: urllib3.Timeout, preload_content: bool
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
                preload_content=preload_content,
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
            preload_content=preload_content,
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
