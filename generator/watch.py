"""``clientgen build --watch``: which targets to rebuild, as their inputs change on disk.

:func:`rebuilds` yields the targets to build: all of them first, then, each time files change, those whose
spec, a file the spec references (``$ref``, followed as the build's digest follows it) or the config changed.
It watches the folders holding those files (not their subfolders: a project's ``.venv`` or ``generated/``
would flood it), and after each yield reads the references again, so a ``$ref`` added by an edit is watched
from then on. The building and the printing are the caller's (generator/cli.py); this module prints nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .build import _referenced_files
from .config import Target

# How long a burst of file events may go quiet before it counts as one save (editors write, rename and
# touch a file in quick succession: their events come within a few milliseconds of each other), and how
# often the watcher checks for a stop (milliseconds). Every save waits the step out before its build.
_STEP_MS = 20
_TIMEOUT_MS = 200


def inputs_of(target: Target) -> set[Path]:
    """The files ``target``'s output depends on that an edit changes: its spec and what the spec references."""
    spec = target.spec.resolve()
    return {spec, *_referenced_files(spec)}


def rebuilds(
    targets: Sequence[Target],
    *,
    ready: Callable[[int], None] = lambda files: None,
    stop: threading.Event | None = None,
) -> Iterator[list[Target]]:
    """Lists of targets to rebuild: every target first, then those whose inputs changed. ``ready(files)``
    is called once the watcher is active (after the first build), with the number of files it watches.
    """
    import watchfiles

    yield list(targets)
    inputs = {target.package: inputs_of(target) for target in targets}
    watched: set[Path] = set()
    announced = False
    while stop is None or not stop.is_set():
        watched.clear()
        watched.update(*inputs.values())
        folders = {path.parent for path in watched}
        restart = False
        for changes in watchfiles.watch(
            *sorted(folders),
            watch_filter=lambda _change, path: Path(path) in watched,
            step=_STEP_MS,
            rust_timeout=_TIMEOUT_MS,
            yield_on_timeout=True,
            recursive=False,
            stop_event=stop,
        ):
            if not announced:
                announced = True
                ready(len(watched))
            changed = {Path(path) for _, path in changes}
            chosen = [t for t in targets if inputs[t.package] & changed]
            if not chosen:
                continue
            yield chosen
            for target in chosen:
                inputs[target.package] = inputs_of(target)
            now = set().union(*inputs.values())
            if {path.parent for path in now} != folders:
                restart = True  # a reference into a folder not watched yet
                break
            watched.clear()
            watched.update(now)
        if not restart:
            return


__all__ = ["inputs_of", "rebuilds"]
