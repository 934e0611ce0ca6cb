"""Shared fixtures: the docs that ship, read from the committed ``generated/<package>/`` (what a user gets).

Nothing here renders in memory: ``generated/`` is what the golden test proves a build reproduces byte for
byte, and a spec of a test's own is built with ``clientgen generate`` and read back from its output folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
SEEDS = (
    Path(__file__).resolve().parent / "seeds"
)  # copies of /work/shared/seeds, the reference output

PACKAGES = ("plane", "pieces_os_client", "asana_asyncio")


def read_docs(project: Path) -> dict[str, str]:
    """The Markdown of a generated project: ``README.md`` and everything under ``docs/``, by path relative
    to the project folder."""
    paths = [project / "README.md", *sorted((project / "docs").rglob("*.md"))]
    return {
        p.relative_to(project).as_posix(): p.read_text(encoding="utf-8") for p in paths
    }


def generate_docs(
    spec: Path, output: Path, package: str, library: str
) -> dict[str, str]:
    """Build ``spec`` as a user would (``clientgen generate``) and read back the Markdown it wrote."""
    code = main(
        [
            "generate",
            str(spec),
            "--output",
            str(output),
            "--package",
            package,
            "--library",
            library,
        ]
    )
    assert code == 0
    return read_docs(output)


@pytest.fixture(scope="session")
def docs() -> dict[str, dict[str, str]]:
    """package → {path relative to the project folder → Markdown}, as committed in ``generated/``."""
    return {pkg: read_docs(GENERATED / pkg) for pkg in PACKAGES}


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")
