"""``$ref`` resolution across one or more documents.

A reference is resolved to the target's data, the document that holds it and its JSON pointer there, so
problems found later are reported at the target. Relative file references are resolved against the file that
holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..errors import Problem, SpecError
from .load import Document, load_document


@dataclass(frozen=True, slots=True)
class Target:
    """What a reference points at."""

    data: Any
    doc: Document
    pointer: str

    @property
    def key(self) -> tuple[str, str]:
        """A stable identity for the target: its file and pointer."""
        return (str(self.doc.path), self.pointer)


def unescape_token(token: str) -> str:
    if "%" not in token and "~" not in token:
        return token  # the common case, with nothing to decode
    return unquote(token).replace("~1", "/").replace("~0", "~")


class Resolver:
    """Loads referenced files on demand and follows ``$ref`` chains, refusing cycles."""

    MAX_CHAIN = 64

    def __init__(self, root: Document) -> None:
        self.root = root
        self._docs: dict[Path, Document] = {root.path.resolve(): root}
        # Referenced files must be in the root spec's folder or below it (symlinks followed).
        self._folder = root.path.resolve().parent
        # Resolved references, by the document that holds them and the reference: a spec refers to the
        # same few components thousands of times. A lookup's result does not depend on where the reference
        # is written (only its errors do, and those are never kept); nor does a chain's that ends well.
        self._steps: dict[tuple[int, str], tuple[Document, Target]] = {}
        self._chains: dict[tuple[int, str], tuple[Document, Target]] = {}

    @property
    def documents(self) -> list[Document]:
        return list(self._docs.values())

    def document(self, path: Path) -> Document:
        key = path.resolve()
        doc = self._docs.get(key)
        if doc is None:
            doc = load_document(path)
            self._docs[key] = doc
        return doc

    def lookup(self, ref: str, doc: Document, at: str) -> Target:
        """The target of ``ref`` written in ``doc`` at pointer ``at`` (one step, no chain following)."""
        if not isinstance(ref, str):
            raise SpecError([doc.problem(at, "$ref must be a string")])
        known = self._steps.get((id(doc), ref))
        if known is not None and known[0] is doc:
            return known[1]
        target = self._lookup(ref, doc, at)
        self._steps[(id(doc), ref)] = (doc, target)
        return target

    def _lookup(self, ref: str, doc: Document, at: str) -> Target:
        file_part, _, fragment = ref.partition("#")
        target_doc = doc
        if file_part:
            if "://" in file_part:
                raise SpecError(
                    [
                        doc.problem(
                            at,
                            f"remote $ref {ref!r} is not supported; download the file",
                        )
                    ]
                )
            target_path = self._file(ref, unquote(file_part), doc, at)
            if not target_path.is_file():
                raise SpecError(
                    [doc.problem(at, f"$ref {ref!r}: file {file_part!r} not found")]
                )
            target_doc = self.document(target_path)
        pointer = fragment.rstrip("/") if fragment not in ("", "/") else ""
        if pointer and not pointer.startswith("/"):
            raise SpecError(
                [doc.problem(at, f"$ref {ref!r}: the fragment must be a JSON pointer")]
            )
        node: Any = target_doc.data
        for raw_token in pointer.split("/")[1:]:
            token = unescape_token(raw_token)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecError(
                    [doc.problem(at, f"$ref {ref!r} points at nothing (no {token!r})")]
                )
        return Target(node, target_doc, pointer)

    def _file(self, ref: str, file_part: str, doc: Document, at: str) -> Path:
        """The file a reference names, which must lie in the root spec's folder (or below it)."""
        if Path(file_part).is_absolute():
            raise SpecError(
                [
                    doc.problem(
                        at,
                        f"$ref {ref!r} is an absolute path; write it relative to this file "
                        "(references stay in the spec's folder)",
                    )
                ]
            )
        path = (doc.path.parent / file_part).resolve()
        if self._folder not in path.parents:
            raise SpecError(
                [
                    doc.problem(
                        at,
                        f"$ref {ref!r} leaves the spec's folder: referenced files must be in "
                        f"{self._folder.name}/ or below it",
                    )
                ]
            )
        return path

    def follow(self, node: Any, doc: Document, at: str) -> Target:
        """Follow ``$ref`` chains from ``node`` until a node without ``$ref``."""
        if not (isinstance(node, dict) and "$ref" in node):
            return Target(node, doc, at)
        ref = node["$ref"]
        if type(ref) is not str:
            return self._follow(node, doc, at)
        known = self._chains.get((id(doc), ref))
        if known is not None and known[0] is doc:
            return known[1]
        target = self._follow(node, doc, at)
        self._chains[(id(doc), ref)] = (doc, target)
        return target

    def _follow(self, node: Any, doc: Document, at: str) -> Target:
        seen: list[str] = []
        target = Target(node, doc, at)
        while isinstance(target.data, dict) and "$ref" in target.data:
            ref = target.data["$ref"]
            where = f"{target.doc.display}#{target.pointer}"
            if where in seen or len(seen) > self.MAX_CHAIN:
                chain = " -> ".join(seen + [where])
                raise SpecError(
                    [target.doc.problem(target.pointer, f"$ref cycle: {chain}")]
                )
            seen.append(where)
            target = self.lookup(ref, target.doc, target.pointer + "/$ref")
        return target

    def problem(self, target: Target, message: str) -> Problem:
        return target.doc.problem(target.pointer, message)


