"""What a diff reports: changes, each of a registered kind, and the verdict they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lens = Literal["python", "http"]
Level = Literal["major", "minor", "patch"]
Group = Literal["breaking", "added", "changed"]
Verdict = Literal["major", "minor", "patch", "none"]

VERDICTS: tuple[Verdict, ...] = ("none", "patch", "minor", "major")


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of change: a stable identifier, its lens, the bump it needs and how it is grouped."""

    id: str
    lens: Lens
    level: Level
    summary: str
    added: bool = False  # grouped under "added" rather than "changed" when not breaking

    @property
    def breaking(self) -> bool:
        return self.level == "major"

    @property
    def group(self) -> Group:
        if self.breaking:
            return "breaking"
        return "added" if self.added else "changed"


@dataclass(frozen=True, slots=True)
class Side:
    """Where a change stands in one version: a JSON pointer into that spec, and its line when known."""

    pointer: str
    line: int | None = None
    file: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"pointer": self.pointer, "line": self.line}


@dataclass(frozen=True, slots=True)
class Change:
    kind: Kind
    message: str
    old: Side | None = None
    new: Side | None = None
    object: str | None = (
        None  # the Python object affected, e.g. plane.AssetsApi.delete_user_asset
    )
    sort_key: tuple[str, ...] = field(default=(), compare=False)

    @property
    def breaking(self) -> bool:
        return self.kind.breaking

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.id,
            "breaking": self.kind.breaking,
            "lens": self.kind.lens,
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json() if self.new else None,
            "object": self.object,
            "message": self.message,
        }


def verdict_of(changes: list[Change] | tuple[Change, ...]) -> Verdict:
    """major when anything breaks, minor for additions and other new behaviour, patch for doc-only changes."""
    best = 0
    for change in changes:
        best = max(best, VERDICTS.index(change.kind.level))
    return VERDICTS[best]
