"""What another repository adopts: the pre-commit hook, the example CI workflow and the README's commands."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(command: list[str] | str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        shell=isinstance(command, str),
    )


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A git repository with one spec and a [tool.clientgen] target, as a user of clientgen would have."""
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "asana.yaml", repo / "specs" / "asana.yaml")
    (repo / "pyproject.toml").write_text(
        "[[tool.clientgen.targets]]\n"
        'spec = "specs/asana.yaml"\npackage = "asana_client"\nlibrary = "asyncio"\nversion = "0.1.0"\n'
    )
    assert _run(["git", "init", "-q"], repo).returncode == 0
    return repo


def test_pre_commit_hook_entry_fails_on_stale_clients_and_passes_once_built(
    user_repo: Path,
) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "clientgen-check" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("specs/asana.yaml") and files.search("pyproject.toml")
    assert not files.search("README.md")
    entry = shlex.split(hook["entry"])

    stale = _run(entry, user_repo)
    assert stale.returncode == 1
    assert "asana_client: generated/ is stale" in stale.stderr
    assert _run(["clientgen", "build"], user_repo).returncode == 0
    fresh = _run(entry, user_repo)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert fresh.stdout == "asana_client: up to date\n"


def test_example_ci_workflow_runs_the_check_and_builds_each_package(
    user_repo: Path, tmp_path: Path
) -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "ci-example.yml").read_text())
    check_steps = [s["run"] for s in workflow["jobs"]["check"]["steps"] if "run" in s]
    assert check_steps[-1] == "clientgen build --check"
    assert (
        _run(check_steps[-1], user_repo).returncode == 1
    )  # nothing generated yet: the job fails
    assert _run(["clientgen", "build"], user_repo).returncode == 0
    assert _run(check_steps[-1], user_repo).returncode == 0

    build_step = next(
        s["run"]
        for s in workflow["jobs"]["publish"]["steps"]
        if "python -m build" in s.get("run", "")
    )
    loop = next(
        line for line in build_step.splitlines() if line.startswith("for project")
    )
    loop = loop.replace("python -m build", f"{BIN / 'python'} -m build --no-isolation")
    result = _run(loop, user_repo)
    assert result.returncode == 0, result.stderr[-2000:]
    built = sorted(p.name for p in (user_repo / "dist").iterdir())
    assert built == ["asana_client-0.1.0-py3-none-any.whl", "asana_client-0.1.0.tar.gz"]
    publish = workflow["jobs"]["publish"]["steps"][-1]["run"]
    name = publish.replace('"${GITHUB_REF_NAME%-v*}"', "asana_client").split(
        "dist/", 1
    )[1]
    assert sorted(p.name for p in (user_repo / "dist").glob(name)) == built


def _readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = []
    for match in re.finditer(r"(<!--[^\n]*-->\n)?```bash\n(.*?)```", text, re.S):
        if match.group(1) and "not run" in match.group(1):
            continue
        blocks.append(match.group(2))
    return blocks


def _as_run_here(line: str, scratch: Path) -> str | None:
    """A README command as the test runs it in the copy: ``make`` uses this checkout's ``.venv`` (linked
    into the copy) as it is, rather than building another; ``make test`` is the suite running this test
    (CI runs it), so it is the one command not run again from here. Paths under ``/tmp/`` go to this
    test's own ``scratch`` folder, so concurrent runs never share (or inherit) an output folder.
    """
    command = line.split("#", 1)[0].strip()
    if command == "make test":
        return None
    if command.startswith("make "):
        return "make -o .venv/.installed " + command.removeprefix("make ")
    return line.replace("/tmp/", f"{scratch}/")


def test_readme_shell_blocks_run_as_written(tmp_path: Path) -> None:
    blocks = _readme_blocks()
    assert len(blocks) >= 3
    clone = tmp_path / "clone"
    anywhere = shutil.ignore_patterns("__pycache__", "node_modules")
    at_top = {
        ".venv",
        "node_modules",
        ".git",
        ".frameworks",
        "dist",
        "site",
    }  # generator/site/ is source

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = at_top & set(names) if Path(folder) == ROOT else set()
        return top | anywhere(folder, names)

    shutil.copytree(ROOT, clone, ignore=ignore)
    (clone / ".venv").symlink_to(ROOT / ".venv")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    ran = []
    for block in blocks:
        for line in block.strip().splitlines():
            command = _as_run_here(line, scratch)
            if command is None:
                continue
            result = _run(command, clone)
            assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
            ran.append(line.split("#", 1)[0].strip())
    assert {"make generate", "make docs-site"} <= set(ran)
    assert ((scratch / "asana-client") / "asana_client" / "__init__.py").is_file()
    # The quick start's docs site: one site per package, from the copy's generated/.
    for package in ("plane", "pieces_os_client", "asana_asyncio"):
        assert (clone / "site" / package / "index.html").is_file()
        assert (clone / "site" / package / "search" / "search_index.json").is_file()
    assert ((scratch / "clientgen-sites") / "asana_asyncio" / "index.html").is_file()


def test_readme_documents_the_two_commands_and_every_vendor_extension() -> None:
    text = (ROOT / "README.md").read_text()
    assert "make generate" in text and "make test" in text
    for extension in (
        "x-websocket",
        "x-pagination",
        "x-sse-sentinel",
        "x-doc-title",
        "x-enum-descriptions",
    ):
        assert f"`{extension}" in text
    assert "BENCHMARKS.md" in text
