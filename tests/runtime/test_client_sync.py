"""``SyncApiClient`` end to end against the loopback recording server."""

from __future__ import annotations

import gc
import socket
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Body, Endpoint, FormField, Param
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    BadRequestException,
    NotFoundException,
    ServiceException,
)
from generator.runtime.models import ApiModel
from tests.support.recording_server import RecordingServer


class Asset(ApiModel):
    id: int
    name: str


class Error(ApiModel):
    detail: str


class Configuration(BaseConfiguration):
    default_host = "https://api.invalid"
    auth_schemes = (
        AuthScheme("Token", "bearer"),
        AuthScheme("Key", "api_key", "header", "X-API-Key"),
    )


class ApiClient(SyncApiClient):
    package_name = "testpkg"
    package_version = "1.2.3"
    configuration_class = Configuration


def _types() -> dict[str, Any]:
    return {"200": Asset, "201": Asset, "204": None, "404": Error, "default": Error}


GET_ASSET = Endpoint(
    "getAsset",
    "GET",
    "/assets/{id}",
    params=(
        Param("id", "id", "path", required=True),
        Param("fields", "fields", "query", explode=False),
    ),
    accept=("application/json",),
    auth=(("Token",), ("Key",)),
    response_types=_types,
)
CREATE_ASSET = Endpoint(
    "createAsset",
    "POST",
    "/assets",
    body=Body("json", "application/json", param="asset", required=True),
    accept=("application/json",),
    auth=(("Token",),),
    response_types=_types,
)
DELETE_ASSET = Endpoint(
    "deleteAsset",
    "DELETE",
    "/assets/{id}",
    params=(Param("id", "id", "path", required=True),),
    response_types=_types,
)
GET_TEXT = Endpoint(
    "getText",
    "GET",
    "/text",
    accept=("text/plain",),
    response_types=lambda: {"200": str},
)
UPLOAD = Endpoint(
    "upload",
    "POST",
    "/upload",
    body=Body(
        "multipart",
        "multipart/form-data",
        fields=(FormField("file", "file", is_file=True), FormField("note", "note")),
    ),
    response_types=lambda: {"200": None},
)


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


@pytest.fixture
def client(server: RecordingServer) -> Iterator[ApiClient]:
    sleeps: list[float] = []
    with ApiClient(
        Configuration(host=server.url, access_token="SECRET-TOKEN")
    ) as api_client:
        api_client.sleep = sleeps.append
        yield api_client


def test_json_post_exact_bytes(server: RecordingServer, client: ApiClient) -> None:
    server.enqueue(201, json={"id": 7, "name": "é", "extra": True})
    response = client.call(CREATE_ASSET, {"asset": {"name": "é", "tags": [1, None]}})
    assert response.status_code == 201
    assert response.data == Asset.model_validate({"id": 7, "name": "é", "extra": True})
    assert response.data.model_extra == {"extra": True}
    assert response.raw_data == b'{"id": 7, "name": "\\u00e9", "extra": true}'
    (request,) = server.requests
    assert (request.method, request.target) == ("POST", "/assets")
    assert request.body == b'{"name":"\xc3\xa9","tags":[1,null]}'
    assert request.header("Content-Length") == str(len(request.body))
    assert request.header("Content-Type") == "application/json"
    assert request.header("Accept") == "application/json"
    assert request.header("Authorization") == "Bearer SECRET-TOKEN"
    assert (request.header("User-Agent") or "").startswith("testpkg/1.2.3 python/")


def test_get_with_query_and_default_header(
    server: RecordingServer, client: ApiClient
) -> None:
    client.set_default_header("X-Tenant", "t1")
    server.enqueue(200, json={"id": 1, "name": "a"})
    assert client.call(GET_ASSET, {"id": "a b/c", "fields": ["x", "y"]}).data == Asset(
        id=1, name="a"
    )
    (request,) = server.requests
    assert request.target == "/assets/a%20b%2Fc?fields=x,y"
    assert request.body == b"" and request.header("Content-Length") is None
    assert request.header("X-Tenant") == "t1"


def test_204_is_none(server: RecordingServer, client: ApiClient) -> None:
    server.enqueue(204)
    response = client.call(DELETE_ASSET, {"id": 1})
    assert response.status_code == 204 and response.data is None


