"""Incremental rendering: renders of the files that depend on one tag or one model, kept between builds and
reused while their inputs stay the same.

Each such file gets a *key*, a digest of everything its render reads: the build's salt (templates, generator
code, options), the API's head (title, version, description, servers, security schemes, the models in
cycles), the tag or model itself (its dataclass ``repr``, which holds every field), and the models it
references — directly for the code (an API module or model module reads only those), the whole closure
for the docs (their examples build values of nested models). An edit of one operation changes the key of
its tag's module and pages; an edit of one schema the keys of its model's module and page, and of the
files that reference it. Every other file is taken from the cache as rendered before. What depends on the
whole API (the package's ``__init__`` modules, the README and its tables, the reference pages) is always
rendered. The cache holds the files as rendered (before formatting), so everything after rendering — the
formatter, the syntax checks, the release surface — sees exactly what a full build would.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config import Target
from ..diff.contract import ContractCache
from ..model.api import Api
from .incremental import Written
from .write import OutputFile

# The renders of a project's last build, beside its manifest (a clientgen record: never listed as foreign,
# git-ignored), so that a cold build after an edit renders only what the edit reached.
RENDERS = ".clientgen-renders"

# How a model is named inside the ``repr`` of a type, a field, an operation: ``ModelRef(name='Pet', ...)``.
_REF = re.compile(r"ModelRef\(name='([^']+)'")


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def file_keys(
    api: Api,
    target: Target,
    salt: str,
    texts: dict[int, tuple[object, str]] | None = None,
) -> dict[str, str]:
    """Path (relative to the project) -> key, for each file rendered from one tag or one model. ``texts``
    keeps the ``repr`` of each model between calls, by identity (the watch's builds reuse the models of
    unchanged components, see model/build.py): the same object has the same text."""
    head = _digest(
        salt,
        repr(
            (
                target.package,
                target.library,
                target.version,
                target.source,
                target.project_name,
            )
        ),
        repr(
            (
                api.title,
                api.version,
                api.description,
                api.source,
                api.servers,
                api.security_schemes,
                sorted(api.cyclic_models),
            )
        ),
    )
    known = texts if texts is not None else {}
    now: dict[int, tuple[object, str]] = {}
    for m in api.models:
        entry = known.get(id(m))
        if entry is None or entry[0] is not m:
            entry = (m, repr(m))
        now[id(m)] = entry
    if texts is not None:
        texts.clear()
        texts.update(now)
    texts_by_name = {m.name: now[id(m)][1] for m in api.models}
    own = {name: _digest(text) for name, text in texts_by_name.items()}
    refs = {
        name: set(_REF.findall(text)) - {name} for name, text in texts_by_name.items()
    }

    def closure(names: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(refs.get(name, ()))
        return seen

    def group(names: Iterable[str]) -> str:
        return _digest(*(f"{n}={own.get(n, '-')}" for n in sorted(names)))

    keys: dict[str, str] = {}
    pkg = target.package
    for model in api.models:
        direct = refs[model.name]
        keys[f"{pkg}/models/{model.module}.py"] = _digest(
            head, "model", model.module, own[model.name], group(direct)
        )
        keys[f"docs/{model.name}.md"] = _digest(
            head, "model page", own[model.name], group(closure(direct))
        )
    for tag in api.tags:
        text = repr(tag)
        direct = set(_REF.findall(text))
        mine = _digest(text)
        keys[f"{pkg}/api/{tag.module}.py"] = _digest(head, "api", mine, group(direct))
        docs = _digest(head, "api page", mine, group(closure(direct)))
        for flavour in target.flavours:
            page = f"docs/{flavour.api_class(tag.class_name)}.md"
            keys[page] = _digest(docs, page)
    return keys


def _write_json(out: Any, value: Any, depth: int) -> None:
    """``value`` as JSON into ``out``, the dicts of its first ``depth`` levels entry by entry."""
    if depth <= 0 or not isinstance(value, dict):
        out.write(json.dumps(value, ensure_ascii=False))
        return
    out.write("{")
    for i, (key, item) in enumerate(value.items()):
        out.write(", " if i else "")
        out.write(json.dumps(str(key), ensure_ascii=False))
        out.write(": ")
        _write_json(out, item, depth - 1)
    out.write("}")


def _signature(path: Path) -> tuple[int, ...]:
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class RenderCache:
    """Rendered files by key: kept by the ``build --watch`` process between its builds, and read from and
    written to the output's :data:`RENDERS` file by the other builds.

    :meth:`reuse` says which files of the coming build can be taken as they are; :meth:`keep` records the
    files a build rendered under their keys (and forgets the keys no longer in use). Only what this
    process kept counts as ``checked`` (it passed the build's syntax checks here); text read from the file
    is checked again like a fresh render.
    """

    def __init__(self) -> None:
        self._files: dict[str, str] = {}
        self._checked: set[str] = set()
        # The release computation's own caches (generator/diff/release.py): the HTTP contract of each
        # operation (also written to the file, so a cold build computes only what an edit changed) and the
        # Python surface of each module of the last build (this process only: the manifest has the rest).
        self.contracts = ContractCache()
        self.surfaces: dict[str, Any] = {}
        # The text of each model of the last build, by identity (see :func:`file_keys`).
        self.model_texts: dict[int, tuple[object, str]] = {}
        # What the last build wrote, file by file (render/incremental.py): which files an edit leaves as
        # they are in the output, so that they are neither staged nor formatted again.
        self.written = Written()
        # The file this cache was read from or last written to: its path, ``stat`` signature and what it
        # held (the very objects, which are replaced, never changed in place), so that a build which
        # changes nothing does not write the file again (25 MB on GitHub's spec).
        self._disk: tuple[Path, tuple[int, ...], tuple[Any, ...]] | None = None

    def reuse(self, keys: dict[str, str], *, checked: bool = False) -> dict[str, str]:
        """Path -> content as rendered before, for each path whose key is known (and, with ``checked``,
        was kept by this process)."""
        return {
            path: self._files[key]
            for path, key in keys.items()
            if key in self._files and (not checked or key in self._checked)
        }

    def keep(self, keys: dict[str, str], files: Iterable[OutputFile]) -> None:
        kept: dict[str, str] = {}
        for f in files:
            key = keys.get(f.path)
            if key is not None and isinstance(f.content, str):
                kept[key] = f.content
        self._files = kept
        self._checked = set(kept)

    @classmethod
    def read(cls, path: Path) -> RenderCache:
        """The cache :meth:`write` left in ``path``; an empty one when there is none (or it is unreadable)."""
        cache = cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cache
        files = data.get("files") if isinstance(data, dict) else None
        contracts = data.get("contracts") if isinstance(data, dict) else None
        if isinstance(contracts, dict):
            cache.contracts.restore(contracts)
        cache.written.restore(data.get("written") if isinstance(data, dict) else None)
        if isinstance(files, dict):
            cache._files = {
                k: v
                for k, v in files.items()
                if isinstance(k, str) and isinstance(v, str)
            }
        cache._remember(path)
        return cache

    def _held(self) -> tuple[Any, ...]:
        return (
            self._files,
            self.contracts.saved(),
            self.written.salt,
            self.written.files,
        )

    def _remember(self, path: Path) -> None:
        try:
            self._disk = (path, _signature(path), self._held())
        except OSError:
            self._disk = None

    def _on_disk(self, path: Path) -> bool:
        """Whether ``path`` holds this cache as it is: the file it was read from or written to, untouched
        since, and every entry equal to what it held."""
        if self._disk is None or self._disk[0] != path:
            return False
        try:
            if _signature(path) != self._disk[1]:
                return False
        except OSError:
            return False
        return self._disk[2] == self._held()

    def write(self, path: Path) -> None:
        """Save the cache to ``path`` (atomically), unless it holds it already; a failure only loses the
        cache."""
        if self._on_disk(path):
            return
        temporary = path.with_name(f"{path.name}.{os.getpid()}")
        try:
            # Written entry by entry: the whole file as one string (and again as bytes) was the peak of a
            # giant's build (80 MB on Kubernetes' spec).
            with temporary.open("w", encoding="utf-8") as out:
                out.write('{"files": {')
                for i, (key, text) in enumerate(self._files.items()):
                    out.write(", " if i else "")
                    out.write(json.dumps(key, ensure_ascii=False))
                    out.write(": ")
                    out.write(json.dumps(text, ensure_ascii=False))
                out.write('}, "contracts": ')
                _write_json(out, self.contracts.saved(), 2)
                out.write(', "written": ')
                _write_json(out, self.written.saved(), 2)
                out.write("}")
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
            return
        self._remember(path)

    def __len__(self) -> int:
        return len(self._files)


__all__ = ["RENDERS", "RenderCache", "file_keys"]
