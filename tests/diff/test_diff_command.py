"""``clientgen diff`` as a user runs it: text and JSON reports, ``--fail-on breaking``, ``REV:PATH`` from git,
and the changelog the build writes from the same comparison."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PLANE = ROOT / "specs" / "plane.yaml"


def clientgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


def _without_delete_user_asset(path: Path) -> Path:
    spec = yaml.safe_load(PLANE.read_text())
    del spec["paths"]["/api/v1/assets/user-assets/{asset_id}/"]["delete"]
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_text_report_groups_changes_and_names_file_line_and_python_object(
    tmp_path: Path,
) -> None:
    new = _without_delete_user_asset(tmp_path / "plane.yaml")
    result = clientgen("diff", str(PLANE), str(new), "--package", "plane")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("verdict: major (2 breaking)\n")
    assert "\nBreaking:\n" in out and "\nAdded:" not in out
    # The line where the operation's value starts (the line after `delete:`), as in every message.
    line = 1 + next(
        n
        for n, text in enumerate(PLANE.read_text().splitlines(), 1)
        if text.strip() == "delete:"
    )
    assert (
        "  [http] operation-removed: DELETE /api/v1/assets/user-assets/{asset_id}/ removed\n"
        f"      old: {PLANE}:{line} /paths/~1api~1v1~1assets~1user-assets~1{{asset_id}}~1/delete\n"
        "      python: plane.AssetsApi.delete_user_asset\n"
    ) in out
    assert "[python] python-method-removed: AssetsApi.delete_user_asset removed" in out


def test_json_report_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    new = _without_delete_user_asset(tmp_path / "plane.yaml")
    result = clientgen("diff", str(PLANE), str(new), "--package", "plane", "--json")
    report = json.loads(result.stdout)
    assert set(report) == {"verdict", "changes"} and report["verdict"] == "major"
    for change in report["changes"]:
        assert set(change) == {
            "kind",
            "breaking",
            "lens",
            "old",
            "new",
            "object",
            "message",
        }
        assert change["lens"] in ("python", "http")
        for side in (change["old"], change["new"]):
            assert side is None or (
                set(side) == {"pointer", "line"}
                and isinstance(side["pointer"], str)
                and (side["line"] is None or isinstance(side["line"], int))
            )
    removed = next(c for c in report["changes"] if c["kind"] == "operation-removed")
    assert removed["new"] is None and removed["breaking"] is True
    assert removed["object"] == "plane.AssetsApi.delete_user_asset"


def test_fail_on_breaking_exits_1_only_for_breaking_changes(tmp_path: Path) -> None:
    new = _without_delete_user_asset(tmp_path / "plane.yaml")
    assert clientgen("diff", str(PLANE), str(new)).returncode == 0
    assert (
        clientgen("diff", str(PLANE), str(new), "--fail-on", "breaking").returncode == 1
    )
    same = clientgen("diff", str(PLANE), str(PLANE), "--fail-on", "breaking")
    assert same.returncode == 0
    assert same.stdout == "verdict: none\nno changes a user can see\n"


def test_specs_read_from_git_revisions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(PLANE, repo / "specs" / "plane.yaml")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "v1")
    _without_delete_user_asset(repo / "specs" / "plane.yaml")
    result = clientgen(
        "diff", "HEAD:specs/plane.yaml", "specs/plane.yaml", "--json", cwd=repo
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "major"
    assert "operation-removed" in {c["kind"] for c in report["changes"]}
    missing = clientgen("diff", "HEAD:specs/nope.yaml", "specs/plane.yaml", cwd=repo)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.startswith("error: HEAD:specs/nope.yaml:")


def test_invalid_spec_gets_a_located_message_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {}\n"
    )
    result = clientgen("diff", str(PLANE), str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bad}:6:18: /paths/~1a/get/responses" in result.stderr


def test_build_changelog_keeps_old_sections_and_adds_one_per_version(
    tmp_path: Path,
) -> None:
    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / "plane.yaml"
    shutil.copy(PLANE, spec)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[[tool.clientgen.targets]]\nspec = "specs/plane.yaml"\npackage = "plane"\nversion = "1.0.0"\n'
    )
    assert clientgen("build", cwd=tmp_path).returncode == 0
    changelog = tmp_path / "generated" / "plane" / "CHANGELOG.md"
    first = changelog.read_text()
    assert first.startswith("# Changelog\n")
    assert "## [1.0.0]\n\nGenerated from Plane API 0.0.1" in first
    # A hand note in the released section stays: old sections are never rewritten.
    changelog.write_text(first + "\nA note written by hand.\n")
    _without_delete_user_asset(spec)
    pyproject.write_text(pyproject.read_text().replace('"1.0.0"', '"2.0.0"'))
    built = clientgen("build", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    text = changelog.read_text()
    assert text.index("## [2.0.0]") < text.index("## [1.0.0]")
    section = text[text.index("## [2.0.0]") : text.index("## [1.0.0]")]
    assert (
        "### Breaking\n\n- DELETE /api/v1/assets/user-assets/{asset\\_id}/ removed"
        in section
    )
    assert "(`plane.AssetsApi.delete_user_asset`)" in section
    assert text.endswith("A note written by hand.\n")
    assert clientgen("build", "--check", cwd=tmp_path).returncode == 0
    package = tmp_path / "generated" / "plane" / "plane"
    assert '__version__ = "2.0.0"' in (package / "__init__.py").read_text()
    assert (
        'package_version: ClassVar[str] = "2.0.0"'
        in (package / "api_client.py").read_text()
    )
