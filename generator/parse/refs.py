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
    return unquote(token).replace("~1", "/").replace("~0", "~")


class Resolver:
    """Loads referenced files on demand and follows ``$ref`` chains, refusing cycles."""

    MAX_CHAIN = 64

    def __init__(self, root: Document) -> None:
        self.root = root
        self._docs: dict[Path, Document] = {root.path.resolve(): root}

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
        file_part, _, fragment = ref.partition("#")
        target_doc = doc
        if file_part:
            if "://" in file_part:
                raise SpecError([doc.problem(at, f"remote $ref {ref!r} is not supported; download the file")])
            target_path = (doc.path.parent / unquote(file_part)).resolve()
            if not target_path.is_file():
                raise SpecError([doc.problem(at, f"$ref {ref!r}: file {file_part!r} not found")])
            target_doc = self.document(target_path)
        pointer = fragment.rstrip("/") if fragment not in ("", "/") else ""
        if pointer and not pointer.startswith("/"):
            raise SpecError([doc.problem(at, f"$ref {ref!r}: the fragment must be a JSON pointer")])
        node: Any = target_doc.data
        for raw_token in pointer.split("/")[1:]:
            token = unescape_token(raw_token)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecError([doc.problem(at, f"$ref {ref!r} points at nothing (no {token!r})")])
        return Target(node, target_doc, pointer)

    def follow(self, node: Any, doc: Document, at: str) -> Target:
        """Follow ``$ref`` chains from ``node`` until a node without ``$ref``."""
        seen: list[str] = []
        target = Target(node, doc, at)
        while isinstance(target.data, dict) and "$ref" in target.data:
            ref = target.data["$ref"]
            where = f"{target.doc.display}#{target.pointer}"
            if where in seen or len(seen) > self.MAX_CHAIN:
                chain = " -> ".join(seen + [where])
                raise SpecError([target.doc.problem(target.pointer, f"$ref cycle: {chain}")])
            seen.append(where)
            target = self.lookup(ref, target.doc, target.pointer + "/$ref")
        return target

    def problem(self, target: Target, message: str) -> Problem:
        return target.doc.problem(target.pointer, message)
