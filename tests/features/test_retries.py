"""Retries as the generated packages do them, attempts counted on the loopback recording server, with the
backoff scaled down through ``configuration.backoff_initial`` / ``backoff_max`` (real sleeps, no hook):
pieces_os_client (sync, urllib3), asana_asyncio (aiohttp) and a sync Asana client for uploads.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

import pytest

from tests.support.recording_server import RecordingServer

from .conftest import TOKEN

FAST = {"backoff_initial": 0.01, "backoff_max": 0.02}
SNAPSHOT = {"iterable": []}


def pieces(server: RecordingServer, **config: Any) -> Any:
    import pieces_os_client

    configuration = pieces_os_client.Configuration(
        host=server.url, **{**FAST, **config}
    )
    return pieces_os_client.ApiClient(configuration)


def snapshot(client: Any, **kwargs: Any) -> Any:
    import pieces_os_client

    with client:
        return pieces_os_client.AssetsApi(client).assets_snapshot(**kwargs)


def test_configuration_retries_default_to_two() -> None:
    import asana_asyncio
    import pieces_os_client

    assert pieces_os_client.Configuration().retries == 2
    assert asana_asyncio.Configuration().retries == 2
    configuration = pieces_os_client.Configuration()
    assert (configuration.backoff_initial, configuration.backoff_max) == (0.5, 8.0)


def test_get_on_503_retried_twice_by_default(server: RecordingServer) -> None:
    from pieces_os_client.exceptions import ServiceException

    for _ in range(5):
        server.enqueue(503, "busy", {"Content-Type": "text/plain"})
    with pytest.raises(ServiceException) as caught:
        snapshot(pieces(server))
    assert caught.value.status == 503
    assert len(server.requests) == 3  # the first attempt and 2 retries
    assert {(r.method, r.path) for r in server.requests} == {("GET", "/assets")}


def test_get_retried_until_success(server: RecordingServer) -> None:
    server.enqueue(503)
    server.enqueue(502)
    server.enqueue(200, json=SNAPSHOT)
    assert snapshot(pieces(server)).iterable == []
    assert len(server.requests) == 3


@pytest.mark.parametrize("status", [408, 429, 500, 504])
def test_retryable_statuses(status: int, server: RecordingServer) -> None:
    server.enqueue(status)
    server.enqueue(200, json=SNAPSHOT)
    snapshot(pieces(server))
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_client_errors_not_retried(status: int, server: RecordingServer) -> None:
    from pieces_os_client.exceptions import ApiException

    server.enqueue(status)
    server.enqueue(200, json=SNAPSHOT)
    with pytest.raises(ApiException):
        snapshot(pieces(server))
    assert len(server.requests) == 1


def test_configuration_retries_counts_attempts(server: RecordingServer) -> None:
    for _ in range(4):
        server.enqueue(503)
    server.enqueue(200, json=SNAPSHOT)
    snapshot(pieces(server, retries=4))
    assert len(server.requests) == 5


def test_per_call_retries_zero_disables(server: RecordingServer) -> None:
    from pieces_os_client.exceptions import ServiceException

    server.enqueue(503)
    server.enqueue(200, json=SNAPSHOT)
    with pytest.raises(ServiceException):
        snapshot(pieces(server), _retries=0)
    assert len(server.requests) == 1


def test_per_call_retries_override_configuration(server: RecordingServer) -> None:
    server.enqueue(503)
    server.enqueue(503)
    server.enqueue(503)
    server.enqueue(200, json=SNAPSHOT)
    snapshot(pieces(server, retries=0), _retries=3)
    assert len(server.requests) == 4


def test_dropped_connection_on_get_is_retried(server: RecordingServer) -> None:
    server.enqueue(drop=True)
    server.enqueue(200, json=SNAPSHOT)
    snapshot(pieces(server))
    assert len(server.requests) == 2


def test_dropped_connection_after_retries_raises_connection_error(
    server: RecordingServer,
) -> None:
    from pieces_os_client.exceptions import ApiConnectionError, ApiException

    for _ in range(3):
        server.enqueue(drop=True)
    with pytest.raises(ApiConnectionError) as caught:
        snapshot(pieces(server))
    assert not isinstance(caught.value, ApiException)
    assert len(server.requests) == 3


def test_post_not_retried_on_503_nor_on_a_dropped_connection(
    server: RecordingServer,
) -> None:
    import pieces_os_client
    from pieces_os_client.exceptions import ApiConnectionError, ServiceException

    server.enqueue(503)
    server.enqueue(drop=True)
    server.enqueue(200, json={"id": "never"})
    with pieces(server) as client:
        api = pieces_os_client.AssetsApi(client)
        with pytest.raises(ServiceException):
            api.assets_create_new_asset(seed={"type": "SEEDED_ASSET"})
        assert len(server.requests) == 1
        with pytest.raises(ApiConnectionError):
            api.assets_create_new_asset(seed={"type": "SEEDED_ASSET"})
        assert len(server.requests) == 2
    assert [r.method for r in server.requests] == ["POST", "POST"]


def test_post_with_idempotency_key_is_retried(server: RecordingServer) -> None:
    import pieces_os_client

    server.enqueue(503)
    server.enqueue(200, text := "deleted", {"Content-Type": "text/plain"})
    with pieces(server) as client:
        result = pieces_os_client.AssetsApi(client).assets_delete_asset(
            "a1", _headers={"Idempotency-Key": "del-1"}
        )
    assert result == text
    assert [r.header("Idempotency-Key") for r in server.requests] == ["del-1"] * 2


def test_backoff_grows_and_is_capped(server: RecordingServer) -> None:
    """Real sleeps: 4 retries with backoff 0.05 → 0.1 → 0.1 → 0.1 (cap), minus ≤25 % jitter."""
    for _ in range(4):
        server.enqueue(503)
    server.enqueue(200, json=SNAPSHOT)
    started = time.monotonic()
    snapshot(pieces(server, retries=4, backoff_initial=0.05, backoff_max=0.1))
    elapsed = time.monotonic() - started
    assert len(server.requests) == 5
    assert 0.75 * 0.35 <= elapsed < 5


def test_retry_after_seconds_is_honoured(server: RecordingServer) -> None:
    server.enqueue(429, headers={"Retry-After": "0.4"})
    server.enqueue(200, json=SNAPSHOT)
    started = time.monotonic()
    snapshot(pieces(server))  # backoff alone would wait ≤ 0.01 s
    assert time.monotonic() - started >= 0.4
    assert len(server.requests) == 2


def test_retry_after_http_date_is_honoured_and_capped(server: RecordingServer) -> None:
    future = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server.enqueue(503, headers={"Retry-After": future})
    server.enqueue(200, json=SNAPSHOT)
    started = time.monotonic()
    snapshot(pieces(server, retry_after_max=0.3))  # an hour, capped at 0.3 s
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 3
    assert len(server.requests) == 2


# -- uploads: a body that cannot be replayed is never retried ---------------------------------------------


@pytest.fixture
def unseekable() -> Iterator[BinaryIO]:
    """A readable, non-seekable binary file (a pipe) holding a few bytes."""
    read_end, write_end = os.pipe()
    os.write(write_end, b"streamed payload")
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        assert not f.seekable()
        yield f


def test_sync_streaming_upload_not_replayed(
    server: RecordingServer, asana_sync: Any, unseekable: BinaryIO
) -> None:
    from asana_sync.exceptions import ServiceException

    server.enqueue(503)
    configuration = asana_sync.Configuration(
        host=server.url, access_token=TOKEN, **FAST
    )
    with asana_sync.ApiClient(configuration) as client:
        api = asana_sync.AttachmentsApi(client)
        with pytest.raises(ServiceException):
            api.create_attachment_for_object(
                parent="1", file=unseekable, _headers={"Idempotency-Key": "u-1"}
            )
        assert len(server.requests) == 1  # idempotent, but the body is gone
        assert b"streamed payload" in server.requests[0].body
        # the same upload from bytes can be replayed, so it is retried
        server.enqueue(503)
        server.enqueue(200, json={"data": {"gid": "1"}})
        api.create_attachment_for_object(
            parent="1", file=b"bytes payload", _headers={"Idempotency-Key": "u-2"}
        )
    assert len(server.requests) == 3


# -- asyncio ------------------------------------------------------------------------------------------


def run_asana(server: RecordingServer, call: Any, **config: Any) -> Any:
    import asana_asyncio

    async def main() -> Any:
        configuration = asana_asyncio.Configuration(
            host=server.url, access_token=TOKEN, **{**FAST, **config}
        )
        async with asana_asyncio.ApiClient(configuration) as client:
            return await call(asana_asyncio.AttachmentsApi(client))

    return asyncio.run(main())


def test_async_get_on_503_retried(server: RecordingServer) -> None:
    server.enqueue(503)
    server.enqueue(503)
    server.enqueue(200, json={"data": {"gid": "9"}})
    result = run_asana(server, lambda api: api.get_attachment("9"))
    assert result.data.gid == "9"
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/attachments/9")
    ] * 3


def test_async_gives_up_after_configured_retries(server: RecordingServer) -> None:
    from asana_asyncio.exceptions import ServiceException

    for _ in range(3):
        server.enqueue(500)
    with pytest.raises(ServiceException):
        run_asana(server, lambda api: api.get_attachment("9"), retries=1)
    assert len(server.requests) == 2


def test_async_post_not_retried_and_retries_zero(server: RecordingServer) -> None:
    from asana_asyncio.exceptions import ServiceException

    server.enqueue(503)
    with pytest.raises(ServiceException):
        run_asana(
            server, lambda api: api.create_attachment_for_object(parent="1", file=b"x")
        )
    assert len(server.requests) == 1
    server.enqueue(503)
    with pytest.raises(ServiceException):
        run_asana(server, lambda api: api.delete_attachment("9", _retries=0))
    assert [r.method for r in server.requests] == ["POST", "DELETE"]


def test_async_retry_after_is_honoured(server: RecordingServer) -> None:
    server.enqueue(503, headers={"Retry-After": "0.3"})
    server.enqueue(200, json={"data": {"gid": "9"}})
    started = time.monotonic()
    run_asana(server, lambda api: api.get_attachment("9"))
    assert time.monotonic() - started >= 0.3
    assert len(server.requests) == 2


def test_async_streaming_upload_not_replayed(
    server: RecordingServer, unseekable: BinaryIO
) -> None:
    from asana_asyncio.exceptions import ServiceException

    server.enqueue(503)
    with pytest.raises(ServiceException):
        run_asana(
            server,
            lambda api: api.create_attachment_for_object(
                parent="1", file=unseekable, _headers={"Idempotency-Key": "u-1"}
            ),
        )
    assert len(server.requests) == 1
