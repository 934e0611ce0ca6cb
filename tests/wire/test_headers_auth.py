"""Headers on the wire: Content-Type, Accept, User-Agent, credentials exactly per the operation's
security and the configuration, credentials kept to the configured origin, and secrets kept out of
``repr()``/``str()``."""

from __future__ import annotations

import asyncio
import platform
from typing import Any
from uuid import UUID

import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

from .conftest import API_KEY, TOKEN

PY = platform.python_version()
DOWNLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "https://example.invalid/a",
}
UPLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "/api/assets/v2/static/550e8400/",
    "upload_data": {"url": "https://uploads.invalid", "fields": {"key": "k"}},
}
ATTACHMENT = {"data": {"gid": "1"}}
CREDENTIAL_HEADERS = {"authorization", "x-api-key", "cookie", "proxy-authorization"}


def _plane(server_url: str, twin: Twin | None = None, **config: Any):  # type: ignore[no-untyped-def]
    """A plane client and its AssetsApi: the sync ones, or ``twin``'s (sync or asyncio)."""
    import plane

    twin = twin or Twin("sync")
    client = twin.client(plane, plane.Configuration(host=server_url, **config))
    return client, twin.api(plane, "AssetsApi", client)


def _asana(server_url: str, call, **config: Any):  # type: ignore[no-untyped-def]
    import asana_asyncio

    async def run():  # type: ignore[no-untyped-def]
        configuration = asana_asyncio.Configuration(host=server_url, **config)
        async with asana_asyncio.ApiClient(configuration) as client:
            return await call(asana_asyncio.AttachmentsApi(client))

    return asyncio.run(run())


# -- standard headers --------------------------------------------------------------------------------


def test_plane_headers_per_operation(server: RecordingServer, twin: Twin) -> None:
    server.enqueue(200, json=DOWNLOAD)
    server.enqueue(200, json=UPLOAD)
    server.enqueue(204)
    server.enqueue(204)
    client, api = _plane(server.url, twin, api_key={"ApiKeyAuthentication": API_KEY})
    with client:
        api.get_generic_asset("a1", "ws")
        api.create_user_asset_upload(
            {"name": "a.png", "size": 3, "entity_type": "USER_AVATAR"}
        )
        api.delete_user_asset("a1")
        api.update_generic_asset("a1", "ws")  # optional body left out
    get, post, delete, patch = server.requests
    for request in server.requests:
        assert request.header("Accept") == "application/json"
        assert request.header("User-Agent") == f"plane/1.0.0 python/{PY}"
        assert request.header("X-API-Key") == API_KEY
        assert "authorization" not in request.header_names()
    assert post.header("Content-Type") == "application/json"
    assert post.header("Content-Length") == str(len(post.body))
    for request in (get, delete, patch):
        assert request.header("Content-Type") is None
        assert request.body == b""
    assert (patch.method, patch.path) == ("PATCH", "/api/v1/workspaces/ws/assets/a1/")


def test_pieces_headers_and_no_auth(server: RecordingServer, twin: Twin) -> None:
    """Pieces declares no security: nothing configured is ever sent."""
    import pieces_os_client

    server.enqueue(200, "2254f2c8", {"Content-Type": "text/plain"})
    server.enqueue(200, json={"iterable": []})
    config = pieces_os_client.Configuration(
        host=server.url,
        api_key={"anything": "k-s3cr3t"},
        access_token=TOKEN,
        username="u",
        password="p",
    )
    with twin.client(pieces_os_client, config) as client:
        api = twin.api(pieces_os_client, "AssetsApi", client)
        api.assets_delete_asset("2254f2c8")
        api.assets_snapshot()
    delete, snapshot = server.requests
    assert delete.header("Accept") == "text/plain"
    assert snapshot.header("Accept") == "application/json"
    for request in server.requests:
        assert request.header("User-Agent") == f"pieces-os-client/1.0.0 python/{PY}"
        assert not (request.header_names() & CREDENTIAL_HEADERS)
        assert request.header("Content-Type") is None


