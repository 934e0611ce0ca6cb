"""Path and query parameters as they reach the server: percent-encoding that cannot change the path,
OpenAPI ``form``/``explode: false`` arrays, booleans, and absent optionals left out."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

from .conftest import API_KEY, TOKEN

# (value, how it must appear as one encoded path segment)
HOSTILE_SEGMENTS = [
    ("a/b", "a%2Fb"),
    ("a b", "a%20b"),
    ("café-ü", "caf%C3%A9-%C3%BC"),
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("../../admin", "..%2F..%2Fadmin"),
    ("x?y=1#frag", "x%3Fy%3D1%23frag"),
    ("100%", "100%25"),
]

DOWNLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "https://example.invalid/a",
}
ATTACHMENT = {"data": {"gid": "1", "resource_type": "attachment"}}


def _plane_api(server: RecordingServer, twin: Twin):  # type: ignore[no-untyped-def]
    import plane

    client = twin.client(
        plane,
        plane.Configuration(host=server.url, api_key={"ApiKeyAuthentication": API_KEY}),
    )
    return client, twin.api(plane, "AssetsApi", client)


@pytest.mark.parametrize(("value", "encoded"), HOSTILE_SEGMENTS)
def test_plane_path_params_are_one_segment(
    server: RecordingServer, twin: Twin, value: str, encoded: str
) -> None:
    server.enqueue(200, json=DOWNLOAD)
    client, api = _plane_api(server, twin)
    with client:
        api.get_generic_asset(asset_id=value, slug=value)
    [request] = server.requests
    assert request.method == "GET"
    assert request.target == f"/api/v1/workspaces/{encoded}/assets/{encoded}/"


@pytest.mark.parametrize(("value", "encoded"), HOSTILE_SEGMENTS)
def test_plane_delete_path_param(
    server: RecordingServer, twin: Twin, value: str, encoded: str
) -> None:
    server.enqueue(204)
    client, api = _plane_api(server, twin)
    with client:
        assert api.delete_user_asset(value) is None
    assert server.requests[0].target == f"/api/v1/assets/user-assets/{encoded}/"


@pytest.mark.parametrize(("value", "encoded"), HOSTILE_SEGMENTS)
def test_asana_path_param_is_one_segment(
    server: RecordingServer, value: str, encoded: str
) -> None:
    import asana_asyncio

    async def run() -> None:
        config = asana_asyncio.Configuration(host=server.url, access_token=TOKEN)
        async with asana_asyncio.ApiClient(config) as client:
            await asana_asyncio.AttachmentsApi(client).get_attachment(value)

    server.enqueue(200, json=ATTACHMENT)
    asyncio.run(run())
    assert server.requests[0].target == f"/attachments/{encoded}"


def test_pieces_path_param_is_one_segment(server: RecordingServer, twin: Twin) -> None:
    import pieces_os_client

    server.enqueue(200, "x", {"Content-Type": "text/plain"})
    config = pieces_os_client.Configuration(host=server.url)
    with twin.client(pieces_os_client, config) as client:
        twin.api(pieces_os_client, "AssetsApi", client).assets_delete_asset("../a b/é")
    assert server.requests[0].target == "/assets/..%2Fa%20b%2F%C3%A9/delete"


def test_empty_path_param_is_refused_before_sending(
    server: RecordingServer, twin: Twin
) -> None:
    from plane.exceptions import ApiValueError

    client, api = _plane_api(server, twin)
    with client, pytest.raises(ApiValueError, match="asset_id"):
        api.delete_user_asset("")
    assert server.requests == []


# -- query -----------------------------------------------------------------------------------------


def _asana_call(server: RecordingServer, call):  # type: ignore[no-untyped-def]
    import asana_asyncio

    async def run():  # type: ignore[no-untyped-def]
        config = asana_asyncio.Configuration(host=server.url, access_token=TOKEN)
        async with asana_asyncio.ApiClient(config) as client:
            return await call(asana_asyncio.AttachmentsApi(client))

    return asyncio.run(run())


def test_asana_opt_fields_form_not_exploded(server: RecordingServer) -> None:
    """``style: form, explode: false``: one ``opt_fields=a,b,c``; the commas separating items are
    literal (RFC 6570 ``{?opt_fields}``), a comma inside an item is ``%2C`` so it stays one item.
    """
    server.enqueue(200, json=ATTACHMENT)
    _asana_call(
        server,
        lambda api: api.get_attachment(
            "1",
            opt_fields=["name", "parent.name", "created_at", "odd,item", "sp ace"],
        ),
    )
    [request] = server.requests
    assert request.path == "/attachments/1"
    assert request.query == "opt_fields=name,parent.name,created_at,odd%2Citem,sp%20ace"


def test_asana_query_booleans_ints_and_order(server: RecordingServer) -> None:
    server.enqueue(200, json={"data": [], "next_page": None})
    _asana_call(
        server,
        lambda api: api.get_attachments_for_object(
            "159874",
            opt_pretty=True,
            limit=50,
            offset="eyJ0eX+/=",
            opt_fields=["a", "b"],
        ),
    )
    [request] = server.requests
    assert request.method == "GET" and request.path == "/attachments"
    assert request.query == (
        "opt_pretty=true&limit=50&offset=eyJ0eX%2B%2F%3D&parent=159874&opt_fields=a,b"
    )
    assert request.query_params == [
        ("opt_pretty", "true"),
        ("limit", "50"),
        ("offset", "eyJ0eX+/="),
        ("parent", "159874"),
        ("opt_fields", "a,b"),
    ]


def test_asana_false_is_sent_and_none_is_omitted(server: RecordingServer) -> None:
    server.enqueue(200, json={"data": []})
    server.enqueue(200, json={"data": []})
    _asana_call(server, lambda api: api.get_attachments_for_object("7"))
    _asana_call(
        server,
        lambda api: api.get_attachments_for_object(
            "7", opt_pretty=False, limit=None, offset=None, opt_fields=None
        ),
    )
    assert server.requests[0].query == "parent=7"
    assert server.requests[1].query == "opt_pretty=false&parent=7"
    for request in server.requests:
        assert "None" not in request.target and "null" not in request.target


def test_asana_empty_opt_fields_list(server: RecordingServer) -> None:
    """An empty array in form style is ``name=`` (OpenAPI's table for an empty array is undefined;
    the runtime sends the name with an empty value rather than dropping it)."""
    server.enqueue(200, json=ATTACHMENT)
    _asana_call(server, lambda api: api.get_attachment("1", opt_fields=[]))
    assert server.requests[0].query == "opt_fields="


def test_pieces_query_booleans_and_strings(server: RecordingServer, twin: Twin) -> None:
    import pieces_os_client

    server.enqueue(200, json={"iterable": [], "suggested": 0, "exact": 0})
    server.enqueue(200, json={"iterable": []})
    config = pieces_os_client.Configuration(host=server.url)
    with twin.client(pieces_os_client, config) as client:
        api = twin.api(pieces_os_client, "AssetsApi", client)
        api.assets_search_assets(
            query="a&b=c d", transferables=False, searchable_tags="x,y", pseudo=True
        )
        api.assets_snapshot(suggested=None, pseudo=False)
    first, second = server.requests
    assert first.target == (
        "/assets/search?query=a%26b%3Dc%20d&transferables=false"
        "&searchable_tags=x%2Cy&pseudo=true"
    )
    assert second.target == "/assets?pseudo=false"


def test_pieces_no_query_string_when_all_optionals_absent(
    server: RecordingServer,
    twin: Twin,
) -> None:
    import pieces_os_client

    server.enqueue(200, json={"iterable": []})
    config = pieces_os_client.Configuration(host=server.url)
    with twin.client(pieces_os_client, config) as client:
        twin.api(pieces_os_client, "AssetsApi", client).assets_snapshot()
    assert server.requests[0].target == "/assets"
