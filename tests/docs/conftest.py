"""Shared fixtures: the docs of the three build targets, rendered once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import Target
from generator.model.build import api_from_document
from generator.parse.load import load_document
from generator.render.docs import doc_files

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (
    Path(__file__).resolve().parent / "seeds"
)  # copies of /work/shared/seeds, the reference output

TARGETS = {
    "plane": ("specs/plane.yaml", "sync"),
    "pieces_os_client": ("specs/pieces_os.yaml", "sync"),
    "asana_asyncio": ("specs/asana.yaml", "asyncio"),
}


def render_docs(spec: Path, package: str, library: str) -> dict[str, str]:
    api = api_from_document(load_document(spec))
    target = Target(spec, package, library)  # type: ignore[arg-type]
    files = doc_files(api, target)
    assert len({f.path for f in files}) == len(files), "two doc files share a path"
    return {f.path: str(f.content) for f in files}


@pytest.fixture(scope="session")
def docs() -> dict[str, dict[str, str]]:
    """package → {path relative to the project folder → Markdown}."""
    return {
        pkg: render_docs(ROOT / spec, pkg, lib) for pkg, (spec, lib) in TARGETS.items()
    }


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")
