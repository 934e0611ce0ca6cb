"""The clientgen command line run as a user runs it: a subprocess in a given working folder, with this
checkout's generator and a small, fixed environment (no HOME unless a test gives one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def clientgen(
    *args: str,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    text: bool = True,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[Any]:
    """``python -m generator ARGS`` in ``cwd``; ``env`` adds to (or replaces) the fixed variables."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=text,
        check=False,
        timeout=timeout,
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
            **(env or {}),
        },
    )
