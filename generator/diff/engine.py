"""Two versions of an API compared through both lenses, into one report with a verdict.

A version is a *snapshot*: the HTTP contract of its spec and the Python surface of the package generated from
it. ``clientgen diff`` makes both snapshots from two specs; ``clientgen build`` compares the snapshot recorded
in the manifest with the one it is about to write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..model.api import Api
from ..parse.load import Document, escape_pointer_token
from .change import VERDICTS, Change, Side, Verdict, verdict_of
from .contract import Contract, contract_of
from .http import http_changes
from .python import (
    _VARIANTS,
    Surface,
    digest,
    method_digests,
    module_sources,
    python_changes,
    surface_of,
)

Snapshot = dict[str, Any]  # {"http": Contract, "python": Surface}
_GROUPS = ("breaking", "added", "changed")


@dataclass(frozen=True)
class Report:
    changes: tuple[Change, ...]
    verdict: Verdict = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", verdict_of(self.changes))

    def group(self, name: str) -> list[Change]:
        return [c for c in self.changes if c.kind.group == name]

    @property
    def breaking(self) -> list[Change]:
        return self.group("breaking")

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "changes": [c.to_json() for c in self.changes],
        }

    def text(self) -> str:
        counts = ", ".join(
            f"{len(self.group(g))} {g}" for g in _GROUPS if self.group(g)
        )
        lines = [f"verdict: {self.verdict}" + (f" ({counts})" if counts else "")]
        if not self.changes:
            lines.append("no changes a user can see")
        for name in _GROUPS:
            changes = self.group(name)
            if not changes:
                continue
            lines += ["", f"{name.capitalize()}:"]
            for c in changes:
                lines.append(f"  [{c.kind.lens}] {c.kind.id}: {c.message}")
                for label, side in (("old", c.old), ("new", c.new)):
                    if side is not None:
                        where = side.file or ""
                        if side.line:
                            where += f":{side.line}"
                        lines.append(
                            f"      {label}: {where + ' ' if where else ''}{side.pointer}"
                        )
                if c.object:
                    lines.append(f"      python: {c.object}")
        return "\n".join(lines) + "\n"


def snapshot_of(
    doc: Document,
    api: Api,
    package: str,
    files: list[Any],
    previous: Surface | None = None,
) -> Snapshot:
    """The version's contract (from the document) and surface (from ``files``, its rendered code)."""
    return {
        "http": contract_of(doc, api, package),
        "python": surface_of(module_sources(files, package), previous),
    }


def _render_code(api: Api, package: str, library: str) -> list[Any]:
    from ..config import make_target
    from ..render.plan import code_files

    # The same header and version on both sides: only what the spec changes differs.
    target = make_target("spec", package, library, "0.0.0", None)
    return code_files(replace(api, source="spec"), target)


def render_sources(api: Api, package: str, library: str) -> dict[str, str]:
    return module_sources(_render_code(api, package, library), package)


def snapshot_pair(
    old: tuple[Contract, dict[str, str]],
    new: tuple[Contract, dict[str, str]],
    package: str,
) -> tuple[Snapshot, Snapshot]:
    """Snapshots of two versions from their contracts and module sources, reading with griffe only what
    differs (and the package namespaces, which name the public paths): what did not change changed nothing.
    """
    (old_contract, old_sources), (new_contract, new_sources) = old, new
    namespaces = {package, f"{package}.models", f"{package}.api"}
    same = {
        name
        for name, source in new_sources.items()
        if old_sources.get(name) == source and name not in namespaces
    }
    # Methods whose text is the same in both versions are left out of the reading.
    methods = {
        name: method_digests(name, old_sources[name])
        & method_digests(name, new_sources[name])
        for name in new_sources
        if name in old_sources and name not in same
    }

    # A namespace module that is the same in both versions reads the same: it is read once, for both.
    shared = surface_of(
        {
            n: new_sources[n]
            for n in namespaces
            if n in new_sources and old_sources.get(n) == new_sources[n]
        },
        same=methods,
    )

    def surface(sources: dict[str, str]) -> Surface:
        out = surface_of(
            {n: s for n, s in sources.items() if n not in same and n not in shared},
            same=methods,
        )
        out.update((n, shared[n]) for n in shared if n in sources)
        for name in same:
            out[name] = {"digest": digest(sources[name]), "objects": {}}
        return dict(sorted(out.items()))

    # The old version's modules are read in a child while this process reads the new version's (griffe
    # imported first, so the child has it too), when there is enough to read to pay for the fork.
    import griffe  # noqa: F401

    to_read = sum(
        len(s) for n, s in old_sources.items() if n not in same and n not in shared
    )
    if to_read < _FORK_ABOVE:
        old_surface = surface(old_sources)
        return (
            {"http": old_contract, "python": old_surface},
            {"http": new_contract, "python": surface(new_sources)},
        )
    from .fork import forked  # `clientgen diff` only (a build reads one package)

    old_read = forked(lambda: surface(old_sources), "reading the old package")
    new_surface = surface(new_sources)
    return (
        {"http": old_contract, "python": old_read()},
        {"http": new_contract, "python": new_surface},
    )


