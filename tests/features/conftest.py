"""Fixtures for the end-to-end feature tests of the generated packages: WebSocket streams, auto-pagination,
retries, lazy import and the README examples that show them.

The committed packages (``generated/<pkg>``) are on ``sys.path`` through ``tests/conftest.py``; the other
flavours (an asyncio Pieces client, a sync Asana client, a small spec of our own) are generated into a
temporary folder once per session with ``python -m generator generate`` and imported from there.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.recording_server import RecordingServer  # noqa: E402
from tests.support.ws_server import WsServer  # noqa: E402

TOKEN = "feature-token-s3cr3t"

# A spec of our own: a WebSocket operation with path, query and header parameters and API-key auth in a
# header and in the query, and a paginated operation whose cursor is a page number nested in "meta".
TICKER_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Ticker", "version": "1.0"},
    "servers": [{"url": "https://ticker.example.com/v2"}],
    "components": {
        "securitySchemes": {
            "KeyHeader": {"type": "apiKey", "in": "header", "name": "X-Ticker-Key"},
            "KeyQuery": {"type": "apiKey", "in": "query", "name": "key"},
        },
        "schemas": {
            "Tick": {
                "type": "object",
                "required": ["symbol", "price"],
                "properties": {
                    "symbol": {"type": "string"},
                    "price": {"type": "number"},
                    "venue-id": {"type": "string"},
                },
            },
            "TickPage": {
                "type": "object",
                "properties": {
                    "results": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Tick"},
                    },
                    "meta": {
                        "type": "object",
                        "properties": {"next": {"type": "integer", "nullable": True}},
                    },
                },
            },
        },
    },
    "security": [{"KeyHeader": [], "KeyQuery": []}],
    "tags": [{"name": "Ticks"}],
    "paths": {
        "/markets/{market}/ticks": {
            "get": {
                "operationId": "streamTicks",
                "tags": ["Ticks"],
                "summary": "Live ticks of a market",
                "x-websocket": True,
                "parameters": [
                    {
                        "name": "market",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                        "example": "XNAS",
                    },
                    {
                        "name": "symbols",
                        "in": "query",
                        "required": True,
                        "style": "form",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "string"}},
                        "example": ["AAPL", "MSFT"],
                    },
                    {
                        "name": "depth",
                        "in": "query",
                        "schema": {"type": "integer"},
                    },
                    {
                        "name": "X-Client-Tag",
                        "in": "header",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "one message per tick",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Tick"}
                            }
                        },
                    }
                },
            }
        },
        "/markets/{market}/history": {
            "get": {
                "operationId": "listHistory",
                "tags": ["Ticks"],
                "summary": "Past ticks, one page at a time",
                "x-pagination": {
                    "cursor-param": "page",
                    "next-cursor": "meta.next",
                    "items": "results",
                },
                "parameters": [
                    {
                        "name": "market",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                        "example": "XNAS",
                    },
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    {"name": "size", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {
                        "description": "a page",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TickPage"}
                            }
                        },
                    }
                },
            }
        },
    },
}


def generate(spec: Path, out: Path, package: str, library: str) -> Path:
    """``python -m generator generate``; returns the project folder (to put on ``sys.path``)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(spec),
            "--output",
            str(out),
            "--package",
            package,
            "--library",
            library,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return out


def _importable(project: Path) -> None:
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))


@pytest.fixture(scope="session")
def generated_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("features-generated")


@pytest.fixture(scope="session")
def pieces_asyncio(generated_root: Path) -> Any:
    """specs/pieces_os.yaml generated with ``--library asyncio`` as ``pieces_os_asyncio``."""
    project = generate(
        ROOT / "specs/pieces_os.yaml",
        generated_root / "pieces_os_asyncio",
        "pieces_os_asyncio",
        "asyncio",
    )
    _importable(project)
    import pieces_os_asyncio

    return pieces_os_asyncio


@pytest.fixture(scope="session")
def asana_sync(generated_root: Path) -> Any:
    """specs/asana.yaml generated with ``--library sync`` as ``asana_sync``."""
    project = generate(
        ROOT / "specs/asana.yaml", generated_root / "asana_sync", "asana_sync", "sync"
    )
    _importable(project)
    import asana_sync

    return asana_sync


def _ticker(generated_root: Path, library: str) -> Any:
    spec = generated_root / "ticker.json"
    spec.write_text(json.dumps(TICKER_SPEC), encoding="utf-8")
    package = f"ticker_{library}"
    project = generate(spec, generated_root / package, package, library)
    _importable(project)
    return __import__(package)


@pytest.fixture(scope="session")
def ticker_sync(generated_root: Path) -> Any:
    return _ticker(generated_root, "sync")


@pytest.fixture(scope="session")
def ticker_asyncio(generated_root: Path) -> Any:
    return _ticker(generated_root, "asyncio")


@pytest.fixture(scope="session")
def ticker_both(generated_root: Path) -> Any:
    """The ticker spec generated with ``--library both``: ``TicksApi`` and ``AsyncTicksApi``."""
    return _ticker(generated_root, "both")


EVENTS_SPEC = ROOT / "tests/features/specs/events.yaml"
"""A spec whose operations stream server-sent events (``itemSchema``, a schema with ``x-sse-sentinel``,
plain text), generated with ``--library both``."""


@pytest.fixture(scope="session")
def events_both(generated_root: Path) -> Any:
    """tests/features/specs/events.yaml generated with ``--library both`` as ``events_client``."""
    project = generate(
        EVENTS_SPEC, generated_root / "events_client", "events_client", "both"
    )
    _importable(project)
    import events_client

    return events_client


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


@pytest.fixture
def ws_server() -> Iterator[WsServer]:
    with WsServer() as srv:
        yield srv


def example_json(spec: str, model: str) -> Any:
    """A valid instance of a spec's model, as the docs generator builds it for model pages (a fresh copy)."""
    return json.loads(_example_text(spec, model))


@functools.cache
def _example_text(spec: str, model: str) -> str:
    from generator.model.build import api_from_document
    from generator.model.types import ModelRef
    from generator.parse.load import load_document
    from generator.render.docs_examples import example_data

    api = api_from_document(load_document(ROOT / spec))
    return json.dumps(example_data(ModelRef(model), model, api), default=str)
