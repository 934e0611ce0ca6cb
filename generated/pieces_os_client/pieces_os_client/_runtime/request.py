"""``build_request()``: an endpoint plus arguments becomes a ``PreparedRequest``. No I/O happens here,
so the sync and asyncio clients share it and tests can inspect requests without a server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pydantic

from .auth import (
    ALWAYS_SENSITIVE,
    AuthValues,
    _credential_names,
    apply_auth,
    credential_header_names,
)
from .configuration import BaseConfiguration
from .decimals import encode_exact_json
from .endpoint import Body, Endpoint, Param, RequestLayout
from .exceptions import ApiConnectionError, ApiTypeError, ApiValueError
from .models import to_jsonable
from .multipart import (
    FileBody,
    MultipartBody,
    Part,
    StreamingBody,
    field_part,
    file_part,
)
from .serialize import (
    cookie_name,
    cookie_value,
    encode_form,
    format_cookie_header,
    scalar_to_str,
    serialize_cookie,
    serialize_header,
    serialize_path,
    serialize_query,
)
from .servers import operation_host

__all__ = [
    "REDIRECT_STATUSES",
    "REMOVE_HEADERS_ON_REDIRECT",
    "PreparedRequest",
    "build_request",
    "check_headers",
    "mask_query_credentials",
    "merge_headers",
    "origin_of",
    "query_credential_pattern",
    "redirect_headers",
    "redirect_request",
    "resolve_host",
    "websocket_url",
]

# A path value that percent-encoding leaves as it is: RFC 3986 unreserved characters only, and not only
# dots (``serialize_path`` encodes "." and ".." segments).
_PLAIN_PATH_VALUE = re.compile(r"(?!\.*\Z)[A-Za-z0-9_.~-]+")
_REDACTED = "***"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# Header names are RFC 9110 tokens (here several, joined by ":", which no token holds); values must not
# hold a line break or NUL, which would end the header (and start another) on the wire.
_HEADER_NAMES = re.compile(
    r"[!#$%&'*+.^_`|~0-9A-Za-z-]+(?::[!#$%&'*+.^_`|~0-9A-Za-z-]+)*"
)
_BAD_VALUE_CHARS = re.compile(r"[\r\n\x00]")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Removed when a redirect leaves the configured origin (plus the endpoint's own credential headers).
REMOVE_HEADERS_ON_REDIRECT = frozenset(
    {"authorization", "cookie", "proxy-authorization"}
)


@dataclass(slots=True)
class PreparedRequest:
    """A request ready to send. ``display_url`` is ``url`` with query credentials masked (for messages);
    ``replayable`` says whether the body can be sent again (retries, redirects); ``credential_headers``
    are the lower-case names of the headers that carry secrets (masked in ``repr``, dropped when a
    redirect leaves the configured origin)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | StreamingBody | None = None
    replayable: bool = True
    display_url: str = ""
    credential_headers: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.display_url:
            self.display_url = self.url

    def __repr__(self) -> str:
        hidden = self.credential_headers | ALWAYS_SENSITIVE
        headers = {
            k: _REDACTED if k.lower() in hidden else v for k, v in self.headers.items()
        }
        body = (
            f"<{len(self.body)} bytes>"
            if isinstance(self.body, bytes)
            else repr(self.body)
        )
        return f"PreparedRequest({self.method} {self.display_url}, headers={headers!r}, body={body})"


def merge_headers(*layers: Mapping[str, str] | None) -> dict[str, str]:
    """Later layers win; names compare case-insensitively and keep the latest spelling."""
    merged: dict[str, str] = {}
    lower: dict[str, str] = {}
    for layer in layers:
        if not layer:
            continue
        for name, value in layer.items():
            key = name.lower()
            old = lower.get(key)
            if old is not None:
                del merged[old]
            merged[name] = value
            lower[key] = name
    return merged


