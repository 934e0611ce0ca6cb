"""Every Python example in the generated docs (``generated/<pkg>/docs/**/*.md`` and ``README.md``) runs
against Prism mocking the package's spec, changed only by swapping the spec's server URL for Prism's.

An example passes when it raises nothing and does not take its ``except`` branch (its output never says
"Exception when calling"). The environment variables the examples read are set to test values. Blocks in
other languages (bash, javascript, json) are not collected.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from .conftest import (
    GENERATED,
    SERVER_URLS,
    Block,
    code_blocks,
    env_vars,
    run_block,
    swap_host,
)

NO_HOST = "http://127.0.0.1:9"
"""``Configuration.default_host`` while an example runs: one that relies on the default host fails to
connect (instead of reaching the real API)."""


def _collect() -> list[Any]:
    params = []
    for package in SERVER_URLS:
        root = GENERATED / package
        files = (
            sorted((root / "docs").rglob("*.md")) if (root / "docs").is_dir() else []
        )
        if (root / "README.md").is_file():
            files.append(root / "README.md")
        blocks = [
            b for f in files for b in code_blocks(f) if b.language in ("python", "py")
        ]
        for block in blocks:
            rel = block.path.relative_to(root)
            params.append(
                pytest.param(package, block, id=f"{package}/{rel.parent}/{block.id}")
            )
        if not blocks:
            params.append(
                pytest.param(
                    package,
                    None,
                    id=f"{package}-no-docs",
                    marks=pytest.mark.skip(
                        reason=f"generated/{package} has no Markdown docs yet"
                    ),
                )
            )
    return params


def _needs_server(package: str, code: str) -> bool:
    return SERVER_URLS[package] in code or "ApiClient(" in code


@pytest.mark.parametrize(("package", "block"), _collect())
def test_doc_example_runs(
    package: str, block: Block, prism_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = block.code
    if "import requests" in code:
        pytest.importorskip(
            "requests", reason="the reference page examples use requests"
        )
    for name in env_vars(code):
        monkeypatch.setenv(name, f"test-{name.lower()}")
    module = importlib.import_module(package)
    monkeypatch.setattr(module.Configuration, "default_host", NO_HOST)
    if _needs_server(package, code):
        code = swap_host(code, package, prism_for(package).url)
    output = run_block(code, f"{block.path}:{block.line}")
    assert "Exception when calling" not in output, output
