"""Failures as the caller sees them: the ``ApiException`` subclass for each status with its status,
reason, headers, body text and declared error model; connection refused, timeouts and DNS failures as
the package's ``ApiConnectionError``/``ApiTimeoutError``, never a bare urllib3/aiohttp exception.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

from .conftest import API_KEY, TOKEN

STATUS_CLASSES = [
    (400, "BadRequestException"),
    (401, "UnauthorizedException"),
    (403, "ForbiddenException"),
    (404, "NotFoundException"),
    (409, "ConflictException"),
    (422, "UnprocessableEntityException"),
    (429, "TooManyRequestsException"),
    (500, "ServiceException"),
    (502, "ServiceException"),
    (503, "ServiceException"),
    (504, "ServiceException"),
    (418, "ApiException"),
    (424, "ApiException"),
]


def _plane(host: str, twin: Twin | None = None, **config: Any):  # type: ignore[no-untyped-def]
    """A plane client and its AssetsApi: the sync ones, or ``twin``'s (sync or asyncio)."""
    import plane

    twin = twin or Twin("sync")
    client = twin.client(
        plane,
        plane.Configuration(
            host=host, api_key={"ApiKeyAuthentication": API_KEY}, **config
        ),
    )
    return client, twin.api(plane, "AssetsApi", client)


def _asana(host: str, call, **config: Any):  # type: ignore[no-untyped-def]
    import asana_asyncio

    async def run():  # type: ignore[no-untyped-def]
        configuration = asana_asyncio.Configuration(
            host=host, access_token=TOKEN, **config
        )
        async with asana_asyncio.ApiClient(configuration) as client:
            return await call(asana_asyncio.AttachmentsApi(client))

    return asyncio.run(run())


def _plane_error_types() -> dict[int, Any]:
    from plane import AssetConflictResponse, ErrorResponse

    return {
        400: ErrorResponse,
        401: ErrorResponse,
        403: ErrorResponse,
        404: ErrorResponse,
        409: AssetConflictResponse,
    }


@pytest.mark.parametrize(("status", "class_name"), STATUS_CLASSES)
def test_plane_status_exceptions(
    server: RecordingServer, twin: Twin, status: int, class_name: str
) -> None:
    """createGenericAssetUpload declares ErrorResponse for 400/401/403/404 and AssetConflictResponse
    for 409: ``.data`` is that model; other statuses have no declared model (``.data`` is None).
    """
    import plane.exceptions

    payload = (
        {
            "message": "exists",
            "asset_id": "550e8400-e29b-41d4-a716-446655440000",
            "asset_url": "/x",
        }
        if status == 409
        else {"error": "it failed", "error_code": "E_CODE"}
    )
    body = json.dumps(payload).encode()
    server.enqueue(
        status,
        body,
        {"Content-Type": "application/json", "X-Request-Id": "req-7"},
        reason="Custom Reason",
    )
    client, api = _plane(server.url, twin)
    expected_class = getattr(plane.exceptions, class_name)
    with client, pytest.raises(plane.exceptions.ApiException) as caught:
        api.create_generic_asset_upload("ws", {"name": "n", "size": 1})
    exc = caught.value
    assert type(exc) is expected_class
    assert exc.status == status
    assert exc.reason == "Custom Reason"
    assert exc.headers is not None and exc.headers["X-Request-Id"] == "req-7"
    assert exc.body == body.decode()
    declared = _plane_error_types().get(status)
    if declared is None:
        assert exc.data is None
    else:
        assert isinstance(exc.data, declared)
        assert exc.data.to_dict() == payload
    message = str(exc)
    url = f"{server.url}/api/v1/workspaces/ws/assets/"
    assert f"POST {url}" in message
    assert str(status) in message and "Custom Reason" in message
    assert len(server.requests) == 1  # POST is never retried


def test_plane_error_model_on_get(server: RecordingServer, twin: Twin) -> None:
    from plane import ErrorResponse
    from plane.exceptions import NotFoundException

    server.enqueue(404, json={"error": "Asset not found"})
    client, api = _plane(server.url, twin)
    with client, pytest.raises(NotFoundException) as caught:
        api.get_generic_asset("a1", "ws")
    assert isinstance(caught.value.data, ErrorResponse)
    assert caught.value.data.error == "Asset not found"
    assert str(caught.value).startswith(
        f"GET {server.url}/api/v1/workspaces/ws/assets/a1/ -> 404 Not Found"
    )


