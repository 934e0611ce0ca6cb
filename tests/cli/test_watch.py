"""``clientgen build --watch`` as a user runs it: a real project, a spec edited on disk, the package rebuilt;
a broken save reported with its location while the last good output stays; the next save rebuilt.
"""

from __future__ import annotations

import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.render.cache import RENDERS, RenderCache
from tests.support.cli import BIN, ROOT

PYPROJECT = """\
[tool.clientgen]
[[tool.clientgen.targets]]
spec = "specs/pieces_os.yaml"
package = "pieces"
library = "sync"
version = "1.0.0"
"""
SUMMARY = re.compile(
    r"pieces: (\d+) added, (\d+) changed, (\d+) removed \(\d+\.\d\ds(, verdict: \w+)?\)"
)


class Watcher:
    """The watch process, its output read line by line (stdout and stderr apart) as it comes."""

    def __init__(self, project: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--watch"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": f"{BIN}:/usr/bin:/bin"},
        )
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[str] = []
        for name in ("stdout", "stderr"):
            threading.Thread(target=self._read, args=(name,), daemon=True).start()

    def _read(self, name: str) -> None:
        stream = getattr(self.process, name)
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, pattern: str, stream: str, timeout: float = 60) -> str:
        """The next line of ``stream`` matching ``pattern`` (the lines before it are kept in ``seen``)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                name, line = self.lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                if left <= 0:
                    raise AssertionError(
                        f"no {pattern!r} on {stream}; seen: {self.seen}"
                    ) from None
                continue
            self.seen.append(f"{name}: {line}")
            if name == stream and re.search(pattern, line):
                return line

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(
        ROOT / "specs" / "pieces_os.yaml", tmp_path / "specs" / "pieces_os.yaml"
    )
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


@pytest.fixture
def watcher(project: Path) -> Iterator[Watcher]:
    w = Watcher(project)
    try:
        yield w
    finally:
        w.stop()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_watch_rebuilds_on_save_and_survives_a_broken_save(
    project: Path, watcher: Watcher
) -> None:
    spec = project / "specs" / "pieces_os.yaml"
    module = project / "generated" / "pieces" / "pieces" / "api" / "assets_api.py"
    first = watcher.wait_for(SUMMARY.pattern, "stdout")
    assert int(SUMMARY.search(first).group(1)) > 0  # type: ignore[union-attr]
    watcher.wait_for(r"^watching 1 file\(s\) of 1 target\(s\)", "stderr")
    assert "Get all of the users Assets." in module.read_text()

    # An edit: the one-line summary, the diff's verdict, and the new text in the generated module.
    spec.write_text(
        spec.read_text().replace(
            "Get all of the users Assets.", "Every asset of the user."
        )
    )
    edited = watcher.wait_for(SUMMARY.pattern, "stdout")
    found = SUMMARY.search(edited)
    assert found is not None and found.group(2) != "0", edited
    assert found.group(4) == ", verdict: patch", edited
    assert "Every asset of the user." in module.read_text()
    good = snapshot(project / "generated")

    # A broken intermediate save: the located error; the output stays as it was.
    text = spec.read_text()
    spec.write_text(
        text.replace(
            "      operationId: assets_snapshot\n",
            "      operationId: [assets_snapshot\n",
        )
    )
    error = watcher.wait_for(r"pieces_os\.yaml:\d+:\d+: ", "stderr")
    assert error.startswith("specs/pieces_os.yaml:") or "pieces_os.yaml:" in error
    watcher.wait_for(r"^pieces: not rebuilt; the previous output is kept$", "stderr")
    assert snapshot(project / "generated") == good

    # The next save builds again.
    spec.write_text(text.replace("Every asset of the user.", "All assets."))
    watcher.wait_for(SUMMARY.pattern, "stdout")
    assert "All assets." in module.read_text()
    assert watcher.process.poll() is None  # still watching

    # Stopped, the watch leaves its render cache in the output for the next build.
    renders = project / "generated" / "pieces" / RENDERS
    assert not renders.exists()
    watcher.stop()
    cache = RenderCache.read(renders)
    assert len(cache) > 0
    assert cache.written.files, "what the watch's last build wrote is recorded"


SPLIT_SPEC = """\
openapi: 3.0.3
info: {title: Split, version: "1"}
paths:
  /things:
    get:
      operationId: list_things
      tags: [Things]
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "schemas/thing.yaml"}
"""
THING = """\
type: object
description: {text}
properties:
  name: {{type: string}}
