"""Compiled templates are cached in the user's cache folder (``XDG_CACHE_HOME``), and a damaged cache file can
neither break a build nor change what it writes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import ROOT, clientgen

SPEC = ROOT / "specs" / "plane.yaml"


def generate(cwd: Path, output: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return clientgen(
        "generate",
        str(SPEC),
        "--output",
        output,
        "--package",
        "plane",
        cwd=cwd,
        env={"HOME": str(cwd / "home"), "XDG_CACHE_HOME": str(cache)},
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _same_length_edit(data: bytes) -> bytes:
    """Template text inside the compiled code changed, the file otherwise intact (it still unmarshals)."""
    return data.replace(b"Client settings", b"Client sittings")


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garbage(data: bytes) -> bytes:
    return bytes(255 - b for b in data)


@pytest.mark.parametrize(
    "damage", [_same_length_edit, _truncated, _garbage], ids=lambda f: f.__name__
)
def test_a_damaged_cache_file_changes_nothing(tmp_path: Path, damage: object) -> None:
    cache = tmp_path / "cache"
    first = generate(tmp_path, "first", cache)
    assert first.returncode == 0, first.stderr
    cached = sorted((cache / "clientgen").rglob("*"))
    files = [p for p in cached if p.is_file()]
    assert files, "the compiled templates are kept under XDG_CACHE_HOME/clientgen"
    touched = 0
    for path in files:
        data = path.read_bytes()
        damaged = damage(data)  # type: ignore[operator]
        if damaged != data:
            path.write_bytes(damaged)
            touched += 1
    assert touched
    second = generate(tmp_path, "second", cache)
    assert second.returncode == 0, second.stderr
    assert tree(tmp_path / "second") == tree(tmp_path / "first")
    # Nothing of the cache lands in the project or the working folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "first", "second"]
