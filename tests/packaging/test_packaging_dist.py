"""Each generated package builds a wheel and an sdist, installs into its own fresh virtualenv, and
there makes one call per operation that reaches a local server with the right method, path, query,
headers and body, and returns the parsed result.

The wheels and the virtualenv are built once for the module (``python -m build --no-isolation`` from a
copy of ``generated/<package>``; ``pip install`` fetches the runtime dependencies, from pip's cache
after the first run). The calls run in the fresh virtualenv's interpreter (``-I``: nothing from this
checkout is importable there) and print one JSON line per operation.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.recording_server import RecordingServer  # noqa: E402

GENERATED = ROOT / "generated"
PROJECTS = {
    "plane": "plane",
    "pieces_os_client": "pieces-os-client",
    "asana_asyncio": "asana-asyncio",
}
VERSION = "1.0.0"
PY = platform.python_version()


@dataclass
class Dist:
    wheel: Path
    sdist: Path


@dataclass
class Built:
    dists: dict[str, Dist]
    python: Path  # the fresh virtualenv's interpreter


def _run(cmd: list[str], cwd: Path | None = None, timeout: float = 300) -> str:
    result = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    message = f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, message
    return result.stdout


def _build(package: str, workdir: Path) -> Dist:
    source = workdir / "src" / package
    shutil.copytree(
        GENERATED / package,
        source,
        ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache", "*.pyc"),
    )
    out = workdir / "dist" / package
    _run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(out),
            str(source),
        ]
    )
    [wheel] = out.glob("*.whl")
    [sdist] = out.glob("*.tar.gz")
    return Dist(wheel, sdist)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    workdir = tmp_path_factory.mktemp("packaging")
    venv = workdir / "venv"
    with ThreadPoolExecutor(max_workers=4) as pool:
        venv_job = pool.submit(_run, [sys.executable, "-m", "venv", str(venv)])
        jobs = {p: pool.submit(_build, p, workdir) for p in PROJECTS}
        dists = {p: job.result() for p, job in jobs.items()}
        venv_job.result()
    python = venv / "bin" / "python"
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *(str(d.wheel) for d in dists.values()),
        ],
        timeout=600,
    )
    return Built(dists, python)


# -- what was built --------------------------------------------------------------------------------


@pytest.mark.parametrize("package", PROJECTS)
def test_wheel_contents(built: Built, package: str) -> None:
    wheel = built.dists[package].wheel
    project = PROJECTS[package].replace("-", "_")
    assert wheel.name == f"{project}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(f"{project}-{VERSION}.dist-info/METADATA").decode()
    assert f"{package}/py.typed" in names
    assert f"{package}/__init__.py" in names
    assert f"{package}/_runtime/request.py" in names
    assert any(n.startswith(f"{package}/models/") for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith(("tests/", "docs/")) for n in names)
    assert f"Name: {PROJECTS[package]}" in metadata
    assert f"Version: {VERSION}" in metadata
    assert "Requires-Dist: pydantic" in metadata
    runtime = "aiohttp" if package == "asana_asyncio" else "urllib3"
    assert f"Requires-Dist: {runtime}" in metadata


@pytest.mark.parametrize("package", PROJECTS)
def test_sdist_contents(built: Built, package: str) -> None:
    sdist = built.dists[package].sdist
    project = PROJECTS[package].replace("-", "_")
    prefix = f"{project}-{VERSION}/"
    assert sdist.name == f"{project}-{VERSION}.tar.gz"
    with tarfile.open(sdist) as tf:
        names = {n.removeprefix(prefix) for n in tf.getnames()}
    assert "README.md" in names
    assert "pyproject.toml" in names
    assert f"{package}/py.typed" in names
    docs = {n for n in names if n.startswith("docs/") and n.endswith(".md")}
    docs_dir = GENERATED / package / "docs"
    expected_docs = {
        f"docs/{p.relative_to(docs_dir).as_posix()}" for p in docs_dir.rglob("*.md")
    }
    assert expected_docs and docs == expected_docs


def test_packages_import_from_the_fresh_venv(built: Built) -> None:
    script = textwrap.dedent("""
        import json, sys, plane, pieces_os_client, asana_asyncio
        print(json.dumps({m.__name__: m.__file__ for m in (plane, pieces_os_client, asana_asyncio)}))
        """)
    files = json.loads(_run([str(built.python), "-I", "-c", script]))
    venv = built.python.parent.parent.resolve()
    for package, path in files.items():
        assert Path(path).resolve().is_relative_to(venv), (package, path)
        assert "site-packages" in path


# -- one call per operation ------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


def _calls(built: Built, script: str, *args: str) -> dict[str, Any]:
    out = _run(
        [str(built.python), "-I", "-c", textwrap.dedent(script), *args], timeout=120
    )
    results: dict[str, Any] = {}
    for line in out.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            results[record["op"]] = record
    return results


def _check(
    request: Any,
    method: str,
    target: str,
    headers: dict[str, str | None],
    body: bytes = b"",
) -> None:
    assert (request.method, request.target) == (method, target)
    for name, value in headers.items():
        assert request.header(name) == value, (target, name)
    assert request.body == body, target
    if body:
        assert request.header("Content-Length") == str(len(body))


PLANE_SCRIPT = """
    import json, sys
    import plane
    from plane import EntityTypeEnum, UserAssetUploadRequest, GenericAssetUploadRequest
    from plane.exceptions import NotFoundException

    def emit(op, result):
        data = result.to_dict() if hasattr(result, "to_dict") else result
        print(json.dumps({"op": op, "type": type(result).__name__, "result": data}))

    config = plane.Configuration(host=sys.argv[1], api_key={"ApiKeyAuthentication": "key-1"})
    with plane.ApiClient(config) as client:
        api = plane.AssetsApi(client)
        emit("createGenericAssetUpload", api.create_generic_asset_upload(
            "my ws", GenericAssetUploadRequest(name="r.pdf", size=10, external_source="github")))
        emit("createUserAssetUpload", api.create_user_asset_upload(UserAssetUploadRequest(
            name="me.png", size=5, entity_type=EntityTypeEnum.USER_AVATAR)))
        emit("deleteUserAsset", api.delete_user_asset("a/1"))
        emit("getGenericAsset", api.get_generic_asset("a1", "ws"))
        emit("updateGenericAsset", api.update_generic_asset("a1", "ws", {"is_uploaded": True}))
        emit("updateUserAsset", api.update_user_asset("a1", {"attributes": {"k": "v"}}))
        try:
            api.get_generic_asset("missing", "ws")
        except NotFoundException as exc:
            emit("notFound", {"status": exc.status, "error": exc.data.error})