def test_text_plain(server: RecordingServer, client: ApiClient) -> None:
    server.enqueue(200, "héllo", {"Content-Type": "text/plain; charset=utf-8"})
    assert client.call(GET_TEXT, {}).data == "héllo"


def test_error_with_model_and_non_json_body(
    server: RecordingServer, client: ApiClient
) -> None:
    server.enqueue(404, json={"detail": "no such asset"})
    with pytest.raises(NotFoundException) as info:
        client.call(GET_ASSET, {"id": 9})
    assert info.value.data == Error(detail="no such asset")
    assert (
        str(info.value)
        == f'GET {server.url}/assets/9 -> 404 Not Found: {{"detail": "no such asset"}}'
    )
    assert "SECRET" not in str(info.value)

    server.enqueue(400, "<html>bad</html>", {"Content-Type": "text/html"})
    with pytest.raises(BadRequestException) as bad:
        client.call(GET_ASSET, {"id": 9})
    assert bad.value.body == "<html>bad</html>" and bad.value.data is None
    assert (
        bad.value.headers is not None
        and bad.value.headers["content-type"] == "text/html"
    )

    server.enqueue(418, "teapot")
    with pytest.raises(ApiException) as other:
        client.call(GET_ASSET, {"id": 9})
    assert type(other.value) is ApiException and other.value.status == 418


def test_retries_503_for_get_not_post(
    server: RecordingServer, client: ApiClient
) -> None:
    for _ in range(3):
        server.enqueue(503, "busy")
    with pytest.raises(ServiceException):
        client.call(GET_ASSET, {"id": 1})
    assert len(server.requests) == 3  # first attempt + 2 retries

    server.requests.clear()
    server.enqueue(503, "busy", {"Retry-After": "0"})
    server.enqueue(200, json={"id": 1, "name": "a"})
    assert client.call(GET_ASSET, {"id": 1}, retries=5).data.id == 1
    assert len(server.requests) == 2

    server.requests.clear()
    server.enqueue(503, "busy")
    with pytest.raises(ServiceException):
        client.call(CREATE_ASSET, {"asset": {"name": "x"}})
    assert len(server.requests) == 1


def test_retry_after_is_honoured(server: RecordingServer) -> None:
    sleeps: list[float] = []
    with ApiClient(Configuration(host=server.url)) as client:
        client.sleep = sleeps.append
        server.enqueue(429, "slow down", {"Retry-After": "3"})
        server.enqueue(200, json={"id": 1, "name": "a"})
        client.call(GET_ASSET, {"id": 1})
    assert sleeps == [3.0]


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with ApiClient(Configuration(host=f"http://127.0.0.1:{port}", retries=1)) as client:
        sleeps: list[float] = []
        client.sleep = sleeps.append
        with pytest.raises(ApiConnectionError) as info:
            client.call(GET_ASSET, {"id": 1})
    assert not isinstance(info.value, ApiTimeoutError)
    assert (
        info.value.method == "GET"
        and info.value.url == f"http://127.0.0.1:{port}/assets/1"
    )
    assert info.value.__cause__ is not None and len(sleeps) == 1


def test_read_timeout(server: RecordingServer, client: ApiClient) -> None:
    server.enqueue(200, json={"id": 1, "name": "a"}, delay=1.0)
    with pytest.raises(ApiTimeoutError) as info:
        # each read may wait 0.2 s; connecting gets the rest (a loaded machine)
        client.call(CREATE_ASSET, {"asset": {"name": "x"}}, request_timeout=(5.0, 0.2))
    assert info.value.method == "POST" and len(server.requests) == 1


def test_dropped_connection(server: RecordingServer, client: ApiClient) -> None:
    server.enqueue(drop=True)
    with pytest.raises(ApiConnectionError):
        client.call(CREATE_ASSET, {"asset": {"name": "x"}})
    assert len(server.requests) == 1


def test_redirects_keep_credentials_only_on_the_configured_host(
    server: RecordingServer,
) -> None:
    with RecordingServer() as other:
        cfg = Configuration(
            host=server.url, access_token="SECRET", api_key={"Key": "K"}
        )
        with ApiClient(cfg) as client:
            server.enqueue(302, headers={"Location": "/assets/2"})
            server.enqueue(307, headers={"Location": f"{other.url}/elsewhere"})
            other.enqueue(200, json={"id": 2, "name": "b"})
            assert client.call(GET_ASSET, {"id": 1}).data.id == 2
    same_host, first_hop = server.requests
    assert (
        first_hop.target == "/assets/2"
        and first_hop.header("Authorization") == "Bearer SECRET"
    )
    (cross,) = other.requests
    assert cross.target == "/elsewhere"
    assert {"authorization", "cookie", "x-api-key"}.isdisjoint(cross.header_names())
    assert same_host.header("Authorization") == "Bearer SECRET"


