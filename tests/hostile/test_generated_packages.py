"""The three generated packages against a hostile server: time, memory and the exception of each.

Margins are generous (the machine is shared): each check tells "bounded, near the limit" from "many times
the limit, or never". Memory is the growth of the client process's peak RSS during the call.
"""

from __future__ import annotations

import json
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.conftest import MIB, ROOT, Outcome, run_client
from tests.support.hostile_server import (
    HostileServer,
    Request,
    drip_body,
    endless_body,
    first_then,
    gzip_bomb,
    huge_length,
    json_answer,
    redirect,
)
from tests.support.ws_server import WsServer

GENERATED = ROOT / "generated"
DEFAULT_CAP = 256 * MIB

# How each package makes one call of an operation that returns a JSON model; CFG and CALL are the extra
# Configuration and per-call keyword arguments of a scenario.
CALLS = {
    "plane": """
        import plane

        def run():
            cfg = plane.Configuration(host=HOST, api_key={"ApiKeyAuthentication": "k"}, **CFG)
            with plane.ApiClient(cfg) as client:
                return repr(plane.AssetsApi(client).get_generic_asset("a1", "ws", **CALL))
    """,
    "pieces_os_client": """
        import pieces_os_client

        def run():
            cfg = pieces_os_client.Configuration(host=HOST, **CFG)
            with pieces_os_client.ApiClient(cfg) as client:
                return repr(pieces_os_client.AssetsApi(client).assets_snapshot(**CALL))
    """,
    "asana_asyncio": """
        import asana_asyncio

        def run():
            async def main():
                cfg = asana_asyncio.Configuration(host=HOST, access_token="t", **CFG)
                async with asana_asyncio.ApiClient(cfg) as client:
                    api = asana_asyncio.AttachmentsApi(client)
                    return repr(await api.get_attachment("1", **CALL))

            return asyncio.run(main())
    """,
}
PACKAGES = list(CALLS)


# A valid answer for each package's call, for the warm-up call made before the measured one.
HONEST = {
    "plane": {
        "asset_id": "2254f2c8-5797-40e8-ac56-41166dc0e159",
        "asset_url": "https://x/a1",
    },
    "pieces_os_client": {"iterable": []},
    "asana_asyncio": {"data": {"gid": "1"}},
}


def _call(
    package: str, server: HostileServer, cfg: str = "{}", call: str = "{}"
) -> Outcome:
    """One call of the package's operation after a warm-up call (so the growth measured is the call's,
    not the first imports'): the server answers the warm-up honestly, then with its ``behaviour``.
    """
    server.behaviour = first_then(json_answer(HONEST[package]), server.behaviour)
    setup = f"WARM_UP = True\nCFG = {cfg}\nCALL = {call}\n" + textwrap.dedent(
        CALLS[package]
    )
    outcome = run_client(setup, server.url, GENERATED / package)
    del server.requests[0]  # the warm-up
    return outcome


def _raised(outcome: Outcome, package: str, name: str) -> None:
    """The call raised ``name`` (or a subclass), a class of the package's own exception tree."""
    assert "error" in outcome, outcome
    assert name in outcome["mro"], outcome
    assert outcome["module"].startswith(package + "."), outcome
    assert "OpenApiException" in outcome["mro"], outcome


@pytest.mark.parametrize("package", PACKAGES)
def test_slow_drip_ends_near_the_timeout(package: str, hostile: HostileServer) -> None:
    hostile.behaviour = drip_body(size=100, interval=0.5)  # 50 s in all
    outcome = _call(package, hostile, call="{'_request_timeout': 1.0}")
    _raised(outcome, package, "ApiTimeoutError")
    assert 0.9 <= outcome["elapsed"] < 5, outcome


@pytest.mark.parametrize("package", PACKAGES)
def test_endless_body_stops_at_the_cap(package: str, hostile: HostileServer) -> None:
    hostile.behaviour = endless_body()
    cap = 32 * MIB
    outcome = _call(package, hostile, cfg=f"{{'max_response_bytes': {cap}}}")
    _raised(outcome, package, "ResponseTooLargeError")
    assert outcome.growth < cap + 24 * MIB, outcome
    assert outcome["elapsed"] < 30, outcome
    assert len(hostile.requests) == 1  # not retried


@pytest.mark.parametrize("package", PACKAGES)
def test_a_2_gib_content_length_fails_before_reading(
    package: str, hostile: HostileServer
) -> None:
    hostile.behaviour = huge_length(2_147_483_648)
    outcome = _call(package, hostile)  # the default cap, 256 MiB
    _raised(outcome, package, "ResponseTooLargeError")
    assert "2147483648" in outcome["message"]
    assert outcome.growth < 16 * MIB and outcome["elapsed"] < 5, outcome


@pytest.mark.parametrize("package", ["plane", "asana_asyncio"])
def test_a_gzip_bomb_stops_at_the_default_cap(
    package: str, hostile: HostileServer
) -> None:
    hostile.behaviour = gzip_bomb(1 << 30)  # about 1 MB on the wire, 1 GiB inflated
    outcome = _call(package, hostile)
    _raised(outcome, package, "ResponseTooLargeError")
    assert outcome.growth < DEFAULT_CAP + 48 * MIB, outcome
    assert outcome["elapsed"] < 60, outcome


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"n": ' + b"9" * 5_000 + b"}"],
    ids=["json-nested-100000-deep", "integer-of-5000-digits"],
)
def test_unusable_json_is_a_response_validation_error(
    package: str, body: bytes, hostile: HostileServer
) -> None:
    hostile.behaviour = json_answer(raw=body)
    outcome = _call(package, hostile)
    _raised(outcome, package, "ResponseValidationError")
    assert outcome["elapsed"] < 10, outcome


