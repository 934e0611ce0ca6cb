"""tests/docs/seeds is a copy of the shared seed documents, so the tests run without ../shared; it must not drift."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "seeds"
COPY = ROOT / "tests" / "docs" / "seeds"


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/seeds is not beside this checkout"
)
def test_seed_copy_equals_the_shared_seeds() -> None:
    shared = {p.name: p.read_bytes() for p in SHARED.iterdir() if p.is_file()}
    copy = {p.name: p.read_bytes() for p in COPY.iterdir() if p.is_file()}
    assert copy == shared
