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

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
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


# The models' part of the last keys this process computed: the head, each model text's digest and the
# models it names, the digests by model name, and the models' keys. While the head and every model's
# text are the same (the watch's builds after an edit of an operation), so are the models' keys.
_LAST_MODELS: list[Any] = []


def file_keys(
    api: Api,
    target: Target,
    salt: str,
    texts: dict[int, tuple[object, str]] | None = None,
) -> dict[str, str]:
    """Path (relative to the project) -> key, for each file rendered from one tag or one model. ``texts``
    keeps the ``repr`` of each model and operation between calls, by identity (the watch's builds reuse
    the models of unchanged components and replay unchanged operations, see model/build.py): the same
    object has the same text."""
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
    last = _LAST_MODELS
    known_parts: dict[str, tuple[str, set[str]]] = last[1] if last else {}
    own: dict[str, str] = {}
    refs: dict[str, set[str]] = {}
    kept: dict[str, tuple[str, set[str]]] = {}
    for m in api.models:
        text = now[id(m)][1]
        part = known_parts.get(text)
        if part is None:
            part = (_digest(text), set(_REF.findall(text)) - {m.name})
        kept[text] = part
        own[m.name], refs[m.name] = part
    # The models' keys depend on the head and on each model's text alone.
    reused = bool(last) and last[0] == head and last[2] == own

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

    pkg = target.package
    if reused:
        keys = dict(last[3])
    else:
        keys = {}
        for model in api.models:
            direct = refs[model.name]
            keys[f"{pkg}/models/{model.module}.py"] = _digest(
                head, "model", model.module, own[model.name], group(direct)
            )
            keys[f"docs/{model.name}.md"] = _digest(
                head, "model page", own[model.name], group(closure(direct))
            )
    _LAST_MODELS[:] = [head, kept, own, dict(keys)]
    for tag in api.tags:
        # The tag's fields and each operation's ``repr``, kept by identity like the models' (the watch's
        # builds replay unchanged operations, see model/replay.py).
        parts = [repr((tag.name, tag.class_name, tag.module, tag.description))]
        for op in tag.operations:
            entry = known.get(id(op))
            if entry is None or entry[0] is not op:
                entry = (op, repr(op))
            now[id(op)] = entry
            parts.append(entry[1])
        text = "\n".join(parts)
        direct = set(_REF.findall(text))
        mine = _digest(text)
        keys[f"{pkg}/api/{tag.module}.py"] = _digest(head, "api", mine, group(direct))
        docs = _digest(head, "api page", mine, group(closure(direct)))
        for flavour in target.flavours:
            page = f"docs/{flavour.api_class(tag.class_name)}.md"
            keys[page] = _digest(docs, page)
    if texts is not None:
        texts.clear()
        texts.update(now)
    return keys


def whole_key(api: Api, target: Target, salt: str, keys: Mapping[str, str]) -> str:
    """The key of the files rendered from the whole API (the package's ``__init__`` modules, the client and
    configuration modules, the runtime it ships, the README, the reference pages): a digest of every input
    of the build's renders: the build's salt (templates, generator code, options), ``keys`` (from
    :func:`file_keys`: the API's head and every tag and model), and every other field of the API and of the target (but where its files lie). While it is the last
    build's, every file of the project renders as it did then (see :meth:`RenderCache.whole_files`).
    """
    rest = [
        f"{f.name}={_stable(getattr(api, f.name))!r}"
        for f in dataclasses.fields(api)
        if f.repr and f.name not in ("tags", "models")
    ]
    # The target's files are where this machine keeps them, which no render shows (they name the spec by
    # ``source``): the cache stays the same wherever the project lies.
    where = ("spec", "output", "project")
    rest.extend(
        f"{f.name}={getattr(target, f.name)!r}"
        for f in dataclasses.fields(target)
        if f.name not in where
    )
    return _digest(
        "whole",
        salt,
        target.source,
        *rest,
        *(f"{path}={key}" for path, key in keys.items()),
    )


