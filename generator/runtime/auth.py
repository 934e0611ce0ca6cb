"""Security schemes and how their credentials are attached to a request."""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .configuration import BaseConfiguration

__all__ = [
    "AuthKind",
    "AuthLocation",
    "AuthScheme",
    "AuthValues",
    "ALWAYS_SENSITIVE",
    "apply_auth",
    "credential_header_names",
    "select_alternative",
]

AuthKind = Literal["api_key", "bearer", "basic", "oauth2", "openid", "signature"]
AuthLocation = Literal["header", "query", "cookie"]


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """One entry of the spec's ``components.securitySchemes``.

    For ``api_key`` the key is ``configuration.api_key[name]``, sent in ``location`` as ``param_name``.
    ``bearer``, ``oauth2`` and ``openid`` send ``configuration.access_token`` as a Bearer token; ``basic``
    sends ``configuration.username``/``password``; ``signature`` signs the request with
    ``configuration.signing_info`` (see ``signing``).
    """

    name: str
    kind: AuthKind
    location: AuthLocation = "header"
    param_name: str = "Authorization"
    bearer_format: str | None = None
    token_url: str | None = None
    """``oauth2``: the ``tokenUrl`` of the spec's ``clientCredentials`` flow (see ``oauth2``)."""
    refresh_url: str | None = None
    """``oauth2``: where an ``authorizationCode`` flow's refresh token is exchanged (its
    ``refreshUrl``, else its ``tokenUrl``)."""


@dataclass(slots=True)
class AuthValues:
    """What to add to a request: headers, query parameters (in order) and cookies; ``signer`` (an
    ``HttpSigningConfiguration``) signs the finished request."""

    headers: dict[str, str] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    signer: Any = None


def _is_configured(scheme: AuthScheme, configuration: BaseConfiguration) -> bool:
    if scheme.kind == "api_key":
        return bool(configuration.api_key.get(scheme.name))
    if scheme.kind == "basic":
        return configuration.username is not None
    if scheme.kind == "signature":
        return configuration.signing_info is not None
    if scheme.kind == "oauth2":
        tokens = configuration.oauth2
        if tokens is not None and tokens.can_fetch(scheme):
            return True
    return bool(configuration.access_token)


def _by_name(schemes: tuple[AuthScheme, ...]) -> dict[str, AuthScheme]:
    """``{name: scheme}`` for a configuration's scheme table: made once per table (a table that is not a
    tuple is read afresh every time)."""
    return (
        _table(schemes) if isinstance(schemes, tuple) else _table.__wrapped__(schemes)
    )


@functools.lru_cache(maxsize=64)
def _table(schemes: tuple[AuthScheme, ...]) -> dict[str, AuthScheme]:
    return {s.name: s for s in schemes}


ALWAYS_SENSITIVE = frozenset({"authorization", "proxy-authorization", "cookie"})
"""Header names (lower case) that carry credentials whatever the API declares."""


def credential_header_names(schemes: tuple[AuthScheme, ...]) -> frozenset[str]:
    """Lower-case names of every header that can carry a credential of these schemes: the API-key
    headers, plus ``ALWAYS_SENSITIVE`` (made once per scheme table, as ``_by_name``)."""
    if isinstance(schemes, tuple):
        return _credential_names(schemes)
    return _credential_names.__wrapped__(schemes)


@functools.lru_cache(maxsize=64)
def _credential_names(schemes: tuple[AuthScheme, ...]) -> frozenset[str]:
    return ALWAYS_SENSITIVE | {
        s.param_name.lower()
        for s in schemes
        if s.kind == "api_key" and s.location == "header"
    }


def select_alternative(
    configuration: BaseConfiguration, alternatives: tuple[tuple[str, ...], ...]
) -> tuple[AuthScheme, ...]:
    """The schemes of the first alternative whose schemes are all configured (``()`` if none is).

    An empty alternative (OpenAPI ``{}``: auth optional) is only chosen when no other is satisfiable.
    """
    by_name = _by_name(configuration.auth_schemes)
    for alternative in alternatives:
        schemes = [by_name.get(name) for name in alternative]
        if alternative and all(
            s is not None and _is_configured(s, configuration) for s in schemes
        ):
            return tuple(s for s in schemes if s is not None)
    return ()


def apply_auth(
    configuration: BaseConfiguration, alternatives: tuple[tuple[str, ...], ...]
) -> AuthValues:
    """Credentials for an endpoint's security alternatives, from the configuration."""
    values = AuthValues()
    if not alternatives:
        return values
    for scheme in select_alternative(configuration, alternatives):
        if scheme.kind == "api_key":
            key = configuration.api_key[scheme.name]
            prefix = configuration.api_key_prefix.get(scheme.name)
            value = f"{prefix} {key}" if prefix else key
            if scheme.location == "query":
                values.query.append((scheme.param_name, value))
            elif scheme.location == "cookie":
                values.cookies[scheme.param_name] = value
            else:
                values.headers[scheme.param_name] = value
        elif scheme.kind == "signature":
            values.signer = configuration.signing_info
        elif scheme.kind == "basic":
            raw = f"{configuration.username}:{configuration.password or ''}".encode()
            values.headers["Authorization"] = "Basic " + base64.b64encode(raw).decode(
                "ascii"
            )
        else:
            token = configuration.access_token
            if scheme.kind == "oauth2":
                tokens = configuration.oauth2
                if (
                    tokens is not None
                    and tokens.access_token
                    and tokens.can_fetch(scheme)
                ):
                    token = tokens.access_token  # the one the client fetched itself
            # None: a token the client fetches, not fetched yet (a WebSocket handshake)
            if token:
                values.headers["Authorization"] = f"Bearer {token}"
    return values
