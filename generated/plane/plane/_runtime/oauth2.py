"""OAuth2 tokens the client fetches itself, with no I/O: the client-credentials grant and the
refresh-token grant.

A ``Configuration`` with ``client_id`` and ``client_secret`` (for an ``oauth2`` scheme whose spec declares
a ``clientCredentials`` flow), or with a ``refresh_token`` (for an ``authorizationCode`` flow), gets a
``TokenManager``. Before a call secured by such a scheme the send loop asks ``TokenManager.fresh()``;
when the token is missing or about to expire it takes the manager's lock (``lock`` for threads,
``async_lock()`` for tasks), asks again (another call may have fetched one meanwhile), and sends the
``TokenRequest`` from ``token_request()`` to the token URL, handing the answer to ``accept()``. So any
number of concurrent calls cause one token request. A 401 answer makes the loop call ``expire(token)``
(only when the token it sent is still the current one) and replay the call once with a new token.

The client secret and the refresh token go only to the token URL (``token_url`` of the configuration,
else the spec's ``tokenUrl``), in the ``Authorization: Basic`` header (RFC 6749 2.3.1, the default) or
in the form body (``token_auth_method="client_secret_post"``); the token request follows no redirect.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlencode

from .auth import AuthScheme, select_alternative
from .exceptions import ApiException, exception_for_status

if TYPE_CHECKING:
    from .configuration import BaseConfiguration

__all__ = [
    "REFRESH_MARGIN",
    "TokenAuthMethod",
    "TokenManager",
    "TokenRequest",
    "refresh_delay",
]

TokenAuthMethod = Literal["client_secret_basic", "client_secret_post"]

REFRESH_MARGIN = 30.0
"""Seconds before ``expires_in`` runs out when a token is replaced (at most a tenth of its lifetime)."""


def refresh_delay(expires_in: float) -> float:
    """Seconds after receiving a token with ``expires_in`` at which it is replaced."""
    return max(expires_in - min(REFRESH_MARGIN, expires_in / 10), 0.0)


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """One token request: a form POST to ``url``. ``grant`` is ``client_credentials`` or
    ``refresh_token``."""

    url: str
    headers: dict[str, str]
    body: bytes
    grant: str


class TokenManager:
    """The tokens of one configuration (see the module docstring); shared by every client using it."""

    def __init__(
        self,
        configuration: BaseConfiguration,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.configuration = configuration
        self.clock = clock
        self.access_token: str | None = None
        """The token in hand (sent by calls until a new one arrives)."""
        self.refresh_token: str | None = None
        """The refresh token the token server handed back last (None: ``configuration``'s)."""
        self.renew_at: float | None = None
        """``clock()`` time from which the token is replaced; None: only when a 401 says so."""
        self.expired = True
        self.lock = threading.Lock()
        """Held while a thread fetches a token (the sync client)."""
        self._async_locks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Lock
        ] = weakref.WeakKeyDictionary()

    def __deepcopy__(self, memo: dict[int, object]) -> TokenManager:
        """A copy of a configuration gets a manager of its own, without the token in hand (locks are
        not copied)."""
        return TokenManager(copy.deepcopy(self.configuration, memo), self.clock)

    def async_lock(self) -> asyncio.Lock:
        """Held while a task fetches a token (the asyncio client): one lock per event loop."""
        loop = asyncio.get_running_loop()
        lock = self._async_locks.get(loop)
        if lock is None:
            lock = self._async_locks[loop] = asyncio.Lock()
        return lock

    # -- which scheme ---------------------------------------------------------------------------------

    def can_fetch(self, scheme: AuthScheme) -> bool:
        """Whether this configuration can get tokens for ``scheme`` itself."""
        return self._grant(scheme) is not None

    def scheme_for(
        self, alternatives: tuple[tuple[str, ...], ...]
    ) -> AuthScheme | None:
        """The scheme of an endpoint's chosen security alternative whose tokens this manager fetches."""
        if not alternatives:
            return None
        for scheme in select_alternative(self.configuration, alternatives):
            if scheme.kind == "oauth2" and self.can_fetch(scheme):
                return scheme
        return None

    def _grant(self, scheme: AuthScheme) -> tuple[str, str] | None:
        """``(grant type, token URL)`` for ``scheme``, or None when it cannot be had."""
        cfg = self.configuration
        if scheme.kind != "oauth2":
            return None
        if scheme.token_url and cfg.client_id and cfg.client_secret is not None:
            return "client_credentials", cfg.token_url or scheme.token_url
        if scheme.refresh_url and (self.refresh_token or cfg.refresh_token):
            return "refresh_token", cfg.token_url or scheme.refresh_url
        return None

    # -- the token ------------------------------------------------------------------------------------

    def fresh(self) -> bool:
        """Whether the token in hand can be sent (no fetch needed)."""
        if self.expired or self.access_token is None:
            return False
        renew_at = self.renew_at
        return renew_at is None or self.clock() < renew_at

    def expire(self, token: str | None) -> None:
        """The server refused ``token`` (a 401): the next call fetches a new one, unless another call
        already did (``token`` is no longer the one in hand)."""
        if token is not None and token == self.access_token:
            self.expired = True

    def token_request(self, scheme: AuthScheme) -> TokenRequest:
        """The request that gets a new token for ``scheme``."""
        grant = self._grant(scheme)
        if grant is None:
            raise ValueError(f"no OAuth2 credentials configured for {scheme.name!r}")
        grant_type, url = grant
        cfg = self.configuration
        form: list[tuple[str, str]] = [("grant_type", grant_type)]
        if grant_type == "refresh_token":
            refresh = self.refresh_token or cfg.refresh_token
            assert refresh is not None
            form.append(("refresh_token", refresh))
        if cfg.scopes:
            form.append(("scope", " ".join(cfg.scopes)))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        if cfg.client_id:
            if cfg.client_secret is None:  # a public client names itself
                form.append(("client_id", cfg.client_id))
            elif cfg.token_auth_method == "client_secret_post":
                form += [
                    ("client_id", cfg.client_id),
                    ("client_secret", cfg.client_secret),
                ]
            else:
                pair = f"{quote(cfg.client_id, safe='')}:{quote(cfg.client_secret, safe='')}"
                headers["Authorization"] = "Basic " + base64.b64encode(
                    pair.encode()
                ).decode("ascii")
        return TokenRequest(url, headers, urlencode(form).encode(), grant_type)

    def accept(
        self, request: TokenRequest, status: int, reason: str | None, body: bytes
    ) -> str:
        """Take the token server's answer: the new access token (kept, with its refresh time and any
        new refresh token). Raises the ``ApiException`` for the status when it is not a token.
        """
        text = body.decode("utf-8", "replace")
        if not 200 <= status <= 299:
            raise exception_for_status(status)(
                status, reason, body=text, method="POST", url=request.url
            )
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiException(
                status,
                "the token response holds no access_token",
                body=text,
                method="POST",
                url=request.url,
            )
        assert isinstance(payload, dict)
        expires_in = payload.get("expires_in")
        if isinstance(expires_in, str) and expires_in.isdigit():
            expires_in = int(expires_in)
        self.renew_at = (
            self.clock() + refresh_delay(float(expires_in))
            if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool)
            else None
        )
        refresh = payload.get("refresh_token")
        if isinstance(refresh, str) and refresh:
            self.refresh_token = refresh
        self.access_token = token
        self.expired = False
        return token
