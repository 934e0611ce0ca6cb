"""The client core both transports share, with no I/O in it.

``BaseClient`` holds what a client is apart from its connections: the configuration, default headers,
cookie and User-Agent, and ``prepare()`` (an endpoint and its arguments become a ``PreparedRequest``:
parameters, auth, body, header checks). An ``Exchange`` is one call from its first request to its
decoded response: the time limits of each request, what a response means (follow a redirect, keeping
credentials on the configured origin; retry after a delay; done), what a transport failure means (retry
after a delay, or the exception to raise), logging, and decoding into ``ApiResponse`` or the exception
for the status.

``client_sync.SyncApiClient`` (urllib3) and ``client_async.AsyncApiClient`` (aiohttp) are each a short
send loop around it::

    exchange = self.exchange(endpoint, args, options, preload=True)
    while True:
        try:
            response = <send exchange.request within exchange.limits>
        except <transport error> as exc:
            exchange.after_error(*translate_error(exc, ...), exc)  # raises when it is final
        else:
            if exchange.after_response(response.status, response.headers):
                return exchange.result(response.status, response.reason, response.headers, body)
            <release response>
        if exchange.retry_delay is not None:
            <sleep exchange.retry_delay>

Everything a call does besides moving bytes happens in these methods, so a step added to every call (a
hook before sending or after a response, a credential that refreshes) is added here once.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Mapping
from typing import Any, ClassVar, TypedDict

from .configuration import BaseConfiguration, Timeout
from .endpoint import Endpoint
from .exceptions import ApiConnectionError, OpenApiException
from .hooks import RequestInfo, ResponseInfo
from .idempotency import call_headers
from .limits import BodyLimit, Deadline
from .request import (
    REDIRECT_STATUSES,
    PreparedRequest,
    build_request,
    check_headers,
    merge_headers,
    origin_of,
    redirect_request,
)
from .response import ApiResponse, api_response, decoder, make_api_response
from .retry import RETRY_STATUS_CODES, ErrorKind, RetryPolicy

__all__ = ["MAX_REDIRECTS", "BaseClient", "CallOptions", "Exchange", "TimeLimits"]

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 10
"""Redirects one call follows at most; the next redirect response is returned as it is."""

TimeLimits = tuple[float | None, float | None, float | None]
"""``(connect, read, total)`` seconds for one request of a call (None: no limit)."""


class CallOptions(TypedDict, total=False):
    """The per-call options every generated method passes on (its ``_request_timeout``, ``_headers``,
    ``_retries`` and ``_host`` arguments)."""

    request_timeout: Timeout
    """The whole call's time limit (see ``limits.Timeout``); None: ``configuration.timeout``."""
    headers: Mapping[str, str] | None
    """Headers for this call, over the client's default headers and the generated ones."""
    retries: int | None
    """Retries after the first attempt; None: ``configuration.retries``."""
    host: str | None
    """The base URL for this call instead of the configured one."""


class BaseClient:
    """Configuration, default headers, cookie and User-Agent, and request preparation: all of a client
    but its connections (see the module docstring)."""

    package_name: ClassVar[str] = "openapi-client"
    package_version: ClassVar[str] = "0.0.0"
    configuration_class: ClassVar[type[BaseConfiguration]] = BaseConfiguration

    def __init__(
        self,
        configuration: BaseConfiguration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
        cookie: str | None = None,
        **connections: Any,
    ) -> None:
        """``connections``: what the transport takes from the caller instead of making it (the sync
        client's ``pool_manager``, the asyncio client's ``session``; see their ``_setup``).
        """
        self.configuration = configuration or self.configuration_class.get_default()
        self.default_headers: dict[str, str] = {}
        if header_name is not None and header_value is not None:
            self.default_headers[header_name] = header_value
        self.cookie = cookie
        self.sensitive_headers: frozenset[str] = frozenset()
        """Lower-case names of headers that are secrets (see ``set_default_header``)."""
        self.user_agent = f"{self.package_name}/{self.package_version} python/{platform.python_version()}"
        self._setup(**connections)

    def _setup(self) -> None:
        """What a transport's client sets up for itself, last in ``__init__`` (its ``transport``), with
        the ``connections`` the caller handed in (an unknown name is a ``TypeError``).
        """

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

    def prepare(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        host: str | None = None,
    ) -> PreparedRequest:
        """The request a call of ``endpoint`` with ``args`` sends first (no I/O)."""
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

    def exchange(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any],
        options: CallOptions,
        *,
        preload: bool,
    ) -> Exchange:
        """A call of ``endpoint``, ready for its first request (``Exchange``)."""
        headers = options.get("headers")
        if endpoint.idempotency_header is not None:
            headers = call_headers(endpoint, args, self.default_headers, headers)
        if headers or self.cookie:
            request = self.prepare(
                endpoint, args, headers=headers, host=options.get("host")
            )
        else:  # ``prepare``, without its call: the default headers are the only layer
            request = build_request(
                endpoint,
                args,
                self.configuration,
                headers=self.default_headers,
                host=options.get("host"),
                sensitive_headers=self.sensitive_headers,
            )
        return Exchange(
            self.configuration,
            endpoint,
            request,
            options.get("request_timeout"),
            options.get("retries"),
            preload=preload,
        )

    def replay(
        self, exchange: Exchange, args: Mapping[str, Any], options: CallOptions
    ) -> Exchange:
        """The call of ``exchange`` once more, from its start (after a 401 and a new OAuth2 token),
        with the same idempotency key."""
        endpoint = exchange.endpoint
        name = endpoint.idempotency_header
        if name is not None:
            wanted = name.lower()
            for key, value in exchange.request.headers.items():
                if key.lower() == wanted:
                    layer = {**(options.get("headers") or {}), key: value}
                    options = {**options, "headers": layer}
                    break
        return self.exchange(endpoint, args, options, preload=exchange.preload)


