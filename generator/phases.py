"""The phases of a build, timed: what ``clientgen build --verbose`` prints, the live progress line shows and
``benchmarks/phases.py`` reports (one clock for all three, so their figures are the same).

A build goes through ``load``, ``validate``, ``model``, ``render`` (the code), ``format`` (the docs
rendered, ruff and the syntax checks, which overlap) and ``write`` (comparing with the output and moving
the changed files in). :class:`Phases` records the wall time of each and tells a listener when one starts,
with the counts known by then (operations, models, files). It prints nothing itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Listener = Callable[[str, dict[str, int]], None]

PHASES = ("load", "validate", "model", "render", "format", "write")


class Phases:
    """Seconds per phase, in the order they ran; ``listener(phase, counts)`` is called as each starts.

    Calls from a forked child (the renderer forks workers) are ignored: only the process that made the clock
    measures and reports.
    """

    def __init__(self, listener: Listener | None = None) -> None:
        self.times: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self._listener = listener
        self._current: str | None = None
        self._since = 0.0
        self._pid = os.getpid()

    def start(self, phase: str, **counts: int) -> None:
        """End the running phase (if any) and start ``phase``; ``counts`` add to what is known."""
        if os.getpid() != self._pid:
            return
        now = time.perf_counter()
        self._close(now)
        self.counts.update(counts)
        self._current, self._since = phase, now
        if self._listener is not None:
            self._listener(phase, dict(self.counts))

    def count(self, **counts: int) -> None:
        if os.getpid() == self._pid:
            self.counts.update(counts)

    def stop(self) -> None:
        """End the running phase."""
        if os.getpid() == self._pid:
            self._close(time.perf_counter())
            self._current = None

    def timed(self, phase: str, fn: Callable[[], T]) -> T:
        """``fn()``, its wall time recorded as ``phase`` (added to any earlier time of that name)."""
        self.start(phase)
        try:
            return fn()
        finally:
            self.stop()

    def _close(self, now: float) -> None:
        if self._current is not None:
            self.times[self._current] = (
                self.times.get(self._current, 0.0) + now - self._since
            )

    @property
    def current(self) -> str | None:
        return self._current

    @property
    def total(self) -> float:
        return sum(self.times.values())


def counted(phases: Phases | None, fn: Callable[[], T], after: str) -> Callable[[], T]:
    """``fn`` that starts ``after`` when it returns, with ``files`` counted from its result (a list)."""
    if phases is None:
        return fn

    def run() -> T:
        result = fn()
        files: Any = result
        total = phases.counts.get("files", 0) + len(files)
        if (
            phases.current == after
        ):  # the docs, rendered after the code: one more count, same phase
            phases.count(files=total)
        else:
            phases.start(after, files=total)
        return result

    return run


__all__ = ["PHASES", "Listener", "Phases", "counted"]