# Keys whose values are data, not OpenAPI objects: a `$ref` key inside them is not a reference.
_DATA_KEYS = frozenset({"example", "default", "enum", "const", "value"})
# Keys whose values map names to schemas: a property may well be called `$ref`.
_NAME_MAPS = frozenset({"properties", "patternProperties"})


def check_references(root: Document) -> list[Problem]:
    """Every ``$ref`` of ``root`` (and of the files it reaches) resolved once, before validation.

    Returns the references that cannot be resolved, precisely located; a reference cycle (a ``$ref`` chain
    that comes back to itself) is reported once. A fragment with a trailing ``/`` is a flaw (an error unless
    lenient, see ``Document.flaws``) and is normalised in place so that every later stage resolves it.
    """
    resolver = Resolver(root)
    flaws: list[Problem] = []
    cycles: set[frozenset[str]] = set()
    done: set[Path] = set()
    key = str(root.path.resolve())
    known_flaws = len(root.flaws)
    changed = _changed_path_items(_CLEAN.pop(key, None), root.data)
    if changed is not None:
        # Only the path items that changed since a clean check of the same file: every other reference
        # (and every chain through the components) was resolved then, and is the same now.
        found: list[tuple[dict[str, Any], str]] = []
        for path, item in changed:
            found.extend(_references(item, f"/paths/{_escape(path)}"))
        found.sort(key=lambda entry: entry[1])
        todo: list[Document] = []
        for node, pointer in found:
            _check_one(resolver, root, node, pointer, flaws, cycles, todo)
        if todo:  # a changed item reaches another file: check everything
            return check_references_fully(root, known_flaws)
        if not flaws and len(root.flaws) == known_flaws:
            _CLEAN[key] = root.data
        return flaws
    todo = [root]
    while todo:
        doc = todo.pop()
        if doc.path.resolve() in done:
            continue
        done.add(doc.path.resolve())
        for node, pointer in _references(doc.data, ""):
            _check_one(resolver, doc, node, pointer, flaws, cycles, todo)
    if not flaws and len(root.flaws) == known_flaws and len(done) == 1:
        _CLEAN[key] = root.data
    return flaws


def check_references_fully(root: Document, known_flaws: int) -> list[Problem]:
    """:func:`check_references` of the whole document, as if it had not been checked before."""
    del root.flaws[known_flaws:]
    _CLEAN.pop(str(root.path.resolve()), None)
    return check_references(root)


# The data of the last document of each file whose references all resolved, in one file, with nothing to
# normalise (the ``build --watch`` process checks after every save). While everything but some path items
# is equal, only the references of those path items are checked again.
_CLEAN: dict[str, Any] = {}