def test_api_key_header_dropped_on_cross_host_redirect(server: RecordingServer) -> None:
    with RecordingServer() as other:
        with ApiClient(Configuration(host=server.url, api_key={"Key": "K"})) as client:
            server.enqueue(301, headers={"Location": f"{other.url}/x"})
            other.enqueue(200, json={"id": 2, "name": "b"})
            client.call(GET_ASSET, {"id": 1})
    assert server.requests[0].header("X-API-Key") == "K"
    assert other.requests[0].header("X-API-Key") is None


def test_303_turns_post_into_get(server: RecordingServer, client: ApiClient) -> None:
    server.enqueue(303, headers={"Location": "/assets/5"})
    server.enqueue(200, json={"id": 5, "name": "e"})
    assert client.call(CREATE_ASSET, {"asset": {"name": "e"}}).data.id == 5
    assert [(r.method, r.body) for r in server.requests] == [
        ("POST", b'{"name":"e"}'),
        ("GET", b""),
    ]


def _multipart_bytes(boundary: str, *parts: tuple[str, bytes]) -> bytes:
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
def test_multipart_upload(
    kind: str, tmp_path: Path, server: RecordingServer, client: ApiClient
) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n1,2\n")
    server.enqueue(200)
    if kind == "bytes":
        client.call(UPLOAD, {"file": ("report.csv", path.read_bytes()), "note": "hi"})
    elif kind == "path":
        client.call(UPLOAD, {"file": path, "note": "hi"})
    else:
        with open(path, "rb") as f:
            client.call(UPLOAD, {"file": f, "note": "hi"})
    (request,) = server.requests
    content_type = request.header("Content-Type") or ""
    boundary = content_type.split("boundary=", 1)[1]
    assert content_type == f"multipart/form-data; boundary={boundary}"
    assert request.body == _multipart_bytes(
        boundary,
        (
            'Content-Disposition: form-data; name="file"; filename="report.csv"\r\nContent-Type: text/csv',
            b"a,b\n1,2\n",
        ),
        ('Content-Disposition: form-data; name="note"', b"hi"),
    )
    assert request.header("Content-Length") == str(len(request.body))


def test_non_seekable_upload_is_chunked_and_not_retried(
    server: RecordingServer, client: ApiClient
) -> None:
    class Pipe:
        def __init__(self) -> None:
            self.chunks = [b"abc", b"def"]

        def read(self, size: int = -1) -> bytes:
            return self.chunks.pop(0) if self.chunks else b""

        def seekable(self) -> bool:
            return False

    server.enqueue(503)
    with pytest.raises(ServiceException):
        client.call(UPLOAD, {"file": Pipe()}, headers={"Idempotency-Key": "k"})
    (request,) = server.requests
    assert request.header("Transfer-Encoding") == "chunked"
    assert b"abcdef" in request.body


def test_large_upload_streams(tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(size)
    with (
        RecordingServer(store_bodies=False) as server,
        ApiClient(Configuration(host=server.url)) as client,
    ):
        server.enqueue(200)
        gc.collect()
        tracemalloc.start()
        try:
            client.call(UPLOAD, {"file": path})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        (request,) = server.requests
    assert request.body_length > size
    assert peak < 5 * 1024 * 1024, peak


def test_call_raw_is_not_preloaded(server: RecordingServer, client: ApiClient) -> None:
    server.enqueue(404, json={"detail": "x"})
    response = client.call_raw(GET_ASSET, {"id": 1})
    assert response.status == 404
    assert response.read() == b'{"detail": "x"}'
    response.release_conn()


def test_default_configuration_and_user_agent() -> None:
    client = ApiClient()
    assert client.configuration is Configuration.get_default()
    assert client.user_agent.startswith("testpkg/1.2.3 python/")
    client.user_agent = "custom/1"
    assert client.default_headers["User-Agent"] == "custom/1"
    client.close()
    with ApiClient(header_name="X-A", header_value="1", cookie="c=1") as other:
        assert other.default_headers["X-A"] == "1" and other.cookie == "c=1"