"""

UPLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "/api/assets/v2/static/550e8400/",
    "upload_data": {"url": "https://uploads.invalid", "fields": {"key": "k"}},
}
DOWNLOAD = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "https://dl.invalid/r.pdf",
}


def test_plane_one_call_per_operation(built: Built, server: RecordingServer) -> None:
    server.enqueue(200, json=UPLOAD)
    server.enqueue(200, json={**UPLOAD, "extra": 1})
    server.enqueue(204)
    server.enqueue(200, json=DOWNLOAD)
    server.enqueue(204)
    server.enqueue(204)
    server.enqueue(404, json={"error": "Asset not found"})
    results = _calls(built, PLANE_SCRIPT, server.url)
    common = {
        "Accept": "application/json",
        "User-Agent": f"plane/{VERSION} python/{PY}",
        "X-API-Key": "key-1",
        "Authorization": None,
    }
    json_body = {**common, "Content-Type": "application/json"}
    no_body = {**common, "Content-Type": None}
    requests = server.requests
    assert len(requests) == 7
    _check(
        requests[0],
        "POST",
        "/api/v1/workspaces/my%20ws/assets/",
        json_body,
        b'{"name":"r.pdf","size":10,"external_source":"github"}',
    )
    _check(
        requests[1],
        "POST",
        "/api/v1/assets/user-assets/",
        json_body,
        b'{"name":"me.png","size":5,"entity_type":"USER_AVATAR"}',
    )
    _check(requests[2], "DELETE", "/api/v1/assets/user-assets/a%2F1/", no_body)
    _check(requests[3], "GET", "/api/v1/workspaces/ws/assets/a1/", no_body)
    _check(
        requests[4],
        "PATCH",
        "/api/v1/workspaces/ws/assets/a1/",
        json_body,
        b'{"is_uploaded":true}',
    )
    _check(
        requests[5],
        "PATCH",
        "/api/v1/assets/user-assets/a1/",
        json_body,
        b'{"attributes":{"k":"v"}}',
    )
    assert results["createGenericAssetUpload"] == {
        "op": "createGenericAssetUpload",
        "type": "AssetUploadResponse",
        "result": UPLOAD,
    }
    assert results["createUserAssetUpload"]["result"] == {**UPLOAD, "extra": 1}
    assert results["deleteUserAsset"]["result"] is None
    assert results["getGenericAsset"]["type"] == "AssetDownloadResponse"
    assert results["getGenericAsset"]["result"] == DOWNLOAD
    assert results["updateGenericAsset"]["result"] is None
    assert results["updateUserAsset"]["result"] is None
    assert results["notFound"]["result"] == {"status": 404, "error": "Asset not found"}


ASANA_SCRIPT = """
    import asyncio, json, sys
    import asana_asyncio

    def emit(op, result):
        data = result.to_dict() if hasattr(result, "to_dict") else result
        print(json.dumps({"op": op, "type": type(result).__name__, "result": data}))

    async def main():
        config = asana_asyncio.Configuration(host=sys.argv[1], access_token="tok-1")
        async with asana_asyncio.ApiClient(config) as client:
            api = asana_asyncio.AttachmentsApi(client)
            emit("createAttachmentForObject", await api.create_attachment_for_object(
                parent="159874", file=("a.txt", b"hello"), opt_fields=["name", "size"]))
            emit("deleteAttachment", await api.delete_attachment("12 34", opt_pretty=True))
            emit("getAttachment", await api.get_attachment("1", opt_fields=["name", "parent.name"]))
            emit("getAttachmentsForObject", await api.get_attachments_for_object(
                "159874", limit=2, opt_pretty=False))
            emit("iter", [a.gid async for a in api.get_attachments_for_object_iter("9", limit=1)])

    asyncio.run(main())
