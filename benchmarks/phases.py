"""Where a build's time goes: each phase of ``clientgen generate`` timed on its own, in one process.

``python benchmarks/phases.py SPEC [--library sync|asyncio]``

prints the wall time of importing the generator, then of each phase of one ``build_target`` run, on the
clock ``clientgen build --verbose`` prints (``generator/phases.py``): load, validate, model, render (the
code), format (the docs and ruff, whose parse of each file is the syntax check; they overlap) and write (comparing with the previous
output, moving files in). Below that, for attribution, the steps that overlap are timed again one after the
other: rendering the code and the docs, ``ast.parse`` of every generated ``.py``, and the ruff run. One cold run, as a build is (the
generator memoises names and references within a process, so a second run in the same process would flatter
it); run it a few times for a spread. The phase figures quoted in BENCHMARKS.md come from this script.
"""

from __future__ import annotations

import argparse
import ast
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    from generator.phases import Phases

    clock = Phases()
    result = clock.timed("step", fn)
    return clock.times["step"], result


def run(spec: Path, library: str) -> dict[str, float]:
    """Seconds per phase of one cold build of ``spec`` (name -> seconds, in the order they run)."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from generator.build import build_target, render_project
    from generator.config import make_target
    from generator.load import load_spec
    from generator.phases import Phases
    from generator.render.write import format_python

    times: dict[str, float] = {"import": time.perf_counter() - started}
    gc.disable()  # as build_target does
    with tempfile.TemporaryDirectory(prefix="clientgen-phases-") as tmp:
        work = Path(tmp)
        target = make_target(spec, "phases", library, "1.0.0", work / "out")
        # The build itself, on the clock `clientgen build --verbose` prints.
        clock = Phases()
        build_target(target, force=True, incremental=False, phases=clock)
        times.update(clock.times)
        doc, api = load_spec(spec)
        project = render_project(target, api, "digest", "spec")
        # The overlapped steps once more, one after the other, to see what each costs.
        times["  code render (alone)"], code = _timed(project.code)
        # The release files a build adds (the public surface of every module, read with griffe).
        with_release = render_project(
            target, api, "digest", "spec", doc=doc, output=work / "out", gate=False
        )
        with_release.code()
        # (A build computes them while ruff formats the code.)
        times["  release files: contract + surface (alone)"], _ = _timed(
            with_release.release
        )
        times["  docs render (alone)"], rendered = _timed(project.docs)
        sources = [
            (f.path, f.content)
            for f in code
            if f.path.endswith(".py") and isinstance(f.content, str)
        ]
        # Not a build step (ruff's parse is the syntax check): what it would cost.
        times["  ast.parse (alone, not in a build)"], _ = _timed(
            lambda: [ast.parse(text, filename=path) for path, text in sources]
        )
        folder = work / "alone"
        for f in [*code, *rendered]:
            path = folder / f.path
            path.parent.mkdir(parents=True, exist_ok=True)
            content = f.content
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        roots = sorted({f.path.split("/", 1)[0] for f in code if "/" in f.path})
        times["  ruff code (alone)"], _ = _timed(lambda: format_python(folder, roots))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--library", choices=("sync", "asyncio"), default="sync")
    args = parser.parse_args(argv)
    times = run(args.spec.resolve(), args.library)
    width = max(len(name) for name in times)
    for name, seconds in times.items():
        print(f"{name:<{width}}  {seconds:8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