def _merge_onto(
    merged: dict[str, str], layer: Mapping[str, str] | None
) -> dict[str, str]:
    """``merge_headers(merged, layer)``, in place, for a ``merged`` holding only ``_STANDARD_HEADERS``
    (so only ``layer``'s names can replace one)."""
    if not layer:
        return merged
    # lower-case name -> spelling, of the names taken from layer
    seen: dict[str, str] = {}
    for name, value in layer.items():
        key = name.lower()
        old = seen.get(key)
        if old is None:
            old = _STANDARD_HEADERS.get(key)
            if old is not None and old not in merged:
                old = None
        if old is not None:
            del merged[old]
        merged[name] = value
        seen[key] = name
    return merged


_STANDARD_HEADERS = {
    name.lower(): name for name in ("Accept", "Content-Type", "User-Agent")
}
"""The names ``build_request`` generates itself, by their lower-case form."""


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise ``ApiValueError`` when a header name is not a token or a value holds CR, LF or NUL (whatever
    set it: the caller, a default header, a credential, a cookie). The message names the header, never
    its value."""
    try:
        if (
            _HEADER_NAMES.fullmatch(":".join(headers)) is not None
            and _BAD_VALUE_CHARS.search("".join(headers.values())) is None
        ):
            return
    except TypeError:  # a value that is not text: checked one by one below
        pass
    for name, value in headers.items():
        if not isinstance(name, str) or _HEADER_NAMES.fullmatch(name) is None:
            raise ApiValueError(f"invalid header name {str(name)[:100]!r}")
        if _BAD_VALUE_CHARS.search(str(value)):
            raise ApiValueError(f"header {name!r} contains a line break or NUL")


def resolve_host(
    endpoint: Endpoint, configuration: BaseConfiguration, host: str | None = None
) -> str:
    """The base URL: an explicit ``host``, else the operation's own server (see
    ``servers.operation_host``: not when the configuration's host was set explicitly or
    ``ignore_operation_servers`` is on), else the configuration's host."""
    if host:
        return host.rstrip("/")
    if endpoint.servers:
        own = operation_host(endpoint, configuration)
        if own is not None:
            return own.rstrip("/")
    return configuration.host.rstrip("/")


def _fill_path(
    endpoint: Endpoint, layout: RequestLayout, args: Mapping[str, Any]
) -> str:
    out: list[str] = []
    for segment, simple in layout.path_segments:
        if simple:  # a simple-style Param: plain text and integers are sent as they are
            assert isinstance(segment, Param)
            value = args.get(segment.name)
            if type(value) is str:
                if _PLAIN_PATH_VALUE.fullmatch(value) is not None:
                    out.append(value)
                    continue
            elif type(value) is int:
                out.append(str(value))
                continue
        elif type(segment) is str:  # literal text
            out.append(segment)
            continue
        if isinstance(segment, Param):
            value = args.get(segment.name)
            if value is None or value == "" or value == [] or value == {}:
                raise ApiValueError(
                    f"{endpoint.operation_id}: path parameter {segment.name!r} must not be empty"
                )
            out.append(serialize_path(segment, value))
        else:
            raise ApiValueError(
                f"{endpoint.operation_id}: path template names unknown parameter {segment}"
            )
    return "".join(out)


def _multipart(body: Body, args: Mapping[str, Any]) -> MultipartBody:
    parts: list[Part] = []
    for f in body.fields:
        value = args.get(f.name)
        if value is None:
            continue
        if f.is_file:
            for item in value if isinstance(value, list) else [value]:
                parts.append(file_part(f.wire_name, item, f.content_type))
            continue
        data = to_jsonable(value)
        if (
            f.is_json
            or isinstance(data, dict)
            or (f.content_type and "json" in f.content_type)
        ):
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
            parts.append(
                field_part(f.wire_name, text, f.content_type or "application/json")
            )
            continue
        for item in data if isinstance(data, list) else [data]:
            if item is not None:
                parts.append(
                    field_part(f.wire_name, scalar_to_str(item), f.content_type)
                )
    return MultipartBody(parts)