"""

ATTACHMENT = {"data": {"gid": "1", "name": "a.txt", "size": 5}}


def test_asana_one_call_per_operation(built: Built, server: RecordingServer) -> None:
    server.enqueue(200, json=ATTACHMENT)
    server.enqueue(200, json={"data": {}})
    server.enqueue(200, json=ATTACHMENT)
    page = {"data": [{"gid": "1"}, {"gid": "2"}], "next_page": None}
    server.enqueue(200, json=page)
    server.enqueue(
        200,
        json={"data": [{"gid": "x"}], "next_page": {"offset": "o+2", "path": "/p"}},
    )
    server.enqueue(200, json={"data": [{"gid": "y"}], "next_page": None})
    results = _calls(built, ASANA_SCRIPT, server.url)
    common = {
        "Accept": "application/json",
        "User-Agent": f"asana-asyncio/{VERSION} python/{PY}",
        "Authorization": "Bearer tok-1",
    }
    requests = server.requests
    assert len(requests) == 6
    upload = requests[0]
    assert (upload.method, upload.target) == (
        "POST",
        "/attachments?opt_fields=name,size",
    )
    content_type = upload.header("Content-Type") or ""
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1]
    assert (
        upload.body
        == (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
            "Content-Type: application/octet-stream\r\n\r\nhello\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="parent"\r\n\r\n159874\r\n'
            f"--{boundary}--\r\n"
        ).encode()
    )
    for name, value in common.items():
        assert upload.header(name) == value
    no_body = {**common, "Content-Type": None}
    _check(requests[1], "DELETE", "/attachments/12%2034?opt_pretty=true", no_body)
    _check(requests[2], "GET", "/attachments/1?opt_fields=name,parent.name", no_body)
    _check(
        requests[3],
        "GET",
        "/attachments?opt_pretty=false&limit=2&parent=159874",
        no_body,
    )
    _check(requests[4], "GET", "/attachments?limit=1&parent=9", no_body)
    _check(requests[5], "GET", "/attachments?limit=1&offset=o%2B2&parent=9", no_body)
    assert results["createAttachmentForObject"]["type"] == "GetAttachment200Response"
    assert results["createAttachmentForObject"]["result"] == ATTACHMENT
    assert results["deleteAttachment"]["result"] == {"data": {}}
    assert results["getAttachment"]["result"] == ATTACHMENT
    assert results["getAttachmentsForObject"]["result"] == page
    assert results["iter"]["result"] == ["x", "y"]


PIECES_SCRIPT = """
    import json, sys, threading
    import pieces_os_client
    from pieces_os_client import Assets, Seed
    from websockets.sync.server import serve

    def emit(op, result, **extra):
        data = result.to_dict() if hasattr(result, "to_dict") else result
        print(json.dumps({"op": op, "type": type(result).__name__, "result": data, **extra}))

    config = pieces_os_client.Configuration(host=sys.argv[1])
    with pieces_os_client.ApiClient(config) as client:
        api = pieces_os_client.AssetsApi(client)
        emit("assets_create_new_asset", api.assets_create_new_asset(
            transferables=False, seed=Seed.from_dict({"type": "SEEDED_FORMAT"})))
        emit("assets_delete_asset", api.assets_delete_asset("2254f2c8"))
        emit("assets_draft", api.assets_draft(seed={"type": "UNKNOWN"}))
        emit("assets_get_recommended_assets", api.assets_get_recommended_assets(
            {"assets": {"iterable": []}, "interactions": {"iterable": []}}))
        emit("assets_get_related_assets", api.assets_get_related_assets(Assets(iterable=[])))
        emit("assets_identifiers_snapshot", api.assets_identifiers_snapshot(pseudo=True))
        emit("assets_pseudo_snapshot", api.assets_pseudo_snapshot())
        emit("assets_search_assets", api.assets_search_assets(query="hello world", pseudo=False))
        emit("assets_search_with_filters", api.assets_search_with_filters(
            transferables=True, assets_search_with_filters_input={"query": "q", "casing": False}))
        emit("assets_snapshot", api.assets_snapshot(suggested=True))
        emit("assets_specific_asset_formats_snapshot",
             api.assets_specific_asset_formats_snapshot("a 1"))
        emit("assets_specific_asset_snapshot", api.assets_specific_asset_snapshot("a1"))

    # The four WebSocket operations, against a local WebSocket server.
    messages = {
        "/assets/stream/identifiers": {"iterable": []},
        "/assets/stream/transferables": {"iterable": []},
        "/assets/stream": {"iterable": []},
        "/workstream/suggestions/stream": {"iterable": []},
    }
    seen = []

    def handler(ws):
        seen.append({"path": ws.request.path,
                     "user_agent": ws.request.headers.get("User-Agent")})
        ws.send(json.dumps(messages[ws.request.path]))
        ws.close()

    with serve(handler, "127.0.0.1", 0) as ws_server:
        threading.Thread(target=ws_server.serve_forever, daemon=True).start()
        port = ws_server.socket.getsockname()[1]
        ws_config = pieces_os_client.Configuration(host=f"http://127.0.0.1:{port}")
        with pieces_os_client.ApiClient(ws_config) as client:
            api = pieces_os_client.AssetsApi(client)
            for op, opener in [
                ("assets_stream_identifiers", api.assets_stream_identifiers_ws),
                ("get_assets_stream_transferables", api.get_assets_stream_transferables_ws),
                ("stream_assets", api.stream_assets_ws),
                ("workstream_suggestions_stream", api.workstream_suggestions_stream_ws),
            ]:
                with opener() as stream:
                    received = list(stream)
                emit(op, [m.to_dict() for m in received],
                     types=[type(m).__name__ for m in received], handshake=seen[-1])
        ws_server.shutdown()
