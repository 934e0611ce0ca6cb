"""The generated packages against a hostile server on 127.0.0.1.

Each scenario runs the package in a fresh Python process (``run_client``), so its peak memory is the
kernel's own count (``VmHWM``, reset just before the call) and nothing leaks between scenarios; the
server (``tests/support/hostile_server.py``) runs in the test process. The packages are the committed
ones in ``generated/`` (plane and pieces_os_client: sync; asana_asyncio: asyncio), plus the Pieces spec
generated with ``--library asyncio`` for the asyncio WebSocket client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.hostile_server import HostileServer  # noqa: E402

MIB = 1024 * 1024

_RUNNER = """
import asyncio
import json
import sys
import time


def _status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


HOST = sys.argv[1]
{setup}

if globals().get("WARM_UP"):  # one honest call first: imports and schemas are not counted below
    run()
try:
    with open("/proc/self/clear_refs", "w") as f:  # resets VmHWM to the current RSS
        f.write("5")
except OSError:
    pass
rss = _status("VmRSS")
start = time.monotonic()
try:
    out = {{"result": run()}}
except BaseException as exc:
    kind = type(exc)
    out = {{
        "error": kind.__name__,
        "module": kind.__module__,
        "mro": [c.__name__ for c in kind.__mro__],
        "message": str(exc)[:500],
    }}
out["elapsed"] = time.monotonic() - start
out["rss_kb"] = rss
out["hwm_kb"] = _status("VmHWM")
print(json.dumps(out, default=repr))
"""


class Outcome(dict[str, Any]):
    """What one scenario printed: ``result`` or ``error`` (class name, module, MRO names, message),
    ``elapsed`` seconds, and memory before the call and at its peak."""

    @property
    def growth(self) -> int:
        """Bytes the process's peak memory grew by during the call."""
        return int(self["hwm_kb"] - self["rss_kb"]) * 1024


def run_client(setup: str, host: str, *paths: Path, timeout: float = 180) -> Outcome:
    """Run ``setup`` (which defines ``run()``) in a fresh interpreter with ``paths`` importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    env.pop("PYTHONWARNINGS", None)
    code = _RUNNER.format(setup=textwrap.dedent(setup))
    result = subprocess.run(
        [sys.executable, "-c", code, host],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-3000:]
    return Outcome(json.loads(lines[-1]))


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture(scope="session")
def pieces_asyncio_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """specs/pieces_os.yaml generated with ``--library asyncio`` (package ``pieces_os_asyncio``)."""
    out = tmp_path_factory.mktemp("hostile") / "pieces_os_asyncio"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(ROOT / "specs/pieces_os.yaml"),
            "--output",
            str(out),
            "--package",
            "pieces_os_asyncio",
            "--library",
            "asyncio",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return out
