"""Writing a project: parsed before it lands (code and the docs' examples), the code formatted, swapped in
atomically, or compared."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator import build
from generator.config import make_target
from generator.errors import OutputError
from generator.render import env, write
from generator.render.write import (
    Changes,
    OutputFile,
    compare,
    diff,
    read_tree,
    stage,
    swap_in,
)

GOOD = OutputFile("pkg/mod.py", "x=1\ndef f( a ):\n  return a\n")


def test_stage_formats_python_in_blacks_style(tmp_path: Path) -> None:
    staging = stage([GOOD, OutputFile("README.md", "# hi\n")], tmp_path)
    assert (
        staging / "pkg" / "mod.py"
    ).read_text() == "x = 1\n\n\ndef f(a):\n    return a\n"
    assert (staging / "README.md").read_text() == "# hi\n"


@pytest.mark.parametrize("large", [False, True], ids=["docs here", "docs forked"])
def test_files_made_meanwhile_are_written_while_ruff_formats(
    tmp_path: Path, large: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``meanwhile`` (the release files) runs once ruff has the code: its files land beside the code, which
    is formatted as ever, and the docs too."""
    events: list[str] = []
    start = write._formatter

    def formatter(folder: Path, roots: list[str]) -> object:
        events.append("ruff started")
        return start(folder, roots)

    def meanwhile() -> list[OutputFile]:
        events.append("meanwhile")
        return [OutputFile("CHANGELOG.md", "# Changelog\n")]

    monkeypatch.setattr(write, "_formatter", formatter)
    staging = stage(
        lambda: [GOOD],
        tmp_path,
        more=lambda: [OutputFile("docs/A.md", "# A\n")],
        large=large,
        meanwhile=meanwhile,
    )
    assert events == ["ruff started", "meanwhile"]
    assert (staging / "CHANGELOG.md").read_text() == "# Changelog\n"
    assert (staging / "docs" / "A.md").read_text() == "# A\n"
    assert (staging / "pkg" / "mod.py").read_text().startswith("x = 1\n")


def test_a_failure_meanwhile_leaves_nothing(tmp_path: Path) -> None:
    """A release error raised while ruff formats (the version gate) stops the staging: no folder is left."""

    def meanwhile() -> list[OutputFile]:
        raise OutputError("the gate said no")

    with pytest.raises(OutputError, match="the gate said no"):
        stage([GOOD], tmp_path, meanwhile=meanwhile)
    assert list(tmp_path.iterdir()) == []


