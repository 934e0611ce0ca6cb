"""Shared test setup: the generated packages are importable straight from generated/."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
PACKAGES = ("plane", "pieces_os_client", "asana_asyncio")

for _package in PACKAGES:
    _path = str(GENERATED / _package)
    if _path not in sys.path:
        sys.path.insert(0, _path)
