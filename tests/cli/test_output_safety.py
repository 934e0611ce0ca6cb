"""The generator owns only what it wrote: it refuses folders it does not own, keeps files it did not write,
and compares (``build --check``) only the files it writes.

Every case runs against folders under ``tmp_path`` (the home-folder case points ``HOME`` there); the
filesystem-root case runs in-process with staging replaced by a failure, so even a broken guard cannot write
anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import build as build_module
from generator.cli import main
from tests.support.cli import BIN, ROOT, clientgen

SPEC = """\
openapi: 3.0.3
info: {title: Tiny, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200': {description: ok}
  /owners:
    get:
      operationId: listOwners
      tags: [owners]
      responses:
        '200': {description: ok}
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (``.git`` included) and every symlink, as they are."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def one_line_refusal(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A user's git repository with a spec, a [tool.clientgen] target and a notes file."""
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "specs" / "tiny.yaml").write_text(SPEC)
    (repo / "pyproject.toml").write_text(
        '[[tool.clientgen.targets]]\nspec = "specs/tiny.yaml"\npackage = "tiny"\n'
    )
    (repo / "USER_NOTES.txt").write_text("mine\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return repo


def test_generate_into_the_working_folder_of_a_repository_is_refused(
    repo: Path,
) -> None:
    before = snapshot(repo)
    result = clientgen(
        "generate", "specs/tiny.yaml", "--output", ".", "--package", "tiny", cwd=repo
    )
    one_line_refusal(result, "refusing")
    assert snapshot(repo) == before


def test_generate_through_a_symlink_to_the_repository_is_refused(
    repo: Path, tmp_path: Path
) -> None:
    (tmp_path / "link").symlink_to(repo)
    before = snapshot(repo)
    result = clientgen(
        "generate",
        str(repo / "specs" / "tiny.yaml"),
        "--output",
        "link",
        "--package",
        "tiny",
        cwd=tmp_path,
    )
    one_line_refusal(result, "refusing")
    assert snapshot(repo) == before


@pytest.mark.parametrize("empty", [False, True], ids=["with-files", "empty"])
def test_generate_into_the_home_folder_is_refused(tmp_path: Path, empty: bool) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "spec.yaml").write_text(SPEC)
    if not empty:
        (home / "notes.txt").write_text("mine\n")
    before = snapshot(home)
    result = clientgen(
        "generate",
        "spec.yaml",
        "--output",
        str(home),
        "--package",
        "tiny",
        cwd=tmp_path,
        env={"HOME": str(home)},
    )
    one_line_refusal(result, "refusing", "home folder")
    assert snapshot(home) == before