class Exchange:
    """One call, from its first request to its result: the request to send next (``request``), its
    time limits (``limits``), and what each response or failure means.

    With ``preload`` the whole call (every request, body and retry wait) fits in the timeout (see
    ``limits.Deadline``) and the body in ``max_response_bytes``; without, the response is handed over
    once its headers are in, and only the connect and per-read limits apply to it.
    """

    __slots__ = (
        "attempt",
        "configuration",
        "deadline",
        "endpoint",
        "hooked",
        "info",
        "limits",
        "origin",
        "policy",
        "preload",
        "redirects",
        "request",
        "retries",
        "retry_delay",
    )

    def __init__(
        self,
        configuration: BaseConfiguration,
        endpoint: Endpoint,
        request: PreparedRequest,
        timeout: Timeout,
        retries: int | None,
        *,
        preload: bool,
    ) -> None:
        self.configuration = configuration
        self.endpoint = endpoint
        self.request = request
        self.retries = retries
        self.preload = preload
        deadline = self.deadline = Deadline(
            configuration.timeout if timeout is None else timeout
        )
        self.limits: TimeLimits = (
            deadline.connect,
            deadline.read,
            deadline.total if preload else None,
        )
        """``(connect, read, total)`` for the next request: the whole budget for the first one, what
        is left of it for a redirect or a retry."""
        self.origin: tuple[str, str, int | None] | None = None
        self.policy: RetryPolicy | None = None  # made when a failure asks for it
        self.attempt = self.redirects = 0
        self.retry_delay: float | None = None
        """Seconds to wait before sending ``request`` again (a retry); None for a redirect."""
        self.hooked = bool(
            configuration.before_send
            or configuration.after_response
            or configuration.on_error
        )
        """Whether the configuration has hooks: the send loops call ``before_send()`` only then."""
        self.info: RequestInfo | None = None

    @property
    def end(self) -> float | None:
        """When the call must be over (``time.monotonic()``), None when nothing bounds it."""
        return self.deadline.end if self.preload else None

    def _retry_policy(self) -> RetryPolicy:
        policy = self.policy
        if policy is None:
            policy = self.policy = self.configuration.retry_policy(self.retries)
        return policy

    def _next(self, delay: float | None, why: str = "") -> None:
        """Move on to another request of the call: a retry after ``delay`` seconds (``why``), or
        a redirect (``delay`` None)."""
        self.retry_delay = delay
        if delay is not None:
            self.attempt += 1
            logger.debug(
                "retry %d/%d of %s %s in %.2fs after %s",
                self.attempt,
                self._retry_policy().max_retries,
                self.request.method,
                self.request.display_url,
                delay,
                why,
            )
        if self.preload:
            deadline = self.deadline
            self.limits = (
                deadline.connect_timeout(),
                deadline.read_timeout(),
                deadline.remaining(),
            )

    def before_send(self) -> None:
        """Run the configuration's ``before_send`` hooks for ``request`` (only when ``hooked``): the
        transport sends the headers they leave, checked again for line breaks."""
        request = self.request
        info = self.info = RequestInfo(
            self.endpoint.operation_id,
            request.method,
            request.display_url,
            request.headers,
            self.attempt,
        )
        if self.configuration.before_send:
            for hook in self.configuration.before_send:
                hook(info)
            check_headers(request.headers)

    def _on_error(self, error: BaseException) -> None:
        info = self.info
        if info is not None:
            for hook in self.configuration.on_error:
                hook(info, error)

    def after_response(self, status: int, headers: Mapping[str, str]) -> bool:
        """Whether a response (its status and headers) is the call's answer. When it is not, release
        it, wait ``retry_delay`` seconds when that is set, and send ``request`` (a redirect's target,
        or the same request again)."""
        info = self.info
        if info is not None and self.configuration.after_response:
            answer = ResponseInfo(status, headers, time.monotonic() - info.started)
            for hook in self.configuration.after_response:
                hook(info, answer)
        if status in REDIRECT_STATUSES and self.redirects < MAX_REDIRECTS:
            if (
                self.origin is None
            ):  # credentials stay on the origin of the first request
                self.origin = origin_of(self.request.url)
            follow = redirect_request(
                self.request, status, headers.get("Location"), self.origin
            )
            if follow is not None:
                self.request, self.redirects = follow, self.redirects + 1
                self._next(None)
                return False
        if status not in RETRY_STATUS_CODES and not 500 <= status <= 599:
            return True
        policy = self._retry_policy()
        request = self.request
        if not policy.should_retry(
            self.attempt + 1,
            method=request.method,
            headers=request.headers,
            replayable=request.replayable,
            status=status,
            idempotency_header=self.endpoint.idempotency_header,
        ):
            return True
        delay = policy.delay(self.attempt + 1, headers.get("Retry-After"))
        if self.preload and not self.deadline.allows_wait(delay):
            return True  # no time left for another attempt: this is the answer
        self._next(delay, f"HTTP {status}")
        return False

    def after_error(
        self,
        error: ApiConnectionError,
        kind: ErrorKind | None,
        cause: BaseException,
        *,
        timed_out: bool = False,
    ) -> None:
        """What a failure without a response means (``error`` and ``kind``: the transport's
        ``translate_error``; ``timed_out``: the transport cut the call off at its deadline): raises
        ``error`` (from ``cause``) when it ends the call; otherwise wait ``retry_delay`` seconds and
        send ``request`` again."""
        request = self.request
        if self.preload and (timed_out or self.deadline.expired()):
            error, kind = (
                self.deadline.error(request.method, request.display_url),
                "read",
            )
        if self.info is not None:
            self._on_error(error)
        policy = self._retry_policy()
        if kind is None or not policy.should_retry(
            self.attempt + 1,
            method=request.method,
            headers=request.headers,
            replayable=request.replayable,
            error=kind,
            idempotency_header=self.endpoint.idempotency_header,
        ):
            raise error from cause
        delay = policy.delay(self.attempt + 1)
        if self.preload and not self.deadline.allows_wait(delay):
            raise error from cause  # no time left for another attempt
        self._next(delay, str(error))

    def token_refused(self, status: int, token: str) -> bool:
        """Whether an answer with ``status`` to a request carrying an OAuth2 ``token`` the client
        fetched itself (see ``oauth2``) calls for a new token and one replay of the call: a 401 to a
        request that can be sent again. The token is then marked expired, unless another call
        already replaced it."""
        if status != 401 or not self.request.replayable:
            return False
        tokens = self.configuration.oauth2
        if tokens is not None:
            tokens.expire(token)
        return True

    def failed(self, error: BaseException) -> None:
        """Run the ``on_error`` hooks for an exception that ends the call after its answer arrived
        (an event stream refused or not of ``text/event-stream``: ``result`` does this for the others).
        """
        if self.info is not None:
            self._on_error(error)

    def closed(self) -> ApiConnectionError:
        """The exception for a call whose client was closed while it was in flight."""
        return ApiConnectionError(
            "the client was closed during the call",
            method=self.request.method,
            url=self.request.display_url,
        )

    def body_limit(self) -> BodyLimit:
        """The size limit of the answer's body, when it is read whole (``preload``)."""
        return BodyLimit(
            self.configuration.max_response_bytes,
            self.request.method,
            self.request.display_url,
        )

    def result(
        self, status: int, reason: str | None, headers: Mapping[str, str], body: bytes
    ) -> ApiResponse[Any]:
        """The call's ``ApiResponse`` for a 2xx answer; otherwise raises the ``ApiException`` subclass
        for the status (with the declared error model in ``.data``), or ``ResponseValidationError``
        when a 2xx body does not match its declared type."""
        if self.info is None and 200 <= status <= 299:  # no on_error hook to tell
            data = self.endpoint.decoder(status, decoder)(headers, body)
            return api_response(status, headers, data, body)
        try:
            return make_api_response(
                self.endpoint,
                status,
                reason,
                headers,
                body,
                method=self.request.method,
                url=self.request.display_url,
            )
        except OpenApiException as exc:
            if self.info is not None:
                self._on_error(exc)
            raise