"""


def test_watch_rebuilds_when_a_referenced_file_changes(tmp_path: Path) -> None:
    (tmp_path / "specs" / "schemas").mkdir(parents=True)
    (tmp_path / "specs" / "split.yaml").write_text(SPLIT_SPEC)
    thing = tmp_path / "specs" / "schemas" / "thing.yaml"
    thing.write_text(THING.format(text="A thing."))
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT.replace("specs/pieces_os.yaml", "specs/split.yaml")
    )
    watcher = Watcher(tmp_path)
    try:
        watcher.wait_for(SUMMARY.pattern, "stdout")
        watcher.wait_for(r"^watching 2 file\(s\) of 1 target\(s\)", "stderr")
        model = tmp_path / "generated" / "pieces" / "pieces" / "models" / "thing.py"
        assert "A thing." in model.read_text()
        thing.write_text(THING.format(text="A thing, reworded in its own file."))
        watcher.wait_for(SUMMARY.pattern, "stdout")
        assert "A thing, reworded in its own file." in model.read_text()
    finally:
        watcher.stop()


def _package(folder: Path) -> dict[str, bytes]:
    """The generated code and docs (not the release records, which follow the project's history)."""
    return {
        path: data
        for path, data in snapshot(folder).items()
        if path.startswith(("pieces/", "docs/")) and "/.clientgen" not in path
    }


def test_watch_of_a_json_spec_writes_what_a_fresh_build_writes(tmp_path: Path) -> None:
    """A JSON spec is parsed, validated and modelled again only where a save changed it (the watch keeps
    the last version's state): after each save, also after one read half written, the package is the one
    a fresh build of that text writes."""
    import json

    import yaml

    project = tmp_path / "watched"
    (project / "specs").mkdir(parents=True)
    data = yaml.safe_load((ROOT / "specs" / "pieces_os.yaml").read_text())
    spec = project / "specs" / "pieces_os.json"
    spec.write_text(json.dumps(data, indent=2))
    (project / "pyproject.toml").write_text(
        PYPROJECT.replace("specs/pieces_os.yaml", "specs/pieces_os.json")
    )

    def fresh(text: str) -> dict[str, bytes]:
        other = tmp_path / "fresh"
        shutil.rmtree(other, ignore_errors=True)
        (other / "specs").mkdir(parents=True)
        (other / "specs" / "pieces_os.json").write_text(text)
        shutil.copy(project / "pyproject.toml", other / "pyproject.toml")
        subprocess.run(
            [sys.executable, "-m", "generator", "build", "--quiet"],
            cwd=other,
            check=True,
            env={"PYTHONPATH": str(ROOT), "PATH": f"{BIN}:/usr/bin:/bin"},
        )
        return _package(other / "generated" / "pieces")

    watcher = Watcher(project)
    try:
        watcher.wait_for(SUMMARY.pattern, "stdout")
        watcher.wait_for(r"^watching 1 file\(s\) of 1 target\(s\)", "stderr")
        ops = [
            op
            for item in data["paths"].values()
            for op in item.values()
            if isinstance(op, dict) and "operationId" in op
        ]
        # One operation reworded; then one renamed, with an inline response schema (a class named from it).
        ops[0]["summary"] = "Reworded in the watch."
        text = json.dumps(data, indent=2)
        spec.write_text(text)
        watcher.wait_for(SUMMARY.pattern, "stdout")
        assert _package(project / "generated" / "pieces") == fresh(text)

        spec.write_text(text[: len(text) // 2])  # a save seen half written
        watcher.wait_for(
            r"^pieces: not rebuilt; the previous output is kept$", "stderr"
        )
        ops[1]["operationId"] = "renamedInTheWatch"
        ops[1]["responses"] = {
            "200": {
                "description": "ok",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"watched": {"type": "string"}},
                        }
                    }
                },
            }
        }
        text = json.dumps(data, indent=2)
        spec.write_text(text)
        watcher.wait_for(SUMMARY.pattern, "stdout")
        built = _package(project / "generated" / "pieces")
        assert built == fresh(text)
        assert any("renamed_in_the_watch" in data.decode() for data in built.values())
    finally:
        watcher.stop()