def test_an_unknown_enum_value_parses(hostile: HostileServer) -> None:
    hostile.behaviour = json_answer({"type": "A_KIND_ADDED_LATER"})
    setup = """
        import pieces_os_client

        def run():
            with pieces_os_client.ApiClient(pieces_os_client.Configuration(host=HOST)) as client:
                seed = pieces_os_client.AssetsApi(client).assets_draft(seed={"type": "SEEDED_ASSET"})
            kind = seed.type
            return [type(kind).__name__, kind.value, kind.is_known, seed.to_dict()]
    """
    outcome = run_client(setup, hostile.url, GENERATED / "pieces_os_client")
    assert outcome.get("result") == [
        "SeedTypeEnum",
        "A_KIND_ADDED_LATER",
        False,
        {"type": "A_KIND_ADDED_LATER"},
    ], outcome
    # the request still went out with a listed value
    assert json.loads(hostile.requests[0].body) == {"type": "SEEDED_ASSET"}


def _pages(make_cursor: Any, items: int) -> Any:
    """A behaviour answering page after page of Asana attachments with ``make_cursor(n)`` as the next
    offset of page ``n``."""
    count = 0

    def behave(conn: socket.socket, request: Request) -> bool:
        nonlocal count
        count += 1
        page = {
            "data": [{"gid": str(i), "name": f"a{i}"} for i in range(items)],
            "next_page": {"offset": make_cursor(count), "path": "/x", "uri": "u"},
        }
        return json_answer(page)(conn, request)

    return behave


ITERATE = """
    import asana_asyncio

    def run():
        async def main():
            cfg = asana_asyncio.Configuration(host=HOST, access_token="t")
            async with asana_asyncio.ApiClient(cfg) as client:
                api = asana_asyncio.AttachmentsApi(client)
                seen = 0
                async for _ in api.get_attachments_for_object_iter("p", **CALL):
                    seen += 1
                return seen

        return asyncio.run(main())
"""


def test_a_repeated_cursor_stops_the_iteration(hostile: HostileServer) -> None:
    hostile.behaviour = _pages(lambda n: "the-same-offset", items=2)
    outcome = run_client(
        "CALL = {}\n" + textwrap.dedent(ITERATE),
        hostile.url,
        GENERATED / "asana_asyncio",
    )
    _raised(outcome, "asana_asyncio", "PaginationError")
    assert "repeated" in outcome["message"]
    assert len(hostile.requests) == 2 and outcome["elapsed"] < 10, outcome


def test_empty_pages_with_new_cursors_stop_at_max_pages(hostile: HostileServer) -> None:
    hostile.behaviour = _pages(lambda n: f"offset-{n}", items=0)
    outcome = run_client(
        "CALL = {'_max_pages': 25}\n" + textwrap.dedent(ITERATE),
        hostile.url,
        GENERATED / "asana_asyncio",
    )
    _raised(outcome, "asana_asyncio", "PaginationError")
    assert "25 pages" in outcome["message"]
    assert len(hostile.requests) == 25


SECRET = "ws-hostile-s3cr3t"
STREAM_SYNC = """
    import {package}

    def run():
        cfg = {package}.Configuration(host=HOST)
        headers = {{"Authorization": "Bearer " + SECRET, "Cookie": "session=" + SECRET}}
        with {package}.ApiClient(cfg) as client:
            client.set_default_header("X-Pieces-Key", SECRET, sensitive=True)
            api = {package}.AssetsApi(client)
            with api.stream_assets_ws(_headers=headers) as stream:
                return [m.to_dict() for m in stream]
"""
STREAM_ASYNC = """
    import {package}

    def run():
        async def main():
            cfg = {package}.Configuration(host=HOST)
            headers = {{"Authorization": "Bearer " + SECRET, "Cookie": "session=" + SECRET}}
            async with {package}.ApiClient(cfg) as client:
                client.set_default_header("X-Pieces-Key", SECRET, sensitive=True)
                api = {package}.AssetsApi(client)
                async with api.stream_assets_ws(_headers=headers) as stream:
                    return [m.to_dict() async for m in stream]

        return asyncio.run(main())
"""


@pytest.mark.parametrize("library", ["sync", "asyncio"])
def test_a_redirected_websocket_carries_no_credential(
    library: str, hostile: HostileServer, pieces_asyncio_project: Path
) -> None:
    package, project, body, scheme = (
        ("pieces_os_client", GENERATED / "pieces_os_client", STREAM_SYNC, "ws")
        if library == "sync"
        else ("pieces_os_asyncio", pieces_asyncio_project, STREAM_ASYNC, "http")
    )
    with WsServer() as ws:
        ws.script(['{"iterable": []}'])
        hostile.behaviour = redirect(f"{scheme}://127.0.0.1:{ws.port}/elsewhere")
        setup = f"SECRET = {SECRET!r}\n" + textwrap.dedent(body.format(package=package))
        outcome = run_client(setup, hostile.url, project)
        assert outcome.get("result") == [{"iterable": []}], outcome
        (asked,) = hostile.requests
        assert asked.header("X-Pieces-Key") == SECRET  # sent to the configured host
        (handshake,) = ws.handshakes
    assert handshake.path == "/elsewhere"
    assert all(SECRET not in value for _, value in handshake.headers), handshake.headers


def test_an_honest_server_still_gets_through(hostile: HostileServer) -> None:
    hostile.behaviour = json_answer(HONEST["plane"])
    outcome = _call("plane", hostile, cfg="{'max_response_bytes': 1024}")
    assert "https://x/a1" in outcome.get("result", ""), outcome
