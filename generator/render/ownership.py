"""What clientgen owns in an output folder, and the folders it refuses to write to.

An output folder is clientgen's when it holds a manifest (``.clientgen.json``) listing the files a previous
run wrote; a run replaces or removes only those. Everything else in the folder is the user's (notes, a
``.venv``, what ``pip install -e`` or ``mypy`` leave): kept by a rebuild, never compared by ``--check``, and
listed by it as foreign unless it is a cache, a build artefact or ignored by git.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import OutputError

MANIFEST = ".clientgen.json"
# clientgen's own records and staging folders in and beside an output (never part of the project).
RECORD_PREFIX = ".clientgen-"

# Files that mark a folder as someone's project: clientgen never writes `.git` or `setup.py`, and writes a
# `pyproject.toml` only where its manifest lists one.
_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py")
# What tools leave in a project folder: never foreign, never printed.
_TOOL_FOLDERS = frozenset(
    {
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        ".tox",
        ".nox",
        ".venv",
        ".eggs",
        ".git",
    }
)
_TOP_LEVEL_ARTEFACTS = frozenset({"build", "dist"})


@dataclass(frozen=True, slots=True)
class Manifest:
    """A previous run's manifest: its fields (digests, options) and the files it wrote."""

    fields: dict[str, str]
    # None: written by a clientgen that did not list its files (it owns what this run writes, nothing more).
    files: frozenset[str] | None

    def wrote(self, rel: str) -> bool:
        """Whether clientgen wrote ``rel`` (a path relative to the output). An older manifest lists nothing,
        but every run has written a pyproject.toml."""
        if self.files is None:
            return rel == "pyproject.toml"
        return rel in self.files


def owned_files(manifest: Manifest | None, written: Collection[str]) -> set[str]:
    """The files a run that writes ``written`` may replace or remove: the manifest and the files it lists
    (those this run writes, for a manifest that lists none); nothing in a new or empty folder.
    """
    if manifest is None:
        return set()
    listed = manifest.files if manifest.files is not None else written
    return {MANIFEST, *listed}


def manifest_text(fields: dict[str, str], files: Iterable[str]) -> str:
    """The manifest of a run that wrote ``files`` (the manifest itself is not among them)."""
    listed = sorted(f for f in files if f != MANIFEST)
    return json.dumps({**fields, "files": listed}, indent=2, sort_keys=True) + "\n"


# The last manifest read in each folder, by the ``lstat`` of its file (inode, size, modification and change
# times): a ``build --watch`` process reads the same manifest before every build, and a large API's manifest
# (its release surface) is megabytes of JSON.
_READ: dict[str, tuple[tuple[int, int, int, int], Any, Manifest | None]] = {}
# And its bytes and text, by the same ``lstat`` (see :func:`manifest_as_read`).
_TEXT: dict[str, tuple[tuple[int, int, int, int], bytes, str]] = {}


def manifest_as_read(folder: Path) -> tuple[bytes, str, Any] | None:
    """The bytes, text and JSON (never to be changed) of the manifest in ``folder`` as this process last
    read it, while its file still has the ``lstat`` it had then; None otherwise."""
    key = os.fspath(folder / MANIFEST)
    read, text = _READ.get(key), _TEXT.get(key)
    if read is None or text is None or read[0] != text[0]:
        return None
    try:
        st = os.lstat(key)
    except OSError:
        return None
    if (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) != read[0]:
        return None
    return text[1], text[2], read[1]


def _read_json(path: Path) -> tuple[Any, Manifest | None] | None:
    """The manifest's JSON (never to be changed by the caller) and its :class:`Manifest`, once built;
    None when there is no file. OSError, ValueError when it cannot be read."""
    key = os.fspath(path)
    try:
        st = os.lstat(key)
    except FileNotFoundError:
        return None
    signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    known = _READ.get(key)
    if known is not None and known[0] == signature:
        return known[1], known[2]
    # Read as bytes and decoded (no newline translation, which JSON does not need): the text is then the
    # file's, and a megabyte manifest is read faster.
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    data = json.loads(text)
    _READ[key] = (signature, data, None)
    _TEXT[key] = (signature, raw, text)
    return data, None