def _encode_body(
    endpoint: Endpoint, args: Mapping[str, Any]
) -> bytes | StreamingBody | None:
    body = endpoint.body
    if body is None:
        return None
    if body.kind == "multipart":
        return _multipart(body, args)
    if body.kind == "form":
        return encode_form((f.wire_name, args.get(f.name)) for f in body.fields)
    value = args.get(body.param) if body.param is not None else None
    if value is None:
        return None
    if body.kind == "json":
        if isinstance(value, (bytes, bytearray)):  # already-encoded JSON
            return bytes(value)
        if body.exact_numbers:
            return encode_exact_json(value, to_jsonable)
        if isinstance(
            value, pydantic.BaseModel
        ):  # straight to bytes, as to_jsonable would dump it
            return value.__pydantic_serializer__.to_json(
                value, by_alias=True, exclude_unset=True
            )
        return json.dumps(
            to_jsonable(value), separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
    if body.kind == "text":
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return (
            value if isinstance(value, str) else scalar_to_str(to_jsonable(value))
        ).encode("utf-8")
    if body.kind == "binary":
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        return FileBody(value, body.content_type)
    raise ApiTypeError(f"{endpoint.operation_id}: unknown body kind {body.kind!r}")


def _standard_headers(
    endpoint: Endpoint,
    layout: RequestLayout,
    content_type: str | None,
    headers: Mapping[str, str] | None,
) -> dict[str, str]:
    """The generated Accept and Content-Type (``content_type``, else the body's declared one, when
    the request has a body: ``content_type`` not None) under the caller's ``headers``, checked.
    """
    merged = {"Accept": layout.accept} if layout.accept is not None else {}
    if content_type is not None:
        assert endpoint.body is not None
        merged["Content-Type"] = content_type or endpoint.body.content_type
    merged = _merge_onto(merged, headers)
    check_headers(merged)
    return merged


def _cached_headers(
    endpoint: Endpoint,
    layout: RequestLayout,
    has_body: bool,
    headers: Mapping[str, str] | None,
) -> dict[str, str]:
    """``_standard_headers`` for a request whose body (if any) has the declared content type: a copy
    of the headers made for the same header layer last time (a client passes its default headers
    unchanged from call to call), so they are merged and checked once per layer, not per call.
    """
    cached = layout.standard_headers[has_body]
    if cached is not None and cached[0] == headers:
        return cached[1].copy()
    merged = _standard_headers(endpoint, layout, "" if has_body else None, headers)
    if headers is not None and all(
        type(k) is str and type(v) is str for k, v in headers.items()
    ):  # (a layer equal to a text-only one holds the same text)
        layout.standard_headers[has_body] = (dict(headers), merged.copy())
    return merged


_NO_AUTH = AuthValues()  # for endpoints without security; only ever read
_NOTHING: frozenset[str] = frozenset()


def _credential_headers(
    configuration: BaseConfiguration, sensitive_headers: frozenset[str]
) -> frozenset[str]:
    """Lower-case names of the headers that carry secrets: the configured schemes' (cached), plus
    ``configuration.sensitive_headers`` and the client's own (``set_default_header(..., sensitive=True)``).
    """
    schemes = configuration.auth_schemes
    names = (  # (``credential_header_names``, without its call)
        _credential_names(schemes)
        if type(schemes) is tuple
        else credential_header_names(schemes)
    )
    if configuration.sensitive_headers or sensitive_headers:
        names = (
            names
            | {n.lower() for n in configuration.sensitive_headers}
            | sensitive_headers
        )
    return names


def build_request(
    endpoint: Endpoint,
    args: Mapping[str, Any],
    configuration: BaseConfiguration,
    *,
    headers: Mapping[str, str] | None = None,
    host: str | None = None,
    sensitive_headers: frozenset[str] = _NOTHING,
) -> PreparedRequest:
    """Fill the path, serialise parameters, apply auth, encode the body and set the standard headers.

    ``headers`` (client defaults merged with per-call headers) override generated ones;
    ``sensitive_headers`` (lower case) are secrets besides the configured credentials. Raises
    ``ApiValueError`` for a missing required argument, an empty path parameter or a header that could
    inject another (``check_headers``).
    """
    layout = endpoint.layout
    for name in layout.required:
        if args.get(name) is None:
            raise ApiValueError(
                f"{endpoint.operation_id}: missing required argument {name!r}"
            )
    path = _fill_path(endpoint, layout, args)
    auth = apply_auth(configuration, endpoint.auth) if endpoint.auth else _NO_AUTH
    query: list[str] = []
    for param in layout.query_params:
        value = args.get(param.name)
        if value is not None:
            query.extend(serialize_query(param, value))
    if host or endpoint.servers:
        base = resolve_host(endpoint, configuration, host) + path
    else:  # ``resolve_host``'s last answer, without its call
        base = configuration.host.rstrip("/") + path

    body = _encode_body(endpoint, args) if endpoint.body is not None else None
    replayable = True
    if auth is _NO_AUTH and not layout.header_params and not layout.cookie_params:
        # The common case, shortened: no credentials, and only standard generated headers (distinct
        # names even ignoring case, so only the caller's layer can replace one).
        url = base + "?" + "&".join(query) if query else base
        if isinstance(body, StreamingBody):
            replayable = body.replayable
            merged = _standard_headers(
                endpoint, layout, body.content_type or "", headers
            )
        else:  # (``_cached_headers``' first answer, without its call)
            cached = layout.standard_headers[body is not None]
            if cached is not None and cached[0] == headers:
                merged = cached[1].copy()
            else:
                merged = _cached_headers(endpoint, layout, body is not None, headers)
        return PreparedRequest(
            layout.method,
            url,
            merged,
            body,
            replayable,
            url,
            _credential_headers(configuration, sensitive_headers),
        )

    generated = {"Accept": layout.accept} if layout.accept is not None else {}
    if body is not None:
        assert endpoint.body is not None
        if isinstance(body, StreamingBody):
            replayable = body.replayable
            generated["Content-Type"] = body.content_type or endpoint.body.content_type
        else:
            generated["Content-Type"] = endpoint.body.content_type
    if auth.query:
        auth_query = [
            serialize_query(Param(n, n, "query"), v)[0] for n, v in auth.query
        ]
        masked = [p.split("=", 1)[0] + "=" + _REDACTED for p in auth_query]
        url = base + "?" + "&".join(query + auth_query)
        display_url = base + "?" + "&".join(query + masked)
    elif query:
        url = display_url = base + "?" + "&".join(query)
    else:
        url = display_url = base
    for param in layout.header_params:
        text = serialize_header(param, args.get(param.name))
        if text is not None:
            generated[param.wire_name] = text
    if auth.headers:
        generated.update(auth.headers)
    if layout.header_params or auth.headers:
        merged = merge_headers(generated, headers)
    else:  # only standard names, distinct even ignoring case: just the caller's layer to merge
        merged = _merge_onto(generated, headers)

    if layout.cookie_params or auth.cookies:
        cookies = [
            pair
            for p in layout.cookie_params
            for pair in serialize_cookie(p, args.get(p.name))
        ]
        cookies.extend(
            (cookie_name(name), cookie_value(value))
            for name, value in auth.cookies.items()
        )
        if cookies:
            existing = next((k for k in merged if k.lower() == "cookie"), None)
            cookie = format_cookie_header(cookies)
            if existing is not None:
                cookie = merged.pop(existing) + "; " + cookie
            merged["Cookie"] = cookie

    if auth.signer is not None:  # signs the request as it will be sent
        signed = auth.signer.sign_request(
            layout.method,
            url,
            merged,
            None if isinstance(body, StreamingBody) else (body or b""),
        )
        merged = merge_headers(merged, signed)
    check_headers(merged)
    return PreparedRequest(
        layout.method,
        url,
        merged,
        body,
        replayable,
        display_url,
        _credential_headers(configuration, sensitive_headers),
    )


def origin_of(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, with the scheme's default port filled in; ``ws`` counts as
    ``http`` and ``wss`` as ``https`` (a WebSocket handshake is an HTTP request to the same server).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        _HTTP_SCHEME.get(scheme, scheme),
        (parts.hostname or "").lower(),
        parts.port or _DEFAULT_PORTS.get(scheme),
    )


_HTTP_SCHEME = {"ws": "http", "wss": "https"}


def redirect_headers(
    headers: Mapping[str, str],
    credential_headers: frozenset[str],
    origin: tuple[str, str, int | None],
    url: str,
    *,
    method: str = "GET",
    display_url: str = "",
) -> dict[str, str]:
    """The headers to send to ``url``, where a redirect leads a request first sent to ``origin``: all
    of them on the same origin; elsewhere, without ``Authorization``, ``Cookie``,
    ``Proxy-Authorization`` and ``credential_headers``. A redirect leaving TLS (``origin`` is https or
    wss, ``url`` is not) raises ``ApiConnectionError``. Shared by HTTP redirects and both WebSocket
    clients."""
    target = origin_of(url)
    if origin[0] == "https" and target[0] != "https":
        raise ApiConnectionError(
            "refused to follow a redirect from https to http",
            method=method,
            url=display_url or None,
        )
    if target == origin:
        return dict(headers)
    strip = REMOVE_HEADERS_ON_REDIRECT | credential_headers
    return {k: v for k, v in headers.items() if k.lower() not in strip}


def redirect_request(
    request: PreparedRequest,
    status: int,
    location: str | None,
    origin: tuple[str, str, int | None],
) -> PreparedRequest | None:
    """The request that follows a redirect response, or None when it cannot be followed (no
    ``Location``, or a body that cannot be sent again).

    303, and 301/302 after a POST, become a GET without body. Credentials are only ever sent to
    ``origin`` (the configured host's ``origin_of``): leaving it drops ``Authorization``, ``Cookie``,
    ``Proxy-Authorization`` and every header in ``request.credential_headers``. A redirect from https to
    http raises ``ApiConnectionError``: the request (and its answer) would travel in clear text.
    """
    if not location:
        return None
    url = urljoin(request.url, location)
    if _downgrades(
        request.url, url
    ):  # from this hop (``origin`` may have been plain http)
        raise ApiConnectionError(
            "refused to follow a redirect from https to http",
            method=request.method,
            url=request.display_url,
        )
    method, body, replayable = request.method, request.body, request.replayable
    headers = dict(request.headers)
    if status == 303 or (status in (301, 302) and method == "POST"):
        method = "GET" if method != "HEAD" else method
        body, replayable = None, True
        headers = {
            k: v
            for k, v in headers.items()
            if k.lower() not in ("content-type", "content-length", "transfer-encoding")
        }
    elif body is not None and not replayable:
        return None
    headers = redirect_headers(
        headers,
        request.credential_headers,
        origin,
        url,
        method=request.method,
        display_url=request.display_url,
    )
    return PreparedRequest(
        method=method,
        url=url,
        headers=headers,
        body=body,
        replayable=replayable,
        credential_headers=request.credential_headers,
    )


def query_credential_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching ``name=value`` of these (unencoded) query parameter names in a URL or a log
    line, for ``mask_query_credentials``; None when there are none."""
    encoded = sorted({re.escape(quote(name, safe="")) for name in names})
    if not encoded:
        return None
    return re.compile(r"(?<=[?&;])(" + "|".join(encoded) + r")=[^&#;\s\"']*")


def mask_query_credentials(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with the value of every query credential ``pattern`` matches replaced by ``***``."""
    return pattern.sub(r"\1=" + _REDACTED, text)


def _downgrades(url: str, target: str) -> bool:
    """Whether going from ``url`` to ``target`` leaves TLS (https → http, wss → ws)."""
    return url[:6].lower() in ("https:", "wss://") and target[:5].lower() in (
        "http:",
        "ws://",
    )


def websocket_url(url: str) -> str:
    """``http://`` → ``ws://`` and ``https://`` → ``wss://``; other URLs unchanged."""
    scheme, sep, rest = url.partition("://")
    mapped = {"http": "ws", "https": "wss"}.get(scheme.lower())
    return f"{mapped}{sep}{rest}" if sep and mapped else url