def test_asana_headers(server: RecordingServer) -> None:
    server.enqueue(200, json=ATTACHMENT)
    _asana(server.url, lambda api: api.get_attachment("1"), access_token=TOKEN)
    [request] = server.requests
    assert request.header("Accept") == "application/json"
    assert request.header("User-Agent") == f"asana-asyncio/1.0.0 python/{PY}"
    assert request.header("Authorization") == f"Bearer {TOKEN}"
    assert request.header("Content-Type") is None
    assert "x-api-key" not in request.header_names()


def test_per_call_and_default_headers(server: RecordingServer, twin: Twin) -> None:
    server.enqueue(200, json=DOWNLOAD)
    client, api = _plane(server.url, twin, api_key={"ApiKeyAuthentication": API_KEY})
    client.set_default_header("X-Trace", "t1")
    with client:
        api.get_generic_asset("a", "w", _headers={"X-Request-Id": "r1"})
    [request] = server.requests
    assert request.header("X-Trace") == "t1"
    assert request.header("X-Request-Id") == "r1"


# -- auth ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"api_key": {"ApiKeyAuthentication": API_KEY}}, {"x-api-key": API_KEY}),
        (
            {
                "api_key": {"ApiKeyAuthentication": API_KEY},
                "api_key_prefix": {"ApiKeyAuthentication": "Token"},
            },
            {"x-api-key": f"Token {API_KEY}"},
        ),
        ({"access_token": TOKEN}, {"authorization": f"Bearer {TOKEN}"}),
        # Both configured: the first satisfied alternative (the API key) alone is used.
        (
            {"api_key": {"ApiKeyAuthentication": API_KEY}, "access_token": TOKEN},
            {"x-api-key": API_KEY},
        ),
        ({}, {}),
    ],
    ids=["api-key", "api-key-prefix", "oauth2-token", "both", "none"],
)
def test_plane_auth(
    server: RecordingServer,
    twin: Twin,
    config: dict[str, Any],
    expected: dict[str, str],
) -> None:
    server.enqueue(200, json=UPLOAD)
    client, api = _plane(server.url, twin, **config)
    with client:
        api.create_user_asset_upload(
            {"name": "a.png", "size": 3, "entity_type": "USER_AVATAR"}
        )
    [request] = server.requests
    sent = {
        name: request.header(name)
        for name in request.header_names() & CREDENTIAL_HEADERS
    }
    assert sent == expected


def test_asana_bearer_and_no_token(server: RecordingServer) -> None:
    server.enqueue(200, json=ATTACHMENT)
    server.enqueue(200, json=ATTACHMENT)
    _asana(server.url, lambda api: api.get_attachment("1"), access_token=TOKEN)
    _asana(server.url, lambda api: api.get_attachment("1"))
    with_token, without = server.requests
    assert with_token.header("Authorization") == f"Bearer {TOKEN}"
    assert not (without.header_names() & CREDENTIAL_HEADERS)


# -- credentials stay on the configured origin ------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_plane_redirect_to_other_origin_drops_credentials(
    server: RecordingServer, twin: Twin, other_server: RecordingServer, status: int
) -> None:
    server.enqueue(status, headers={"Location": f"{other_server.url}/elsewhere?x=1"})
    other_server.enqueue(200, json=DOWNLOAD)
    client, api = _plane(
        server.url,
        twin,
        api_key={"ApiKeyAuthentication": API_KEY},
        access_token=TOKEN,
    )
    client.cookie = "session=c00kie"
    with client:
        result = api.get_generic_asset("a", "w")
    assert result.asset_id == UUID("550e8400-e29b-41d4-a716-446655440000")
    [first] = server.requests
    [followed] = other_server.requests
    assert first.header("X-API-Key") == API_KEY
    assert (followed.method, followed.target) == ("GET", "/elsewhere?x=1")
    assert not (followed.header_names() & CREDENTIAL_HEADERS)
    assert API_KEY.encode() not in repr(followed.headers).encode()