def manifest_json(folder: Path) -> dict[str, Any]:
    """The manifest's JSON as it is ({} when there is none or it cannot be read); the caller must not change
    it (it is kept for the next read of the same file)."""
    try:
        found = _read_json(folder / MANIFEST)
    except (OSError, ValueError):
        return {}
    data = found[0] if found is not None else None
    return data if isinstance(data, dict) else {}


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder``, or None when it has none; OutputError when it cannot be read."""
    path = folder / MANIFEST
    if not os.path.lexists(path):
        return None
    try:
        found = _read_json(path)
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot read {path}: {exc}") from None
    if found is None:
        return None
    data, manifest = found
    if manifest is not None:
        return manifest
    if not isinstance(data, dict):
        raise OutputError(f"cannot read {path}: not a JSON object")
    files = data.get("files")
    listed = frozenset(str(f) for f in files) if isinstance(files, list) else None
    strays = sorted(f for f in listed or () if not _inside_the_folder(f))
    if strays:
        raise OutputError(f"{path} lists {strays[0]!r}, which is not inside its folder")
    # A field holding a structure (the release surface: megabytes for a large API) is recorded by its kind:
    # nothing reads it from here (generator/diff/release.py reads the JSON), and its text is costly.
    manifest = Manifest(
        {
            str(k): f"<{type(v).__name__}>" if isinstance(v, (dict, list)) else str(v)
            for k, v in data.items()
            if k != "files"
        },
        listed,
    )
    key = os.fspath(path)
    if key in _READ and _READ[key][1] is data:
        _READ[key] = (_READ[key][0], data, manifest)
    return manifest


def _inside_the_folder(rel: str) -> bool:
    """Whether ``rel`` names a file in the folder: relative, with no ``..``, ``.`` or empty part."""
    parts = PurePosixPath(rel).parts
    return (
        bool(parts)
        and "\\" not in rel
        and not PurePosixPath(rel).is_absolute()
        and rel == "/".join(parts)
        and not any(p in ("..", ".") for p in parts)
    )


def _refuse(output: Path, reason: str) -> OutputError:
    return OutputError(f"refusing to write to {output}: {reason}")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (KeyError, RuntimeError):  # no HOME and no user entry
        return None


def guard_output(output: Path, project: Path, *, confined: bool) -> Manifest | None:
    """Check that clientgen may write ``output``, and return its manifest (None for a new or empty folder).

    Refused, whatever the options: the filesystem root, the home folder, the ``project`` folder itself, a
    folder outside ``project`` when ``confined`` (a build target's output, followed through symlinks), a
    folder that is not empty and holds no manifest, and one holding a ``.git``, ``pyproject.toml`` or
    ``setup.py`` that clientgen did not write.
    """
    real = output.resolve()
    if real == Path(real.anchor):
        raise _refuse(output, "it is the filesystem root")
    if real == _home():
        raise _refuse(output, "it is the home folder")
    root = project.resolve()
    if real == root:
        folder = "project folder" if confined else "working folder"
        raise _refuse(output, f"it is the {folder} {root}; use a subfolder")
    if confined and not _inside(real, root):
        raise _refuse(output, f"{real} lies outside the project {root}")
    if not os.path.lexists(real):
        return None
    if not real.is_dir():
        raise OutputError(f"{output} exists and is not a folder")
    manifest = read_manifest(real)
    if manifest is None:
        if any(os.scandir(real)):
            raise _refuse(
                output,
                f"the folder is not empty and holds no {MANIFEST} (clientgen writes only into an "
                "empty folder or one it generated)",
            )
        return None
    for marker in _PROJECT_MARKERS:
        if os.path.lexists(real / marker) and not manifest.wrote(marker):
            raise _refuse(
                output,
                f"it holds a {marker} clientgen did not write (a project of its own)",
            )
    return manifest


def refuse_foreign_in_the_way(
    output: Path, written: Iterable[str], owned: Collection[str]
) -> None:
    """A file this run would write where a file clientgen did not write stands: refuse, naming it."""
    in_the_way = sorted(
        rel for rel in written if rel not in owned and os.path.lexists(output / rel)
    )
    if in_the_way:
        more = f" (and {len(in_the_way) - 1} more)" if len(in_the_way) > 1 else ""
        raise OutputError(
            f"{output / in_the_way[0]}{more} was not written by clientgen and would be overwritten; "
            "move it away and run again"
        )


def refuse_links_out(output: Path, paths: Iterable[str]) -> None:
    """No folder inside the output that a write or removal goes through may lead out of it (a symlink)."""
    real = output.resolve()
    # The folders as strings first: a giant's output has thousands of files in a few folders.
    folders = {Path(name) for name in {os.path.dirname(rel) for rel in paths}}
    for folder in sorted(folders - {Path(".")}):
        leads_to = (output / folder).resolve()
        if os.path.lexists(output / folder) and not _inside(leads_to, real):
            raise _refuse(
                output, f"{folder.as_posix()} leads to {leads_to}, outside it (a link)"
            )


def read_files(folder: Path, paths: Iterable[str]) -> dict[str, bytes]:
    """The regular files among ``paths`` (relative to ``folder``) and their content; symlinks, folders and
    missing paths are left out (a run replaces an owned path that is not a regular file).
    """
    out = {}
    for rel in paths:
        path = os.path.join(folder, rel)
        try:
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            with open(path, "rb") as fh:
                out[rel] = fh.read()
        except OSError:
            continue
    return out


def foreign_files(output: Path, known: Collection[str]) -> list[str]:
    """Files in ``output`` clientgen did not write (``known`` are those it did or would), leaving out what
    tools leave there (caches, build artefacts, clientgen's own records) and what git ignores.
    """
    root = os.fspath(output)
    if not os.path.isdir(root):
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        relative = os.path.relpath(dirpath, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not _tool_folder(d, top=not prefix) and not d.startswith(RECORD_PREFIX)
        )
        for name in sorted(filenames):
            rel = prefix + name
            if rel not in known and not name.startswith(RECORD_PREFIX):
                if not name.endswith((".pyc", ".pyo")):
                    found.append(rel)
    return _not_ignored(output, found)


def _tool_folder(name: str, *, top: bool) -> bool:
    return (
        name in _TOOL_FOLDERS
        or name.endswith(".egg-info")
        or (top and name in _TOP_LEVEL_ARTEFACTS)
    )


def _not_ignored(output: Path, paths: list[str]) -> list[str]:
    """``paths`` less those git ignores (any ``.gitignore`` on the way, the repository's excludes); outside a
    git work tree, less those the output's own ``.gitignore`` ignores."""
    if not paths:
        return paths
    ignored = _git_ignored(output, paths)
    if ignored is None:
        ignored = _gitignore_file_ignored(output, paths)
    return [p for p in paths if p not in ignored]


def _git_ignored(output: Path, paths: list[str]) -> set[str] | None:
    """The ``paths`` git ignores, or None when ``output`` is not in a git work tree (or git is missing)."""
    try:
        result = subprocess.run(
            ["git", "check-ignore", "-z", "--stdin"],
            cwd=output,
            input="\0".join(paths).encode(),
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if result.returncode not in (0, 1):  # 128: not a repository
        return None
    return {p for p in result.stdout.decode().split("\0") if p}


def _gitignore_file_ignored(output: Path, paths: list[str]) -> set[str]:
    try:
        lines = (output / ".gitignore").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    import pathspec  # black's own dependency; imported only when an output has a .gitignore

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return {p for p in paths if spec.match_file(p)}
