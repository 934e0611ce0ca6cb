"""Incremental writing: after an edit, only the files whose output can differ are staged, formatted and checked.

The render cache (cache.py) spares rendering the files an edit did not reach; this module spares what
follows rendering for them too. For each file the last build wrote, the cache records its *source* (the
file's render key from :func:`~generator.render.cache.file_keys`, or for a file rendered from the whole API
a digest of its rendered text) and the digest of the bytes that build wrote, under a *salt* covering what
turns a render into bytes besides its text (the ruff binary and its options, the working folder). A file of
the coming build whose source is the recorded one, in an output whose copy of it still has the recorded
digest, is *unchanged*: its bytes are the output's, so it is neither written into the staging folder, nor
formatted by ruff, nor has its examples compiled again (they were, when it was written). Only the other
files are staged, and only those that differ are moved into the output.

The check that the output's copy is still the written one reads and digests it, except in the
``build --watch`` process, which recorded each file's ``lstat`` (inode, size, modification time) right after
moving it in and trusts a file whose ``lstat`` is still that. ``tests/render/test_incremental.py`` proves
the output byte-identical to a full build over random single edits, and that only the edited files are
staged.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .write import _RUFF_OPTIONS, OutputFile, _ruff_bin


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _digest_text(text: str | bytes) -> str:
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    return "r" + digest_bytes(text)  # never equal to a render key (hex only)


def output_salt() -> str:
    """What turns a file's rendered text into the bytes written, besides the text: the formatter (its binary,
    by path, size and modification time, and its options) and the working folder (ruff runs there without a
    configuration of its own, so its import sorting takes that folder as the project's root).
    """
    try:
        binary = _ruff_bin()
        st = os.stat(binary)
        tool = f"{binary}:{st.st_size}:{st.st_mtime_ns}"
    except Exception:  # no ruff: the build fails later, with its own message
        tool = "-"
    h = hashlib.blake2b(digest_size=20)
    for part in (tool, *_RUFF_OPTIONS, os.getcwd()):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Written:
    """What the last build wrote, file by file (kept in the render cache, see cache.py): path -> (source,
    digest of the bytes written), under :func:`output_salt`; and, in the watch process only, the ``lstat``
    signature of each file as it moved in."""

    def __init__(self) -> None:
        self.salt = ""
        self.files: dict[str, tuple[str, str]] = {}
        self.stats: dict[str, tuple[int, int, int, int]] = {}

    def restore(self, data: object) -> None:
        if not isinstance(data, dict):
            return
        salt, files = data.get("salt"), data.get("files")
        if not isinstance(salt, str) or not isinstance(files, dict):
            return
        self.salt = salt
        self.files = {
            path: (entry[0], entry[1])
            for path, entry in files.items()
            if isinstance(path, str)
            and isinstance(entry, list)
            and len(entry) == 2
            and all(isinstance(e, str) for e in entry)
        }

    def saved(self) -> dict[str, object]:
        return {"salt": self.salt, "files": {p: list(e) for p, e in self.files.items()}}


class Plan:
    """For one build: which of its files are unchanged (see the module's docstring), and the record of what
    it wrote, for the next build."""

    def __init__(
        self,
        written: Written,
        output: Path,
        keys: Mapping[str, str],
        *,
        trust_stat: bool,
    ) -> None:
        self._written = written
        self._output = output
        self._keys = keys
        self._trust = trust_stat
        self._salt = output_salt()
        self._usable = written.salt == self._salt and bool(written.files)
        # path -> digest of the output's bytes, for each unchanged file
        self.unchanged: dict[str, str] = {}
        # path -> source, for each file of this build (its render key, or its rendered text's digest)
        self.sources: dict[str, str] = dict(keys)
        if self._usable:
            for path, key in keys.items():
                self._consider(path, key)

    def _consider(self, path: str, source: str) -> bool:
        record = self._written.files.get(path)
        if record is None or record[0] != source:
            return False
        if self._intact(path, record[1]):
            self.unchanged[path] = record[1]
            return True
        return False

    def _intact(self, path: str, digest: str) -> bool:
        """Whether the output's ``path`` still holds the bytes whose digest is ``digest``: a regular file
        (no symlink) with the signature recorded in this process, or with those bytes.
        """
        full = os.path.join(self._output, path)
        try:
            st = os.lstat(full)
        except OSError:
            return False
        if not os.path.isfile(full) or os.path.islink(full):
            return False
        if self._trust and self._written.stats.get(path) == _signature(st):
            return True
        try:
            with open(full, "rb") as fh:
                return digest_bytes(fh.read()) == digest
        except OSError:
            return False

    def staged(self, files: Iterable[OutputFile]) -> list[OutputFile]:
        """``files`` less the unchanged ones: what goes into the staging folder. A file without a render key
        (rendered from the whole API) gets the digest of its text as its source."""
        out = []
        for f in files:
            if f.path in self.unchanged:
                continue
            if f.path not in self._keys:
                source = _digest_text(f.content)
                self.sources[f.path] = source
                if self._usable and self._consider(f.path, source):
                    continue
            out.append(f)
        return out

    def consider_rendered(self, files: Iterable[OutputFile]) -> None:
        """Files without a render key known before staging (the docs a build takes from the render cache,
        rendered from the whole API): each gets the digest of its text as its source, and is unchanged when
        the last build wrote that text there (docs are written as rendered)."""
        for f in files:
            if f.path not in self._keys:
                source = _digest_text(f.content)
                self.sources[f.path] = source
                if self._usable:
                    self._consider(f.path, source)

    def written_as_rendered(self, written: Mapping[str, bytes]) -> None:
        """Staged files written as rendered that have no source yet (the docs rendered from the whole API):
        the digest of their bytes, which are their text, is their source."""
        for path, data in written.items():
            if path not in self.sources:
                self.sources[path] = _digest_text(data)

    def doc_files(self, files: Iterable[OutputFile]) -> list[OutputFile]:
        """The docs to stage: all but the unchanged ones among those with a render key (decided before the
        docs are rendered, possibly in a forked child that cannot tell this process what it skipped).
        """
        return [f for f in files if f.path not in self.unchanged]

    def digests(self, staged: Mapping[str, bytes]) -> dict[str, str]:
        """Path -> digest of the bytes, for every file of the build: the staged ones (``staged``, as
        written) and the unchanged ones."""
        out = dict(self.unchanged)
        for path, data in staged.items():
            out[path] = digest_bytes(data)
        return out

    def record(self, digests: Mapping[str, str], moved: Iterable[str]) -> None:
        """After the output took this build's files (``digests``, see :meth:`digests`; ``moved`` the paths
        that were replaced or added): the record for the next build."""
        written = self._written
        written.salt = self._salt
        written.files = {
            path: (self.sources[path], digest)
            for path, digest in digests.items()
            if path in self.sources
        }
        if not self._trust:
            written.stats = {}
            return
        stats = {p: s for p, s in written.stats.items() if p in written.files}
        for path in moved:
            stats.pop(path, None)
        todo = [p for p in written.files if p not in stats]
        for path in todo:
            try:
                stats[path] = _signature(os.lstat(os.path.join(self._output, path)))
            except OSError:
                pass
        written.stats = stats


__all__ = ["Plan", "Written", "digest_bytes", "output_salt"]