def _changed_path_items(old: Any, new: Any) -> list[tuple[str, Any]] | None:
    """The path items of ``new`` that differ from ``old``'s, when nothing else differs (None otherwise)."""
    if (
        not isinstance(old, dict)
        or not isinstance(new, dict)
        or old.keys() != new.keys()
    ):
        return None
    old_paths, new_paths = old.get("paths"), new.get("paths")
    if not isinstance(old_paths, dict) or not isinstance(new_paths, dict):
        return None
    if any(old[k] != new[k] for k in new if k != "paths"):
        return None
    return [
        (path, item)
        for path, item in new_paths.items()
        if not path.startswith("x-")
        and isinstance(item, (dict, list))
        and (path not in old_paths or old_paths[path] != item)
    ]


def _references(
    node: Any, pointer: str, names: bool = False
) -> list[tuple[dict[str, Any], str]]:
    """Every mapping holding a ``$ref`` (iteratively: documents can be large)."""
    found = []
    stack: list[tuple[Any, str, bool]] = [(node, pointer, names)]
    while stack:
        current, at, is_names = stack.pop()
        if isinstance(current, dict):
            if "$ref" in current and not is_names:
                found.append((current, at))
            for key, value in current.items():
                # Keys are strings (the loader makes them so); scalars hold no reference.
                if (
                    not isinstance(value, (dict, list))
                    or key in _DATA_KEYS
                    or key.startswith("x-")
                ):
                    continue
                if is_names:
                    stack.append((value, f"{at}/{_escape(key)}", False))
                elif key == "examples":
                    if isinstance(
                        value, dict
                    ):  # Example objects: only their own $ref counts
                        for name, example in value.items():
                            if isinstance(example, dict) and "$ref" in example:
                                found.append(
                                    (example, f"{at}/examples/{_escape(name)}")
                                )
                elif key != "$ref":
                    stack.append((value, f"{at}/{_escape(key)}", key in _NAME_MAPS))
        elif isinstance(current, list):
            stack.extend(
                (item, f"{at}/{i}", False)
                for i, item in enumerate(current)
                if isinstance(item, (dict, list))
            )
    found.sort(key=lambda item: item[1])
    return found


def _escape(token: str | int) -> str:
    text = str(token)
    if "~" not in text and "/" not in text:
        return text
    return text.replace("~", "~0").replace("/", "~1")


def _check_one(
    resolver: Resolver,
    doc: Document,
    node: dict[str, Any],
    pointer: str,
    flaws: list[Problem],
    cycles: set[frozenset[str]],
    todo: list[Document],
) -> None:
    ref = node["$ref"]
    at = pointer + "/$ref"
    if isinstance(ref, str) and "#" in ref:
        fragment = ref.split("#", 1)[1]
        if len(fragment) > 1 and fragment.endswith("/"):
            doc.flaws.append(
                doc.problem(
                    at,
                    f"$ref {ref!r} has a trailing '/'; it is read as {ref.rstrip('/')!r}",
                )
            )
            node["$ref"] = ref = ref.rstrip("/")
    seen: list[str] = []
    current, current_doc, current_at = node, doc, pointer
    try:
        while isinstance(current, dict) and "$ref" in current:
            where = f"{current_doc.display}#{current_at}"
            if where in seen:
                loop = frozenset(seen[seen.index(where) :])
                if loop not in cycles:
                    cycles.add(loop)
                    chain = " -> ".join(seen + [where])
                    flaws.append(doc.problem(at, f"$ref cycle: {chain}"))
                return
            seen.append(where)
            target = resolver.lookup(current["$ref"], current_doc, current_at + "/$ref")
            if target.doc is not current_doc and target.doc not in todo:
                todo.append(target.doc)
            current, current_doc, current_at = target.data, target.doc, target.pointer
    except SpecError as exc:
        for problem in exc.errors:
            if problem not in flaws:
                flaws.append(problem)
