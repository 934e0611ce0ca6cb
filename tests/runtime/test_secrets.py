"""Secrets: query-string credentials stay out of logs, ``repr`` of a prepared request masks every
credential header, sensitive headers are dropped when a redirect leaves the configured origin, and a
redirect from https to http is refused.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Endpoint, Param
from generator.runtime.exceptions import ApiConnectionError
from generator.runtime.request import PreparedRequest, origin_of, redirect_request
from tests.support.recording_server import RecordingServer

SECRET = "s3cr3t-VALUE"


class Configuration(BaseConfiguration):
    default_host = "http://api.invalid"
    auth_schemes = (
        AuthScheme("QueryKey", "api_key", "query", "api_key"),
        AuthScheme("HeaderKey", "api_key", "header", "X-API-Key"),
        AuthScheme("Token", "bearer"),
    )


class SyncClient(SyncApiClient):
    configuration_class = Configuration


class AsyncClient(AsyncApiClient):
    configuration_class = Configuration


LIST = Endpoint(
    "listThings",
    "GET",
    "/things",
    params=(Param("q", "q", "query"),),
    auth=(("QueryKey",),),
    response_types=lambda: {"200": None},
)
OPEN = Endpoint("openThing", "GET", "/open", response_types=lambda: {"200": None})


def test_query_credentials_never_reach_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with RecordingServer() as server:
        server.enqueue(200)
        cfg = Configuration(host=server.url, api_key={"QueryKey": SECRET})
        with SyncClient(cfg) as client:
            client.call(LIST, {"q": "x"})
        assert server.requests[0].query_params == [("q", "x"), ("api_key", SECRET)]
    text = caplog.text
    assert "GET /things?q=x&api_key=***" in text  # urllib3's debug line, masked
    assert SECRET not in text
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def _prepare_both(
    cfg: Configuration, endpoint: Endpoint, **defaults: Any
) -> list[PreparedRequest]:
    prepared = []
    for cls in (SyncClient, AsyncClient):
        client = cls(cfg, cookie="session=" + SECRET)
        for name, value in defaults.items():
            sensitive = name.startswith("secret_")
            header = name.removeprefix("secret_").replace("_", "-")
            client.set_default_header(header, value, sensitive=sensitive)
        prepared.append(client.prepare(endpoint, {}))
    return prepared


def test_repr_masks_every_credential_header() -> None:
    cfg = Configuration(access_token=SECRET, sensitive_headers=["X-Session"])
    for request in _prepare_both(
        cfg,
        OPEN,
        Authorization="Bearer " + SECRET,
        X_API_Key=SECRET,  # a configured credential header, set by hand
        X_Session=SECRET,  # named in Configuration.sensitive_headers
        secret_X_Custom=SECRET,  # set_default_header(..., sensitive=True)
        X_Tenant="visible",
    ):
        text = repr(request)
        assert SECRET not in text, text
        for name in ("Authorization", "X-API-Key", "X-Session", "X-Custom", "Cookie"):
            assert f"'{name}': '***'" in text
        assert "'X-Tenant': 'visible'" in text


def _redirect_origins(
    server: RecordingServer, other: RecordingServer, client: Any, call: Any
) -> None:
    server.enqueue(302, headers={"Location": server.url + "/same"})
    server.enqueue(307, headers={"Location": other.url + "/elsewhere"})
    other.enqueue(200)
    call(client)


@pytest.mark.parametrize("kind", ["sync", "asyncio"])
def test_sensitive_headers_are_dropped_on_cross_origin_redirects(kind: str) -> None:
    with RecordingServer() as server, RecordingServer() as other:
        cfg = Configuration(host=server.url, sensitive_headers=["X-Session"])
        per_call = {"X-Session": SECRET, "X-Tenant": "t"}
        if kind == "sync":
            with SyncClient(cfg) as client:
                client.set_default_header("X-Custom", SECRET, sensitive=True)
                client.set_default_header("X-API-Key", SECRET)
                _redirect_origins(
                    server, other, client, lambda c: c.call(OPEN, {}, headers=per_call)
                )
        else:

            async def main() -> None:
                async with AsyncClient(cfg) as client:
                    client.set_default_header("X-Custom", SECRET, sensitive=True)
                    client.set_default_header("X-API-Key", SECRET)
                    server.enqueue(302, headers={"Location": server.url + "/same"})
                    server.enqueue(307, headers={"Location": other.url + "/elsewhere"})
                    other.enqueue(200)
                    await client.call(OPEN, {}, headers=per_call)

            asyncio.run(main())
        first, same = server.requests
        assert same.header("X-Session") == SECRET and same.header("X-Custom") == SECRET
        (cross,) = other.requests
        assert cross.header("X-Tenant") == "t"
        assert {"x-session", "x-custom", "x-api-key"}.isdisjoint(cross.header_names())


def test_https_to_http_redirect_is_refused() -> None:
    request = PreparedRequest(
        "GET",
        "https://api.example.com/things?api_key=" + SECRET,
        {"Authorization": "Bearer " + SECRET},
        display_url="https://api.example.com/things?api_key=***",
    )
    origin = origin_of(request.url)
    with pytest.raises(ApiConnectionError, match="https to http") as info:
        redirect_request(request, 302, "http://api.example.com/things", origin)
    assert SECRET not in str(info.value)
    # https to https elsewhere, and http to https, are still followed
    follow = redirect_request(request, 302, "https://cdn.example.com/x", origin)
    assert follow is not None and "Authorization" not in follow.headers
    plain = PreparedRequest("GET", "http://api.example.com/a", {})
    assert redirect_request(plain, 301, "https://api.example.com/a", origin) is not None


# -- TLS ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls() -> tuple[Any, Any]:
    """A server TLS context with a certificate for 127.0.0.1, and the CA that signed it."""
    import ssl

    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context, ca


def _run_both(cfg: BaseConfiguration, endpoint: Endpoint) -> list[Any]:
    """Each client's outcome (the response data, or the exception) calling ``endpoint``."""
    outcomes: list[Any] = []
    try:
        with SyncClient(cfg) as client:
            outcomes.append(client.call(endpoint, {}).data)
    except Exception as exc:  # noqa: BLE001 - returned for the test to check
        outcomes.append(exc)

    async def main() -> Any:
        async with AsyncClient(cfg) as client:
            return (await client.call(endpoint, {})).data

    try:
        outcomes.append(asyncio.run(main()))
    except Exception as exc:  # noqa: BLE001 - returned for the test to check
        outcomes.append(exc)
    return outcomes