def test_plane_redirect_on_same_origin_keeps_credentials(
    server: RecordingServer,
    twin: Twin,
) -> None:
    server.enqueue(302, headers={"Location": "/moved"})
    server.enqueue(200, json=DOWNLOAD)
    client, api = _plane(server.url, twin, api_key={"ApiKeyAuthentication": API_KEY})
    with client:
        api.get_generic_asset("a", "w")
    first, followed = server.requests
    assert followed.target == "/moved"
    assert followed.header("X-API-Key") == API_KEY


def test_plane_post_302_to_other_origin(
    server: RecordingServer, twin: Twin, other_server: RecordingServer
) -> None:
    """302 after POST becomes a GET without body, and the key stays home."""
    server.enqueue(302, headers={"Location": f"{other_server.url}/x"})
    other_server.enqueue(200, json=UPLOAD)
    client, api = _plane(server.url, twin, api_key={"ApiKeyAuthentication": API_KEY})
    with client:
        api.create_user_asset_upload(
            {"name": "a.png", "size": 3, "entity_type": "USER_AVATAR"}
        )
    [followed] = other_server.requests
    assert followed.method == "GET" and followed.body == b""
    assert not (followed.header_names() & CREDENTIAL_HEADERS)
    assert followed.header("Content-Type") is None


@pytest.mark.parametrize("status", [302, 307])
def test_asana_redirect_to_other_origin_drops_bearer(
    server: RecordingServer, other_server: RecordingServer, status: int
) -> None:
    server.enqueue(status, headers={"Location": f"{other_server.url}/elsewhere"})
    other_server.enqueue(200, json=ATTACHMENT)
    result = _asana(server.url, lambda api: api.get_attachment("1"), access_token=TOKEN)
    assert result.data is not None and result.data.gid == "1"
    assert server.requests[0].header("Authorization") == f"Bearer {TOKEN}"
    [followed] = other_server.requests
    assert followed.target == "/elsewhere"
    assert not (followed.header_names() & CREDENTIAL_HEADERS)


# -- secrets never shown ---------------------------------------------------------------------------


def test_configuration_repr_hides_secrets() -> None:
    import asana_asyncio
    import pieces_os_client
    import plane

    for module in (plane, pieces_os_client, asana_asyncio):
        config = module.Configuration(
            host="https://h.invalid",
            api_key={"ApiKeyAuthentication": API_KEY},
            access_token=TOKEN,
            username="user",
            password="pa55w0rd-s3cr3t",
            proxy="http://proxyuser:proxy-s3cr3t@proxy.invalid:3128",
            proxy_headers={"Proxy-Authorization": "Basic proxy-hdr-s3cr3t"},
        )
        for text in (repr(config), str(config), f"{config}", f"{config!r}"):
            assert "s3cr3t" not in text, text
            assert "https://h.invalid" in text


def test_exceptions_never_show_secrets(server: RecordingServer, twin: Twin) -> None:
    from plane.exceptions import ApiConnectionError, UnauthorizedException

    server.enqueue(
        401, json={"error": "bad key", "error_code": "AUTHENTICATION_REQUIRED"}
    )
    client, api = _plane(
        server.url, twin, api_key={"ApiKeyAuthentication": API_KEY}, access_token=TOKEN
    )
    with client, pytest.raises(UnauthorizedException) as caught:
        api.get_generic_asset("a", "w")
    exc = caught.value
    for text in (str(exc), repr(exc), repr(exc.args), repr(vars(exc))):
        assert API_KEY not in text and TOKEN not in text

    client, api = _plane(
        "http://nonexistent.invalid",
        twin,
        api_key={"ApiKeyAuthentication": API_KEY},
        retries=0,
        timeout=5,
    )
    with client, pytest.raises(ApiConnectionError) as refused:
        api.get_generic_asset("a", "w")
    for text in (str(refused.value), repr(refused.value)):
        assert API_KEY not in text
