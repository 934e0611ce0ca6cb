"""The operations of the last build, replayed instead of built again (the watch's builds after an edit).

Building an operation reads and writes state shared with the others: the class-name and module-name scopes
its inline schemas take names from, the schema registry's tables (targets, shapes, names, models) and the
tag's method-name scope. While an operation is built, every such read and write is recorded in order
(:class:`Trace`: the registry's tables are :class:`TracedDict`/:class:`TracedSet`, and a scope with a trace
records its claims), with the warnings and flaws it added. The next build of the same spec file takes an
operation whose path item is the very object it was (a re-parsed JSON spec shares unchanged ones) from its
record, when the rest of the spec but ``paths`` is too and the components' models were taken over as well:
each recorded read is made again and must give what it gave (a claim the same name, a lookup the same
value), each write is done again, the warnings are placed anew. So the state after a replayed operation is
what building it gives, and the operations after it see what they would have. When a read differs the
whole model is built again without replay (:class:`Mismatch`). ``tests/model/test_operation_replay.py``
compares with full builds over random edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from ..parse.load import Document
from .api import Operation
from .names import Scope

_MISSING = object()
GET, IN, SET, ADD, CLAIM = range(5)


class Mismatch(Exception):
    """A replayed read gave another answer than when it was recorded: build everything again."""


class Trace:
    """Where the reads and writes of the shared state go while an operation is built (``events`` is None
    while nothing is recorded)."""

    __slots__ = ("events",)

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] | None = None


class TracedDict(dict[Any, Any]):
    """A registry table whose reads and writes are recorded while its trace records."""

    __slots__ = ("trace", "name")

    def __init__(self, data: dict[Any, Any], trace: Trace, name: str) -> None:
        super().__init__(data)
        self.trace = trace
        self.name = name

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        events = self.trace.events
        if events is not None:
            events.append((GET, self.name, key, value))
        return default if value is _MISSING else value

    def __getitem__(self, key: Any) -> Any:
        value = dict.get(self, key, _MISSING)
        events = self.trace.events
        if events is not None:
            events.append((GET, self.name, key, value))
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        found = dict.__contains__(self, key)
        events = self.trace.events
        if events is not None:
            events.append((IN, self.name, key, found))
        return found

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        events = self.trace.events
        if events is not None:
            events.append((SET, self.name, key, value))


class TracedSet(set[Any]):
    """A registry set whose reads and additions are recorded while its trace records."""

    __slots__ = ("trace", "name")

    def __init__(self, data: set[Any], trace: Trace, name: str) -> None:
        super().__init__(data)
        self.trace = trace
        self.name = name

    def __contains__(self, key: object) -> bool:
        found = set.__contains__(self, key)
        events = self.trace.events
        if events is not None:
            events.append((IN, self.name, key, found))
        return found

    def add(self, key: Any) -> None:
        set.add(self, key)
        events = self.trace.events
        if events is not None:
            events.append((ADD, self.name, key, None))


@dataclass(frozen=True, slots=True)
class Recorded:
    """One operation's build: its path item (the object), what it read and wrote, what it added to the
    warnings and flaws (pointer and message), and the operation."""

    item: Any
    events: tuple[tuple[Any, ...], ...]
    warnings: tuple[tuple[str, str], ...]
    flaws: tuple[tuple[str, str], ...]
    operation: Operation


def problems_of(
    doc: Document, added: list[Problem]
) -> tuple[tuple[str, str], ...] | None:
    """``added`` as (pointer, message), or None when one is not in ``doc`` (it cannot be placed anew)."""
    out = []
    for problem in added:
        if problem.location.file != doc.display:
            return None
        out.append((problem.location.pointer, problem.message))
    return tuple(out)


def replay(
    record: Recorded,
    tables: dict[str, Any],
    scopes: dict[str, Scope],
) -> None:
    """Make ``record``'s reads and writes again on this build's state; :class:`Mismatch` when a read
    differs (the state is then spoilt: the caller builds everything again)."""
    for kind, name, key, value in record.events:
        if kind == CLAIM:
            wanted, fold_case = key
            if scopes[name].claim_untraced(wanted, fold_case=fold_case) != value:
                raise Mismatch
        elif kind == GET:
            now = dict.get(tables[name], key, _MISSING)
            if now is not value and now != value:
                raise Mismatch
        elif kind == IN:
            table = tables[name]
            found = (
                set.__contains__(table, key)
                if isinstance(table, set)
                else dict.__contains__(table, key)
            )
            if found != value:
                raise Mismatch
        elif kind == SET:
            dict.__setitem__(tables[name], key, value)
        else:
            set.add(tables[name], key)


__all__ = [
    "Mismatch",
    "Recorded",
    "Trace",
    "TracedDict",
    "TracedSet",
    "problems_of",
    "replay",
]
