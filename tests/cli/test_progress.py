"""What a build prints while it runs: plain phase lines in a log, a live line on a terminal, nothing with
``--quiet``, each phase's wall time with ``--verbose``."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.support.cli import BIN, ROOT, clientgen

SPEC = ROOT / "specs" / "pieces_os.yaml"
PHASES = ("load", "validate", "model", "render", "format", "write")


def _generate(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return clientgen(
        "generate",
        str(SPEC),
        "--output",
        str(tmp_path / "out"),
        "--package",
        "pieces",
        *flags,
        cwd=tmp_path,
    )


def test_in_a_log_a_build_prints_its_summary_as_one_plain_line(tmp_path: Path) -> None:
    result = _generate(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.fullmatch(
        r"pieces: \d+ added, 0 changed, 0 removed \(\d+\.\d\ds\)\n", result.stdout
    )


def test_quiet_prints_nothing_for_a_clean_build(tmp_path: Path) -> None:
    result = _generate(tmp_path, "--quiet")
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert (tmp_path / "out" / "pieces" / "__init__.py").is_file()


def test_verbose_in_a_log_prints_each_phase_as_a_line_then_its_time(
    tmp_path: Path,
) -> None:
    result = _generate(tmp_path, "--verbose")
    assert result.returncode == 0, result.stderr
    # Each phase as it starts, with the counts known by then: plain lines, no terminal control.
    lines = result.stderr.splitlines()
    assert [line.split(" (")[0] for line in lines] == [f"pieces: {p}" for p in PHASES]
    assert lines[3].startswith("pieces: render (16 operations, ")
    written = re.fullmatch(
        r"pieces: write \(16 operations, \d+ models, (\d+) files\)", lines[-1]
    )
    assert written is not None, lines[-1]
    files = [
        p
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
        # the render cache and the validation record, not project files
        and p.name not in (".clientgen-renders", ".clientgen-validation")
    ]
    assert int(written.group(1)) == len(files)
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    # The summary, then the wall time of each phase (generator/phases.py's clock).
    summary, *timings = result.stdout.splitlines()
    assert summary.startswith("pieces: ") and summary.endswith("s)")
    found = [re.fullmatch(r"  (\w+) +(\d+\.\d{3}) s", line) for line in timings]
    assert all(found), timings
    assert [m.group(1) for m in found if m] == list(PHASES)
    total = float(re.search(r"\((\d+\.\d\d)s\)", summary).group(1))  # type: ignore[union-attr]
    assert sum(float(m.group(2)) for m in found if m) <= total + 0.01


def test_on_a_terminal_one_line_is_rewritten_then_replaced_by_the_summary(
    tmp_path: Path,
) -> None:
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(SPEC),
            "--output",
            "out",
            "--package",
            "pieces",
        ],
        cwd=tmp_path,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
            "COLUMNS": "100",
        },
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=60) == 0
    shown = b"".join(chunks).decode()
    # Every phase rewrote the same line (carriage return, erase line); no line feed between them.
    updates = shown.split("\r\x1b[K")
    assert [u.split(" (")[0] for u in updates[1:-1]] == [f"pieces: {p}" for p in PHASES]
    assert all("\n" not in u for u in updates[:-1])
    # The last rewrite erased the live line and the summary took its place.
    assert re.fullmatch(
        r"pieces: \d+ added, 0 changed, 0 removed \(\d+\.\d\ds\)\r?\n", updates[-1]
    )