# Below this many characters of changed modules, the old version's are read here rather than in a forked
# child: forking a process of this size and sending the result back costs about what griffe takes for this.
_FORK_ABOVE = 200_000


# -- renames (x-clientgen-renamed-from) -> Python paths -------------------------------------------------------
def _root_aliases(surface: Surface, package: str) -> dict[str, str]:
    root = surface.get(package, {"objects": {}})["objects"]
    return {n: o["target"] for n, o in root.items() if o["kind"] == "alias"}


def _defining(label: str | None, surface: Surface, package: str) -> str | None:
    """``plane.User.name`` -> ``plane.models.user.User.name`` (where the class is defined)."""
    if not label or not label.startswith(package + "."):
        return None
    head, _, rest = label[len(package) + 1 :].partition(".")
    target = _root_aliases(surface, package).get(head.split("(")[0])
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target


def _renames(old: Snapshot, new: Snapshot, package: str) -> dict[str, str]:
    pairs: list[tuple[str | None, str | None]] = []
    old_http, new_http = old["http"], new["http"]
    old_ops = {op["id"]: op for op in old_http["operations"].values() if "id" in op}
    for op in new_http["operations"].values():
        for previous in op.get("renamed_from", []):
            if previous in old_ops:
                pairs.append((old_ops[previous].get("py"), op.get("py")))
                base_old, base_new = old_ops[previous].get("py"), op.get("py")
                if base_old and base_new:
                    pairs += [(base_old + s, base_new + s) for s in _VARIANTS]
    for key, schema in new_http["schemas"].items():
        old_key = key
        for previous in schema.get("renamed_from", []):
            candidate = f"/components/schemas/{escape_pointer_token(previous)}"
            if candidate in old_http["schemas"]:
                pairs.append(
                    (old_http["schemas"][candidate].get("py"), schema.get("py"))
                )
                old_key = candidate
        before = old_http["schemas"].get(old_key) or {}
        for prop in schema.get("properties", {}).values():
            for previous in prop.get("renamed_from", []):
                old_prop = before.get("properties", {}).get(previous)
                if old_prop:
                    pairs.append((old_prop.get("py"), prop.get("py")))
    out: dict[str, str] = {}
    for a, b in pairs:
        old_path = _defining(a, old["python"], package)
        new_path = _defining(b, new["python"], package)
        if old_path and new_path:
            out[old_path] = new_path
    return out


def _public_label(path: str | None, reverse: dict[str, str]) -> str | None:
    """``plane.models.user.User.name`` -> ``plane.User.name`` when the package exports ``User``."""
    if not path:
        return path
    head, paren, tail = path.partition("(")
    parts = head.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if prefix in reverse:
            rest = ".".join(parts[i:])
            return reverse[prefix] + (f".{rest}" if rest else "") + paren + tail
    return path


def _package_of(snapshot: Snapshot) -> str:
    modules = snapshot.get("python", {})
    return min(modules, key=len) if modules else ""


@dataclass(frozen=True)
class SpecText:
    """A spec's name in messages and its text, to find the line of each pointer a report names."""

    display: str
    text: str
    marks: dict[str, tuple[int, int]] | None = (
        None  # the loader's marks, when it built them
    )
    # pointers -> their lines, when something better placed than a scan of ``text`` finds them (the
    # process holding the loaded document)
    lines: Callable[[list[str]], dict[str, int]] | None = None


