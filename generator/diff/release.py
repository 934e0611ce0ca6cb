"""What ``clientgen build`` does with the diff: the version gate, the surface in the manifest, the changelog.

The manifest of each generated project records the version it was built as and the *surface* of that build
(the HTTP contract and the Python surface). When the spec changes, the new build is compared with that
surface; the target's ``version`` must have moved at least as far as the verdict says (major for breaking
changes, or minor below 1.0), or the target is not written. ``CHANGELOG.md`` gets a section for each new
version, built from the same comparison; the sections of earlier versions are kept as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..config import Target
from ..model.api import Api
from ..parse.load import Document
from .change import Change
from .contract import ContractCache, contract_of
from .engine import (
    Report,
    SpecText,
    bump_between,
    bump_for,
    compare,
    enough,
    release_of,
    stored,
)
from .python import module_sources, surface_of

CHANGELOG = "CHANGELOG.md"
_SHOWN = 5  # breaking changes named in the gate's message


class ReleaseError(Exception):
    """The target's version did not move as far as its changes need; nothing was written."""


def manifest_data(output: Path, name: str) -> dict[str, Any]:
    try:
        data = json.loads((output / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def next_version(version: str, bump: str) -> str:
    major, minor, patch = release_of(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def check_version(target: Target, previous: str, report: Report) -> None:
    """Raise ReleaseError when ``target.version`` has not moved from ``previous`` as far as ``report`` needs."""
    if report.verdict == "none":
        return
    needed = bump_for(report.verdict, previous)
    moved = bump_between(previous, target.version)
    if enough(moved, needed):
        return
    how = (
        "went backwards"
        if moved is None
        else "did not change" if moved == "none" else f"moved only a {moved} step"
    )
    lines = [
        f"{target.package}: the spec changed and needs a {needed} version bump "
        f"(verdict: {report.verdict}), but version {target.version} {how} from {previous}: "
        f"set `version` in [tool.clientgen] to {next_version(previous, needed)} or later"
    ]
    breaking = report.breaking or list(report.changes)
    title = "breaking changes" if report.breaking else "changes"
    lines.append(f"first {title} ({min(len(breaking), _SHOWN)} of {len(breaking)}):")
    for change in breaking[:_SHOWN]:
        where = change.new or change.old
        at = ""
        if where is not None:
            place = f"{where.file}:{where.line} " if where.file and where.line else ""
            at = f" ({place}{where.pointer})"
        lines.append(f"  - [{change.kind.id}] {change.message}{at}")
    lines.append("run `clientgen diff OLD NEW` for the whole report")
    raise ReleaseError("\n".join(lines))


# -- the changelog --------------------------------------------------------------------------------------
_HEADER = """# Changelog

All notable changes to this package are documented in this file, newest first. The format follows
[Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and versions follow
[Semantic Versioning](https://semver.org/spec/v2.0.0.html). Each section is written by clientgen when the
package is built at a new version, from the comparison of the API with the previous build.
"""
_SECTION = re.compile(r"^## \[([^\]]+)\]", re.M)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _items(changes: list[Change]) -> list[str]:
    """One line per change: the HTTP lens, then what only the Python lens saw."""
    named = {c.object for c in changes if c.kind.lens == "http" and c.object}
    out = []
    for change in changes:
        if change.kind.lens == "python" and change.object in named:
            continue
        obj = f" (`{change.object}`)" if change.object else ""
        out.append(f"- {_md(change.message)}{obj}")
    return out


def section(version: str, api: Api, report: Report | None) -> str:
    lines = [f"## [{version}]", ""]
    lines.append(
        f"Generated from {_md(api.title)} {_md(api.version)} (the spec's `info.version`)."
    )
    if report is None:
        lines += [
            "",
            "### Added",
            "",
            f"- The first version of the client for {_md(api.title)}.",
        ]
    elif not report.changes:
        lines += ["", "No change to the API that a user can see."]
    else:
        for group, title in (
            ("breaking", "Breaking"),
            ("added", "Added"),
            ("changed", "Changed"),
        ):
            items = _items(report.group(group))
            if items:
                lines += ["", f"### {title}", "", *items]
    return "\n".join(lines) + "\n"


def changelog(
    existing: str | None, version: str, api: Api, report: Report | None
) -> str:
    """The changelog with a section for ``version`` on top (unchanged when it already has one)."""
    if existing:
        first = _SECTION.search(existing)
        if first is not None and first.group(1) == version:
            return existing
        head = existing[: first.start()] if first else existing
        rest = existing[first.start() :] if first else ""
        return (
            head.rstrip("\n")
            + "\n\n"
            + section(version, api, report)
            + ("\n" + rest if rest else "")
        )
    return _HEADER + "\n" + section(version, api, report)


# -- one build ------------------------------------------------------------------------------------------
def release_outputs(
    target: Target,
    doc: Document,
    api: Api,
    files: list[Any],
    output: Path,
    previous: dict[str, Any],
    spec_hash: str,
    *,
    gate: bool,
    contracts: ContractCache | None = None,
    surfaces: dict[str, Any] | None = None,
    record: bool = True,
) -> tuple[str, dict[str, Any]]:
    """The changelog's text and the manifest's surface for this build (with ``verdict``, the diff's verdict,
    when the spec changed since a build that recorded a surface); with ``gate``, ReleaseError when
    the spec changed and the version did not move as far as the changes need."""
    before = previous.get("surface")
    old_python = before.get("python") if isinstance(before, dict) else None
    snapshot = {
        "http": contract_of(doc, api, target.package, contracts),
        "python": surface_of(
            module_sources(files, target.package), old_python, seen=surfaces
        ),
    }
    report: Report | None = None
    spec_changed = previous.get("spec") != spec_hash
    version = str(previous.get("version", ""))
    if isinstance(before, dict) and (spec_changed or version != target.version):
        report = compare(
            before,
            snapshot,
            new_text=SpecText(doc.display, doc.text, doc.known_marks),
        )
        if gate and spec_changed:
            check_version(target, version, report)
    existing: str | None = None
    files = previous.get("files")
    # The previous changelog, when clientgen wrote it (a changelog of the user's own is not taken over).
    if not isinstance(files, list) or CHANGELOG in files:
        try:
            existing = (output / CHANGELOG).read_text(encoding="utf-8")
        except OSError:
            existing = None
    if report is None and existing is None and isinstance(before, dict):
        report = compare(before, snapshot)
    text = changelog(existing, target.version, api, report)
    # Without ``record`` (a watch build, whose manifest keeps the last release record) the surface is not
    # made into the manifest's plain data: nothing would keep it.
    extra: dict[str, Any] = {"surface": _stored(snapshot, contracts)} if record else {}
    if report is not None and spec_changed:
        extra["verdict"] = (
            report.verdict
        )  # for the build's summary; not kept in the manifest
    return text, extra


def _is_json(value: Any, known: dict[int, Any] | None = None) -> bool:
    """Whether ``value`` is JSON data as ``json.loads`` returns it (so a JSON round trip leaves it equal).
    The values in ``known`` (id -> value) are known to be, and are not walked."""
    todo = [value]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(k) is str for k in item):
                return False
            if known:
                todo.extend(v for v in item.values() if known.get(id(v)) is not v)
            else:
                todo.extend(item.values())
        elif kind is list:
            todo.extend(item)
        elif kind not in (str, int, bool, float) and item is not None:
            return False
    return True


def _stored(
    snapshot: dict[str, Any], contracts: ContractCache | None = None
) -> dict[str, Any]:
    """The snapshot as the manifest keeps it: itself when it is JSON data already, rather than a copy of a
    giant's (35 MB on Kubernetes' spec). The Python surface always is (``python._plain`` builds it of dicts
    keyed by names, lists, strings and None, or it comes from the manifest; tests/diff/test_outline.py
    checks it); the contract is walked to make sure, but for the operations and schemas taken from
    ``contracts`` that are known to be (read from the render cache's file, or walked by an earlier build
    of this process)."""
    known = contracts.plain if contracts is not None else None
    if set(snapshot) == {"http", "python"} and _is_json(snapshot["http"], known):
        if contracts is not None:
            contracts.plain = {id(v): v for v in contracts.entries()}
        return snapshot
    return stored(snapshot)


def dump_manifest(manifest: dict[str, Any]) -> str:
    """The manifest as JSON, one line per operation, schema and module, so its diffs read well."""
    out: list[str] = (
        []
    )  # joined once: nested joins copied a giant's 14 MB manifest at every level

    def dump(value: Any, depth: int, indent: str) -> None:
        inner = indent + "  "
        if (
            isinstance(value, list) and value and depth <= 2
        ):  # the list of files: one a line
            out.append("[\n")
            out.append(
                ",\n".join(f"{inner}{json.dumps(v, ensure_ascii=False)}" for v in value)
            )
            out.append("\n" + indent + "]")
        elif depth >= 5 or not isinstance(value, dict) or not value:
            out.append(json.dumps(value, sort_keys=True, ensure_ascii=False))
        else:
            out.append("{\n")
            for i, (k, v) in enumerate(value.items()):
                if i:
                    out.append(",\n")
                out.append(f"{inner}{json.dumps(k, ensure_ascii=False)}: ")
                dump(v, depth + 1, inner)
            out.append("\n" + indent + "}")

    dump(manifest, 1, "")
    out.append("\n")
    return "".join(out)
