"""The command line as a user runs it: exit statuses, messages, files written (or not)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import ROOT, clientgen

SPECS = ROOT / "specs"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


BROKEN = """\
openapi: 3.0.3
info:
  title: Broken
  version: "1"
paths:
  /things/{id}:
    get:
      operationId: getThing
      responses: {}
"""


def test_validate_accepts_the_three_specs() -> None:
    result = clientgen(
        "validate",
        *(str(SPECS / f) for f in ("plane.yaml", "pieces_os.yaml", "asana.yaml")),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": valid (") == 3
    assert "specs/pieces_os.yaml: valid (16 operations" in result.stdout


def test_validate_reports_file_line_column_pointer(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text(BROKEN)
    result = clientgen("validate", str(spec), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert (
        "broken.yaml:9:18: /paths/~1things~1{id}/get/responses: {} should be non-empty"
        in lines
    )


def test_generate_writes_a_publishable_project(tmp_path: Path) -> None:
    out = tmp_path / "client"
    result = clientgen(
        "generate",
        str(SPECS / "asana.yaml"),
        "--output",
        str(out),
        "--package",
        "asana_client",
        "--library",
        "asyncio",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("asana_client: ")
    for name in (
        "pyproject.toml",
        "README.md",
        "asana_client/__init__.py",
        "asana_client/py.typed",
    ):
        assert (out / name).is_file(), name
    assert (out / "docs" / "AttachmentsApi.md").is_file()
    assert 'name = "asana-client"' in (out / "pyproject.toml").read_text()
    assert "aiohttp" in (out / "pyproject.toml").read_text()


def test_generate_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = clientgen(
            "generate",
            str(SPECS / "plane.yaml"),
            "--output",
            str(out),
            "--package",
            "plane",
        )
        assert result.returncode == 0, result.stderr
    assert snapshot(first) == snapshot(second)


def test_failed_generate_writes_nothing_and_keeps_the_previous_output(
    tmp_path: Path,
) -> None:
    out = tmp_path / "client"
    assert (
        clientgen(
            "generate",
            str(SPECS / "plane.yaml"),
            "--output",
            str(out),
            "--package",
            "plane",
        ).returncode
        == 0
    )
    before = snapshot(out)
    spec = tmp_path / "broken.yaml"
    spec.write_text(BROKEN)
    result = clientgen(
        "generate", str(spec), "--output", str(out), "--package", "plane"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "broken.yaml:9:18:" in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "broken.yaml",
        "client",
    ]  # no staging left behind


def test_model_prints_the_intermediate_model_as_json() -> None:
    result = clientgen("model", str(SPECS / "asana.yaml"))
    assert result.returncode == 0, result.stderr
    model = json.loads(result.stdout)
    operations = {
        op["method_name"]: op for tag in model["tags"] for op in tag["operations"]
    }
    assert sorted(operations) == [
        "create_attachment_for_object",
        "delete_attachment",
        "get_attachment",
        "get_attachments_for_object",
    ]
    upload = operations["create_attachment_for_object"]
    assert upload["body"]["kind"] == "multipart"
    assert [a["py_name"] for a in upload["args"]][:3] == [
        "parent",
        "opt_pretty",
        "opt_fields",
    ]
    opt_fields = next(p for p in upload["params"] if p["py_name"] == "opt_fields")
    assert (opt_fields["style"], opt_fields["explode"]) == ("form", False)
    assert "GetAttachment200Response" in {m["name"] for m in model["models"]}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with one target, built once."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "plane.yaml").write_bytes((SPECS / "plane.yaml").read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.clientgen.targets]]\nspec = "specs/plane.yaml"\npackage = "plane"\nversion = "2.0.0"\n'
    )
    result = clientgen("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_build_reports_each_target_and_skips_unchanged_inputs(project: Path) -> None:
    assert (project / "generated" / "plane" / "plane" / "__init__.py").is_file()
    again = clientgen("build", cwd=project)
    assert again.returncode == 0
    assert again.stdout.startswith("plane: unchanged, nothing rendered (")
    forced = clientgen("build", "--force", cwd=project)
    assert forced.stdout.startswith("plane: up to date (")


def test_build_check_detects_a_hand_edit_and_names_the_file(project: Path) -> None:
    assert clientgen("build", "--check", cwd=project).returncode == 0
    edited = project / "generated" / "plane" / "plane" / "configuration.py"
    edited.write_text(edited.read_text() + "# a local change\n")
    result = clientgen("build", "--check", cwd=project)
    assert result.returncode == 1
    assert "generated/plane/plane/configuration.py" in result.stdout
    assert "-# a local change" in result.stdout
    rebuilt = clientgen(
        "build", cwd=project
    )  # the manifest is unchanged, but the tree is not: build must fix it
    assert clientgen("build", "--check", cwd=project).returncode == 0, rebuilt.stdout


def test_build_check_detects_a_spec_change(project: Path) -> None:
    spec = project / "specs" / "plane.yaml"
    spec.write_text(spec.read_text().replace("Workspace slug", "The workspace slug"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"2.0.0"', '"2.0.1"'))
    result = clientgen("build", "--check", cwd=project)
    assert result.returncode == 1
    assert "+            slug: The workspace slug" in result.stdout


def test_build_refuses_a_spec_change_without_the_version_bump_it_needs(
    project: Path,
) -> None:
    spec = project / "specs" / "plane.yaml"
    spec.write_text(spec.read_text().replace("Workspace slug", "The workspace slug"))
    for command in (("build",), ("build", "--check")):
        result = clientgen(*command, cwd=project)
        assert result.returncode == 1, result.stdout
        assert (
            "plane: the spec changed and needs a patch version bump (verdict: patch), but "
            "version 2.0.0 did not change from 2.0.0: set `version` in [tool.clientgen] to "
            "2.0.1 or later" in result.stderr
        )
        assert "[request-parameter-doc-changed]" in result.stderr
    assert "2.0.1" not in (project / "generated/plane/plane/__init__.py").read_text()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"2.0.0"', '"2.0.1"'))
    bumped = clientgen("build", cwd=project)
    assert bumped.returncode == 0, bumped.stderr
    assert (
        '__version__ = "2.0.1"'
        in (project / "generated/plane/plane/__init__.py").read_text()
    )