def test_both_clients_warn_when_certificates_are_not_verified(
    tls: tuple[Any, Any],
) -> None:
    import warnings

    from tests.support.hostile_server import HostileServer, answer

    context, ca = tls
    with HostileServer(tls=context) as server:
        server.behaviour = answer(200)
        for kind in ("sync", "asyncio"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                cfg = Configuration(host=server.url, verify_ssl=False)
                if kind == "sync":
                    with SyncClient(cfg) as client:
                        client.call(OPEN, {})
                else:

                    async def main(cfg: Configuration = cfg) -> None:
                        async with AsyncClient(cfg) as client:
                            await client.call(OPEN, {})

                    asyncio.run(main())
            insecure = [
                w for w in caught if "InsecureRequestWarning" in w.category.__name__
            ]
            assert insecure, (kind, [str(w.message) for w in caught])
            assert "127.0.0.1" in str(insecure[0].message)
        # verified: no warning
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with ca.cert_pem.tempfile() as ca_file:
                cfg = Configuration(host=server.url, ssl_ca_cert=ca_file)
                assert _run_both(cfg, OPEN) == [None, None]
        assert not [w for w in caught if "Insecure" in w.category.__name__]


def test_both_clients_refuse_a_redirect_from_https_to_http(
    tls: tuple[Any, Any],
) -> None:
    from tests.support.hostile_server import HostileServer, redirect

    context, ca = tls
    with HostileServer(tls=context) as secure, RecordingServer() as plain:
        secure.behaviour = redirect(plain.url + "/in-clear-text")
        with ca.cert_pem.tempfile() as ca_file:
            cfg = Configuration(
                host=secure.url, ssl_ca_cert=ca_file, access_token=SECRET
            )
            outcomes = _run_both(cfg, OPEN)
    for outcome in outcomes:
        assert isinstance(outcome, ApiConnectionError), repr(outcome)
        assert "https to http" in str(outcome)
    assert plain.requests == []
