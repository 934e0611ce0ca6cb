"""``clientgen diff``: what changed between two versions of an API, through two lenses, with a semver verdict.

- ``contract`` / ``http``: the HTTP contract of each spec and the checks an already-deployed client cares about.
- ``python``: the generated package's Python surface, read and compared with griffe (plus what it does not see).
- ``engine``: snapshots of both, compared into a :class:`~generator.diff.engine.Report`; the bump rules.
- ``release``: what ``clientgen build`` does with it (the version gate, the manifest's surface, the changelog).
"""

from __future__ import annotations

import json
import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, Problem, SpecError
from .engine import Report, SpecText, compare, render_sources, snapshot_pair
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
        "warnings": len(api.warnings),
    }


def _problem_data(problem: Problem) -> list[Any]:
    loc = problem.location
    return [loc.file, loc.line, loc.column, loc.pointer, problem.message]


def _forked_side(spec: str, package: str, library: str, lenient: bool) -> Any:
    """Start reading one version in a forked child (the two versions are read on two cores); returns a
    function that waits for it. Without ``os.fork``, the version is read when the function is called.
    """
    if not hasattr(os, "fork"):
        return lambda: _side(spec, package, library, lenient)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 0
        try:
            os.close(read)
            try:
                payload: dict[str, Any] = {"ok": _side(spec, package, library, lenient)}
            except SpecError as exc:
                payload = {"problems": [_problem_data(p) for p in exc.problems]}
            except SourceError as exc:
                payload = {"source": str(exc)}
            except Exception:
                payload = {"error": traceback.format_exc()}
            with os.fdopen(write, "w", encoding="utf-8") as out:
                out.write(json.dumps(payload))
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write)

    def wait() -> dict[str, Any]:
        with os.fdopen(read, "r", encoding="utf-8") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            raise RuntimeError(f"reading {spec} failed: its worker process died")
        payload = json.loads(data)
        if "problems" in payload:
            raise SpecError(
                [Problem(Location(*p[:4]), p[4]) for p in payload["problems"]]
            )
        if "source" in payload:
            raise SourceError(payload["source"])
        if "error" in payload:
            raise RuntimeError(f"reading {spec} failed:\n{payload['error']}")
        return payload["ok"]  # type: ignore[no-any-return]

    return wait


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
    old_side = _forked_side(old, name, library, lenient)
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
        old_text=SpecText(old_data["display"], old_data["text"]),
        new_text=SpecText(new_data["display"], new_data["text"]),
    )
    return SpecDiff(report, name, (old_data["warnings"], new_data["warnings"]))


__all__ = ["Report", "SourceError", "SpecDiff", "default_package", "diff_specs"]
