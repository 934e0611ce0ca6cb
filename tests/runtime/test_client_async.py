"""``AsyncApiClient`` end to end against the loopback recording server (each test runs its own loop)."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import platform
import socket
import time
import tracemalloc
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_async import AsyncApiClient, Deadlines, _timeout
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Body, Endpoint, FormField, Param
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    BadRequestException,
    NotFoundException,
    ServiceException,
    UnprocessableEntityException,
)
from generator.runtime.models import ApiModel
from tests.support.recording_server import RecordingServer

T = TypeVar("T")


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


class ApiClient(AsyncApiClient):
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
        Param("q", "q", "query"),
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


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def make_client(host: str, **settings: Any) -> tuple[ApiClient, list[float]]:
    """A client whose retry waits are recorded instead of slept."""
    client = ApiClient(Configuration(host=host, **settings))
    sleeps: list[float] = []

    async def record(delay: float) -> None:
        sleeps.append(delay)

    client.sleep = record
    return client, sleeps


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


def test_json_post_exact_bytes(server: RecordingServer) -> None:
    server.enqueue(201, json={"id": 7, "name": "é", "extra": True})

    async def main() -> Any:
        client, _ = make_client(server.url, access_token="SECRET-TOKEN")
        async with client:
            return await client.call(
                CREATE_ASSET, {"asset": {"name": "é", "tags": [1, None]}}
            )

    response = run(main())
    assert response.status_code == 201
    assert response.data == Asset.model_validate({"id": 7, "name": "é", "extra": True})
    assert response.raw_data == b'{"id": 7, "name": "\\u00e9", "extra": true}'
    assert response.headers["content-type"] == "application/json"
    (request,) = server.requests
    assert (request.method, request.target) == ("POST", "/assets")
    assert request.body == b'{"name":"\xc3\xa9","tags":[1,null]}'
    assert request.header("Content-Length") == str(len(request.body))
    assert request.header("Content-Type") == "application/json"
    assert request.header("Accept") == "application/json"
    assert request.header("Authorization") == "Bearer SECRET-TOKEN"
    assert (request.header("User-Agent") or "").startswith("testpkg/1.2.3 python/")


def test_get_query_is_sent_exactly_as_serialised(server: RecordingServer) -> None:
    server.enqueue(200, json={"id": 1, "name": "a"})

    async def main() -> Any:
        client, _ = make_client(server.url)
        client.set_default_header("X-Tenant", "t1")
        async with client:
            args = {"id": "a b/c", "fields": ["x", "y"], "q": "ä&=%41'"}
            return (await client.call(GET_ASSET, args)).data

    assert run(main()) == Asset(id=1, name="a")
    (request,) = server.requests
    # No requoting by aiohttp/yarl: %41 stays encoded, ' stays %27.
    assert request.target == "/assets/a%20b%2Fc?fields=x,y&q=%C3%A4%26%3D%2541%27"
    assert request.body == b"" and request.header("Content-Length") is None
    assert request.header("X-Tenant") == "t1"


def test_204_text_and_cookie(server: RecordingServer) -> None:
    server.enqueue(204)
    server.enqueue(200, "héllo", {"Content-Type": "text/plain; charset=utf-8"})

    async def main() -> tuple[Any, Any]:
        client, _ = make_client(server.url)
        client.cookie = "session=1"
        async with client:
            deleted = await client.call(DELETE_ASSET, {"id": 1})
            text = await client.call(GET_TEXT, {})
            return deleted, text

    deleted, text = run(main())
    assert deleted.status_code == 204 and deleted.data is None
    assert text.data == "héllo"
    assert [r.header("Cookie") for r in server.requests] == ["session=1"] * 2


def test_error_statuses_map_to_exceptions(server: RecordingServer) -> None:
    server.enqueue(404, json={"detail": "no such asset"})
    server.enqueue(400, "<html>bad</html>", {"Content-Type": "text/html"})
    server.enqueue(422, json={"detail": "invalid"})
    server.enqueue(418, "teapot")
    server.enqueue(500, json={"detail": "boom"})
    caught: list[ApiException] = []

    async def main() -> None:
        client, _ = make_client(server.url, access_token="SECRET")
        async with client:
            for args in ({"id": 9}, {"id": 9}, {"id": 9}, {"id": 9}):
                try:
                    await client.call(GET_ASSET, args)
                except ApiException as exc:
                    caught.append(exc)
            try:
                await client.call(CREATE_ASSET, {"asset": {"name": "x"}})
            except ApiException as exc:
                caught.append(exc)

    run(main())
    not_found, bad, unprocessable, teapot, service = caught
    assert isinstance(not_found, NotFoundException)
    assert not_found.data == Error(detail="no such asset")
    assert (
        str(not_found)
        == f'GET {server.url}/assets/9 -> 404 Not Found: {{"detail": "no such asset"}}'
    )
    assert "SECRET" not in str(not_found)
    assert isinstance(bad, BadRequestException)
    assert bad.body == "<html>bad</html>" and bad.data is None
    assert bad.headers is not None and bad.headers["content-type"] == "text/html"
    assert isinstance(unprocessable, UnprocessableEntityException)
    assert unprocessable.data == Error(detail="invalid")
    assert type(teapot) is ApiException and teapot.status == 418
    assert isinstance(service, ServiceException) and service.data == Error(
        detail="boom"
    )
    assert service.method == "POST" and service.url == f"{server.url}/assets"


def test_retries_503_for_get_not_post(server: RecordingServer) -> None:
    for _ in range(3):
        server.enqueue(503, "busy")

    async def main() -> list[float]:
        client, sleeps = make_client(server.url)
        async with client:
            with pytest.raises(ServiceException):
                await client.call(GET_ASSET, {"id": 1})
            assert len(server.requests) == 3  # first attempt + 2 retries

            server.requests.clear()
            server.enqueue(503, "busy", {"Retry-After": "3"})
            server.enqueue(200, json={"id": 1, "name": "a"})
            assert (await client.call(GET_ASSET, {"id": 1}, retries=5)).data.id == 1
            assert len(server.requests) == 2

            server.requests.clear()
            server.enqueue(503, "busy")
            with pytest.raises(ServiceException):
                await client.call(CREATE_ASSET, {"asset": {"name": "x"}})
            assert len(server.requests) == 1
        return sleeps

    sleeps = run(main())
    assert len(sleeps) == 3
    assert 0.5 * 0.75 <= sleeps[0] <= 0.5 and 1.0 * 0.75 <= sleeps[1] <= 1.0
    assert sleeps[2] == 3.0  # Retry-After wins


def test_default_sleep_really_waits(server: RecordingServer) -> None:
    server.enqueue(503, "busy")
    server.enqueue(200, json={"id": 1, "name": "a"})

    async def main() -> float:
        cfg = Configuration(host=server.url, backoff_initial=0.05)
        async with ApiClient(cfg) as client:
            start = time.monotonic()
            await client.call(GET_ASSET, {"id": 1})
            return time.monotonic() - start

    assert run(main()) >= 0.05 * 0.75
    assert len(server.requests) == 2


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> tuple[ApiConnectionError, list[float]]:
        client, sleeps = make_client(f"http://127.0.0.1:{port}", retries=1)
        async with client:
            with pytest.raises(ApiConnectionError) as info:
                await client.call(CREATE_ASSET, {"asset": {"name": "x"}})
        return info.value, sleeps

    error, sleeps = run(main())
    assert not isinstance(error, ApiTimeoutError)
    assert error.method == "POST" and error.url == f"http://127.0.0.1:{port}/assets"
    assert str(error).startswith(f"POST http://127.0.0.1:{port}/assets: cannot connect")
    assert error.__cause__ is not None
    assert len(sleeps) == 1  # nothing was sent, so even a POST is retried


def test_read_timeout(server: RecordingServer) -> None:
    server.enqueue(200, json={"id": 1, "name": "a"}, delay=1.0)

    async def main() -> ApiTimeoutError:
        client, _ = make_client(server.url)
        async with client:
            with pytest.raises(ApiTimeoutError) as info:
                await client.call(
                    # each read may wait 0.2 s; connecting gets the rest (a loaded machine)
                    CREATE_ASSET,
                    {"asset": {"name": "x"}},
                    request_timeout=(5.0, 0.2),
                )
        return info.value

    error = run(main())
    assert error.method == "POST" and error.url == f"{server.url}/assets"
    assert isinstance(error.__cause__, asyncio.TimeoutError)
    assert len(server.requests) == 1


@pytest.mark.parametrize("own_session", [True, False])
def test_content_type_only_when_the_core_sets_one(
    server: RecordingServer, own_session: bool
) -> None:
    # aiohttp labels a bodiless POST application/octet-stream unless told not to (per request, only
    # for such a request, on either session); a JSON body keeps the type the core gave it, and a
    # hook that drops a body's Content-Type leaves it without one (as urllib3 sends it).
    bodiless = Endpoint("touch", "POST", "/touch", response_types=lambda: {"204": None})
    server.enqueue(204)
    server.enqueue(204)
    server.enqueue(201, json={"id": 1, "name": "x"})

    async def calls(client: ApiClient) -> None:
        async with client:
            await client.call(bodiless, {})
            await client.call(DELETE_ASSET, {"id": 1})
            await client.call(CREATE_ASSET, {"asset": {"name": "x"}})

    async def main() -> None:
        if own_session:
            await calls(make_client(server.url)[0])
            return
        async with aiohttp.ClientSession() as session:
            await calls(ApiClient(Configuration(host=server.url), session=session))

    run(main())
    touch, delete, create = server.requests
    assert "content-type" not in touch.header_names()
    assert "content-type" not in delete.header_names()
    assert create.header("Content-Type") == "application/json"


def test_a_body_whose_content_type_a_hook_drops_goes_without_one(
    server: RecordingServer,
) -> None:
    def drop(info: Any) -> None:
        del info.headers["Content-Type"]

    server.enqueue(201, json={"id": 1, "name": "x"})

    async def main() -> None:
        async with ApiClient(
            Configuration(host=server.url, before_send=[drop])
        ) as client:
            await client.call(CREATE_ASSET, {"asset": {"name": "x"}})

    run(main())
    (create,) = server.requests
    assert "content-type" not in create.header_names()
    assert create.body == b'{"name":"x"}'


def test_limits_no_shorter_than_the_total_are_left_to_the_total() -> None:
    # One number (the default): the total's single timer bounds every read and the connect; no
    # per-read timer is re-armed for each chunk.
    one = _timeout((60.0, 60.0, 60.0))
    assert (one.total, one.sock_connect, one.sock_read) == (60.0, None, None)
    # A (connect, read) pair: each still applies on its own, being shorter than the total.
    one = _timeout((5.0, 0.2, 5.2))
    assert (one.total, one.sock_connect, one.sock_read) == (5.2, 5.0, 0.2)
    # A retry with less time left than the read limit: the total alone bounds it.
    retry = _timeout((1.0, 1.0, 1.0))
    assert (retry.total, retry.sock_connect, retry.sock_read) == (1.0, None, None)
    # Unbuffered (no total): the per-read limit is the only one, kept.
    raw = _timeout((5.0, 0.2, None))
    assert (raw.total, raw.sock_connect, raw.sock_read) == (None, 5.0, 0.2)


def test_a_single_timeout_still_cuts_off_a_silent_server(
    server: RecordingServer,
) -> None:
    server.enqueue(200, json={"id": 1, "name": "a"}, delay=2.0)

    async def main() -> tuple[ApiTimeoutError, float]:
        client, _ = make_client(server.url)
        async with client:
            start = time.monotonic()
            with pytest.raises(ApiTimeoutError) as info:
                await client.call(
                    CREATE_ASSET, {"asset": {"name": "x"}}, request_timeout=0.3
                )
        return info.value, time.monotonic() - start

    error, took = run(main())
    assert took < 1.5
    assert error.method == "POST" and error.url == f"{server.url}/assets"
    assert len(server.requests) == 1


def test_read_timeout_is_retried_for_get(server: RecordingServer) -> None:
    server.enqueue(200, json={"id": 1, "name": "slow"}, delay=1.0)
    server.enqueue(200, json={"id": 1, "name": "fast"})

    async def main() -> Any:
        client, sleeps = make_client(server.url)
        async with client:
            response = await client.call(
                GET_ASSET, {"id": 1}, request_timeout=(1.0, 0.2)
            )
        assert len(sleeps) == 1
        return response.data

    assert run(main()) == Asset(id=1, name="fast")


def test_dropped_connection(server: RecordingServer) -> None:
    server.enqueue(drop=True)

    async def main() -> ApiConnectionError:
        client, _ = make_client(server.url)
        async with client:
            with pytest.raises(ApiConnectionError) as info:
                await client.call(CREATE_ASSET, {"asset": {"name": "x"}})
        return info.value

    error = run(main())
    assert "server closed the connection" in str(error)
    assert len(server.requests) == 1


def test_redirects_keep_credentials_only_on_the_configured_host(
    server: RecordingServer,
) -> None:
    with RecordingServer() as other:
        server.enqueue(302, headers={"Location": "/assets/2"})
        server.enqueue(307, headers={"Location": f"{other.url}/elsewhere"})
        other.enqueue(200, json={"id": 2, "name": "b"})

        async def main() -> Any:
            client, _ = make_client(
                server.url, access_token="SECRET", api_key={"Key": "K"}
            )
            client.cookie = "session=1"
            async with client:
                return (await client.call(GET_ASSET, {"id": 1})).data

        assert run(main()) == Asset(id=2, name="b")
    first, same_host = server.requests
    assert first.header("Authorization") == "Bearer SECRET"
    assert same_host.target == "/assets/2"
    assert same_host.header("Authorization") == "Bearer SECRET"
    assert same_host.header("Cookie") == "session=1"
    (cross,) = other.requests
    assert cross.target == "/elsewhere"
    assert {"authorization", "cookie", "x-api-key"}.isdisjoint(cross.header_names())


def test_api_key_dropped_on_cross_host_redirect_and_303(
    server: RecordingServer,
) -> None:
    with RecordingServer() as other:
        server.enqueue(303, headers={"Location": f"{other.url}/x"})
        other.enqueue(200, json={"id": 2, "name": "b"})

        async def main() -> None:
            client, _ = make_client(server.url, api_key={"Key": "K"})
            async with client:
                await client.call(GET_ASSET, {"id": 1})

        run(main())
    assert server.requests[0].header("X-API-Key") == "K"
    assert other.requests[0].header("X-API-Key") is None


def test_303_turns_post_into_get(server: RecordingServer) -> None:
    server.enqueue(303, headers={"Location": "/assets/5"})
    server.enqueue(200, json={"id": 5, "name": "e"})

    async def main() -> Any:
        client, _ = make_client(server.url)
        async with client:
            return (await client.call(CREATE_ASSET, {"asset": {"name": "e"}})).data

    assert run(main()).id == 5
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
def test_multipart_upload(kind: str, tmp_path: Path, server: RecordingServer) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n1,2\n")
    server.enqueue(200)

    async def main() -> None:
        client, _ = make_client(server.url)
        async with client:
            if kind == "bytes":
                file: Any = ("report.csv", path.read_bytes())
                await client.call(UPLOAD, {"file": file, "note": "hi"})
            elif kind == "path":
                await client.call(UPLOAD, {"file": path, "note": "hi"})
            else:
                with open(path, "rb") as f:
                    await client.call(UPLOAD, {"file": f, "note": "hi"})

    run(main())
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
    assert request.header("Transfer-Encoding") is None


def test_non_seekable_upload_is_chunked_and_not_retried(
    server: RecordingServer,
) -> None:
    class Pipe:
        def __init__(self) -> None:
            self.chunks = [b"abc", b"def"]

        def read(self, size: int = -1) -> bytes:
            return self.chunks.pop(0) if self.chunks else b""

        def seekable(self) -> bool:
            return False

    server.enqueue(503)

    async def main() -> None:
        client, _ = make_client(server.url)
        async with client:
            with pytest.raises(ServiceException):
                await client.call(
                    UPLOAD, {"file": Pipe()}, headers={"Idempotency-Key": "k"}
                )

    run(main())
    (request,) = server.requests
    assert request.header("Transfer-Encoding") == "chunked"
    assert request.header("Content-Length") is None
    assert b"abcdef" in request.body


def test_large_sparse_file_upload_streams(tmp_path: Path) -> None:
    size = 80 * 1024 * 1024
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(size)  # sparse: no disk blocks, reads as zeros

    async def main(url: str) -> None:
        client, _ = make_client(url)
        async with client:
            await client.call(UPLOAD, {"file": path})

    with RecordingServer(store_bodies=False) as server:
        server.enqueue(200)
        gc.collect()
        tracemalloc.start()
        try:
            run(main(server.url))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        (request,) = server.requests
    boundary = (request.header("Content-Type") or "").split("boundary=", 1)[1]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    expected = hashlib.sha256(head)
    zeros = bytes(1024 * 1024)
    for _ in range(size // len(zeros)):
        expected.update(zeros)
    expected.update(tail)
    assert request.header("Content-Length") == str(len(head) + size + len(tail))
    assert request.body_length == len(head) + size + len(tail)
    assert request.body_sha256 == expected.hexdigest()
    assert peak < 5 * 1024 * 1024, peak


def test_fifty_parallel_calls(server: RecordingServer) -> None:
    for _ in range(50):
        server.enqueue(200, json={"id": 1, "name": "x"}, delay=1.0)
    seen_when_done: list[int] = []

    async def main() -> list[Any]:
        client, _ = make_client(server.url)

        async def one(i: int) -> Any:
            response = await client.call(GET_ASSET, {"id": i})
            seen_when_done.append(len(server.requests))
            return response.data

        async with client:
            return await asyncio.gather(*(one(i) for i in range(50)))

    assert run(main()) == [Asset(id=1, name="x")] * 50
    assert sorted(r.target for r in server.requests) == sorted(
        f"/assets/{i}" for i in range(50)
    )
    # Overlapping, not one at a time: had the calls run one after another, the first answer (held for
    # 1 s by the server) would have come back before the second request was sent. No timing is asserted.
    assert min(seen_when_done) >= 5


def test_call_raw_is_not_preloaded(server: RecordingServer) -> None:
    big = b"x" * (4 * 1024 * 1024)
    server.enqueue(404, big, {"Content-Type": "application/octet-stream"})

    async def main() -> tuple[int, bool, bytes]:
        client, _ = make_client(server.url)
        async with client:
            response = await client.call_raw(GET_ASSET, {"id": 1})
            try:
                unread = not response.content.is_eof()
                return response.status, unread, await response.read()
            finally:
                response.release()

    status, unread, body = run(main())
    assert status == 404 and unread and body == big


def test_session_lifecycle_and_user_agent(server: RecordingServer) -> None:
    server.enqueue(204)
    server.enqueue(204)
    client = ApiClient()
    assert client.configuration is Configuration.get_default()
    assert client.user_agent.startswith("testpkg/1.2.3 python/")
    client.user_agent = "custom/1"
    assert client.default_headers["User-Agent"] == "custom/1"

    async def main() -> None:
        other = ApiClient(
            Configuration(host=server.url), header_name="X-A", header_value="1"
        )
        assert other.transport._session is None  # created lazily, inside the loop
        async with other:
            session = await other.session()
            assert await other.session() is session
            await other.call(DELETE_ASSET, {"id": 1})
        assert session.closed and other.transport._session is None
        await other.call(DELETE_ASSET, {"id": 2})  # a new session after close()
        await other.close()
        await client.close()  # never opened: nothing to do

    run(main())
    assert [r.header("X-A") for r in server.requests] == ["1", "1"]
    assert server.requests[0].header("User-Agent") == (
        f"testpkg/1.2.3 python/{platform.python_version()}"
    )


# -- the whole call's deadline: one timer per event loop (client_async.Deadlines) ---------------------


def test_only_the_call_past_its_deadline_times_out(server: RecordingServer) -> None:
    # Ten calls share the timer; the one whose answer is late is cancelled at its deadline and
    # raises ApiTimeoutError (from a TimeoutError, as an aiohttp timeout did); the others answer.
    for i in range(10):
        server.enqueue(200, json={"id": i, "name": "a"}, delay=3.0 if i == 4 else 0.0)

    async def main() -> list[Any]:
        client, _ = make_client(server.url)
        async with client:
            results = await asyncio.gather(
                *(
                    client.call(GET_ASSET, {"id": i}, request_timeout=1.0)
                    for i in range(10)
                ),
                return_exceptions=True,
            )
            # The task that ran a timed-out call is not left cancelled: it goes on working.
            task = asyncio.current_task()
            assert task is not None and task.cancelling() == 0
            server.enqueue(200, json={"id": 11, "name": "b"})
            results.append(await client.call(GET_ASSET, {"id": 11}))
        return results

    started = time.monotonic()
    results = run(main())
    assert time.monotonic() - started < 2.9
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], ApiTimeoutError)
    assert "within the timeout of 1 s" in str(errors[0])
    assert isinstance(errors[0].__cause__, asyncio.TimeoutError)
    assert len([r for r in results if not isinstance(r, BaseException)]) == 10


def test_a_call_cancelled_by_its_caller_stays_cancelled(
    server: RecordingServer,
) -> None:
    server.enqueue(200, json={"id": 1, "name": "a"}, delay=2.0)

    async def main() -> None:
        client, _ = make_client(server.url)
        async with client:
            with pytest.raises(asyncio.TimeoutError):
                # the caller's own, shorter limit: not the client's ApiTimeoutError
                await asyncio.wait_for(
                    client.call(GET_ASSET, {"id": 1}, request_timeout=30.0), 0.3
                )

    run(main())


def test_calls_with_one_timeout_set_one_timer_and_keep_no_finished_ones() -> None:
    async def main() -> None:
        deadlines = Deadlines(asyncio.get_running_loop())
        task = asyncio.current_task()
        assert task is not None
        first = deadlines.watch(time.monotonic() + 60, task)
        timer = deadlines.timer
        deadlines.unwatch(first)
        for _ in range(1000):
            deadlines.unwatch(deadlines.watch(time.monotonic() + 60, task))
        assert deadlines.timer is timer  # later deadlines: no new timer
        assert len(deadlines.queue) + len(deadlines.heap) <= 2
        # behind a long call, finished ones are dropped as they pile up
        long = deadlines.watch(time.monotonic() + 600, task)
        for _ in range(1000):
            deadlines.unwatch(deadlines.watch(time.monotonic() + 900, task))
        assert len(deadlines.queue) + len(deadlines.heap) <= 2 * deadlines.live + 66
        # an earlier deadline moves the timer; past it, only that task is cancelled
        victim = asyncio.create_task(asyncio.sleep(30))
        deadlines.watch(time.monotonic() + 0.05, victim)
        assert deadlines.timer is not timer
        with pytest.raises(asyncio.CancelledError):
            await victim
        assert not task.cancelled() and not long.fired
        deadlines.unwatch(long)

    run(main())


def test_deadlines_out_of_order_cancel_each_task_at_its_own() -> None:
    # Deadlines that do not come in order (a shorter timeout after longer ones) are each kept:
    # every task is cancelled once its own deadline passes, in the order of the deadlines.
    async def main() -> None:
        deadlines = Deadlines(asyncio.get_running_loop())
        cancelled: list[float] = []

        async def sleeper(delay: float) -> None:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.append(delay)
                raise

        delays = [0.3, 0.5, 0.1, 0.4, 0.2, 0.5, 60.0]
        tasks = []
        for delay in delays:
            task = asyncio.create_task(sleeper(delay))
            tasks.append(task)
            deadlines.watch(time.monotonic() + delay, task)
        await asyncio.sleep(0.8)
        assert cancelled == [0.1, 0.2, 0.3, 0.4, 0.5, 0.5]
        assert not tasks[-1].done()
        tasks[-1].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    run(main())
