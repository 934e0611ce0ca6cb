"""``clientgen diff``: what changed between two versions of an API, through two lenses, with a semver verdict.

- ``contract`` / ``http``: the HTTP contract of each spec and the checks an already-deployed client cares about.
- ``python``: the generated package's Python surface, read and compared with griffe (plus what it does not see).
- ``engine``: snapshots of both, compared into a :class:`~generator.diff.engine.Report`; the bump rules.
- ``release``: what ``clientgen build`` does with it (the version gate, the manifest's surface, the changelog).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import Report, SpecText, compare, render_sources, snapshot_pair
from .fork import forked
from .sources import SourceError, _split_rev, spec_file


@dataclass(frozen=True)
class SpecDiff:
    report: Report
    package: str
    warnings: tuple[
        int, int
    ]  # problems --lenient tolerated in the old and the new spec


def default_package(spec: str) -> str:
    """A package name from the spec's file name: ``specs/plane.yaml`` -> ``plane``."""
    split = _split_rev(spec)
    stem = Path(split[1] if split else spec).stem
    name = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "client"
    return name if not name[0].isdigit() else f"api_{name}"


def _side(spec: str, package: str, library: str, lenient: bool) -> dict[str, Any]:
    """One version, as plain data: its contract, its generated modules' sources, its text."""
    from ..build import load_spec
    from .contract import contract_of

    with spec_file(spec) as (path, display):
        doc, api = load_spec(path, lenient=lenient, display=display)
    return {
        "contract": contract_of(doc, api, package),
        "sources": render_sources(api, package, library),
        "display": doc.display,
        "text": doc.text,
        # Built while loading a document with flaws (--lenient): then lines cost nothing more.
        "marks": doc.known_marks,
        "warnings": len(api.warnings),
    }


def _marks(side: dict[str, Any]) -> dict[str, tuple[int, int]] | None:
    marks = side.get("marks")
    return {k: (v[0], v[1]) for k, v in marks.items()} if marks else None


def diff_specs(
    old: str,
    new: str,
    *,
    package: str | None = None,
    library: str = "sync",
    lenient: bool = False,
) -> SpecDiff:
    """Compare the specs ``old`` and ``new`` (files, or ``REV:PATH`` from git)."""
    name = package or default_package(new)
    old_side = forked(lambda: _side(old, name, library, lenient), f"reading {old}")
    try:
        new_data = _side(new, name, library, lenient)
    finally:
        old_data = old_side()
    old_snapshot, new_snapshot = snapshot_pair(
        (old_data["contract"], old_data["sources"]),
        (new_data["contract"], new_data["sources"]),
        name,
    )
    report = compare(
        old_snapshot,
        new_snapshot,
        old_text=SpecText(old_data["display"], old_data["text"], _marks(old_data)),
        new_text=SpecText(new_data["display"], new_data["text"], _marks(new_data)),
    )
    return SpecDiff(report, name, (old_data["warnings"], new_data["warnings"]))


__all__ = ["Report", "SourceError", "SpecDiff", "default_package", "diff_specs"]
