"""A build whose inputs are all the last build's takes every file from the render cache, the files rendered from
the whole API too (render/cache.py's ``whole_key``): it imports no Jinja, writes what a full build writes, and
renders again as soon as anything the renders read changes (a template, the generator, the target).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import build
from generator.config import make_target
from generator.render import env
from generator.render.cache import RENDERS
from tests.support.cli import ROOT

SPEC = ROOT / "specs" / "asana.yaml"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".clientgen-")  # records and caches
    }


_FORCED_BUILD = """
import json, sys
from pathlib import Path
from generator.build import build_target
from generator.config import make_target
import generator.build
if len(sys.argv) > 5:  # a project this many operations and models large renders its docs in a forked child
    generator.build._LARGE_PROJECT = int(sys.argv[5])
target = make_target(Path(sys.argv[1]), sys.argv[4], sys.argv[3], "1.0.0", Path(sys.argv[2]))
build_target(target, force=True)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "jinja2"
                        or m.startswith(("generator.render.plan", "generator.render.docs")))))
"""


def forced_build(
    output: Path, spec: Path, library: str, seed: int, large: int | None = None
) -> list[str]:
    """``build --force`` of ``spec`` into ``output`` in a fresh process (strings hashed with ``seed``): the
    Jinja and planner modules it imported. With ``large``, a project of that many operations and models or
    more counts as large (its docs are rendered in a forked child when most files are rendered).
    """
    extra = [] if large is None else [str(large)]
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _FORCED_BUILD,
            str(spec),
            str(output),
            library,
            "pkg",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": str(seed)},
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("spec", "library"),
    [("asana.yaml", "asyncio"), ("asana.yaml", "both"), ("pieces_os.yaml", "both")],
)
def test_an_unchanged_rebuild_renders_nothing_and_writes_what_a_full_build_writes(
    tmp_path: Path, spec: str, library: str
) -> None:
    """Each build in its own process, its strings hashed differently (the key holds no set's ``repr``:
    Pieces has models in cycles)."""
    path = ROOT / "specs" / spec
    output, full = tmp_path / "out" / "pkg", tmp_path / "full" / "pkg"
    assert "jinja2" in forced_build(output, path, library, 1)  # the first build renders
    first = tree(output)
    # The second takes everything from the cache.
    assert forced_build(output, path, library, 2) == []
    assert tree(output) == first
    # A build without the cache (everything rendered) writes the same bytes.
    shutil.copytree(output, full)
    (full / RENDERS).unlink()
    assert "jinja2" in forced_build(full, path, library, 3)
    assert tree(full) == first


@pytest.mark.skipif(
    not hasattr(os, "fork"), reason="the docs are forked only with os.fork"
)
def test_the_rebuild_after_a_cold_build_whose_docs_a_child_rendered_renders_nothing(
    tmp_path: Path,
) -> None:
    """A large project's cold build renders its docs in a forked child: the next build still takes every
    file from the cache (the docs as the child wrote them), and writes what a full build writes.
    """
    path = ROOT / "specs" / "asana.yaml"
    output, full = tmp_path / "out" / "pkg", tmp_path / "full" / "pkg"
    assert "jinja2" in forced_build(output, path, "both", 1, large=1)
    first = tree(output)
    assert forced_build(output, path, "both", 2, large=1) == []
    assert tree(output) == first
    shutil.copytree(output, full)
    (full / RENDERS).unlink()
    assert "jinja2" in forced_build(full, path, "both", 3)
    assert tree(full) == first


def _edited_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the templates the build uses from now on (as the inputs digest and the renders see them)."""
    from generator.render import docs

    templates = tmp_path / "templates"
    shutil.copytree(env.TEMPLATES, templates)
    real = env.environment
    monkeypatch.setattr(env, "environment", lambda: real(templates))
    monkeypatch.setattr(docs, "environment", lambda: real(templates))
    monkeypatch.setattr(build, "TEMPLATES", templates)
    return templates


