"""``clientgen diff --lenient`` over consecutive real versions of Asana's spec, and a 250-operation diff timed
against one generation.

``python benchmarks/diff_history.py [--history DIR] [--runs N]``

The history folder's README lists the versions oldest first (its table's order, not the file names', decides:
two commits share a date). For each consecutive pair this runs the real command (``--json``), records the
verdict, the kinds and the wall time; then it prints the verdict counts, the most common kinds, and the
min/median/max time. Last, on a synthetic 250-operation spec and a copy with a few changes, it times
``clientgen diff`` against ``clientgen generate`` of one version, each run ``--runs`` times, alternating.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT.parent / "shared" / "spec-history" / "asana"


def _versions(folder: Path) -> list[Path]:
    readme = (folder / "README.md").read_text()
    names = re.findall(r"^\| `([^`]+\.yaml)` \|", readme, re.M)
    return [folder / n for n in names] or sorted(folder.glob("*.yaml"))


_CPU: list[float] = (
    []
)  # CPU seconds (user + system, with its children) of each run, in order


def _clientgen(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run the command; its wall time (returned) and its CPU time (appended to ``_CPU``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, result


def history(folder: Path) -> None:
    versions = _versions(folder)
    verdicts: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    times = []
    print(f"{len(versions) - 1} consecutive pairs from {folder}")
    for old, new in zip(versions, versions[1:], strict=False):
        seconds, result = _clientgen(
            "diff", "--lenient", "--json", "--package", "asana", str(old), str(new)
        )
        if result.returncode != 0:
            raise SystemExit(f"{old.name} -> {new.name} failed:\n{result.stderr}")
        report = json.loads(result.stdout)
        verdicts[report["verdict"]] += 1
        pair = collections.Counter(c["kind"] for c in report["changes"])
        kinds.update(pair)
        times.append(seconds)
        breaking = sum(c["breaking"] for c in report["changes"])
        print(
            f"  {old.stem} -> {new.stem}: {report['verdict']:5} "
            f"{len(report['changes']):4} changes ({breaking} breaking) {seconds:5.2f} s"
        )
    print(
        "verdicts:",
        ", ".join(f"{v} {verdicts[v]}" for v in ("major", "minor", "patch", "none")),
    )
    print("most common kinds:")
    for kind, count in kinds.most_common(12):
        print(f"  {count:5}  {kind}")
    print(
        f"time per diff: min {min(times):.2f} s, median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s"
    )
    with tempfile.TemporaryDirectory(prefix="clientgen-diff-bench-") as tmp:
        seconds, result = _clientgen(
            "generate",
            "--lenient",
            str(versions[-1]),
            "--output",
            f"{tmp}/out",
            "--package",
            "asana",
        )
        assert result.returncode == 0, result.stderr
        print(
            f"for scale, clientgen generate --lenient of the last version: {seconds:.2f} s"
        )


class _PlainDumper(yaml.SafeDumper):
    """Writes a repeated object out each time, as specs are written (PyYAML would make it ``&id001`` /
    ``*id001``; real specs have no anchors, and a diff of one with anchors scans the text for lines).
    """

    def ignore_aliases(self, data: object) -> bool:
        return True


def synthetic(runs: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import make_spec

    with tempfile.TemporaryDirectory(prefix="clientgen-diff-bench-") as tmp:
        folder = Path(tmp)
        spec = make_spec(250)
        old = folder / "old.yaml"
        old.write_text(yaml.dump(spec, Dumper=_PlainDumper, sort_keys=False))
        # A few changes of the kinds a release has: one operation removed, one schema gains a field.
        first_path = next(iter(spec["paths"]))
        spec["paths"][first_path].pop(next(iter(spec["paths"][first_path])))
        name = next(iter(spec["components"]["schemas"]))
        spec["components"]["schemas"][name].setdefault("properties", {})["note"] = {
            "type": "string"
        }
        new = folder / "new.yaml"
        new.write_text(yaml.dump(spec, Dumper=_PlainDumper, sort_keys=False))
        # "generate" is one generation from nothing (a fresh folder); "regenerate" writes over its own
        # previous output, where the manifest's surface spares reading unchanged modules again.
        times: dict[str, list[tuple[float, float]]] = {
            "diff": [],
            "generate": [],
            "regenerate": [],
        }
        for run in range(runs):
            seconds, result = _clientgen("diff", str(old), str(new))
            assert result.returncode == 0, result.stderr
            times["diff"].append((seconds, _CPU[-1]))
            for label, out in (
                ("generate", folder / f"fresh{run}"),
                ("regenerate", folder / "out"),
            ):
                seconds, result = _clientgen(
                    "generate", str(new), "--output", str(out), "--package", "syn"
                )
                assert result.returncode == 0, result.stderr
                if label == "generate" or run > 0 or runs == 1:
                    times[label].append((seconds, _CPU[-1]))
        med = {
            k: (
                statistics.median(w for w, _ in v),
                statistics.median(c for _, c in v),
            )
            for k, v in times.items()
        }
        (d, dc), (g, gc), (r, rc) = med["diff"], med["generate"], med["regenerate"]
        print(
            f"250 operations, median of {runs} alternating runs: clientgen diff {d:.2f} s wall "
            f"({dc:.2f} s CPU); clientgen generate into a fresh folder {g:.2f} s wall ({gc:.2f} s CPU), "
            f"over its previous output {r:.2f} s wall ({rc:.2f} s CPU)"
        )
        print(
            f"diff/generate = {d / g:.2f} wall, {dc / gc:.2f} CPU (fresh); "
            f"{d / r:.2f} wall, {dc / rc:.2f} CPU (over previous output)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history", type=Path, default=HISTORY)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    history(args.history)
    synthetic(args.runs)


if __name__ == "__main__":
    main()
