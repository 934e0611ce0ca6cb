"""Responses as the caller sees them: text → str, 204 → None, ``_with_http_info`` and
``_without_preload_content``, models that keep unknown fields, and ``ResponseValidationError`` for a 2xx
body that does not match its model."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

from .conftest import API_KEY, TOKEN

DOWNLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "https://example.invalid/a",
    "asset_name": "report.pdf",
}


def _plane(server: RecordingServer, twin: Twin | None = None):  # type: ignore[no-untyped-def]
    import plane

    twin = twin or Twin("sync")
    client = twin.client(
        plane,
        plane.Configuration(host=server.url, api_key={"ApiKeyAuthentication": API_KEY}),
    )
    return client, twin.api(plane, "AssetsApi", client)


def _pieces(server: RecordingServer, twin: Twin):  # type: ignore[no-untyped-def]
    import pieces_os_client

    client = twin.client(
        pieces_os_client, pieces_os_client.Configuration(host=server.url)
    )
    return client, twin.api(pieces_os_client, "AssetsApi", client)


def _asana(server: RecordingServer, call):  # type: ignore[no-untyped-def]
    import asana_asyncio

    async def run():  # type: ignore[no-untyped-def]
        config = asana_asyncio.Configuration(host=server.url, access_token=TOKEN)
        async with asana_asyncio.ApiClient(config) as client:
            return await call(asana_asyncio.AttachmentsApi(client))

    return asyncio.run(run())


def test_pieces_text_plain_response_is_str(server: RecordingServer, twin: Twin) -> None:
    server.enqueue(
        200,
        "2254f2c8-5797-40e8-ac56-41166dc0e159",
        {"Content-Type": "text/plain; charset=utf-8"},
    )
    client, api = _pieces(server, twin)
    with client:
        deleted = api.assets_delete_asset("2254f2c8-5797-40e8-ac56-41166dc0e159")
    assert deleted == "2254f2c8-5797-40e8-ac56-41166dc0e159"
    assert type(deleted) is str
    [request] = server.requests
    assert (request.method, request.target) == (
        "POST",
        "/assets/2254f2c8-5797-40e8-ac56-41166dc0e159/delete",
    )
    assert request.body == b""


def test_pieces_text_response_in_another_charset(
    server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(
        200,
        "caf\xe9".encode("latin-1"),
        {"Content-Type": "text/plain; charset=latin-1"},
    )
    client, api = _pieces(server, twin)
    with client:
        assert api.assets_delete_asset("a") == "café"


def test_plane_204_is_none(server: RecordingServer, twin: Twin) -> None:
    server.enqueue(204, headers={"X-Request-Id": "r-1"})
    server.enqueue(204)
    client, api = _plane(server, twin)
    with client:
        assert api.delete_user_asset("a1") is None
        info = api.delete_user_asset_with_http_info("a1")
    assert info.status_code == 204
    assert info.data is None
    assert info.raw_data == b""
    [first, second] = server.requests
    assert first.method == second.method == "DELETE"


def test_plane_with_http_info(server: RecordingServer, twin: Twin) -> None:
    from plane import AssetDownloadResponse

    body = json.dumps(DOWNLOAD).encode()
    server.enqueue(
        200, body, {"Content-Type": "application/json", "X-Request-Id": "r-42"}
    )
    client, api = _plane(server, twin)
    with client:
        info = api.get_generic_asset_with_http_info("a1", "ws")
    assert info.status_code == 200
    assert info.headers["X-Request-Id"] == "r-42"
    assert info.headers["content-type"] == "application/json"  # case-insensitive
    assert isinstance(info.data, AssetDownloadResponse)
    assert info.data.asset_name == "report.pdf"
    assert info.raw_data == body


def test_asana_with_http_info(server: RecordingServer) -> None:
    body = json.dumps({"data": {"gid": "5", "size": 12}}).encode()
    server.enqueue(200, body, {"Content-Type": "application/json", "X-Asana": "1"})
    info = _asana(server, lambda api: api.get_attachment_with_http_info("5"))
    assert info.status_code == 200
    assert info.headers["X-Asana"] == "1"
    assert info.data.data.gid == "5" and info.data.data.size == 12
    assert info.raw_data == body


def test_plane_without_preload_content_is_unread(
    server: RecordingServer, twin: Twin
) -> None:
    """The raw response is returned as is: not decoded, not validated, not raised for its status
    (urllib3's response from the sync client, aiohttp's from the asyncio twin)."""
    server.enqueue(200, b'{"not": "a download"}', {"Content-Type": "application/json"})
    server.enqueue(404, b"gone", {"Content-Type": "text/plain"})
    client, api = _plane(server, twin)
    with client:
        raw = api.get_generic_asset_without_preload_content("a1", "ws")
        assert raw.status == 200
        if twin.is_async:
            assert twin.run(raw.content.read(4)) == b'{"no'
            assert twin.run(raw.read()) == b't": "a download"}'
            raw.release()
        else:
            assert list(raw.stream(4)) == [
                b'{"no',
                b't": ',
                b'"a d',
                b"ownl",
                b'oad"',
                b"}",
            ]
            raw.release_conn()
        missing = api.delete_user_asset_without_preload_content("a1")
        assert missing.status == 404
        assert twin.run(missing.read()) == b"gone"
        if twin.is_async:
            missing.release()
        else:
            missing.release_conn()
    assert [r.method for r in server.requests] == ["GET", "DELETE"]


def test_asana_without_preload_content_is_unread(server: RecordingServer) -> None:
    server.enqueue(200, b"<not json>", {"Content-Type": "text/html"})

    async def call(api: Any) -> tuple[int, bytes]:
        response = await api.get_attachment_without_preload_content("1")
        try:
            return response.status, await response.read()
        finally:
            response.release()

    status, body = _asana(server, call)
    assert (status, body) == (200, b"<not json>")


def test_unknown_response_fields_are_kept(server: RecordingServer, twin: Twin) -> None:
    from plane import AssetDownloadResponse

    payload = {**DOWNLOAD, "expires_in": 3600, "new_thing": {"nested": [1, 2]}}
    server.enqueue(200, json=payload)
    client, api = _plane(server, twin)
    with client:
        result = api.get_generic_asset("a1", "ws")
    assert result.model_extra == {"expires_in": 3600, "new_thing": {"nested": [1, 2]}}
    assert result.to_dict() == payload
    assert AssetDownloadResponse.from_dict(result.to_dict()) == result
    assert json.loads(result.to_json()) == payload


def test_asana_nested_unknown_fields_are_kept(server: RecordingServer) -> None:
    payload = {
        "data": {
            "gid": "1",
            "parent": {"gid": "2", "created_by": {"gid": "3", "email": "x@y"}},
            "brand_new": True,
        },
        "extra_top": "t",
    }
    server.enqueue(200, json=payload)
    result = _asana(server, lambda api: api.get_attachment("1"))
    assert result.to_dict() == payload
    assert result.data.model_extra == {"brand_new": True}
    assert result.data.parent.created_by.model_extra == {"email": "x@y"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"asset_id": 123, "asset_url": "u"}, "asset_id"),
        ({"asset_url": "u"}, "asset_id"),
        (
            {
                "asset_id": "550e8400-e29b-41d4-a716-446655440000",
                "asset_url": ["not", "a", "string"],
            },
            "asset_url",
        ),
    ],
)
def test_plane_mismatched_200_raises_response_validation_error(
    server: RecordingServer, twin: Twin, payload: dict[str, Any], field: str
) -> None:
    from plane.exceptions import ResponseValidationError

    body = json.dumps(payload).encode()
    server.enqueue(200, body, {"Content-Type": "application/json"})
    client, api = _plane(server, twin)
    with client, pytest.raises(ResponseValidationError) as caught:
        api.get_generic_asset("a1", "ws")
    exc = caught.value
    assert exc.operation_id == "getGenericAsset"
    assert exc.path == field
    assert exc.status == 200
    assert exc.body == body
    assert "getGenericAsset" in str(exc) and field in str(exc)


def test_plane_non_json_200_raises_response_validation_error(
    server: RecordingServer,
    twin: Twin,
) -> None:
    from plane.exceptions import ResponseValidationError

    server.enqueue(200, b"<html>maintenance</html>", {"Content-Type": "text/html"})
    client, api = _plane(server, twin)
    with client, pytest.raises(ResponseValidationError) as caught:
        api.get_generic_asset("a1", "ws")
    assert caught.value.body == b"<html>maintenance</html>"
    assert "getGenericAsset" in str(caught.value)


def test_asana_mismatched_nested_field(server: RecordingServer) -> None:
    from asana_asyncio.exceptions import ResponseValidationError

    body = json.dumps({"data": {"gid": "1", "size": "twelve"}}).encode()
    server.enqueue(200, body, {"Content-Type": "application/json"})
    with pytest.raises(ResponseValidationError) as caught:
        _asana(server, lambda api: api.get_attachment("1"))
    assert caught.value.operation_id == "getAttachment"
    assert caught.value.path == "data.size"
    assert caught.value.body == body


def test_pieces_mismatched_required_list(server: RecordingServer, twin: Twin) -> None:
    from pieces_os_client.exceptions import ResponseValidationError

    server.enqueue(200, json={"iterable": "nope"})
    client, api = _pieces(server, twin)
    with client, pytest.raises(ResponseValidationError) as caught:
        api.assets_snapshot()
    assert caught.value.operation_id == "assets_snapshot"
    assert caught.value.path == "iterable"