def test_generate_into_the_filesystem_root_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_staging(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard let the build reach the filesystem root")

    monkeypatch.setattr(build_module, "_stage", no_staging)
    monkeypatch.setattr(build_module, "swap_in", no_staging)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    status = main(["generate", str(spec), "--output", "/", "--package", "tiny"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error: ") and "filesystem root" in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_folder_with_files_and_no_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("keep\n")
    result = clientgen(
        "generate", "spec.yaml", "--output", "out", "--package", "tiny", cwd=tmp_path
    )
    one_line_refusal(result, "out", "not empty", ".clientgen.json")
    assert snapshot(out) == {"keep.txt": b"keep\n"}


def test_an_empty_folder_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    (tmp_path / "out").mkdir()
    result = clientgen(
        "generate", "spec.yaml", "--output", "out", "--package", "tiny", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "tiny" / "__init__.py").is_file()


@pytest.mark.parametrize(
    "marker", [".git/HEAD", "pyproject.toml", "setup.py"], ids=lambda m: m
)
def test_a_manifest_does_not_make_a_project_folder_clientgens(
    tmp_path: Path, marker: str
) -> None:
    """A folder holding ``.git``, or a ``pyproject.toml``/``setup.py`` its manifest does not list, is
    someone's project, even with a ``.clientgen.json`` in it."""
    (tmp_path / "spec.yaml").write_text(SPEC)
    out = tmp_path / "out"
    assert (
        clientgen(
            "generate",
            "spec.yaml",
            "--output",
            "out",
            "--package",
            "tiny",
            cwd=tmp_path,
        ).returncode
        == 0
    )
    manifest = json.loads((out / ".clientgen.json").read_text())
    if marker == "pyproject.toml":  # a manifest that does not list the pyproject.toml
        manifest["files"].remove("pyproject.toml")
        (out / ".clientgen.json").write_text(json.dumps(manifest))
    else:
        (out / marker).parent.mkdir(exist_ok=True)
        (out / marker).write_text("ref: refs/heads/main\n")
    before = snapshot(out)
    result = clientgen(
        "generate", "spec.yaml", "--output", "out", "--package", "tiny", cwd=tmp_path
    )
    one_line_refusal(result, "refusing", marker.split("/")[0])
    assert snapshot(out) == before


@pytest.mark.parametrize("listed", ["../victim.txt", "VICTIM", "docs/../../victim.txt"])
def test_a_manifest_listing_files_outside_its_folder_is_refused(
    repo: Path, listed: str
) -> None:
    """The manifest says what a run may remove: a tampered one must not reach outside the output."""
    assert clientgen("build", cwd=repo).returncode == 0
    out = repo / "generated" / "tiny"
    victim = repo / "generated" / "victim.txt"
    victim.write_text("precious\n")
    manifest = json.loads((out / ".clientgen.json").read_text())
    manifest["files"].append(str(victim) if listed == "VICTIM" else listed)
    (out / ".clientgen.json").write_text(json.dumps(manifest))
    result = clientgen("build", "--force", cwd=repo)
    one_line_refusal(result, ".clientgen.json", "not inside its folder")
    assert victim.read_text() == "precious\n"


def _target(repo: Path, output: str) -> None:
    (repo / "pyproject.toml").write_text(
        '[[tool.clientgen.targets]]\nspec = "specs/tiny.yaml"\npackage = "tiny"\n'
        f'output = "{output}"\n'
    )


@pytest.mark.parametrize("force", [False, True], ids=["build", "build --force"])
def test_a_target_output_at_the_project_root_is_refused(
    repo: Path, force: bool
) -> None:
    _target(repo, ".")
    before = snapshot(repo)
    result = clientgen("build", *(["--force"] if force else []), cwd=repo)
    one_line_refusal(result, "refusing", "project")
    assert snapshot(repo) == before


@pytest.mark.parametrize("force", [False, True], ids=["build", "build --force"])
def test_a_target_output_outside_the_project_is_refused(
    repo: Path, tmp_path: Path, force: bool
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("precious\n")
    (outside / ".clientgen.json").write_text("{}\n")  # even one that looks like ours
    _target(repo, "../outside")
    result = clientgen("build", *(["--force"] if force else []), cwd=repo)
    one_line_refusal(result, "refusing", "outside the project")
    assert snapshot(outside) == {
        ".clientgen.json": b"{}\n",
        "precious.txt": b"precious\n",
    }


def test_a_target_output_through_a_symlink_leading_out_is_refused(
    repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("precious\n")
    (repo / "generated").mkdir()
    (repo / "generated" / "tiny").symlink_to(outside)
    result = clientgen("build", cwd=repo)
    one_line_refusal(result, "refusing", "outside the project")
    assert snapshot(outside) == {"precious.txt": b"precious\n"}


def test_a_folder_inside_the_output_linking_out_is_never_written_through(
    repo: Path, tmp_path: Path
) -> None:
    assert clientgen("build", cwd=repo).returncode == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.md").write_text("precious\n")
    docs = repo / "generated" / "tiny" / "docs"
    shutil.rmtree(docs)
    docs.symlink_to(outside)
    result = clientgen("build", "--force", cwd=repo)
    one_line_refusal(result, "refusing", "docs", "outside")
    assert snapshot(outside) == {"precious.md": b"precious\n"}


def _bump(repo: Path, version: str) -> None:
    """Set the target's version (it has none: 1.0.0)."""
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'version = "{version}"\n')


def test_regenerating_keeps_files_clientgen_did_not_write(repo: Path) -> None:
    assert clientgen("build", cwd=repo).returncode == 0
    out = repo / "generated" / "tiny"
    (out / "NOTES.md").write_text("my notes\n")
    (out / "tiny" / "extra.py").write_text("X = 1\n")
    assert (out / "docs" / "OwnersApi.md").is_file()
    spec = repo / "specs" / "tiny.yaml"
    spec.write_text(SPEC.split("  /owners:")[0])  # the owners operation goes
    _bump(repo, "2.0.0")  # a breaking change: the version gate asks for a major bump
    result = clientgen("build", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "removed" in result.stdout
    assert not (out / "docs" / "OwnersApi.md").exists()  # it wrote that one
    assert not (out / "tiny" / "api" / "owners_api.py").exists()
    assert (out / "NOTES.md").read_text() == "my notes\n"
    assert (out / "tiny" / "extra.py").read_text() == "X = 1\n"
    # `build --check` reports them, but they are the user's: no failure.
    check = clientgen("build", "--check", cwd=repo)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "not written by clientgen" in check.stderr
    assert "generated/tiny/NOTES.md" in check.stderr
    assert "generated/tiny/tiny/extra.py" in check.stderr


def test_a_file_clientgen_did_not_write_is_never_overwritten(repo: Path) -> None:
    spec = repo / "specs" / "tiny.yaml"
    spec.write_text(SPEC.split("  /owners:")[0])
    assert clientgen("build", cwd=repo).returncode == 0
    out = repo / "generated" / "tiny"
    (out / "docs" / "OwnersApi.md").write_text("the user's own page\n")
    spec.write_text(SPEC)  # now clientgen would write docs/OwnersApi.md
    _bump(repo, "1.1.0")  # an addition: the version gate asks for a minor bump
    before = snapshot(out)
    result = clientgen("build", cwd=repo)
    one_line_refusal(result, "docs/OwnersApi.md", "not written by clientgen")
    assert snapshot(out) == before


def test_regenerating_replaces_a_file_it_wrote_that_was_edited(repo: Path) -> None:
    assert clientgen("build", cwd=repo).returncode == 0
    page = repo / "generated" / "tiny" / "docs" / "PetsApi.md"
    generated = page.read_bytes()
    page.write_text("edited\n")
    assert clientgen("build", cwd=repo).returncode == 0
    assert page.read_bytes() == generated


def _tool_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_NO_INDEX"] = (
        "1"  # everything needed is installed; never reach for the network
    )
    return env


def _tool(*command: str, cwd: Path) -> None:
    result = subprocess.run(
        command, cwd=cwd, env=_tool_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_ignores_what_pip_build_and_mypy_leave_in_the_output(
    tmp_path: Path,
) -> None:
    """The real tools, run in a copy of the project: what they write is not drift, and is never printed."""
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "plane.yaml", repo / "specs" / "plane.yaml")
    (repo / "pyproject.toml").write_text(
        '[[tool.clientgen.targets]]\nspec = "specs/plane.yaml"\npackage = "plane"\n'
    )
    assert clientgen("build", cwd=repo).returncode == 0
    out = repo / "generated" / "plane"
    python = str(BIN / "python")
    _tool(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--prefix",
        str(tmp_path / "prefix"),
        "-e",
        str(out),
        cwd=tmp_path,
    )
    _tool(python, "-m", "build", "--no-isolation", ".", cwd=out)
    _tool(python, "-m", "mypy", "-c", "import json", cwd=out)
    _tool(python, "-c", "import plane.configuration", cwd=out)  # writes __pycache__
    left = {p.name for p in out.iterdir()}
    assert {"plane.egg-info", "dist", ".mypy_cache"} <= left, left
    check = clientgen("build", "--check", cwd=repo)
    assert check.returncode == 0, check.stdout + check.stderr
    printed = check.stdout + check.stderr
    for artefact in ("egg-info", "dist", "mypy_cache", "__pycache__", "not written"):
        assert artefact not in printed, printed
    # A rebuild leaves them where they are.
    (repo / "specs" / "plane.yaml").write_text(
        (repo / "specs" / "plane.yaml").read_text().replace("Workspace slug", "Slug")
    )
    _bump(
        repo, "1.0.1"
    )  # a description changed: the version gate asks for a patch bump
    rebuilt = clientgen("build", cwd=repo)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert {"plane.egg-info", "dist", ".mypy_cache"} <= {p.name for p in out.iterdir()}


@pytest.mark.parametrize("in_git", [True, False], ids=["git-work-tree", "no-git"])
def test_check_lists_foreign_files_but_not_the_ignored_ones(
    repo: Path, in_git: bool
) -> None:
    """In a git work tree git says what is ignored (every .gitignore on the way); elsewhere the output's own
    .gitignore does."""
    if not in_git:
        shutil.rmtree(repo / ".git")
    assert clientgen("build", cwd=repo).returncode == 0
    out = repo / "generated" / "tiny"
    (repo / ".gitignore").write_text(
        "secret.txt\n"
    )  # the repository's own ignore rules
    (out / ".gitignore").write_text("scratch/\n*.log\n")  # the output's
    (out / "run.log").write_text("log\n")
    (out / "secret.txt").write_text("s\n")
    (out / "scratch").mkdir()
    (out / "scratch" / "x.txt").write_text("x\n")
    (out / ".ruff_cache").mkdir()
    (out / ".ruff_cache" / "CACHEDIR.TAG").write_text("tag\n")
    (out / "build").mkdir()
    (out / "build" / "lib.txt").write_text("built\n")
    (out / "TODO.md").write_text("todo\n")
    check = clientgen("build", "--check", cwd=repo)
    assert check.returncode == 0, check.stdout + check.stderr
    printed = check.stdout + check.stderr
    assert "generated/tiny/TODO.md" in printed
    assert "generated/tiny/.gitignore" in printed  # a file the user added
    assert ("secret.txt" in printed) is not in_git  # the repository's rules need git
    for ignored in ("run.log", "scratch", "ruff_cache", "build/"):
        assert ignored not in printed, printed


def test_check_never_dumps_binary_content(repo: Path) -> None:
    assert clientgen("build", cwd=repo).returncode == 0
    page = repo / "generated" / "tiny" / "docs" / "PetsApi.md"
    page.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    check = clientgen("build", "--check", cwd=repo, text=False)
    assert check.returncode == 1
    assert b"generated/tiny/docs/PetsApi.md" in check.stdout
    assert b"binary" in check.stdout.lower()
    assert b"\x00" not in check.stdout and b"IHDR" not in check.stdout