def test_plane_non_json_error_body_keeps_its_text(
    server: RecordingServer, twin: Twin
) -> None:
    from plane.exceptions import ForbiddenException

    server.enqueue(
        403, "<html><h1>Forbidden by WAF</h1></html>", {"Content-Type": "text/html"}
    )
    client, api = _plane(server.url, twin)
    with client, pytest.raises(ForbiddenException) as caught:
        api.delete_user_asset("a1")
    assert caught.value.body == "<html><h1>Forbidden by WAF</h1></html>"
    assert caught.value.data is None
    assert "Forbidden by WAF" in str(caught.value)


def test_plane_error_body_not_matching_model(
    server: RecordingServer, twin: Twin
) -> None:
    """A JSON error body that does not match the declared model still raises the status exception
    (``.data`` None, text kept), not a validation error."""
    from plane.exceptions import BadRequestException

    server.enqueue(400, json={"error": {"nested": "unexpected"}})
    client, api = _plane(server.url, twin)
    with client, pytest.raises(BadRequestException) as caught:
        api.create_user_asset_upload(
            {"name": "a", "size": 1, "entity_type": "USER_AVATAR"}
        )
    assert caught.value.data is None
    assert json.loads(caught.value.body or "") == {"error": {"nested": "unexpected"}}


@pytest.mark.parametrize(("status", "class_name"), STATUS_CLASSES)
def test_asana_status_exceptions(
    server: RecordingServer, status: int, class_name: str
) -> None:
    import asana_asyncio.exceptions
    from asana_asyncio.models.error_response import ErrorResponse

    payload = {
        "errors": [{"message": "project: Missing input", "phrase": "6 sad squid"}]
    }
    body = json.dumps(payload).encode()
    server.enqueue(status, body, {"Content-Type": "application/json", "X-Id": "9"})
    with pytest.raises(asana_asyncio.exceptions.ApiException) as caught:
        _asana(server.url, lambda api: api.get_attachment("77", _retries=0))
    exc = caught.value
    assert type(exc) is getattr(asana_asyncio.exceptions, class_name)
    assert exc.status == status
    assert exc.headers is not None and exc.headers["X-Id"] == "9"
    assert exc.body == body.decode()
    # getAttachment declares ErrorResponse for 400-404, 424, 500, 501, 503 and 504.
    if status in (400, 401, 403, 404, 424, 500, 503, 504):
        assert isinstance(exc.data, ErrorResponse)
        assert exc.data.errors is not None
        assert exc.data.errors[0].message == "project: Missing input"
    else:
        assert exc.data is None
    assert f"GET {server.url}/attachments/77" in str(exc)
    assert str(status) in str(exc)


def test_pieces_text_error_body(server: RecordingServer, twin: Twin) -> None:
    """Pieces declares ``text/plain`` for 500: the text is ``.body`` and ``.data``."""
    import pieces_os_client
    from pieces_os_client.exceptions import ServiceException

    server.enqueue(
        500, "Internal Server Error: db locked", {"Content-Type": "text/plain"}
    )
    config = pieces_os_client.Configuration(host=server.url)
    with (
        twin.client(pieces_os_client, config) as client,
        pytest.raises(ServiceException) as caught,
    ):
        twin.api(pieces_os_client, "AssetsApi", client).assets_draft(
            seed={"type": "UNKNOWN"}
        )
    assert caught.value.body == "Internal Server Error: db locked"
    assert caught.value.data == "Internal Server Error: db locked"
    assert caught.value.status == 500


# -- transport failures ----------------------------------------------------------------------------


def _refused_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def test_plane_connection_refused(twin: Twin) -> None:
    from plane.exceptions import ApiConnectionError, ApiTimeoutError

    host = _refused_url()
    client, api = _plane(host, twin, retries=0)
    with client, pytest.raises(ApiConnectionError) as caught:
        api.get_generic_asset("a1", "ws")
    exc = caught.value
    assert not isinstance(exc, ApiTimeoutError)
    assert exc.method == "GET"
    assert exc.url == f"{host}/api/v1/workspaces/ws/assets/a1/"
    assert f"GET {host}/api/v1/workspaces/ws/assets/a1/" in str(exc)


def test_asana_connection_refused() -> None:
    from asana_asyncio.exceptions import ApiConnectionError, ApiTimeoutError

    host = _refused_url()
    with pytest.raises(ApiConnectionError) as caught:
        _asana(host, lambda api: api.delete_attachment("5"), retries=0)
    assert not isinstance(caught.value, ApiTimeoutError)
    assert caught.value.method == "DELETE"
    assert f"DELETE {host}/attachments/5" in str(caught.value)


