"""OAuth2 tokens the client fetches itself, against a real token server on 127.0.0.1 (the spec's
``tokenUrl``): the client-credentials grant on first use, cached, renewed shortly before ``expires_in``,
one renewal and one replay on a 401, the refresh-token grant for an ``authorizationCode`` flow, the
secret sent to the token URL only, and one token request for 50 concurrent calls (threads for the sync
client, tasks for the asyncio one)."""

from __future__ import annotations

import asyncio
import base64
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import pytest

from tests.sdk.servers import BearerApi, TokenServer
from tests.support.twins import Twin

CLIENT_ID = "svc-client"
SECRET = "s3cr3t-Zq9!"
# RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding ("!" is "%21")
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{quote(SECRET)}".encode()).decode()


def _configuration(payments: Any, api: BearerApi, **extra: Any) -> Any:
    settings: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "scopes": ["charges:write"],
    }
    settings.update(extra)
    return payments.Configuration(host=api.url, **settings)


def _api(payments: Any, api: BearerApi, twin: Twin, **extra: Any) -> Any:
    client = twin.client(payments, _configuration(payments, api, **extra))
    return client, twin.api(payments, "PaymentsApi", client)


def _tokens_sent(api: BearerApi) -> list[str]:
    return [r.headers.get("Authorization", "") for r in api.requests]


def test_client_credentials_fetched_once_and_cached(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi, twin: Twin
) -> None:
    client, api = _api(payments, bearer_api, twin)
    with client:
        assert api.get_balance().token == "tok-1"
        assert api.get_balance().token == "tok-1"
    [grant] = token_server.requests
    assert (grant.method, grant.path) == ("POST", "/token")
    assert grant.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert grant.headers["Authorization"] == BASIC
    assert grant.form == {"grant_type": "client_credentials", "scope": "charges:write"}
    assert _tokens_sent(bearer_api) == ["Bearer tok-1", "Bearer tok-1"]


def test_the_secret_goes_to_the_token_url_only(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi, twin: Twin
) -> None:
    client, api = _api(
        payments, bearer_api, twin, token_auth_method="client_secret_post"
    )
    with client:
        api.get_balance()
        token_server.revoked.add("tok-1")
        api.create_charge(payments.Charge(amount=3))  # a 401, a new token, a replay
    assert len(token_server.requests) == 2
    for grant in token_server.requests:
        assert grant.form["client_secret"] == SECRET  # client_secret_post: in the body
        assert "Authorization" not in grant.headers
    encoded = BASIC.removeprefix("Basic ").encode()
    for request in bearer_api.requests:
        assert SECRET.encode() not in request.raw and encoded not in request.raw
        assert b"s3cr3t" not in request.raw
    assert "s3cr3t" not in repr(client.configuration)


def test_renewed_shortly_before_expires_in(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi, twin: Twin
) -> None:
    token_server.reset(expires_in=2)  # renewed after 1.8 s
    client, api = _api(payments, bearer_api, twin)
    with client:
        assert api.get_balance().token == "tok-1"
        assert api.get_balance().token == "tok-1"
        time.sleep(1.9)
        assert (
            api.get_balance().token == "tok-2"
        )  # before the server would refuse tok-1
    assert len(token_server.requests) == 2
    assert all(
        r.form["grant_type"] == "client_credentials" for r in token_server.requests
    )


def test_401_renews_once_and_replays(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi, twin: Twin
) -> None:
    client, api = _api(payments, bearer_api, twin)
    with client:
        api.get_balance()
        token_server.revoked.add("tok-1")  # the server stops accepting it early
        assert api.create_charge(payments.Charge(amount=9)).token == "tok-2"
    assert _tokens_sent(bearer_api) == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    charges = [r for r in bearer_api.requests if r.path == "/charges"]
    assert [r.body for r in charges] == [b'{"amount":9}', b'{"amount":9}']
    keys = {r.headers["X-Request-Key"] for r in charges}  # the replay keeps the key
    assert len(keys) == 1
    assert len(token_server.requests) == 2


def test_a_second_401_is_raised(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi, twin: Twin
) -> None:
    client, api = _api(payments, bearer_api, twin)
    token_server.revoked.update({"tok-1", "tok-2", "tok-3"})
    with client, pytest.raises(payments.exceptions.UnauthorizedException):
        api.get_balance()
    assert _tokens_sent(bearer_api) == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]  # one replay only
    assert len(token_server.requests) == 2


def test_token_server_error_is_raised(
    payments: Any, bearer_api: BearerApi, twin: Twin, unused_port: int
) -> None:
    client, api = _api(
        payments, bearer_api, twin, token_url=f"http://127.0.0.1:{unused_port}/token"
    )
    with client, pytest.raises(payments.ApiConnectionError):
        api.get_balance()
    assert bearer_api.requests == []  # nothing sent without a token