"""

TS = {"value": "2024-03-18T14:07:21Z"}
FORMAT_ID = "6f1e0b5e-5a4c-4c1e-9d3b-2f6a8e1c0d01"
ASSET = {
    "id": "2254f2c8-5797-40e8-ac56-41166dc0e159",
    "creator": "u1",
    "created": TS,
    "updated": TS,
    "formats": {"iterable": []},
    "preview": {"base": {"id": FORMAT_ID}},
    "original": {"id": FORMAT_ID},
    "mechanism": "MANUAL",
}
SEARCHED = {"iterable": [], "suggested": 0, "exact": 0}


def test_pieces_one_call_per_operation(built: Built, server: RecordingServer) -> None:
    replies: list[tuple[str, Any]] = [
        ("assets_create_new_asset", ASSET),
        ("assets_delete_asset", "2254f2c8"),
        ("assets_draft", {"type": "UNKNOWN"}),
        ("assets_get_recommended_assets", {"iterable": []}),
        ("assets_get_related_assets", {"iterable": []}),
        ("assets_identifiers_snapshot", {"iterable": []}),
        ("assets_pseudo_snapshot", {}),
        ("assets_search_assets", SEARCHED),
        ("assets_search_with_filters", {"results": SEARCHED}),
        ("assets_snapshot", {"iterable": [ASSET]}),
        ("assets_specific_asset_formats_snapshot", {"iterable": []}),
        ("assets_specific_asset_snapshot", ASSET),
    ]
    for _, reply in replies:
        if isinstance(reply, str):
            server.enqueue(200, reply, {"Content-Type": "text/plain"})
        else:
            server.enqueue(200, json=reply)
    results = _calls(built, PIECES_SCRIPT, server.url)
    agent = f"pieces-os-client/{VERSION} python/{PY}"
    json_accept = {"Accept": "application/json", "User-Agent": agent}
    both_accept = {"Accept": "application/json, text/plain", "User-Agent": agent}
    json_body = {"Content-Type": "application/json"}
    no_body = {"Content-Type": None}
    expected_requests: list[tuple[str, str, dict[str, str | None], bytes]] = [
        (
            "POST",
            "/assets/create?transferables=false",
            {**json_accept, **json_body},
            b'{"type":"SEEDED_FORMAT"}',
        ),
        (
            "POST",
            "/assets/2254f2c8/delete",
            {"Accept": "text/plain", "User-Agent": agent, **no_body},
            b"",
        ),
        (
            "POST",
            "/assets/draft",
            {**both_accept, **json_body},
            b'{"type":"UNKNOWN"}',
        ),
        (
            "GET",
            "/assets/recommended",
            {**json_accept, **json_body},
            b'{"assets":{"iterable":[]},"interactions":{"iterable":[]}}',
        ),
        ("GET", "/assets/related", {**json_accept, **json_body}, b'{"iterable":[]}'),
        ("GET", "/assets/identifiers?pseudo=true", {**both_accept, **no_body}, b""),
        ("GET", "/assets/pseudo", {**both_accept, **no_body}, b""),
        (
            "GET",
            "/assets/search?query=hello%20world&pseudo=false",
            {**both_accept, **no_body},
            b"",
        ),
        (
            "POST",
            "/assets/search?transferables=true",
            {**both_accept, **json_body},
            b'{"query":"q","casing":false}',
        ),
        ("GET", "/assets?suggested=true", {**json_accept, **no_body}, b""),
        ("GET", "/assets/a%201/formats", {**json_accept, **no_body}, b""),
        ("GET", "/assets/a1", {**both_accept, **no_body}, b""),
    ]
    assert len(server.requests) == len(expected_requests)
    for request, (method, target, headers, body) in zip(
        server.requests, expected_requests, strict=True
    ):
        _check(request, method, target, headers, body)
        assert not (request.header_names() & {"authorization", "cookie"})
    for op, reply in replies:
        assert results[op]["result"] == reply, op
    assert results["assets_delete_asset"]["type"] == "str"
    assert results["assets_snapshot"]["type"] == "Assets"
    assert results["assets_specific_asset_snapshot"]["type"] == "Asset"
    streams = {
        "assets_stream_identifiers": (
            "/assets/stream/identifiers",
            "StreamedIdentifiers",
        ),
        "get_assets_stream_transferables": ("/assets/stream/transferables", "Assets"),
        "stream_assets": ("/assets/stream", "Assets"),
        "workstream_suggestions_stream": (
            "/workstream/suggestions/stream",
            "WorkstreamSuggestions",
        ),
    }
    for op, (path, type_name) in streams.items():
        record = results[op]
        assert record["handshake"] == {"path": path, "user_agent": agent}, op
        assert record["result"] == [{"iterable": []}], op
        assert record["types"] == [type_name], op