def test_files_made_meanwhile_must_not_be_code(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must be among the first files"):
        stage([GOOD], tmp_path, meanwhile=lambda: [OutputFile("pkg/late.py", "x=1\n")])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", [10, 400_000], ids=["small", "large"])
@pytest.mark.parametrize("broken_first", [False, True], ids=["last", "first"])
@pytest.mark.parametrize("docs", [False, True], ids=["code", "code+docs"])
def test_invalid_python_never_reaches_the_output(
    tmp_path: Path, size: int, broken_first: bool, docs: bool
) -> None:
    """Wherever the broken file falls, ruff's parse refuses it and nothing is written."""
    output = tmp_path / "out"
    _update(stage([GOOD], tmp_path), output)
    before = (output / "pkg" / "mod.py").read_bytes()
    padding = [OutputFile(f"pkg/big{i}.py", "y = 1\n" * (size // 6)) for i in range(3)]
    broken = OutputFile("pkg/broken.py", "def f(:\n    pass\n")
    files = [broken, *padding] if broken_first else [*padding, broken]
    more = (lambda: [OutputFile("docs/A.md", "# A\n")]) if docs else None
    with pytest.raises(
        OutputError, match=r"generated pkg/broken.py is not valid Python \(line 1"
    ):
        stage(files, tmp_path, more=more)
    assert (output / "pkg" / "mod.py").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out"
    ]  # no staging folder left behind


def test_compare_and_diff_name_each_changed_file(tmp_path: Path) -> None:
    old = stage([GOOD, OutputFile("a.txt", "a\n")], tmp_path / "old")
    new = stage(
        [OutputFile("pkg/mod.py", "x = 2\n"), OutputFile("b.txt", "b\n")],
        tmp_path / "new",
    )
    changes = compare(read_tree(new), read_tree(old))
    assert (changes.added, changes.changed, changes.removed) == (
        ("b.txt",),
        ("pkg/mod.py",),
        ("a.txt",),
    )
    text = diff(read_tree(new), read_tree(old), "generated/x")
    assert "--- generated/x/pkg/mod.py\n" in text and "+x = 2\n" in text
    assert "--- generated/x/a.txt\n+++ /dev/null\n" in text


def test_more_files_are_rendered_while_the_code_is_formatted(tmp_path: Path) -> None:
    calls: list[str] = []
    page = "# A\n\n```python\nconfiguration = pkg.Configuration(\n    host = 'h'\n)\nprint( 'a' )\n```\n"

    def docs() -> list[OutputFile]:
        calls.append("docs")
        return [
            OutputFile("docs/A.md", page),
            OutputFile("README.md", "# r\n\n```python\nx=1\n```\n"),
        ]

    for _ in range(3):  # however the steps interleave
        staging = stage(
            [GOOD, OutputFile("pyproject.toml", "[x]\n")], tmp_path, more=docs
        )
        # The docs are written as rendered: their examples keep the seeds' form, never reformatted.
        assert (staging / "docs" / "A.md").read_text() == page
        assert (staging / "README.md").read_text() == "# r\n\n```python\nx=1\n```\n"
        assert (staging / "pkg" / "mod.py").read_text().startswith("x = 1\n")
        assert (staging / "pyproject.toml").read_text() == "[x]\n"
    assert calls == ["docs"] * 3


@pytest.mark.parametrize("large", [False, True], ids=["in-process", "forked-child"])
def test_an_example_that_is_not_python_never_reaches_the_output(
    tmp_path: Path, large: bool
) -> None:
    output = tmp_path / "out"
    _update(stage([GOOD], tmp_path), output)

    def docs() -> list[OutputFile]:
        return [
            OutputFile(
                "docs/Ok.md", "```python\nasync with c:\n    await c.f()\n```\n"
            ),
            OutputFile("docs/B.md", '# B\n\n````python\nx = {"a":true}\nf(:\n````\n'),
        ]

    with pytest.raises(
        OutputError,
        match=r"^generated docs/B.md: the example at line 5 is not valid Python",
    ):
        stage(lambda: [GOOD], tmp_path, more=docs, large=large)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_python_among_the_later_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="late.py"):
        stage([GOOD], tmp_path, more=lambda: [OutputFile("late.py", "x=1\n")])
    assert list(tmp_path.iterdir()) == []  # the staging folder is gone


def test_later_files_stay_out_of_the_code_folders(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pkg/notes.md"):
        stage([GOOD], tmp_path, more=lambda: [OutputFile("pkg/notes.md", "# n\n")])


def _update(staging: Path, output: Path) -> Changes:
    """Make ``output`` (whose every file the test wrote) hold what ``staging`` holds."""
    changes = compare(read_tree(staging), read_tree(output))
    swap_in(staging, output, changes)
    return changes


def _project(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    return stage(
        [OutputFile(path, text) for path, text in files.items()], tmp_path / name
    )


def test_an_update_touches_only_the_files_that_changed(tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = {"pkg/a.py": "a = 1\n", "pkg/b.py": "b = 1\n", "gone/c.md": "# c\n"}
    _update(_project(tmp_path, "one", first), output)
    kept = (output / "pkg" / "a.py").stat()
    (
        output / "gone" / "__pycache__"
    ).mkdir()  # left by an import: no reason to keep the folder
    new = _project(
        tmp_path, "two", {"pkg/a.py": "a = 1\n", "pkg/b.py": "b = 2\n", "d.md": "d\n"}
    )
    _update(new, output)
    after = (output / "pkg" / "a.py").stat()
    assert (after.st_ino, after.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert (output / "pkg" / "b.py").read_text() == "b = 2\n"
    assert (output / "d.md").read_text() == "d\n"
    assert not (output / "gone").exists()
    # Nothing is left beside the output (the staging folders are in "one" and "two").
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "out", "two"]


def test_a_failed_update_puts_every_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out"
    _update(
        _project(
            tmp_path, "one", {"a.py": "a = 1\n", "b.py": "b = 1\n", "c.py": "c = 1\n"}
        ),
        output,
    )
    before = {p.name: p.read_text() for p in output.iterdir()}
    new = _project(
        tmp_path, "two", {"a.py": "a = 2\n", "b.py": "b = 2\n", "d.py": "d = 2\n"}
    )
    changes = compare(read_tree(new), read_tree(output))
    real_replace, calls = os.replace, []

    def failing(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 5:  # after moving the old files aside and one new file in
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="No space"):
        swap_in(new, output, changes)
    monkeypatch.setattr(os, "replace", real_replace)
    assert {p.name: p.read_text() for p in output.iterdir()} == before


def test_a_large_project_renders_its_docs_in_a_forked_child(tmp_path: Path) -> None:
    parent_pid = os.getpid()

    def docs() -> list[OutputFile]:
        # Rendered in the child, while this process renders the code: the pid tells them apart.
        return [OutputFile("docs/Pid.md", f"# {os.getpid()}\n\n```python\nx=1\n```\n")]

    staging = stage(lambda: [GOOD], tmp_path, more=docs, large=True)
    text = (staging / "docs" / "Pid.md").read_text()
    assert text.endswith("```python\nx=1\n```\n")  # as rendered: docs are not formatted
    assert text.split()[1] != str(parent_pid)
    assert (staging / "pkg" / "mod.py").read_text().startswith("x = 1\n")


def test_a_failing_docs_child_stops_the_build(tmp_path: Path) -> None:
    def docs() -> list[OutputFile]:
        raise KeyError("no template for this")

    with pytest.raises(
        OutputError, match=r"rendering the docs failed:\n(.|\n)*KeyError"
    ):
        stage(lambda: [GOOD], tmp_path, more=docs, large=True)
    assert list(tmp_path.iterdir()) == []


SPEC = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
"""


def test_a_template_emitting_broken_code_fails_the_build_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "pets.yaml"
    spec.write_text(SPEC)
    output = tmp_path / "out" / "pets"
    target = make_target(spec, "pets", "sync", "1.0.0", output)
    build.build_target(target)
    before = read_tree(output)
    assert "pets/models/pet.py" in before
    templates = tmp_path / "templates"
    shutil.copytree(env.TEMPLATES, templates)
    model = templates / "models" / "object.py.jinja"
    model.write_text(model.read_text() + "\ndef broken(:\n    pass\n")
    real = env.environment
    monkeypatch.setattr(env, "environment", lambda: real(templates))
    monkeypatch.setattr(
        build, "TEMPLATES", templates
    )  # the inputs digest: no cached render is reused
    with pytest.raises(
        OutputError,
        match=r"^generated pets/models/pet.py is not valid Python \(line \d+: ",
    ):
        build.build_target(target, force=True)
    assert read_tree(output) == before
    assert sorted(p.name for p in output.parent.iterdir()) == ["pets"]


@pytest.fixture(params=["shell-chain", "thread"])
def formatter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways the two ruff steps run: chained in one shell, or from a thread (no POSIX shell)."""
    from generator.render import write

    if request.param == "thread":
        monkeypatch.setattr(write, "_SHELL", "/nonexistent/sh")
    return str(request.param)


def test_imports_are_sorted_then_formatted(tmp_path: Path, formatter: str) -> None:
    code = OutputFile(
        "pkg/mod.py",
        "from typing import cast, Any, TYPE_CHECKING\nimport sys\nimport os\nx=(os, sys, cast, Any, TYPE_CHECKING)\n",
    )
    staging = stage([code], tmp_path, more=lambda: [OutputFile("README.md", "# r\n")])
    assert (staging / "pkg" / "mod.py").read_text() == (
        "import os\nimport sys\nfrom typing import TYPE_CHECKING, Any, cast\n\n"
        "x = (os, sys, cast, Any, TYPE_CHECKING)\n"
    )


def test_a_file_ruff_cannot_parse_stops_the_build(
    tmp_path: Path, formatter: str
) -> None:
    files = [GOOD, OutputFile("pkg/broken.py", "import sys\nclass C(:\n    pass\n")]
    with pytest.raises(
        OutputError, match=r"^generated pkg/broken.py is not valid Python \(line 2: "
    ):
        stage(files, tmp_path, more=lambda: [OutputFile("README.md", "# r\n")])
    assert list(tmp_path.iterdir()) == []


def test_a_failing_import_sort_stops_the_build(
    tmp_path: Path, formatter: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import write

    monkeypatch.setattr(
        write, "_RUFF_OPTIONS", [*write._RUFF_OPTIONS, "--no-such-option"]
    )
    with pytest.raises(
        OutputError, match=r"^sorting the generated imports failed:\n.*no-such-option"
    ):
        stage([GOOD], tmp_path)
    assert list(tmp_path.iterdir()) == []
