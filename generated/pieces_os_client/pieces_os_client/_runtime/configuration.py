"""``BaseConfiguration``: host, credentials, TLS, timeouts and retry settings for one API.

A generated ``configuration.py`` subclasses it as ``Configuration`` and sets ``default_host``, ``servers``
and ``auth_schemes``. Every setting is a plain mutable attribute, as in OpenAPI Generator clients
(``configuration.api_key["ApiKeyAuth"] = "..."``, ``configuration.host = "..."``), and server selection
works as there: ``host`` is the spec's server ``server_index`` with ``server_variables`` until it is set
explicitly.
"""

from __future__ import annotations

import http.client
import logging
import re
import ssl
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .auth import AuthScheme
from .hooks import AfterResponse, BeforeSend, OnError
from .limits import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_WEBSOCKET_HEARTBEAT,
    Timeout,
)
from .oauth2 import TokenAuthMethod, TokenManager
from .servers import Server, ServerVariable, host_settings, server_url

if TYPE_CHECKING:
    from typing_extensions import Self
from .retry import (
    DEFAULT_BACKOFF_INITIAL,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_AFTER_MAX,
    RetryPolicy,
)

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WEBSOCKET_HEARTBEAT",
    "BaseConfiguration",
    "Timeout",
]

_SECRET = "***"
_OAUTH2_LOCK = threading.Lock()
_USERINFO = re.compile(r"(?<=://)[^/@]*@")


