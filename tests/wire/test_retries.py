"""Retries as seen on the wire: idempotent requests are retried on 503 (with backoff through the
client's sleep hook), POST is not, ``_retries=0`` and ``Configuration(retries=0)`` disable them. The
plane and pieces tests run against both clients of the package (``twin``).
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

from .conftest import API_KEY, TOKEN

DOWNLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "https://example.invalid/a",
}
UPLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "/x/",
    "upload_data": {"url": "https://uploads.invalid", "fields": {}},
}


def _plane(server: RecordingServer, twin: Twin, **config: Any):  # type: ignore[no-untyped-def]
    import plane

    configuration = plane.Configuration(
        host=server.url,
        api_key={"ApiKeyAuthentication": API_KEY},
        backoff_initial=0.01,
        backoff_max=0.04,
        **config,
    )
    client = twin.client(plane, configuration)
    delays: list[float] = []
    client.sleep = delays.append
    return client, twin.api(plane, "AssetsApi", client), delays


def test_get_retried_on_503_until_success(server: RecordingServer, twin: Twin) -> None:
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(200, json=DOWNLOAD)
    client, api, delays = _plane(server, twin)
    with client:
        result = api.get_generic_asset("a1", "ws")
    assert result.asset_id == UUID("550e8400-e29b-41d4-a716-446655440000")
    assert len(server.requests) == 3
    assert {(r.method, r.target) for r in server.requests} == {
        ("GET", "/api/v1/workspaces/ws/assets/a1/")
    }
    for request in server.requests:  # every attempt carries its credentials
        assert request.header("X-API-Key") == API_KEY
    assert len(delays) == 2
    # exponential backoff from backoff_initial, capped by backoff_max, minus up to 25% jitter
    assert 0.0075 <= delays[0] <= 0.01
    assert 0.015 <= delays[1] <= 0.02


def test_get_gives_up_after_configured_retries(
    server: RecordingServer, twin: Twin
) -> None:
    from plane.exceptions import ServiceException

    for _ in range(5):
        server.enqueue(503, json={"error": "busy"}, headers={"X-Attempt": "n"})
    client, api, delays = _plane(server, twin)  # default: 2 retries
    with client, pytest.raises(ServiceException) as caught:
        api.get_generic_asset("a1", "ws")
    assert caught.value.status == 503
    assert len(server.requests) == 3
    assert len(delays) == 2


def test_delete_retried_on_502_and_429(server: RecordingServer, twin: Twin) -> None:
    server.enqueue(502)
    server.enqueue(429, headers={"Retry-After": "0"})
    server.enqueue(204)
    client, api, delays = _plane(server, twin)
    with client:
        assert api.delete_user_asset("a1") is None
    assert [r.method for r in server.requests] == ["DELETE"] * 3
    assert delays[1] == 0.0  # Retry-After wins over backoff


def test_post_is_not_retried(server: RecordingServer, twin: Twin) -> None:
    from plane.exceptions import ServiceException

    server.enqueue(503, json={"error": "busy"})
    server.enqueue(200, json=UPLOAD)
    client, api, delays = _plane(server, twin)
    with client, pytest.raises(ServiceException):
        api.create_user_asset_upload(
            {"name": "a", "size": 1, "entity_type": "USER_AVATAR"}
        )
    assert len(server.requests) == 1
    assert delays == []


def test_patch_is_not_retried(server: RecordingServer, twin: Twin) -> None:
    from plane.exceptions import ServiceException

    server.enqueue(503)
    client, api, delays = _plane(server, twin)
    with client, pytest.raises(ServiceException):
        api.update_generic_asset("a1", "ws", {"is_uploaded": True})
    assert len(server.requests) == 1


def test_post_with_idempotency_key_is_retried(
    server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(503)
    server.enqueue(200, json=UPLOAD)
    client, api, delays = _plane(server, twin)
    with client:
        api.create_user_asset_upload(
            {"name": "a", "size": 1, "entity_type": "USER_AVATAR"},
            _headers={"Idempotency-Key": "k-1"},
        )
    first, second = server.requests
    assert first.body == second.body
    assert second.header("Idempotency-Key") == "k-1"


def test_per_call_retries_zero_disables(server: RecordingServer, twin: Twin) -> None:
    from plane.exceptions import ServiceException

    server.enqueue(503)
    server.enqueue(200, json=DOWNLOAD)
    client, api, delays = _plane(server, twin)
    with client, pytest.raises(ServiceException):
        api.get_generic_asset("a1", "ws", _retries=0)
    assert len(server.requests) == 1
    assert delays == []


def test_configuration_retries_zero_disables(
    server: RecordingServer, twin: Twin
) -> None:
    from plane.exceptions import ServiceException

    server.enqueue(503)
    server.enqueue(200, json=DOWNLOAD)
    client, api, delays = _plane(server, twin, retries=0)
    with client, pytest.raises(ServiceException):
        api.get_generic_asset("a1", "ws")
    assert len(server.requests) == 1


def test_per_call_retries_override_configuration(
    server: RecordingServer, twin: Twin
) -> None:
    for _ in range(4):
        server.enqueue(503)
    server.enqueue(200, json=DOWNLOAD)
    client, api, delays = _plane(server, twin, retries=0)
    with client:
        api.get_generic_asset("a1", "ws", _retries=4)
    assert len(server.requests) == 5
    assert delays[-1] <= 0.04  # capped by backoff_max


def test_pieces_get_retried_on_503(server: RecordingServer, twin: Twin) -> None:
    import pieces_os_client

    server.enqueue(503, "busy", {"Content-Type": "text/plain"})
    server.enqueue(200, json={"iterable": []})
    config = pieces_os_client.Configuration(
        host=server.url, backoff_initial=0.001, backoff_max=0.001
    )
    with twin.client(pieces_os_client, config) as client:
        client.sleep = lambda _seconds: None
        twin.api(pieces_os_client, "AssetsApi", client).assets_snapshot()
    assert len(server.requests) == 2


def _asana(server: RecordingServer, call, **config: Any):  # type: ignore[no-untyped-def]
    import asana_asyncio

    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async def run():  # type: ignore[no-untyped-def]
        configuration = asana_asyncio.Configuration(
            host=server.url,
            access_token=TOKEN,
            backoff_initial=0.01,
            backoff_max=0.04,
            **config,
        )
        async with asana_asyncio.ApiClient(configuration) as client:
            client.sleep = sleep
            return await call(asana_asyncio.AttachmentsApi(client))

    return asyncio.run(run()), delays


def test_asana_get_retried_on_503(server: RecordingServer) -> None:
    server.enqueue(503, json={"errors": [{"message": "down"}]})
    server.enqueue(503, json={"errors": [{"message": "down"}]})
    server.enqueue(200, json={"data": {"gid": "1"}})
    result, delays = _asana(server, lambda api: api.get_attachment("1"))
    assert result.data.gid == "1"
    assert len(server.requests) == 3
    assert len(delays) == 2 and all(0 < d <= 0.04 for d in delays)


def test_asana_post_not_retried_and_retries_zero(server: RecordingServer) -> None:
    from asana_asyncio.exceptions import ServiceException

    server.enqueue(503)
    with pytest.raises(ServiceException):
        _asana(
            server,
            lambda api: api.create_attachment_for_object(parent="1", file=b"x"),
        )
    assert len(server.requests) == 1

    server.enqueue(503)
    server.enqueue(200, json={"data": {"gid": "1"}})
    with pytest.raises(ServiceException):
        _asana(server, lambda api: api.delete_attachment("1", _retries=0))
    assert len(server.requests) == 2


def test_asana_multipart_upload_resent_whole_on_retry(
    server: RecordingServer,
) -> None:
    """An upload with an Idempotency-Key is retried, and the replayed body is byte-identical (same
    boundary, same content)."""
    server.enqueue(503)
    server.enqueue(200, json={"data": {"gid": "1"}})
    _asana(
        server,
        lambda api: api.create_attachment_for_object(
            parent="1", file=b"payload", _headers={"Idempotency-Key": "u-1"}
        ),
    )
    first, second = server.requests
    assert first.body == second.body
    assert b"payload" in second.body
    assert first.header("Content-Type") == second.header("Content-Type")
