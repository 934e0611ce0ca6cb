"""Auth schemes, alternative selection, and the configuration's secret-free repr."""

from __future__ import annotations

import base64

from generator.runtime.auth import AuthScheme, apply_auth, select_alternative
from generator.runtime.configuration import BaseConfiguration


class Configuration(BaseConfiguration):
    default_host = "https://api.example.com"
    auth_schemes = (
        AuthScheme("ApiKeyHeader", "api_key", "header", "X-API-Key"),
        AuthScheme("ApiKeyQuery", "api_key", "query", "api_key"),
        AuthScheme("ApiKeyCookie", "api_key", "cookie", "session"),
        AuthScheme("Bearer", "bearer", bearer_format="JWT"),
        AuthScheme("OAuth2", "oauth2"),
        AuthScheme("OpenId", "openid"),
        AuthScheme("Basic", "basic"),
    )


def test_api_key_in_each_location() -> None:
    cfg = Configuration()
    cfg.api_key["ApiKeyHeader"] = "h"
    cfg.api_key["ApiKeyQuery"] = "q"
    cfg.api_key["ApiKeyCookie"] = "c"
    assert apply_auth(cfg, (("ApiKeyHeader",),)).headers == {"X-API-Key": "h"}
    assert apply_auth(cfg, (("ApiKeyQuery",),)).query == [("api_key", "q")]
    assert apply_auth(cfg, (("ApiKeyCookie",),)).cookies == {"session": "c"}


def test_api_key_prefix() -> None:
    cfg = Configuration(
        api_key={"ApiKeyHeader": "k"}, api_key_prefix={"ApiKeyHeader": "Token"}
    )
    assert apply_auth(cfg, (("ApiKeyHeader",),)).headers == {"X-API-Key": "Token k"}


def test_bearer_like_schemes_use_access_token() -> None:
    cfg = Configuration()
    cfg.access_token = "tok"
    for name in ("Bearer", "OAuth2", "OpenId"):
        assert apply_auth(cfg, ((name,),)).headers == {"Authorization": "Bearer tok"}


def test_basic() -> None:
    cfg = Configuration(username="user", password="pa:ss")
    expected = "Basic " + base64.b64encode(b"user:pa:ss").decode()
    assert apply_auth(cfg, (("Basic",),)).headers == {"Authorization": expected}


def test_first_satisfiable_alternative_wins() -> None:
    cfg = Configuration(access_token="tok")
    alternatives = (("ApiKeyHeader", "ApiKeyQuery"), ("Bearer",), ("Basic",))
    assert [s.name for s in select_alternative(cfg, alternatives)] == ["Bearer"]
    cfg.api_key["ApiKeyHeader"] = "h"  # only half of the first alternative
    assert [s.name for s in select_alternative(cfg, alternatives)] == ["Bearer"]
    cfg.api_key["ApiKeyQuery"] = "q"
    values = apply_auth(cfg, alternatives)
    assert values.headers == {"X-API-Key": "h"} and values.query == [("api_key", "q")]


def test_no_alternative_configured_or_unknown_scheme() -> None:
    cfg = Configuration()
    values = apply_auth(cfg, (("Bearer",), ("Nope",)))
    assert (values.headers, values.query, values.cookies) == ({}, [], {})
    assert (
        select_alternative(Configuration(access_token="t"), ((), ("Bearer",)))[0].name
        == "Bearer"
    )


def test_configuration_defaults_and_mutation() -> None:
    cfg = Configuration()
    assert cfg.host == "https://api.example.com"
    assert cfg.retries == 2 and cfg.timeout == 60.0 and cfg.verify_ssl
    cfg.host = "http://localhost:8080"
    cfg.api_key["ApiKeyHeader"] = "k"
    assert cfg.host == "http://localhost:8080" and cfg.api_key == {"ApiKeyHeader": "k"}
    policy = cfg.retry_policy(5)
    assert (
        policy.max_retries == 5
        and policy.backoff_initial == 0.5
        and policy.backoff_max == 8.0
    )


def test_repr_hides_secrets() -> None:
    cfg = Configuration(
        api_key={"ApiKeyHeader": "SECRET-KEY"},
        username="alice",
        password="SECRET-PASSWORD",
        access_token="SECRET-TOKEN",
        proxy="http://bob:SECRET-PROXY@proxy:3128",
        proxy_headers={"Proxy-Authorization": "SECRET-PH"},
    )
    for text in (repr(cfg), str(cfg)):
        assert "SECRET" not in text
        assert "ApiKeyHeader" in text and "alice" in text and "***" in text
    assert "access_token=None" in repr(Configuration())


def test_get_and_set_default() -> None:
    class Other(BaseConfiguration):
        default_host = "https://other"

    first = Other.get_default()
    assert first is Other.get_default() and first.host == "https://other"
    chosen = Other(host="https://changed")
    Other.set_default(chosen)
    # As in OpenAPI Generator's clients: the object itself becomes the default (later changes to it
    # reach every client that uses the default), and get_default_copy() is another name for it.
    assert Other.get_default() is chosen and Other.get_default_copy() is chosen
    chosen.host = "https://later"
    assert Other.get_default().host == "https://later"
    Other.set_default(None)
    assert Other.get_default() is not chosen
    assert Other.get_default().host == "https://other"
    assert Configuration.get_default().host == "https://api.example.com"