class BaseConfiguration:
    """Settings shared by every request an ``ApiClient`` makes.

    ``timeout`` is in seconds, ``retries`` the number of retries after the first attempt (see
    ``retry.RetryPolicy``). ``repr()`` never shows a secret.
    """

    default_host: ClassVar[str] = "http://localhost"
    """The URL of the spec's first server with its variables at their defaults."""
    servers: ClassVar[tuple[Server, ...]] = ()
    """The spec's servers (``get_host_settings()`` gives them in OpenAPI Generator's form)."""
    auth_schemes: ClassVar[tuple[AuthScheme, ...]] = ()
    _default: ClassVar[BaseConfiguration | None] = None

    def __init__(
        self,
        host: str | None = None,
        api_key: dict[str, str] | None = None,
        api_key_prefix: dict[str, str] | None = None,
        username: str | None = None,
        password: str | None = None,
        access_token: str | None = None,
        *,
        server_index: int | None = None,
        server_variables: dict[str, str] | None = None,
        server_operation_index: dict[str, int] | None = None,
        server_operation_variables: dict[str, dict[str, str]] | None = None,
        ignore_operation_servers: bool = False,
        signing_info: Any = None,
        debug: bool | None = None,
        retries: int = DEFAULT_MAX_RETRIES,
        timeout: Timeout = DEFAULT_TIMEOUT,
        verify_ssl: bool = True,
        ssl_ca_cert: str | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
        proxy: str | None = None,
        proxy_headers: dict[str, str] | None = None,
        connection_pool_maxsize: int | None = None,
        backoff_initial: float = DEFAULT_BACKOFF_INITIAL,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        retry_after_max: float = DEFAULT_RETRY_AFTER_MAX,
        # -- safety: limits against a misbehaving server, and which headers are secrets
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
        max_pages: int | None = DEFAULT_MAX_PAGES,
        websocket_heartbeat: float | None = DEFAULT_WEBSOCKET_HEARTBEAT,
        websocket_receive_timeout: float | None = None,
        sensitive_headers: Iterable[str] = (),
        # -- hooks: logging, tracing and metrics (see ``hooks``)
        before_send: Iterable[BeforeSend] = (),
        after_response: Iterable[AfterResponse] = (),
        on_error: Iterable[OnError] = (),
        # -- OAuth2 tokens the client fetches itself (see ``oauth2``)
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: Iterable[str] = (),
        refresh_token: str | None = None,
        token_url: str | None = None,
        token_auth_method: TokenAuthMethod = "client_secret_basic",
    ) -> None:
        self._host = host if host is not None else ""
        self.server_index: int | None = (
            0 if server_index is None and host is None else server_index
        )
        """Which of the spec's servers ``host`` is (None once ``host`` is set explicitly)."""
        self.server_variables: dict[str, str] = dict(server_variables or {})
        self.server_operation_index: dict[str, int] = dict(server_operation_index or {})
        """operationId -> which of that operation's own servers to use."""
        self.server_operation_variables: dict[str, dict[str, str]] = dict(
            server_operation_variables or {}
        )
        self.ignore_operation_servers = ignore_operation_servers
        """Send every operation to ``host``, even those the spec gives servers of their own."""
        self.signing_info = signing_info
        """An ``HttpSigningConfiguration`` for operations secured by HTTP signatures."""
        self._debug = False
        if debug is not None:
            self.debug = debug
        self.api_key: dict[str, str] = dict(api_key) if api_key else {}
        self.api_key_prefix: dict[str, str] = (
            dict(api_key_prefix) if api_key_prefix else {}
        )
        self.username = username
        self.password = password
        self.access_token = access_token
        self.retries = retries
        self.timeout: Timeout = timeout
        self.verify_ssl = verify_ssl
        self.ssl_ca_cert = ssl_ca_cert
        self.cert_file = cert_file
        self.key_file = key_file
        self.proxy = proxy
        self.proxy_headers = proxy_headers
        self.connection_pool_maxsize = connection_pool_maxsize
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.max_response_bytes = max_response_bytes
        """Largest body (decompressed) a call buffers (``ResponseTooLargeError`` past it); None: no
        limit. ``<method>_without_preload_content`` responses are not limited."""
        self.max_pages = max_pages
        """Most pages one ``<method>_iter`` requests (``PaginationError`` past it); None: no limit."""
        self.websocket_heartbeat = websocket_heartbeat
        """Seconds between the pings a WebSocket stream sends; a pong missing for as long ends the
        stream with ``ApiConnectionError`` (a server that stopped answering). None: no pings."""
        self.websocket_receive_timeout = websocket_receive_timeout
        """Seconds a WebSocket stream waits for each message before ending with ``ApiTimeoutError``;
        None (the default): as long as the connection is alive."""
        self.sensitive_headers: set[str] = set(sensitive_headers)
        """Names of headers (besides Authorization, Cookie and the API-key headers of ``auth_schemes``)
        that carry secrets: masked in ``repr`` of a request and dropped when a redirect leaves the
        configured host."""
        self.before_send: list[BeforeSend] = list(before_send)
        """Called with each request (``hooks.RequestInfo``) before it is sent; may change its headers."""
        self.after_response: list[AfterResponse] = list(after_response)
        """Called with each request and its answer's status and headers (``hooks.ResponseInfo``)."""
        self.on_error: list[OnError] = list(on_error)
        """Called with a request that got no answer, or the call's ``ApiException``, and the error."""
        self.client_id = client_id
        """OAuth2 client id: with ``client_secret``, tokens of a ``clientCredentials`` flow are
        fetched (and renewed) by the client; with ``refresh_token``, it names the client."""
        self.client_secret = client_secret
        """OAuth2 client secret, sent to the token URL only."""
        self.scopes: list[str] = list(scopes)
        """OAuth2 scopes asked for in token requests (none: the server's default)."""
        self.refresh_token = refresh_token
        """OAuth2 refresh token (an ``authorizationCode`` flow): exchanged for access tokens."""
        self.token_url = token_url
        """The token endpoint instead of the spec's ``tokenUrl`` (a self-hosted server, say)."""
        self.token_auth_method: TokenAuthMethod = token_auth_method
        """How the client authenticates at the token URL: HTTP Basic (``client_secret_basic``) or
        in the form body (``client_secret_post``)."""
        self._oauth2: TokenManager | None = None

    @property
    def oauth2(self) -> TokenManager | None:
        """The tokens the client fetches itself (made on first use once ``client_id`` or
        ``refresh_token`` is set; None otherwise: nothing is fetched)."""
        tokens = self._oauth2
        if tokens is None and (self.client_id or self.refresh_token):
            with _OAUTH2_LOCK:
                tokens = self._oauth2
                if tokens is None:
                    tokens = self._oauth2 = TokenManager(self)
        return tokens

    # -- the host -----------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The base URL: set explicitly, or the spec's server ``server_index`` with ``server_variables``."""
        if self.server_index is None:
            return self._host
        if self.server_index == 0 and not self.server_variables:
            return self.default_host
        return self.get_host_from_settings(self.server_index, self.server_variables)

    @host.setter
    def host(self, value: str) -> None:
        self._host = value
        self.server_index = None

    def get_host_settings(self) -> list[dict[str, Any]]:
        """The spec's servers: ``[{"url", "description", "variables": {name: {"description",
        "default_value", "enum_values"}}}]`` (``default_host`` alone when the spec names none).
        """
        return host_settings(self.servers or (Server(self.default_host),))

    def get_host_from_settings(
        self,
        index: int | None,
        variables: Mapping[str, str] | None = None,
        servers: list[dict[str, Any]] | None = None,
    ) -> str:
        """The URL of server ``index`` (of ``servers``, default ``get_host_settings()``) with
        ``variables``; ``host`` when ``index`` is None. ``ValueError`` for an index out of range or a
        variable value its ``enum`` does not allow."""
        if index is None:
            return self._host
        if servers is None:
            return server_url(
                self.servers or (Server(self.default_host),), index, variables
            )
        return server_url(tuple(_server_of(s) for s in servers), index, variables)

    # -- logging --------------------------------------------------------------------------------------

    @property
    def debug(self) -> bool:
        """Debug logging: True sets this package's and urllib3's loggers to DEBUG and makes
        ``http.client`` print each request and response line; False sets them back to WARNING.
        """
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = bool(value)
        level = logging.DEBUG if value else logging.WARNING
        package = type(self).__module__.partition(".")[0]
        for name in (package, "urllib3"):
            logging.getLogger(name).setLevel(level)
        http.client.HTTPConnection.debuglevel = 1 if value else 0

    # -- the default configuration ----------------------------------------------------------------------

    @classmethod
    def get_default(cls) -> Self:
        """The configuration used by clients created without one (created on first use; shared)."""
        default = cls.__dict__.get("_default")
        if not isinstance(default, cls):
            default = cls()
            cls._default = default
        return default

    @classmethod
    def get_default_copy(cls) -> Self:
        """``get_default()`` itself, as in OpenAPI Generator's clients (whose name for it this is)."""
        return cls.get_default()

    @classmethod
    def set_default(cls, default: BaseConfiguration | None) -> None:
        """Make ``default`` the configuration of clients created without one (None: a fresh one on next
        use). The object itself is kept: changing it later changes those clients' settings too.
        """
        cls._default = default

    def retry_policy(self, retries: int | None = None) -> RetryPolicy:
        """The retry policy for these settings; ``retries`` overrides ``self.retries`` for one call."""
        return RetryPolicy(
            max_retries=self.retries if retries is None else retries,
            backoff_initial=self.backoff_initial,
            backoff_max=self.backoff_max,
            retry_after_max=self.retry_after_max,
        )

    def ssl_context(self) -> ssl.SSLContext:
        """A TLS context for these settings (CA file, client certificate, ``verify_ssl``), for transports
        and WebSocket connections that take one."""
        context = ssl.create_default_context(cafile=self.ssl_ca_cert)
        if self.cert_file:
            context.load_cert_chain(self.cert_file, self.key_file)
        if not self.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def __repr__(self) -> str:
        proxy = _USERINFO.sub(_SECRET + "@", self.proxy) if self.proxy else None
        fields = {
            "host": repr(self.host),
            "server_index": repr(self.server_index),
            "api_key": repr({name: _SECRET for name in self.api_key}),
            "api_key_prefix": repr(self.api_key_prefix),
            "username": repr(self.username),
            "password": repr(_SECRET if self.password else None),
            "access_token": repr(_SECRET if self.access_token else None),
            "client_id": repr(self.client_id),
            "client_secret": repr(_SECRET if self.client_secret else None),
            "refresh_token": repr(_SECRET if self.refresh_token else None),
            "retries": repr(self.retries),
            "timeout": repr(self.timeout),
            "verify_ssl": repr(self.verify_ssl),
            "proxy": repr(proxy),
            "proxy_headers": repr({name: _SECRET for name in self.proxy_headers or {}}),
            "max_response_bytes": repr(self.max_response_bytes),
            "max_pages": repr(self.max_pages),
            "websocket_heartbeat": repr(self.websocket_heartbeat),
            "websocket_receive_timeout": repr(self.websocket_receive_timeout),
            "sensitive_headers": repr(sorted(self.sensitive_headers)),
        }
        body = ", ".join(f"{k}={v}" for k, v in fields.items())
        return f"{type(self).__name__}({body})"

    __str__ = __repr__


def _server_of(setting: Mapping[str, Any]) -> Server:
    """A ``Server`` from one entry in the form ``get_host_settings()`` returns."""
    return Server(
        str(setting["url"]),
        str(setting.get("description", "")),
        tuple(
            ServerVariable(
                str(name),
                str(variable.get("default_value", "")),
                tuple(str(v) for v in variable.get("enum_values", ())),
            )
            for name, variable in (setting.get("variables") or {}).items()
        ),
    )