def test_refresh_token_grant_for_authorization_code(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi, twin: Twin
) -> None:
    configuration = payments.Configuration(
        host=bearer_api.url, client_id="app-1", refresh_token="user-refresh-0"
    )
    client = twin.client(payments, configuration)
    api = twin.api(payments, "PaymentsApi", client)
    with client:
        assert api.get_me().token == "tok-1"
        token_server.revoked.add("tok-1")
        assert api.get_me().token == "tok-2"
    first, second = token_server.requests
    assert first.form == {
        "grant_type": "refresh_token",
        "refresh_token": "user-refresh-0",
        "client_id": "app-1",
    }
    # the refresh token the server handed back with tok-1 is the one used next
    assert second.form["refresh_token"] == "refresh-1"
    assert "Authorization" not in first.headers  # a public client: no secret at all


def test_token_url_of_a_self_hosted_server(
    token_server: TokenServer, bearer_api: BearerApi
) -> None:
    """Plane declares a client-credentials flow at api.plane.so; ``token_url`` points a self-hosted
    Plane's client at its own token endpoint."""
    import plane

    configuration = plane.Configuration(
        host=bearer_api.url,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        token_url=token_server.url + "/token",
    )
    tokens = configuration.oauth2
    assert tokens is not None
    scheme = tokens.scheme_for((("OAuth2Authentication",),))
    assert (
        scheme is not None and scheme.token_url == "https://api.plane.so/auth/o/token/"
    )
    with plane.ApiClient(configuration) as client:
        assert client._token(scheme) == "tok-1"
    assert token_server.requests[0].headers["Authorization"] == BASIC


# -- 50 concurrent calls, one token request ------------------------------------------------------------


def test_50_threads_with_an_expired_token_make_one_token_request(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi
) -> None:
    token_server.reset(expires_in=1, delay=0.2)
    with payments.ApiClient(_configuration(payments, bearer_api)) as client:
        api = payments.PaymentsApi(client)
        assert api.get_balance().token == "tok-1"
        # Only tok-1 is short-lived: a later token expiring while 50 calls run on a loaded machine
        # would be a second, legitimate renewal.
        token_server.expires_in = 3600
        time.sleep(1.0)  # tok-1 is due for renewal
        with ThreadPoolExecutor(50) as pool:
            tokens = list(pool.map(lambda _: api.get_balance().token, range(50)))
        assert tokens == ["tok-2"] * 50
        assert len(token_server.requests) == 2
        token_server.revoked.add("tok-2")  # 50 calls refused at once: still one renewal
        with ThreadPoolExecutor(50) as pool:
            tokens = list(pool.map(lambda _: api.get_balance().token, range(50)))
        assert set(tokens) == {"tok-3"} and len(token_server.requests) == 3


def test_50_tasks_with_an_expired_token_make_one_token_request(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi
) -> None:
    token_server.reset(expires_in=1, delay=0.2)

    async def main() -> None:
        async with payments.AsyncApiClient(
            _configuration(payments, bearer_api)
        ) as client:
            api = payments.AsyncPaymentsApi(client)
            assert (await api.get_balance()).token == "tok-1"
            token_server.expires_in = (
                3600  # only tok-1 is short-lived (see the threads' test)
            )
            await asyncio.sleep(1.0)
            results = await asyncio.gather(*(api.get_balance() for _ in range(50)))
            assert [r.token for r in results] == ["tok-2"] * 50
            assert len(token_server.requests) == 2
            token_server.revoked.add("tok-2")
            results = await asyncio.gather(*(api.get_balance() for _ in range(50)))
            assert {r.token for r in results} == {"tok-3"}
            assert len(token_server.requests) == 3

    asyncio.run(main())


def test_a_deep_copy_of_a_configuration_fetches_its_own_token(
    payments: Any, token_server: TokenServer, bearer_api: BearerApi
) -> None:
    import copy

    configuration = _configuration(payments, bearer_api)
    with payments.ApiClient(configuration) as client:
        payments.PaymentsApi(client).get_balance()
    clone = copy.deepcopy(configuration)
    assert clone.oauth2 is not configuration.oauth2
    assert clone.oauth2.configuration is clone and clone.oauth2.access_token is None
    with payments.ApiClient(clone) as client:
        assert payments.PaymentsApi(client).get_balance().token == "tok-2"


def test_before_any_token_no_authorization_header_is_made(payments: Any) -> None:
    """What builds a request without the send loop (a WebSocket handshake) never sends
    ``Bearer None``."""
    import importlib

    auth = importlib.import_module("payments._runtime.auth")
    configuration = payments.Configuration(client_id="a", client_secret="b")
    values = auth.apply_auth(configuration, (("Machine",),))
    assert "Authorization" not in values.headers
    configuration.oauth2.access_token = "tok-x"
    configuration.oauth2.expired = False
    values = auth.apply_auth(configuration, (("Machine",),))
    assert values.headers["Authorization"] == "Bearer tok-x"
