"""Write a rendered project atomically, or compare it with what is on disk.

Files are rendered into a staging folder beside the output, the code formatted there by ``ruff`` (black's
style at a fraction of black's cost), every ``.py`` and every ``python`` block of the Markdown docs is parsed
with ``ast``, and only then is the staging folder swapped in. A failure at any step leaves the previous output
untouched. The docs are written as rendered: their examples keep OpenAPI Generator's form (the seeds'), which
a formatter would rewrite. Formatting, parsing and rendering the docs overlap: ruff runs in its own process,
and for a large project the parsing runs in a forked worker.
"""

from __future__ import annotations

import ast
import difflib
import gc
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OutputError


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of a generated project, relative to the project folder."""

    path: str
    content: str | bytes


@dataclass(frozen=True, slots=True)
class Changes:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _ruff_bin() -> str:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
        if found is None:
            raise OutputError(
                "ruff is not installed; it formats the generated code"
            ) from None
        return found


def _run_ruff(arguments: list[str], what: str) -> None:
    common = [
        "--isolated",
        "--no-cache",
        "--quiet",
        "--line-length",
        "88",
        "--target-version",
        "py310",
    ]
    command = [_ruff_bin(), *arguments[:1], *common, *arguments[1:]]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OutputError(f"{what} failed:\n{(result.stderr or result.stdout).strip()}")


def format_python(folder: Path, roots: Sequence[str] = (".",)) -> None:
    """Sort imports (ruff's isort rules) and format every ``.py`` under ``folder`` in black's style (only
    under ``roots``, its entries, when given: ruff formats the ``python`` blocks of Markdown files too, so
    the roots must not hold the docs).
    """
    paths = [str(folder / root) for root in roots]
    _run_ruff(
        ["check", "--select", "I", "--fix-only", "--exit-zero", *paths],
        "sorting the generated imports",
    )
    _run_ruff(["format", *paths], "formatting the generated code")


def syntax_error(sources: list[tuple[str, str]]) -> str | None:
    """``ast.parse`` each (path, source): the message for the first that is not valid Python, else None."""
    for path, source in sources:
        try:
            ast.parse(source, filename=path)
        except SyntaxError as exc:
            return (
                f"generated {path} is not valid Python (line {exc.lineno}: {exc.msg})"
            )
    return None


# A fenced ``python`` block of the generated Markdown: its fence (three or more backticks, as
# ``docs_filters.fenced`` writes it) and its code, up to the same fence alone on a line.
_PYTHON_FENCE = re.compile(r"^(`{3,})python\n(.*?)^\1$", re.S | re.M)


def example_syntax_error(files: Iterable[OutputFile]) -> str | None:
    """The message for the first ``python`` block of a Markdown file in ``files`` that is not valid Python
    (top-level ``await`` and ``async with`` allowed, as in the asyncio examples), else None.
    """
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    for f in files:
        if not f.path.endswith(".md") or not isinstance(f.content, str):
            continue
        for match in _PYTHON_FENCE.finditer(f.content):
            try:
                compile(match[2], f.path, "exec", flags=flags, dont_inherit=True)
            except SyntaxError as exc:
                line = f.content.count("\n", 0, match.start(2)) + (exc.lineno or 1)
                return f"generated {f.path}: the example at line {line} is not valid Python ({exc.msg})"
    return None


# Below this much Python, parsing in the same process is quicker than forking a worker.
_PARALLEL_PARSE_BYTES = 1_000_000


# The share of a large project's Python (in bytes) parsed by a forked child; this process parses the rest,
# after rendering the docs when it renders them itself (they take about as long as parsing a third of it).
_FORKED_SHARE = 0.5
_FORKED_SHARE_WITH_DOCS = 0.6


def _split(sources: list[tuple[str, str]], share: float) -> int:
    """The index that puts ``share`` of the sources' characters before it."""
    goal, seen = share * sum(len(text) for _, text in sources), 0
    for index, (_, text) in enumerate(sources):
        if seen >= goal:
            return index
        seen += len(text)
    return len(sources)


class _Forked:
    """``job()`` in a forked child, which finds its inputs in the memory it shares with the parent at fork
    time (nothing is pickled on the way in) and sends back only its JSON result, or the traceback that
    stopped it."""

    def __init__(self, job: Callable[[], object], what: str) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            status = 0
            try:
                os.close(read)
                # The parent's objects are never freed here: keep the collector off them, so it does not
                # walk (and copy, page by page) the whole inherited heap.
                gc.freeze()
                try:
                    payload = {"ok": job()}
                except Exception:
                    payload = {"error": traceback.format_exc()}
                with os.fdopen(write, "w", encoding="utf-8") as out:
                    out.write(json.dumps(payload))
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        self._pid: int | None = pid
        self._read = read
        self._what = what

    def result(self) -> Any:
        assert self._pid is not None, "result() is called once"
        with os.fdopen(self._read, "r", encoding="utf-8") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if status != 0 or not data:
            raise OutputError(f"{self._what} failed: its worker process died")
        payload = json.loads(data)
        if "error" in payload:
            raise OutputError(f"{self._what} failed:\n{payload['error']}")
        return payload["ok"]

    def cancel(self) -> None:
        if self._pid is None:  # already reaped by result()
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
        except OSError:
            pass
        self._pid = None
        os.close(self._read)


class _Formatter(threading.Thread):
    """``format_python(folder, roots)`` in a thread: the work is in ruff's process, so this process
    renders, writes and parses meanwhile."""

    def __init__(self, folder: Path, roots: Sequence[str]) -> None:
        super().__init__(name="clientgen-ruff", daemon=True)
        self._folder, self._roots = folder, roots
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            format_python(self._folder, self._roots)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> None:
        self.join()
        if self._error is not None:
            raise self._error


def _write_all(staging: Path, files: Iterable[OutputFile]) -> None:
    made: set[Path] = set()
    for f in files:
        target = staging / f.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if isinstance(f.content, bytes):
            target.write_bytes(f.content)
        else:
            target.write_text(f.content, encoding="utf-8", newline="\n")


def _entries(paths: Iterable[str]) -> set[str]:
    """The entries of the project folder that ``paths`` are in (``docs``, ``README.md``, the package)."""
    return {path.split("/", 1)[0] for path in paths}


def _format_roots(paths: Iterable[str]) -> list[str]:
    """The entries of the code's ``paths`` to hand ruff: folders, and the Python files (it refuses others
    named explicitly)."""
    roots = set()
    for path in paths:
        entry, inside, _ = path.partition("/")
        if inside or entry.endswith((".py", ".pyi")):
            roots.add(entry)
    return sorted(roots)


def _check_later(paths: Iterable[str], taken: set[str]) -> None:
    """The docs' ``paths`` must stay out of the folders the formatter works on, and hold no Python."""
    for path in paths:
        if path.endswith(".py"):
            raise ValueError(f"{path}: Python files must be among the first files")
        if path.split("/", 1)[0] in taken:
            raise ValueError(f"{path}: later files must not share a folder with code")


def _write_docs(
    staging: Path, render: Callable[[], Iterable[OutputFile]]
) -> tuple[list[str], str | None]:
    """Render and write the docs: their paths, and what :func:`example_syntax_error` says of them."""
    files = list(render())
    _write_all(staging, files)
    return [f.path for f in files], example_syntax_error(files)


def stage(
    files: Iterable[OutputFile] | Callable[[], Iterable[OutputFile]],
    parent: Path,
    more: Callable[[], Iterable[OutputFile]] | None = None,
    *,
    large: bool | None = None,
) -> Path:
    """Write ``files`` (or what the function ``files`` renders) into a new folder under ``parent``, format
    the Python among them and return the folder.

    Every Python file is parsed with ``ast`` before anything reaches the output (a template or escaping bug
    must never get there; the formatter parses them again and refuses what it cannot parse). ``more``, when
    given, renders the files that are not Python (the docs): they are written as rendered, and every
    ``python`` block of their Markdown is parsed too, not formatted. In a ``large`` project (by default:
    over 1 MB of Python) the work is spread over the cores: a forked child renders and writes the docs
    while this process renders the code (when ``large`` is given and ``files`` is a function), another
    parses part of the code, and ruff formats it in its own process. A small project renders its docs
    first, and ruff formats the code while this process parses the code and the examples.
    """
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".clientgen-", dir=parent))
    can_fork = hasattr(os, "fork")
    docs_worker: _Forked | None = None
    checker: _Forked | None = None
    formatter: _Formatter | None = None
    try:
        if more is not None and large and can_fork and callable(files):
            render_docs = more
            docs_worker = _Forked(  # forked before any thread starts
                lambda: _write_docs(staging, render_docs), "rendering the docs"
            )
            more = None
        files = list(files() if callable(files) else files)
        sources = [
            (f.path, f.content)
            for f in files
            if f.path.endswith(".py") and isinstance(f.content, str)
        ]
        if large is None:
            large = sum(len(text) for _, text in sources) > _PARALLEL_PARSE_BYTES
        code_entries = _entries(f.path for f in files)
        # ruff is given only the entries holding the code: the docs are never formatted.
        roots = _format_roots(f.path for f in files)
        docs: list[OutputFile] = []  # the docs rendered in this process
        if more is not None and not (large and can_fork):
            # A small project's docs take less time to render than ruff's start-up: write them with the
            # code, and parse their examples while ruff formats the code.
            docs = list(more())
            _check_later((f.path for f in docs), code_entries)
            files += docs
            more = None
        _write_all(staging, files)
        here = sources  # the Python this process parses
        if large and can_fork:
            share = _FORKED_SHARE_WITH_DOCS if more is not None else _FORKED_SHARE
            part = sources[: _split(sources, share)]
            checker = _Forked(
                lambda: syntax_error(part), "checking the generated Python"
            )
            here = sources[len(part) :]
        if roots:
            formatter = _Formatter(staging, roots)
        if more is not None:
            docs = list(more())
            _check_later((f.path for f in docs), code_entries)
            _write_all(staging, docs)
        error = syntax_error(here)
        if checker is not None:
            error = checker.result() or error  # the child's files come first
        _raise_if(error)
        if docs_worker is not None:
            later_paths, examples_error = docs_worker.result()
            _check_later(later_paths, code_entries)
        else:
            examples_error = example_syntax_error(docs)
        _raise_if(examples_error)
        if formatter is not None:
            formatter.result()
    except BaseException:
        for worker in (docs_worker, checker):
            if worker is not None:
                worker.cancel()
        if formatter is not None:
            formatter.join()  # ruff must be done with the folder before it is removed
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _raise_if(error: str | None) -> None:
    if error is not None:
        raise OutputError(error)


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a staging folder: what a run writes), relative POSIX path to content:
    not the ``__pycache__`` folders, nor clientgen's own ``.clientgen-*`` records."""
    root = os.fspath(folder)
    if not os.path.isdir(root):
        return {}
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        relative = os.path.relpath(dirpath, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in filenames:
            if not name.startswith(".clientgen-"):
                with open(os.path.join(dirpath, name), "rb") as fh:
                    out[prefix + name] = fh.read()
    return out


def compare(new_files: dict[str, bytes], old_files: dict[str, bytes]) -> Changes:
    """What replacing the files ``old_files`` by ``new_files`` (relative path to content) adds, changes and
    removes."""
    return Changes(
        added=tuple(sorted(set(new_files) - set(old_files))),
        changed=tuple(
            sorted(
                p
                for p in set(new_files) & set(old_files)
                if new_files[p] != old_files[p]
            )
        ),
        removed=tuple(sorted(set(old_files) - set(new_files))),
    )


def _text_lines(content: bytes | None) -> list[str] | None:
    """The lines of ``content`` ([] when absent), or None when it is binary (not UTF-8, or holds NUL)."""
    if content is None:
        return []
    if b"\0" in content:
        return None
    try:
        return content.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def _file_diff(rel: str, a: bytes | None, b: bytes | None, label: str) -> list[str]:
    """The unified diff of one file, ``a`` (on disk) against ``b`` (expected); one line for binary content."""
    old_name = f"{label}/{rel}" if a is not None else "/dev/null"
    new_name = f"{label}/{rel} (expected)" if b is not None else "/dev/null"
    a_lines, b_lines = _text_lines(a), _text_lines(b)
    if a_lines is None or b_lines is None:
        return [f"Binary files {old_name} and {new_name} differ\n"]
    return list(difflib.unified_diff(a_lines, b_lines, old_name, new_name))


def diff(
    new_files: dict[str, bytes],
    old_files: dict[str, bytes],
    label: str,
    limit: int = 400,
) -> str:
    """A unified diff of ``old_files`` (on disk) against ``new_files`` (freshly generated), at most
    ``limit`` lines; binary content is named, never printed."""
    lines: list[str] = []
    for rel in sorted(set(new_files) | set(old_files)):
        a, b = old_files.get(rel), new_files.get(rel)
        if a == b:
            continue
        lines.extend(_file_diff(rel, a, b, label))
        if len(lines) > limit:
            lines = lines[:limit] + [f"... diff cut at {limit} lines\n"]
            break
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def swap_in(staging: Path, output: Path, changes: Changes) -> None:
    """Make the files ``changes`` names (what :func:`compare` found) in ``output`` what ``staging`` holds.

    A new output is the staging folder, renamed. Otherwise only the files ``changes`` names are touched:
    every other file in the folder stays as it is (clientgen's unchanged files keep their inode and
    modification time, and files it did not write are never moved). Each file is replaced by a rename, so a
    reader sees the old or the new file, never a partial one; if a step fails, the files already moved are
    put back before the error is raised.
    """
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output} exists and is not a folder")
    if not os.path.lexists(output):
        os.replace(staging, output)
        return
    aside = Path(tempfile.mkdtemp(prefix=".clientgen-old-", dir=output.parent))
    moved_out: list[str] = []  # old files moved aside
    moved_in: list[str] = []  # new files moved into the output
    try:
        for rel in (*changes.changed, *changes.removed):
            target = aside / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(output / rel, target)
            moved_out.append(rel)
        for rel in (*changes.added, *changes.changed):
            target = output / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            moved_in.append(rel)
    except BaseException:
        for rel in reversed(moved_in):
            os.replace(output / rel, staging / rel)
        for rel in reversed(moved_out):
            os.replace(aside / rel, output / rel)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    _remove_empty_folders(output, changes.removed)


def _remove_empty_folders(root: Path, removed: Sequence[str]) -> None:
    """Remove the folders that ``removed`` files leave empty (deepest first, never ``root`` itself)."""
    folders = {Path(rel).parent for rel in removed} - {Path(".")}
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != Path("."):
            path = root / folder
            if path.is_dir() and [e.name for e in os.scandir(path)] == ["__pycache__"]:
                shutil.rmtree(path / "__pycache__", ignore_errors=True)
            try:
                path.rmdir()
            except OSError:  # not empty (or already gone)
                break
            folder = folder.parent


def writable_parent(output: Path) -> Path:
    parent = output.resolve().parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise OutputError(f"cannot write to {output}: {probe} is not writable")
    return parent


__all__ = [
    "Changes",
    "OutputFile",
    "syntax_error",
    "example_syntax_error",
    "compare",
    "read_tree",
    "diff",
    "format_python",
    "stage",
    "swap_in",
]
