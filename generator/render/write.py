"""Write a rendered project atomically, or compare it with what is on disk.

Files are rendered into a staging folder beside the output, the code formatted there by ``ruff`` (black's
style at a fraction of black's cost; its parse of every ``.py`` is also the syntax check: a file it cannot
parse fails the build), every ``python`` block of the Markdown docs is compiled, and only then is the staging
folder swapped in. A failure at any step leaves the previous output untouched. The docs are written as
rendered: their examples keep OpenAPI Generator's form (the seeds'), which a formatter would rewrite.
Formatting and rendering the docs overlap: ruff runs in its own process, and a large project's docs are
rendered in a forked child while this process renders the code.
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


_RUFF_OPTIONS = [
    "--isolated",
    "--no-cache",
    "--line-length",
    "88",
    "--target-version",
    "py310",
]


# How ``ruff format`` reports a file it cannot parse (it formats the others and exits with status 2).
_RUFF_PARSE_ERROR = re.compile(
    r"^error: Failed to parse (?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)$",
    re.M,
)


def _ruff_steps(paths: list[str]) -> tuple[list[str], list[str]]:
    """The two ruff commands a format makes, in order: sort the imports (its isort rules), then format."""
    ruff = _ruff_bin()
    sort = [
        ruff,
        "check",
        *_RUFF_OPTIONS,
        "--quiet",
        "--select",
        "I",
        "--fix-only",
        "--exit-zero",
        *paths,
    ]
    # Not --quiet: the parse errors are what it would silence.
    return sort, [ruff, "format", *_RUFF_OPTIONS, *paths]


def format_python(folder: Path, roots: Sequence[str] = (".",)) -> None:
    """Sort imports (ruff's isort rules) and format every ``.py`` under ``folder`` in black's style (only
    under ``roots``, its entries, when given: ruff formats the ``python`` blocks of Markdown files too, so
    the roots must not hold the docs).

    This is also the syntax check of the generated code: ``ruff format`` parses every file, and refuses one
    it cannot parse; that is raised as an :class:`OutputError` naming the file, its line and what is wrong.
    """
    sort, fmt = _ruff_steps([str(folder / root) for root in roots])
    result = subprocess.run(sort, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise _sort_failed(result.stdout, result.stderr)
    result = subprocess.run(fmt, capture_output=True, text=True, check=False)
    _raise_if_unformatted(folder, result.returncode, result.stdout, result.stderr)


def _sort_failed(stdout: str, stderr: str) -> OutputError:
    return OutputError(
        f"sorting the generated imports failed:\n{(stderr or stdout).strip()}"
    )


def _raise_if_unformatted(folder: Path, status: int, stdout: str, stderr: str) -> None:
    """What ``ruff format`` exiting with ``status`` means: nothing (0), or the file it could not parse."""
    if status == 0:
        return
    unparsable = sorted(
        (_relative(m["path"], folder), int(m["line"]), m["message"])
        for m in _RUFF_PARSE_ERROR.finditer(stderr)
    )
    if unparsable:
        path, line, message = unparsable[0]
        more = f" (and {len(unparsable) - 1} more files)" if len(unparsable) > 1 else ""
        raise OutputError(
            f"generated {path} is not valid Python (line {line}: {message}){more}"
        )
    raise OutputError(
        f"formatting the generated code failed:\n{(stderr or stdout).strip()}"
    )


def _relative(path: str, folder: Path) -> str:
    try:
        return Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path


def syntax_error(files: Iterable[OutputFile]) -> str | None:
    """The message for the first ``.py`` among ``files`` that ``ast`` cannot parse, else None. Only for
    an error path (something else already met a syntax error and cannot say in which file): the build's
    own check is ruff's parse of every file it formats."""
    for f in files:
        if f.path.endswith(".py") and isinstance(f.content, str):
            try:
                ast.parse(f.content, filename=f.path)
            except SyntaxError as exc:
                return f"generated {f.path} is not valid Python (line {exc.lineno}: {exc.msg})"
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
    renders, writes and parses meanwhile. Used where there is no POSIX shell for :class:`_ChainedFormatter`.
    """

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


_SHELL = "/bin/sh"
# The chain's exit status when the import sort failed (ruff's own are 0, 1 and 2).
_SORT_FAILED = 90


class _ChainedFormatter:
    """``format_python(folder, roots)`` as one shell running both ruff steps, the second only when the first
    succeeded. Started from this thread, it needs nothing from this process until :meth:`result`: a thread
    of ours starting the second step would first wait for the interpreter lock while this process renders
    the docs (up to 5 ms at each of the handful of times it needs it)."""

    def __init__(self, folder: Path, roots: Sequence[str]) -> None:
        import shlex

        sort, fmt = _ruff_steps([str(folder / root) for root in roots])
        script = f"{shlex.join(sort)} || exit {_SORT_FAILED}\nexec {shlex.join(fmt)}\n"
        self._folder = folder
        self._process = subprocess.Popen(
            [_SHELL, "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self) -> None:
        stdout, stderr = self._process.communicate()
        if self._process.returncode == _SORT_FAILED:
            raise _sort_failed(stdout, stderr)
        _raise_if_unformatted(self._folder, self._process.returncode, stdout, stderr)

    def join(self) -> None:
        """Wait until ruff is done with the folder (its output is not wanted)."""
        self._process.communicate()


def _formatter(folder: Path, roots: Sequence[str]) -> _Formatter | _ChainedFormatter:
    if os.name == "posix" and os.path.exists(_SHELL):
        return _ChainedFormatter(folder, roots)
    return _Formatter(folder, roots)


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
    meanwhile: Callable[[], Iterable[OutputFile]] | None = None,
    docs_written: list[str] | None = None,
) -> Path:
    """Write ``files`` (or what the function ``files`` renders) into a new folder under ``parent``, format
    the Python among them and return the folder.

    ``more``, when given, renders the files that are not Python (the docs): they are written as rendered,
    and every ``python`` block of their Markdown is parsed, not formatted. Nothing unparsable gets through:
    ruff parses every Python file it formats and refuses one it cannot parse, the examples are compiled, and
    any failure removes the folder. The steps (see :class:`_Staging`): the docs of a ``large`` project are
    rendered in a forked child while this process renders the code (when ``files`` is a function); the code
    is written and ruff starts on it in its own process; meanwhile this process renders and writes the docs
    (when no child does) and parses their examples; then it waits for ruff.

    ``meanwhile``, when given, is called once ruff has started: the files it returns (no Python, none in
    a folder holding code: the release files, which read the code as rendered) are written too.

    ``docs_written``, when given, receives the paths of the docs written (by this process or the child), in
    the order ``more`` returned them.
    """
    parent.mkdir(parents=True, exist_ok=True)
    staging = _Staging(Path(tempfile.mkdtemp(prefix=".clientgen-", dir=parent)))
    try:
        if more is not None and large and callable(files) and hasattr(os, "fork"):
            staging.fork_docs(more)  # forked before any thread starts
            more = None
        code = staging.write_code(files() if callable(files) else files)
        staging.start_formatting(code)
        if meanwhile is not None:
            staging.write_later(meanwhile())
        paths = staging.check_examples(staging.docs(more))
        if docs_written is not None:
            docs_written[:] = paths
        staging.finish_formatting()
    except BaseException:
        staging.abandon()
        raise
    return staging.folder


class _Staging:
    """The steps of :func:`stage`, on one staging folder; each worker it starts is stopped by
    :meth:`abandon` when a step fails."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._docs_worker: _Forked | None = None
        self._formatter: _Formatter | _ChainedFormatter | None = None
        self._code_entries: set[str] = set()

    def fork_docs(self, render: Callable[[], Iterable[OutputFile]]) -> None:
        """Render and write the docs in a forked child (it shares this process's memory as of now)."""
        folder = self.folder
        self._docs_worker = _Forked(
            lambda: _write_docs(folder, render), "rendering the docs"
        )

    def write_code(self, files: Iterable[OutputFile]) -> list[OutputFile]:
        code = list(files)
        self._code_entries = _entries(f.path for f in code)
        _write_all(self.folder, code)
        return code

    def write_later(self, files: Iterable[OutputFile]) -> None:
        """Files that are not code, written while ruff works on the code's folders."""
        files = list(files)
        _check_later((f.path for f in files), self._code_entries)
        _write_all(self.folder, files)

    def start_formatting(self, code: Iterable[OutputFile]) -> None:
        """ruff, in its own process, on the entries holding the code (never the docs)."""
        roots = _format_roots(f.path for f in code)
        if roots:
            self._formatter = _formatter(self.folder, roots)

    def docs(
        self, render: Callable[[], Iterable[OutputFile]] | None
    ) -> list[OutputFile]:
        """The docs this process renders (none when a child does, or there are none), written."""
        if render is None:
            return []
        docs = list(render())
        _check_later((f.path for f in docs), self._code_entries)
        _write_all(self.folder, docs)
        return docs

    def check_examples(self, docs: list[OutputFile]) -> list[str]:
        """The examples of the docs, rendered here or by the child, all parse; the docs' paths, in order."""
        if self._docs_worker is not None:
            paths, error = self._docs_worker.result()
            _check_later(paths, self._code_entries)
        else:
            paths, error = [f.path for f in docs], example_syntax_error(docs)
        _raise_if(error)
        return list(paths)

    def finish_formatting(self) -> None:
        if self._formatter is not None:
            self._formatter.result()

    def abandon(self) -> None:
        if self._docs_worker is not None:
            self._docs_worker.cancel()
        if self._formatter is not None:
            self._formatter.join()  # ruff must be done with the folder before it is removed
        shutil.rmtree(self.folder, ignore_errors=True)


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
    "example_syntax_error",
    "syntax_error",
    "compare",
    "read_tree",
    "diff",
    "format_python",
    "stage",
    "swap_in",
]
