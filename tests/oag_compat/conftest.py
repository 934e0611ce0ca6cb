"""Packages generated from ``compat.yaml`` (a spec of our own) for the tests of OpenAPI Generator's surface
(issue 17): ``kennel`` (sync) and ``kennel_async`` (asyncio), generated once per session into a temporary
folder and imported from there."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.cli import main  # noqa: E402
from tests.support.recording_server import RecordingServer  # noqa: E402

SPEC = Path(__file__).resolve().parent / "compat.yaml"


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("oag_compat")
    for package, library in (("kennel", "sync"), ("kennel_async", "asyncio")):
        code = main(
            [
                "generate",
                str(SPEC),
                "--output",
                str(out / package),
                "--package",
                package,
                "--library",
                library,
            ]
        )
        assert code == 0
        sys.path.insert(0, str(out / package))
    yield out
    for package in ("kennel", "kennel_async"):
        sys.path.remove(str(out / package))
        for name in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def kennel(generated: Path) -> ModuleType:
    return importlib.import_module("kennel")


@pytest.fixture(scope="session")
def kennel_async(generated: Path) -> ModuleType:
    return importlib.import_module("kennel_async")


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as s:
        yield s
