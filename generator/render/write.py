"""Write a rendered project atomically, or compare it with what is on disk.

Files are rendered into a staging folder beside the output, formatted there by one ``ruff format`` call (black's
style at a fraction of black's cost), every ``.py`` is parsed with ``ast``, and only then is the staging
folder swapped in. A failure at any step leaves the previous output untouched.
"""

from __future__ import annotations

import ast
import difflib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
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
        from ruff.__main__ import find_ruff_bin

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


def check_syntax(files: Iterable[OutputFile]) -> None:
    """``ast.parse`` every Python file before it is written: a template or escaping bug must never reach
    the output. (The formatter parses them again afterwards and refuses anything it cannot parse.)
    """
    for f in files:
        if f.path.endswith(".py") and isinstance(f.content, str):
            try:
                ast.parse(f.content, filename=f.path)
            except SyntaxError as exc:
                raise OutputError(
                    f"generated {f.path} is not valid Python (line {exc.lineno}: {exc.msg})"
                ) from None


def stage(files: Iterable[OutputFile], parent: Path) -> Path:
    """Write ``files`` into a new folder under ``parent``, format and check them; return the folder."""
    files = list(files)
    check_syntax(files)
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
        format_python(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


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
    "check_syntax",
    "compare",
    "diff",
    "format_python",
    "stage",
    "swap_in",
]
