"""Request bodies as sent: JSON from a model or a plain dict (same bytes, unset fields left out), a JSON
body on GET, and streamed ``multipart/form-data`` uploads (exact bytes, and a 100 MB file in bounded
memory)."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

from .conftest import API_KEY, ROOT, TOKEN

UPLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "/api/assets/v2/static/550e8400/",
    "upload_data": {"url": "https://uploads.invalid", "fields": {"key": "k"}},
}
ATTACHMENT = {"data": {"gid": "9", "name": "report.pdf", "resource_subtype": "asana"}}


def _plane_calls(server: RecordingServer, twin: Twin, *calls) -> None:  # type: ignore[no-untyped-def]
    import plane

    config = plane.Configuration(
        host=server.url, api_key={"ApiKeyAuthentication": API_KEY}
    )
    with twin.client(plane, config) as client:
        api = twin.api(plane, "AssetsApi", client)
        for call in calls:
            call(api)


# -- JSON ------------------------------------------------------------------------------------------


def test_plane_model_and_dict_bodies_send_the_same_bytes(
    server: RecordingServer, twin: Twin
) -> None:
    from plane import EntityTypeEnum, TypeEnum, UserAssetUploadRequest

    server.enqueue(200, json=UPLOAD)
    server.enqueue(200, json=UPLOAD)
    model = UserAssetUploadRequest(
        name="fötö.png",
        type=TypeEnum("image/png"),
        size=1024,
        entity_type=EntityTypeEnum.USER_AVATAR,
    )
    as_dict = {
        "name": "fötö.png",
        "type": "image/png",
        "size": 1024,
        "entity_type": "USER_AVATAR",
    }
    _plane_calls(
        server,
        twin,
        lambda api: api.create_user_asset_upload(model),
        lambda api: api.create_user_asset_upload(as_dict),
    )
    from_model, from_dict = server.requests
    expected = (
        '{"name":"fötö.png","type":"image/png","size":1024,"entity_type":"USER_AVATAR"}'
    )
    assert from_model.body == expected.encode("utf-8")
    assert from_dict.body == from_model.body
    for request in server.requests:
        assert (request.method, request.target) == (
            "POST",
            "/api/v1/assets/user-assets/",
        )
        assert request.header("Content-Type") == "application/json"
        assert request.header("Content-Length") == str(len(expected.encode("utf-8")))


def test_plane_unset_optional_fields_are_not_sent(
    server: RecordingServer, twin: Twin
) -> None:
    from plane import (
        EntityTypeEnum,
        GenericAssetUploadRequest,
        PatchedAssetUpdateRequest,
        PatchedGenericAssetUpdateRequest,
    )

    server.enqueue(200, json=UPLOAD)
    server.enqueue(204)
    server.enqueue(204)
    server.enqueue(204)
    _plane_calls(
        server,
        twin,
        lambda api: api.create_generic_asset_upload(
            "ws", GenericAssetUploadRequest(name="a.bin", size=0)
        ),
        lambda api: api.update_generic_asset(
            "a1", "ws", PatchedGenericAssetUpdateRequest()
        ),
        lambda api: api.update_user_asset(
            "a1",
            PatchedAssetUpdateRequest(
                attributes={"k": [1, None]}, entity_type=EntityTypeEnum.USER_COVER
            ),
        ),
        lambda api: api.update_generic_asset(
            "a1", "ws", PatchedGenericAssetUpdateRequest(is_uploaded=False)
        ),
    )
    create, empty_patch, user_patch, false_patch = server.requests
    assert create.target == "/api/v1/workspaces/ws/assets/"
    assert create.body == b'{"name":"a.bin","size":0}'
    assert empty_patch.body == b"{}"
    assert empty_patch.header("Content-Type") == "application/json"
    assert (
        user_patch.body == b'{"attributes":{"k":[1,null]},"entity_type":"USER_COVER"}'
    )
    assert false_patch.body == b'{"is_uploaded":false}'


def test_pieces_json_body_on_get(server: RecordingServer, twin: Twin) -> None:
    """``assets_get_related_assets`` is a GET with a JSON body: the body is sent, with its headers."""
    import pieces_os_client
    from pieces_os_client import Assets

    server.enqueue(200, json={"iterable": []})
    server.enqueue(200, json={"iterable": []})
    with twin.client(
        pieces_os_client, pieces_os_client.Configuration(host=server.url)
    ) as client:
        api = twin.api(pieces_os_client, "AssetsApi", client)
        result = api.assets_get_related_assets(Assets(iterable=[]))
        api.assets_get_related_assets({"iterable": []})
    assert isinstance(result, Assets) and result.iterable == []
    for request in server.requests:
        assert (request.method, request.target) == ("GET", "/assets/related")
        assert request.body == b'{"iterable":[]}'
        assert request.header("Content-Type") == "application/json"
        assert request.header("Content-Length") == "15"


def test_pieces_optional_body_absent_sends_nothing(
    server: RecordingServer, twin: Twin
) -> None:
    import pieces_os_client

    server.enqueue(200, json={"iterable": []})
    with twin.client(
        pieces_os_client, pieces_os_client.Configuration(host=server.url)
    ) as client:
        twin.api(pieces_os_client, "AssetsApi", client).assets_get_related_assets()
    [request] = server.requests
    assert request.body == b""
    assert request.header("Content-Type") is None


def test_pieces_seed_model_by_alias(server: RecordingServer, twin: Twin) -> None:
    import pieces_os_client
    from pieces_os_client.models.seed import Seed
    from pieces_os_client.models.seed_type_enum import SeedTypeEnum

    server.enqueue(200, json={"type": "UNKNOWN"})
    server.enqueue(200, json={"type": "UNKNOWN"})
    with twin.client(
        pieces_os_client, pieces_os_client.Configuration(host=server.url)
    ) as client:
        api = twin.api(pieces_os_client, "AssetsApi", client)
        drafted = api.assets_draft(True, Seed(type=SeedTypeEnum.SEEDED_FORMAT))
        api.assets_draft(seed={"type": "SEEDED_FORMAT"})
    assert drafted.type == SeedTypeEnum.UNKNOWN
    first, second = server.requests
    assert first.target == "/assets/draft?transferables=true"
    assert first.body == second.body == b'{"type":"SEEDED_FORMAT"}'


# -- multipart -------------------------------------------------------------------------------------


def _asana_upload(server: RecordingServer, **kwargs: Any) -> Any:
    import asana_asyncio

    async def run() -> Any:
        config = asana_asyncio.Configuration(host=server.url, access_token=TOKEN)
        async with asana_asyncio.ApiClient(config) as client:
            return await asana_asyncio.AttachmentsApi(
                client
            ).create_attachment_for_object(**kwargs)

    return asyncio.run(run())


def _boundary(content_type: str | None) -> str:
    assert content_type is not None
    match = re.fullmatch(
        r"multipart/form-data; boundary=([0-9A-Za-z'()+_,\-./:=?]+)", content_type
    )
    assert match, content_type
    return match.group(1)


def _expected_multipart(boundary: str, parts: list[tuple[str, bytes]]) -> bytes:
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n{headers}\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def _check_upload(server: RecordingServer, filename: str, content: bytes) -> None:
    [request] = server.requests
    assert (request.method, request.target) == (
        "POST",
        "/attachments?opt_fields=name,size",
    )
    assert request.header("Authorization") == f"Bearer {TOKEN}"
    assert request.header("Accept") == "application/json"
    boundary = _boundary(request.header("Content-Type"))
    expected = _expected_multipart(
        boundary,
        [
            ('Content-Disposition: form-data; name="resource_subtype"\r\n', b"asana"),
            (
                'Content-Disposition: form-data; name="file"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n',
                content,
            ),
            ('Content-Disposition: form-data; name="parent"\r\n', b"159874"),
            ('Content-Disposition: form-data; name="name"\r\n', "répört.txt".encode()),
            ('Content-Disposition: form-data; name="connect_to_app"\r\n', b"false"),
        ],
    )
    assert request.body == expected
    assert request.header("Content-Length") == str(len(expected))
    assert request.header("Transfer-Encoding") is None


UPLOAD_ARGS = {
    "parent": "159874",
    "opt_fields": ["name", "size"],
    "resource_subtype": "asana",
    "name": "répört.txt",
    "connect_to_app": False,
}
CONTENT = b"line 1\r\n--not-a-boundary\r\n\x00\xff binary"


def test_asana_multipart_from_bytes(server: RecordingServer) -> None:
    server.enqueue(200, json=ATTACHMENT)
    result = _asana_upload(server, file=CONTENT, **UPLOAD_ARGS)
    assert result.data.gid == "9" and result.data.name == "report.pdf"
    _check_upload(server, "file", CONTENT)


def test_asana_multipart_from_path(server: RecordingServer, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(CONTENT)
    server.enqueue(200, json=ATTACHMENT)
    _asana_upload(server, file=str(path), **UPLOAD_ARGS)
    _check_upload(server, "notes.txt", CONTENT)
    server.requests.clear()
    server.enqueue(200, json=ATTACHMENT)
    _asana_upload(server, file=path, **UPLOAD_ARGS)  # os.PathLike
    _check_upload(server, "notes.txt", CONTENT)


def test_asana_multipart_from_open_file(
    server: RecordingServer, tmp_path: Path
) -> None:
    path = tmp_path / "scan.bin"
    path.write_bytes(b"HEADER" + CONTENT)
    server.enqueue(200, json=ATTACHMENT)
    with open(path, "rb") as f:
        f.seek(6)  # sent from the current position
        _asana_upload(server, file=f, **UPLOAD_ARGS)
        assert not f.closed
    _check_upload(server, "scan.bin", CONTENT)


def test_asana_multipart_from_tuple(server: RecordingServer) -> None:
    server.enqueue(200, json=ATTACHMENT)
    _asana_upload(server, parent="1", file=('a"b.png', b"PNG", "image/png"))
    [request] = server.requests
    boundary = _boundary(request.header("Content-Type"))
    assert request.body == _expected_multipart(
        boundary,
        [
            (
                'Content-Disposition: form-data; name="file"; filename="a%22b.png"\r\n'
                "Content-Type: image/png\r\n",
                b"PNG",
            ),
            ('Content-Disposition: form-data; name="parent"\r\n', b"1"),
        ],
    )
    assert request.target == "/attachments"


def test_asana_multipart_external_link_without_file(server: RecordingServer) -> None:
    server.enqueue(200, json=ATTACHMENT)
    _asana_upload(
        server,
        parent="1",
        resource_subtype="external",
        url="https://example.com/x.pdf",
        name="x.pdf",
    )
    [request] = server.requests
    boundary = _boundary(request.header("Content-Type"))
    assert request.body == _expected_multipart(
        boundary,
        [
            (
                'Content-Disposition: form-data; name="resource_subtype"\r\n',
                b"external",
            ),
            ('Content-Disposition: form-data; name="parent"\r\n', b"1"),
            (
                'Content-Disposition: form-data; name="url"\r\n',
                b"https://example.com/x.pdf",
            ),
            ('Content-Disposition: form-data; name="name"\r\n', b"x.pdf"),
        ],
    )


# -- 100 MB upload in bounded memory ---------------------------------------------------------------

SIZE = 100 * 1024 * 1024


@pytest.fixture
def sparse_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(SIZE)
    return path


def test_asana_100mb_upload_tracemalloc(sparse_file: Path) -> None:
    server = RecordingServer(store_bodies=False)
    with server:
        server.enqueue(200, json=ATTACHMENT)
        gc.collect()
        tracemalloc.start()
        try:
            _asana_upload(server, parent="1", file=sparse_file)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    [request] = server.requests
    boundary = _boundary(request.header("Content-Type"))
    assert request.header("Transfer-Encoding") is None
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    tail = f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n1\r\n--{boundary}--\r\n'
    assert request.body_length == SIZE + len(head) + len(tail)
    assert request.header("Content-Length") == str(request.body_length)
    expected = hashlib.sha256(head.encode())
    block = bytes(1024 * 1024)
    for _ in range(SIZE // len(block)):
        expected.update(block)
    expected.update(tail.encode())
    assert request.body_sha256 == expected.hexdigest()
    assert peak < 16 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB"


_RSS_SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    import asana_asyncio
    from asana_asyncio.models.get_attachment200_response import GetAttachment200Response

    def status_kib(field):
        # VmRSS now, VmHWM the peak since exec. (ru_maxrss is not used: Linux carries it over from the
        # forked copy of the parent, so a large pytest process would show up as this script's peak.)
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise RuntimeError(field + " not in /proc/self/status")

    async def main():
        config = asana_asyncio.Configuration(host=sys.argv[3], access_token="t")
        async with asana_asyncio.ApiClient(config) as client:
            api = asana_asyncio.AttachmentsApi(client)
            # warm up imports, the session and model building with a small upload
            await api.create_attachment_for_object(parent="1", file=b"x")
            before = status_kib("VmRSS")
            await api.create_attachment_for_object(parent="1", file=sys.argv[4])
        peak = status_kib("VmHWM")
        print(json.dumps({"before": before, "peak": peak}))

    asyncio.run(main())
    """)


def test_asana_100mb_upload_rss_in_subprocess(sparse_file: Path) -> None:
    server = RecordingServer(store_bodies=False)
    with server:
        server.enqueue(200, json=ATTACHMENT)
        server.enqueue(200, json=ATTACHMENT)
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _RSS_SCRIPT,
                os.path.join(ROOT, "generated", "asana_asyncio"),
                ROOT,
                server.url,
                str(sparse_file),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    grown_mib = (numbers["peak"] - numbers["before"]) / 1024
    assert server.requests[1].body_length > SIZE
    assert grown_mib < 25, f"RSS grew by {grown_mib:.1f} MiB for a 100 MiB upload"
