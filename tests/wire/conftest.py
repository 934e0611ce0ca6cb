"""Fixtures for wire-level tests of the generated packages: loopback recording servers and clients
configured against them. ``plane`` and ``pieces_os_client`` have two clients each (sync and asyncio): the
tests of those take ``twin`` and run against both."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.support.recording_server import RecordingServer  # noqa: E402
from tests.support.twins import TWINS, Twin  # noqa: E402

API_KEY = "plane-key-s3cr3t"
TOKEN = "bearer-tok-s3cr3t"


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


@pytest.fixture
def other_server() -> Iterator[RecordingServer]:
    """A second loopback server: another origin (different port)."""
    with RecordingServer() as srv:
        yield srv


@pytest.fixture(params=TWINS)
def twin(request: pytest.FixtureRequest) -> Iterator[Twin]:
    """The sync client or the asyncio twin of ``plane`` / ``pieces_os_client``: a test that takes it
    runs against both (see ``tests.support.twins``)."""
    twin = Twin(request.param)
    try:
        yield twin
    finally:
        twin.close()