def compare(
    old: Snapshot,
    new: Snapshot,
    *,
    old_text: SpecText | None = None,
    new_text: SpecText | None = None,
) -> Report:
    """Every change from ``old`` to ``new``: the HTTP lens first, then the Python lens."""
    package = _package_of(new) or _package_of(old)
    changes = http_changes(old["http"], new["http"])
    python = python_changes(old["python"], new["python"], _renames(old, new, package))
    reverse = {
        target: f"{package}.{name}"
        for surface in (old["python"], new["python"])
        for name, target in _root_aliases(surface, package).items()
    }
    old_places = _places(old["http"]) if python else {}
    new_places = _places(new["http"]) if python else {}
    for c in python:
        label = _public_label(c.object, reverse)
        changes.append(
            replace(
                c,
                object=label,
                old=_side_of(label, old_places, old["python"], c, "old"),
                new=_side_of(label, new_places, new["python"], c, "new"),
            )
        )
    changes = _with_lines(changes, old_text, new_text)
    order = {g: i for i, g in enumerate(_GROUPS)}
    changes.sort(key=lambda c: (order[c.kind.group], c.kind.lens != "http"))
    return Report(tuple(changes))


def _places(contract: Contract) -> dict[str, str]:
    """Python object -> the JSON pointer it was generated from (operations, their parameters and bodies,
    models and their fields: the nodes that carry ``py``)."""
    out: dict[str, str] = {}

    def note(node: Any) -> None:
        if isinstance(node, dict) and "py" in node and "ptr" in node:
            out.setdefault(node["py"], node["ptr"])

    for op in contract["operations"].values():
        note(op)
        note(op.get("body"))
        for param in op.get("params", {}).values():
            note(param)
    for schema in contract["schemas"].values():
        note(schema)
        for prop in schema.get("properties", {}).values():
            note(prop)
    return out


def _side_of(
    label: str | None,
    places: dict[str, str],
    surface: Surface,
    change: Change,
    which: str,
) -> Side | None:
    """Where a Python change stands in a spec: the pointer of the nearest object generated from it."""
    if not label:
        return None
    if which == "old" and change.kind.added:
        return None
    if which == "new" and change.kind.id.endswith("-removed"):
        return None
    probe = label
    while True:
        if probe in places:
            return Side(places[probe])
        if "(" in probe:
            probe = probe.partition("(")[0]
        elif "." in probe:
            probe = probe.rsplit(".", 1)[0]
        else:
            return None


def _with_lines(
    changes: list[Change], old: SpecText | None, new: SpecText | None
) -> list[Change]:
    def lines(spec: SpecText | None, sides: list[Side | None]) -> dict[str, int]:
        if spec is None:
            return {}
        wanted = sorted({s.pointer for s in sides if s is not None})
        if spec.lines is not None:
            return spec.lines(wanted) if wanted else {}
        # Imported by the few builds whose changes need lines.
        from .lines import lines_in

        return lines_in(spec.text, wanted, spec.marks)

    old_lines = lines(old, [c.old for c in changes])
    new_lines = lines(new, [c.new for c in changes])

    def place(
        side: Side | None, spec: SpecText | None, found: dict[str, int]
    ) -> Side | None:
        if side is None or spec is None:
            return side
        if "#" in side.pointer:  # a node in another file of a multi-file spec
            return replace(side, file=side.pointer.partition("#")[0])
        return replace(side, file=spec.display, line=found.get(side.pointer))

    return [
        replace(c, old=place(c.old, old, old_lines), new=place(c.new, new, new_lines))
        for c in changes
    ]


def stored(snapshot: Snapshot) -> Snapshot:
    """A snapshot as the manifest keeps it (plain JSON data)."""
    return json.loads(json.dumps(snapshot))


def bump_for(verdict: Verdict, version: str) -> Verdict:
    """The bump a verdict needs from ``version``: below 1.0 breaking changes need a minor bump, others a patch."""
    if release_of(version)[0] == 0 and verdict in ("major", "minor"):
        return "minor" if verdict == "major" else "patch"
    return verdict


def release_of(version: str) -> tuple[int, int, int]:
    numbers: list[int] = []
    for part in version.split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break
    numbers = (numbers + [0, 0, 0])[:3]
    return numbers[0], numbers[1], numbers[2]


def bump_between(old: str, new: str) -> Verdict | None:
    """How far ``new`` moved from ``old``: major, minor, patch or none; None when it went backwards."""
    a, b = release_of(old), release_of(new)
    if b < a:
        return None
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    if b[2] > a[2]:
        return "patch"
    return "patch" if old != new else "none"


def enough(moved: Verdict | None, needed: Verdict) -> bool:
    return moved is not None and VERDICTS.index(moved) >= VERDICTS.index(needed)


__all__ = [
    "Contract",
    "Report",
    "Snapshot",
    "bump_between",
    "bump_for",
    "compare",
    "enough",
    "SpecText",
    "snapshot_of",
    "render_sources",
    "snapshot_pair",
    "stored",
]
