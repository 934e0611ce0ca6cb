"""Where the two versions come from: a spec file, or ``REV:PATH`` read from git.

A spec read from git is written, with every file it references through relative ``$ref``s (read from the same
revision), into a temporary folder laid out as in the repository, so references resolve as they did.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

_REF = re.compile(r"""\$ref["']?\s*:\s*["']?([^"'\s}#]+)""")


class SourceError(Exception):
    """The spec cannot be read; the message says which and why."""


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise SourceError("git is not installed") from None
    if result.returncode != 0:
        raise SourceError(
            result.stderr.decode(errors="replace").strip() or "git failed"
        )
    return result.stdout


def _split_rev(spec: str) -> tuple[str, str] | None:
    if Path(spec).exists() or ":" not in spec:
        return None
    rev, _, path = spec.partition(":")
    if not rev or not path or len(rev) == 1:  # "C:\\..." is a drive, not a revision
        return None
    return rev, path


@contextmanager
def spec_file(spec: str) -> Iterator[tuple[Path, str]]:
    """``(path, display name)`` of ``spec`` on disk for as long as the context lasts."""
    split = _split_rev(spec)
    if split is None:
        yield Path(spec), spec
        return
    rev, path = split
    cwd = Path.cwd()
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    prefix = _git(["rev-parse", "--show-prefix"], cwd).decode().strip()
    # git's REV:PATH is relative to the repository root unless it starts with ./
    relative = (
        PurePosixPath(prefix) / path[2:]
        if path.startswith("./")
        else PurePosixPath(path)
    )
    with tempfile.TemporaryDirectory(prefix="clientgen-diff-") as tmp:
        root = Path(tmp)
        todo = [relative]
        seen: set[PurePosixPath] = set()
        while todo:
            item = todo.pop()
            if item in seen:
                continue
            seen.add(item)
            try:
                data = _git(["show", f"{rev}:{item.as_posix()}"], top)
            except SourceError as exc:
                if item == relative:
                    raise SourceError(f"{spec}: {exc}") from None
                continue  # a missing referenced file is reported by the loader, with its place
            target = root / item
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            for ref in _REF.findall(data.decode("utf-8", errors="replace")):
                if "://" in ref:
                    continue
                parts: list[str] = []
                for part in (item.parent / ref).parts:
                    if part == "..":
                        if parts:
                            parts.pop()
                    elif part != ".":
                        parts.append(part)
                todo.append(PurePosixPath(*parts))
        yield root / relative, spec
