"""``clientgen diff``: what changed between two versions of an API, through two lenses, with a semver verdict.

- ``contract`` / ``http``: the HTTP contract of each spec and the checks an already-deployed client cares about.
- ``python``: the generated package's Python surface, read and compared with griffe (plus what it does not see).
- ``engine``: snapshots of both, compared into a :class:`~generator.diff.engine.Report`; the bump rules.
- ``release``: what ``clientgen build`` does with it (the version gate, the manifest's surface, the changelog).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..load import _without_gc
from .engine import Report, SpecText, compare, render_sources, snapshot_pair

# Only `clientgen diff` forks, reads git revisions and finds lines: `clientgen build`, which imports this
# package for the release gate (release.py), does not import those modules (see the functions below).


@dataclass(frozen=True)
class SpecDiff:
    report: Report
    package: str
    # How many warnings the old and the new spec give (the flaws --lenient let through among them).
    warnings: tuple[int, int]


def default_package(spec: str) -> str:
    """A package name from the spec's file name: ``specs/plane.yaml`` -> ``plane``."""
    from .sources import _split_rev

    split = _split_rev(spec)
    stem = Path(split[1] if split else spec).stem
    name = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "client"
    return name if not name[0].isdigit() else f"api_{name}"


def _side(
    spec: str, package: str, library: str, lenient: bool
) -> tuple[dict[str, Any], Callable[[list[str]], dict[str, int]]]:
    """One version, as plain data (its contract, its generated modules' sources), and a function that
    finds the lines of pointers in it (through the YAML node tree the loader kept)."""
    from ..load import load_spec
    from .contract import contract_of
    from .lines import lines_in
    from .sources import spec_file

    with spec_file(spec) as (path, display):
        doc, api = load_spec(path, lenient=lenient, display=display, keep_node=True)
    data = {
        "contract": contract_of(doc, api, package),
        "sources": render_sources(api, package, library),
        "display": doc.display,
        "warnings": len(api.warnings),
    }

    def lines(pointers: list[str]) -> dict[str, int]:
        # doc.known_marks: built while loading a document with flaws (--lenient); then lines cost nothing
        return lines_in(doc.text, pointers, doc.known_marks, doc.node)

    return data, lines


def _prepare() -> None:
    """Import, before forking, what reading a version needs: the child then shares it rather than
    importing it again."""
    import contextlib

    from ..load import load_spec  # noqa: F401
    from ..render import plan  # noqa: F401
    from .contract import contract_of  # noqa: F401

    with contextlib.suppress(ImportError):
        import jsonschema_rs  # noqa: F401  (the validator's fast pass, when installed)


@_without_gc
def diff_specs(
    old: str,
    new: str,
    *,
    package: str | None = None,
    library: str = "sync",
    lenient: bool = False,
) -> SpecDiff:
    """Compare the specs ``old`` and ``new`` (files, or ``REV:PATH`` from git)."""
    from .fork import Forked

    name = package or default_package(new)
    _prepare()
    # The old version is read in a child while this process reads the new one; the child stays until
    # the report asks it for the lines of the old spec's pointers.
    old_side = Forked(lambda: _side(old, name, library, lenient), f"reading {old}")
    try:
        try:
            new_data, new_lines = _side(new, name, library, lenient)
        except BaseException:
            old_side.result()  # the old version's problem, when it has one, is reported first
            raise
        old_data = old_side.result()
        old_snapshot, new_snapshot = snapshot_pair(
            (old_data["contract"], old_data["sources"]),
            (new_data["contract"], new_data["sources"]),
            name,
        )
        report = compare(
            old_snapshot,
            new_snapshot,
            old_text=SpecText(old_data["display"], "", lines=old_side.ask),
            new_text=SpecText(new_data["display"], "", lines=new_lines),
        )
    finally:
        old_side.close()
    return SpecDiff(report, name, (old_data["warnings"], new_data["warnings"]))


def __getattr__(name: str) -> Any:
    if (
        name == "SourceError"
    ):  # what `clientgen diff` reports of a spec it cannot read (sources.py)
        from .sources import SourceError

        return SourceError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Report", "SourceError", "SpecDiff", "default_package", "diff_specs"]
