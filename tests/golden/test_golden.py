"""generated/ is the end-to-end golden record: regenerating every target must reproduce it byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build import check_target
from generator.config import load_targets

ROOT = Path(__file__).resolve().parents[2]
TARGETS = load_targets(ROOT / "pyproject.toml")


@pytest.mark.parametrize("target", TARGETS, ids=[t.package for t in TARGETS])
def test_generated_matches_specs_templates_and_generator(target: object) -> None:
    # From any working folder: the spec path in file headers is relative to the project.
    result = check_target(target)  # type: ignore[arg-type]
    assert (
        result.diff == ""
    ), f"generated/ is stale; run `make generate`:\n{result.diff[:4000]}"
    assert result.foreign == (), "files in generated/ that clientgen did not write"


def test_targets_are_the_three_packages() -> None:
    assert [(t.package, t.library) for t in TARGETS] == [
        ("plane", "both"),
        ("pieces_os_client", "both"),
        ("asana_asyncio", "asyncio"),
    ]
    assert all(os.path.isfile(t.spec) for t in TARGETS)


def test_generated_code_is_black_formatted() -> None:
    """Builds format with ruff (DEVELOPERS.md, Formatting); the shipped code must also be what black
    writes, so any drift between the two formatters shows here."""
    import subprocess
    import sys

    packages = [str(ROOT / "generated" / t.package / t.package) for t in TARGETS]
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", *packages],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-4000:]