@pytest.mark.parametrize(
    ("template", "written"),
    [
        ("package/__init__.py.jinja", "asana/__init__.py"),
        ("package/pyproject.toml.jinja", "pyproject.toml"),
        ("docs/readme.md.j2", "README.md"),
    ],
)
def test_a_changed_template_of_a_whole_api_file_is_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, written: str
) -> None:
    output = tmp_path / "out" / "asana"
    target = make_target(SPEC, "asana", "asyncio", "1.0.0", output)
    build.build_target(target)
    before = (output / written).read_text()
    templates = _edited_templates(tmp_path, monkeypatch)
    edited = templates / template
    mark = "edited-template-mark"
    comment = f"<!-- {mark} -->" if template.endswith(".j2") else f"# {mark}"
    edited.write_text(edited.read_text() + f"\n{comment}\n")
    build.build_target(target, force=True)
    after = (output / written).read_text()
    assert mark not in before and mark in after


def test_a_new_generator_version_or_target_renders_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out" / "asana"
    target = make_target(SPEC, "asana", "asyncio", "1.0.0", output)
    build.build_target(target)
    rendered: list[int] = []
    real = build._code_files

    def spy(*args: object) -> object:
        rendered.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "_code_files", spy)
    build.build_target(target, force=True)
    assert rendered == []  # the forced build took everything from the cache
    monkeypatch.setattr(build, "__version__", "999.0.0")
    build.build_target(target, force=True)
    assert rendered == [1]
    # Another package version: the files that show it are rendered again, and show it.
    bumped = make_target(SPEC, "asana", "asyncio", "1.0.1", output)
    build.build_target(bumped, force=True)
    assert rendered == [1, 1]
    assert 'version = "1.0.1"' in (output / "pyproject.toml").read_text()


def test_the_inputs_digest_follows_every_template_edit_within_a_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest of the templates is kept between calls (a build takes it twice) only while no file
    changed: an edit of the same length, a new file and a removed one all change it."""
    templates = tmp_path / "templates"
    shutil.copytree(env.TEMPLATES, templates)
    monkeypatch.setattr(build, "TEMPLATES", templates)
    target = make_target(SPEC, "asana", "asyncio", "1.0.0", tmp_path / "out")
    first = build.input_digest(target, False, "")
    assert build.input_digest(target, False, "") == first
    readme = templates / "docs" / "readme.md.j2"
    text = readme.read_text()
    readme.write_text(text.replace("#", "=", 1))  # the same length
    edited = build.input_digest(target, False, "")
    assert edited != first
    readme.write_text(text)
    assert build.input_digest(target, False, "") == first
    (templates / "docs" / "new.md.j2").write_text("")
    added = build.input_digest(target, False, "")
    assert added not in (first, edited)
    (templates / "docs" / "new.md.j2").unlink()
    assert build.input_digest(target, False, "") == first


def test_an_unchanged_rebuild_stages_only_the_manifest_and_restores_edited_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files taken from the cache whose bytes the output holds are not staged (nor formatted, nor checked):
    the README and the reference pages too. A file of the output edited by hand is written again.
    """
    from generator.render import write

    output = tmp_path / "out" / "asana"
    target = make_target(SPEC, "asana", "asyncio", "1.0.0", output)
    build.build_target(target)
    first = tree(output)
    staged: list[str] = []
    real = write._write_all

    def spy(staging: Path, files: object) -> None:
        files = list(files)  # type: ignore[call-overload]
        staged.extend(f.path for f in files)
        real(staging, files)

    monkeypatch.setattr(write, "_write_all", spy)
    build.build_target(target, force=True)
    assert staged == []  # (the manifest is written apart)
    assert tree(output) == first
    for edited in ("README.md", "asana/__init__.py", "asana/_runtime/core.py"):
        (output / edited).write_text("edited by hand\n")
    staged.clear()
    result = build.build_target(target, force=True)
    assert sorted(result.changes.changed) == [
        "README.md",
        "asana/__init__.py",
        "asana/_runtime/core.py",
    ]
    assert sorted(staged) == [
        "README.md",
        "asana/__init__.py",
        "asana/_runtime/core.py",
    ]
    assert tree(output) == first