def _stable(value: object) -> object:
    """``value``, a set as a sorted list: the ``repr`` of a set of strings changes from process to process."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return value


def _whole_entry(whole: str, path: str) -> str:
    """The cache key of a file rendered from the whole API."""
    return _digest(whole, path)


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
        # The last build's whole key (:func:`whole_key`) and the paths of its code and docs, in the order it
        # rendered them; None when it did not render its docs in this process (a forked child did).
        self.whole: tuple[str, list[str], list[str]] | None = None
        # The render keys of the last build (:func:`file_keys`) under the digest of everything the model and
        # they are computed from (see build.py's ``_keys_inputs``): a build of the same inputs takes them
        # rather than computing them from the model's ``repr`` (12 MB of text on Kubernetes' spec).
        self.keys_memo: tuple[str, dict[str, str]] | None = None
        # The digest of the manifest the last build left in the output: while the file has it, it holds the
        # text that build wrote (see build.py's ``_manifest_text``).
        self.manifest: str | None = None
        # The file this cache was read from or last written to: its path, ``stat`` signature and what it
        # held (the very objects, which are replaced, never changed in place), so that a build which
        # changes nothing does not write the file again (25 MB on GitHub's spec).
        self._disk: tuple[Path, tuple[int, ...], tuple[Any, ...]] | None = None

    def whole_files(
        self, whole: str, keys: Mapping[str, str]
    ) -> tuple[list[OutputFile], list[OutputFile]] | None:
        """The project's code and docs as the last build rendered them, when its inputs were these (``whole``,
        see :func:`whole_key`) and the cache holds every file; None otherwise."""
        if self.whole is None or self.whole[0] != whole:
            return None
        lists: list[list[OutputFile]] = []
        for paths in self.whole[1:]:
            files = []
            for path in paths:
                text = self._files.get(keys.get(path) or _whole_entry(whole, path))
                if text is None:
                    return None
                files.append(OutputFile(path, text))
            lists.append(files)
        return lists[0], lists[1]

    def keep_whole(
        self,
        whole: str,
        keys: dict[str, str],
        code: list[OutputFile],
        docs: list[OutputFile],
    ) -> None:
        """:meth:`keep` of the whole project: ``code`` and ``docs`` all files of the build as rendered, in
        order, ``keys`` the render keys of those rendered from one tag or model."""
        every = dict(keys)
        for f in (*code, *docs):
            every.setdefault(f.path, _whole_entry(whole, f.path))
        self.keep(every, [*code, *docs])
        self.whole = (whole, [f.path for f in code], [f.path for f in docs])

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
        self.whole = None

    @classmethod
    def read(cls, path: Path) -> RenderCache:
        """The cache :meth:`write` left in ``path``; an empty one when there is none (or it is unreadable)."""
        cache = cls()
        try:
            # Read as bytes and decoded: no newline translation (JSON needs none), 25 MB read faster.
            data = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return cache
        files = data.get("files") if isinstance(data, dict) else None
        contracts = data.get("contracts") if isinstance(data, dict) else None
        if isinstance(contracts, dict):
            cache.contracts.restore(contracts)
        cache.written.restore(data.get("written") if isinstance(data, dict) else None)
        whole = data.get("whole") if isinstance(data, dict) else None
        if (
            isinstance(whole, list)
            and len(whole) == 3
            and isinstance(whole[0], str)
            and all(
                isinstance(paths, list) and all(isinstance(p, str) for p in paths)
                for paths in whole[1:]
            )
        ):
            cache.whole = (whole[0], whole[1], whole[2])
        memo = data.get("keys") if isinstance(data, dict) else None
        if (
            isinstance(memo, list)
            and len(memo) == 2
            and isinstance(memo[0], str)
            and isinstance(memo[1], dict)
            and all(
                isinstance(k, str) and isinstance(v, str) for k, v in memo[1].items()
            )
        ):
            cache.keys_memo = (memo[0], memo[1])
        manifest = data.get("manifest") if isinstance(data, dict) else None
        if isinstance(manifest, str):
            cache.manifest = manifest
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
            self.whole,
            self.keys_memo,
            self.manifest,
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
                if self.whole is not None:
                    out.write(', "whole": ')
                    out.write(json.dumps(list(self.whole), ensure_ascii=False))
                if self.manifest is not None:
                    out.write(f', "manifest": {json.dumps(self.manifest)}')
                if self.keys_memo is not None:
                    out.write(', "keys": ')
                    out.write(json.dumps(list(self.keys_memo), ensure_ascii=False))
                out.write("}")
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
            return
        self._remember(path)

    def __len__(self) -> int:
        return len(self._files)


__all__ = ["RENDERS", "RenderCache", "file_keys", "whole_key"]
