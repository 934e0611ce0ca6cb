"""Fixtures for wire-level tests of the generated packages: loopback recording servers and clients
configured against them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.support.recording_server import RecordingServer  # noqa: E402

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