def test_connection_refused_is_retried_with_backoff(twin: Twin) -> None:
    """Nothing reached the server, so even a POST is retried; the sleep hook sees the backoff."""
    from plane.exceptions import ApiConnectionError

    client, api = _plane(
        _refused_url(), twin, retries=2, backoff_initial=0.01, backoff_max=0.02
    )
    delays: list[float] = []
    client.sleep = delays.append
    with client, pytest.raises(ApiConnectionError):
        api.create_user_asset_upload(
            {"name": "a", "size": 1, "entity_type": "USER_AVATAR"}
        )
    assert len(delays) == 2
    assert all(0 < d <= 0.02 for d in delays)


def test_plane_read_timeout(server: RecordingServer, twin: Twin) -> None:
    from plane.exceptions import ApiTimeoutError

    server.enqueue(200, json={"asset_id": "a", "asset_url": "u"}, delay=1.0)
    client, api = _plane(server.url, twin)
    started = time.monotonic()
    with client, pytest.raises(ApiTimeoutError) as caught:
        api.get_generic_asset("a1", "ws", _request_timeout=0.2, _retries=0)
    assert time.monotonic() - started < 0.9
    assert caught.value.method == "GET"
    assert f"GET {server.url}/api/v1/workspaces/ws/assets/a1/" in str(caught.value)


def test_plane_timeout_from_configuration(server: RecordingServer, twin: Twin) -> None:
    from plane.exceptions import ApiTimeoutError

    server.enqueue(204, delay=1.0)
    client, api = _plane(server.url, twin, timeout=0.2, retries=0)
    with client, pytest.raises(ApiTimeoutError):
        api.delete_user_asset("a1")


def test_asana_read_timeout(server: RecordingServer) -> None:
    from asana_asyncio.exceptions import ApiTimeoutError

    server.enqueue(200, json={"data": {}}, delay=1.0)
    started = time.monotonic()
    with pytest.raises(ApiTimeoutError) as caught:
        _asana(
            server.url,
            lambda api: api.get_attachment("1", _request_timeout=0.2, _retries=0),
        )
    assert time.monotonic() - started < 0.9
    assert f"GET {server.url}/attachments/1" in str(caught.value)


def test_timeouts_are_retried_for_get(server: RecordingServer, twin: Twin) -> None:
    from plane.exceptions import ApiTimeoutError

    for _ in range(3):
        server.enqueue(200, json={"asset_id": "a", "asset_url": "u"}, delay=0.6)
    client, api = _plane(server.url, twin, retries=1, backoff_initial=0.001)
    # (connect, read): each read may wait 0.2 s, the whole call 0.7 s, so a retry fits in; a single
    # number would be the whole call's limit, retries included
    with client, pytest.raises(ApiTimeoutError):
        api.get_generic_asset("a1", "ws", _request_timeout=(0.5, 0.2))
    time.sleep(0.5)
    assert len(server.requests) == 2


def test_dropped_connection_is_a_connection_error(
    server: RecordingServer, twin: Twin
) -> None:
    from plane.exceptions import ApiConnectionError

    server.enqueue(drop=True)
    client, api = _plane(server.url, twin, retries=0)
    with client, pytest.raises(ApiConnectionError) as caught:
        api.create_user_asset_upload(
            {"name": "a", "size": 1, "entity_type": "USER_AVATAR"}
        )
    assert caught.value.method == "POST"


def test_plane_dns_failure(twin: Twin) -> None:
    from plane.exceptions import ApiConnectionError

    client, api = _plane("http://nonexistent.invalid", twin, retries=0, timeout=10)
    with client, pytest.raises(ApiConnectionError) as caught:
        api.get_generic_asset("a1", "ws")
    assert "GET http://nonexistent.invalid/api/v1/workspaces/ws/assets/a1/" in str(
        caught.value
    )


def test_asana_dns_failure() -> None:
    from asana_asyncio.exceptions import ApiConnectionError

    with pytest.raises(ApiConnectionError) as caught:
        _asana(
            "http://nonexistent.invalid",
            lambda api: api.get_attachment("1"),
            retries=0,
            timeout=10,
        )
    assert "GET http://nonexistent.invalid/attachments/1" in str(caught.value)


def test_pieces_connection_refused(twin: Twin) -> None:
    import pieces_os_client
    from pieces_os_client.exceptions import ApiConnectionError

    host = _refused_url()
    config = pieces_os_client.Configuration(host=host, retries=0)
    with (
        twin.client(pieces_os_client, config) as client,
        pytest.raises(ApiConnectionError) as caught,
    ):
        twin.api(pieces_os_client, "AssetsApi", client).assets_snapshot()
    assert f"GET {host}/assets" in str(caught.value)
