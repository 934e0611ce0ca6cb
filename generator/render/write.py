"""Write a rendered project atomically, or compare it with what is on disk.

Files are rendered into a staging folder beside the output, formatted there by one ``ruff format`` call (black's
style at a fraction of black's cost), every ``.py`` is parsed with ``ast``, and only then is the staging
folder swapped in. A failure at any step leaves the previous output untouched.
"""

from __future__ import annotations

import ast
import difflib
import multiprocessing
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

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


def format_python(folder: Path) -> None:
    """Sort imports (ruff's isort rules) and format every ``.py`` under ``folder`` in black's style."""
    _run_ruff(
        ["check", "--select", "I", "--fix-only", "--exit-zero", str(folder)],
        "sorting the generated imports",
    )
    _run_ruff(["format", str(folder)], "formatting the generated code")


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


# Below this much Python, parsing in the same process is quicker than starting a worker.
_PARALLEL_PARSE_BYTES = 1_000_000


def stage(files: Iterable[OutputFile], parent: Path) -> Path:
    """Write ``files`` into a new folder under ``parent``, format them and return the folder.

    Every Python file is parsed with ``ast`` before anything reaches the output (a template or escaping bug
    must never get there; the formatter parses them again and refuses what it cannot parse). For a large
    project the parsing runs in a forked worker while the files are written and formatted here.
    """
    files = list(files)
    sources = [
        (f.path, f.content)
        for f in files
        if f.path.endswith(".py") and isinstance(f.content, str)
    ]
    parallel = sum(
        len(text) for _, text in sources
    ) > _PARALLEL_PARSE_BYTES and hasattr(os, "fork")
    pool = (
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        if parallel
        else None
    )
    try:
        pending = pool.submit(syntax_error, sources) if pool is not None else None
        if pending is None:
            _raise_if(syntax_error(sources))
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".clientgen-", dir=parent))
        try:
            for f in files:
                target = staging / f.path
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(f.content, bytes):
                    target.write_bytes(f.content)
                else:
                    target.write_text(f.content, encoding="utf-8", newline="\n")
            if pending is not None:
                _raise_if(pending.result())
            format_python(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return staging


def _raise_if(error: str | None) -> None:
    if error is not None:
        raise OutputError(error)


def _tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    out = {}
    for path in folder.rglob("*"):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and not path.name.startswith(".clientgen-")
        ):
            out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


def compare(new: Path, old: Path) -> Changes:
    new_files, old_files = _tree(new), _tree(old)
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


def diff(new: Path, old: Path, label: str, limit: int = 400) -> str:
    """A unified diff of ``old`` (on disk) against ``new`` (freshly generated), at most ``limit`` lines."""
    new_files, old_files = _tree(new), _tree(old)
    lines: list[str] = []
    for rel in sorted(set(new_files) | set(old_files)):
        a, b = old_files.get(rel), new_files.get(rel)
        if a == b:
            continue
        a_text = (
            a.decode("utf-8", "replace").splitlines(keepends=True)
            if a is not None
            else []
        )
        b_text = (
            b.decode("utf-8", "replace").splitlines(keepends=True)
            if b is not None
            else []
        )
        old_name = f"{label}/{rel}" if a is not None else "/dev/null"
        new_name = f"{label}/{rel} (expected)" if b is not None else "/dev/null"
        lines.extend(difflib.unified_diff(a_text, b_text, old_name, new_name))
        if len(lines) > limit:
            lines = lines[:limit] + [f"... diff cut at {limit} lines\n"]
            break
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging``: the old tree is moved aside first and removed only at the end."""
    aside = None
    if output.exists():
        if not output.is_dir():
            raise OutputError(f"{output} exists and is not a folder")
        aside = output.with_name(f".{output.name}.old-{os.getpid()}")
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(output, aside)
    try:
        os.replace(staging, output)
    except OSError:
        if aside is not None:
            os.replace(aside, output)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


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
    "compare",
    "diff",
    "format_python",
    "stage",
    "swap_in",
]
