"""Header injection: cookie names and values are encoded, and CR, LF or NUL in any header value, header
name, multipart part header or content type is refused with ``ApiValueError`` before anything is sent, by
the sync and the asyncio client alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.client_async import AsyncApiClient
from generator.runtime.client_sync import SyncApiClient
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Body, Endpoint, FormField, Param
from generator.runtime.exceptions import ApiValueError
from generator.runtime.request import build_request
from tests.support.recording_server import RecordingServer


class Configuration(BaseConfiguration):
    default_host = "http://api.invalid"
    auth_schemes = (
        AuthScheme("Key", "api_key", "header", "X-API-Key"),
        AuthScheme("Session", "api_key", "cookie", "sid"),
        AuthScheme("Token", "bearer"),
        AuthScheme("Basic", "basic"),
    )


class SyncClient(SyncApiClient):
    configuration_class = Configuration


class AsyncClient(AsyncApiClient):
    configuration_class = Configuration


PREFS = Endpoint(
    "getPrefs",
    "GET",
    "/prefs",
    params=(
        Param("prefs", "prefs", "cookie"),  # form style, exploded: one cookie per key
        Param("theme", "theme", "cookie"),
        Param("trace", "X-Trace", "header"),
    ),
    auth=(("Key",), ("Session",), ("Token",), ("Basic",)),
    response_types=lambda: {"200": None},
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


def test_cookie_names_and_values_are_encoded() -> None:
    request = build_request(
        PREFS,
        {"prefs": {"admin=1; x": "v", "ok": "a;b"}, "theme": "dark\r\nX-Evil: 1"},
        Configuration(),
    )
    cookie = request.headers["Cookie"]
    assert cookie == "admin%3D1%3B%20x=v; ok=a%3Bb; theme=dark%0D%0AX-Evil:%201"
    pairs = [pair.split("=", 1) for pair in cookie.split("; ")]
    assert [name for name, _ in pairs] == ["admin%3D1%3B%20x", "ok", "theme"]


def test_cookie_credentials_are_encoded() -> None:
    cfg = Configuration(api_key={"Session": "s1; admin=1"})
    request = build_request(PREFS, {}, cfg)
    assert request.headers["Cookie"] == "sid=s1%3B%20admin=1"
    # an ordinary token (base64 and the like) is sent unchanged
    cfg = Configuration(api_key={"Session": "aGVsbG8+/w=="})
    assert build_request(PREFS, {}, cfg).headers["Cookie"] == "sid=aGVsbG8+/w=="


BAD = ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\x00b"]


def _calls() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(what, configuration keywords, call keywords) that each put a bad value in a header."""
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for bad in BAD:
        cases += [
            ("_headers value", {}, {"headers": {"X-Custom": bad}}),
            ("_headers name", {}, {"headers": {bad: "v"}}),
            ("api key header", {"api_key": {"Key": bad}}, {}),
            (
                "api key prefix",
                {"api_key": {"Key": "k"}, "api_key_prefix": {"Key": bad}},
                {},
            ),
            ("bearer token", {"access_token": bad}, {}),
            ("header parameter", {}, {"args": {"trace": bad}}),
        ]
    return cases


@pytest.mark.parametrize(
    "what, cfg_kwargs, call_kwargs",
    _calls(),
    ids=[f"{c[0]}-{i // 6}" for i, c in enumerate(_calls())],
)
def test_line_breaks_and_nul_in_headers_are_refused(
    what: str, cfg_kwargs: dict[str, Any], call_kwargs: dict[str, Any]
) -> None:
    args = call_kwargs.get("args", {})
    headers = call_kwargs.get("headers")
    with RecordingServer() as server:
        cfg = Configuration(host=server.url, **cfg_kwargs)
        with SyncClient(cfg) as client, pytest.raises(ApiValueError):
            client.call(PREFS, args, headers=headers)

        async def main() -> None:
            async with AsyncClient(Configuration(host=server.url, **cfg_kwargs)) as c:
                await c.call(PREFS, args, headers=headers)

        with pytest.raises(ApiValueError):
            asyncio.run(main())
        assert server.requests == []


@pytest.mark.parametrize("where", ["default header", "client cookie"])
def test_client_level_headers_are_checked_too(where: str) -> None:
    with RecordingServer() as server:
        cfg = Configuration(host=server.url)
        sync = SyncClient(cfg, cookie="a=1\r\nX-Evil: 1" if "cookie" in where else None)
        if where == "default header":
            sync.set_default_header("X-Tenant", "t\r\nX-Evil: 1")
        with sync, pytest.raises(ApiValueError):
            sync.call(PREFS, {})
        assert server.requests == []


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


@pytest.mark.parametrize(
    "file",
    [
        ("a.txt", b"x", "text/plain\r\nX-Evil: 1"),
        ("a.txt", b"x", "text/plain\x00"),
    ],
)
def test_multipart_content_types_with_line_breaks_are_refused(
    file: tuple[str, bytes, str], server: RecordingServer
) -> None:
    with SyncClient(Configuration(host=server.url)) as client:
        with pytest.raises(ApiValueError):
            client.call(UPLOAD, {"file": file})
    assert server.requests == []


def test_multipart_names_cannot_break_out_of_their_header(
    server: RecordingServer,
) -> None:
    server.enqueue(200)
    with SyncClient(Configuration(host=server.url)) as client:
        client.call(UPLOAD, {"file": ('a"\r\n\x00b.txt', b"x")})
    (request,) = server.requests
    head = request.body.split(b"\r\n\r\n", 1)[0]
    assert b"\x00" not in head and b"\r\nX" not in head
    assert b'filename="a%22%0D%0A%00b.txt"' in head
