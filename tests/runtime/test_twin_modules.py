"""The sync and asyncio modules of the runtime share no code: what both transports do lives once in the
I/O-free core (``core.py``, ``websocket.py``, ``pagination.py``), and each transport module holds only its
send loop. A run of six or more identical lines between a sync module and an asyncio one fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[2] / "generator" / "runtime"
SYNC = ("client_sync.py", "websocket_sync.py", "sse_sync.py")
ASYNC = ("client_async.py", "websocket_async.py", "sse_async.py")
RUN = 6


def _lines(path: Path) -> list[str]:
    """The module's lines without indentation, blank lines left out (they separate nothing here)."""
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def shared_runs(a: list[str], b: list[str], size: int = RUN) -> list[list[str]]:
    """Every run of ``size`` consecutive lines of ``a`` that also stands, in that order, in ``b``."""
    in_b = {tuple(b[i : i + size]) for i in range(len(b) - size + 1)}
    return [
        a[i : i + size]
        for i in range(len(a) - size + 1)
        if tuple(a[i : i + size]) in in_b
    ]


def test_shared_runs_finds_a_copied_block() -> None:
    block = [f"line {n}" for n in range(RUN)]
    assert shared_runs(["x", *block, "y"], ["z", *block]) == [block]
    assert shared_runs(["x", *block[:-1], "y"], ["z", *block]) == []


@pytest.mark.parametrize("sync", SYNC)
@pytest.mark.parametrize("asyncio", ASYNC)
def test_no_run_of_six_lines_is_shared(sync: str, asyncio: str) -> None:
    runs = shared_runs(_lines(RUNTIME / sync), _lines(RUNTIME / asyncio))
    assert runs == [], "\n---\n".join("\n".join(r) for r in runs[:3])
