"""Item 10: every module of the package is reachable as an attribute after ``import pkg`` (imported on
first access, not before)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_modules_are_attributes_imported_lazily(generated: Path) -> None:
    script = """
import json, sys
import kennel
before = sorted(m for m in sys.modules if m.startswith("kennel.models.") or m.startswith("kennel.api."))
dog = kennel.models.dog.Dog(kind="d", name="n")
api_module = kennel.api.vets_api
print(json.dumps({
    "before": before,
    "dog": type(dog).__module__,
    "api": api_module.__name__,
    "class": kennel.api.vets_api.VetsApi.__name__,
    "signing": kennel.signing.__name__,
    "after": sorted(m for m in sys.modules if m.startswith("kennel.models.")),
}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=generated / "kennel",
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["before"] == []
    assert (
        result["dog"] == "kennel.models.dog" and result["api"] == "kennel.api.vets_api"
    )
    assert result["class"] == "VetsApi" and result["signing"] == "kennel.signing"
    # only what was touched (the dog module and what it imports), not every model
    assert (
        "kennel.models.dog" in result["after"]
        and "kennel.models.pet" not in result["after"]
    )


def test_unknown_names_still_fail(generated: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import kennel; kennel.models.no_such_module"],
        cwd=generated / "kennel",
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "has no attribute 'no_such_module'" in out.stderr
