"""Load a YAML or JSON document into plain data, and find the line and column of any node on demand.

The marks are a table from JSON pointer to (line, column), so every later stage can report a problem at its
place in the file without carrying YAML nodes around. A document that is loaded without trouble builds that
table only when something asks for a location (a problem or a warning): a clean spec never needs it, and
building it took as long as the rest of the loading.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, Problem, SpecError
from .nesting import COMPOSER_SAFE_DEPTH, MAX_DEPTH, too_deep_at
from .reparse import Spanned, parse_spanned, reparse

# A spec larger than this is refused before parsing: it would take minutes and most likely is not a spec.
MAX_SPEC_BYTES = 32 * 1024 * 1024
# YAML aliases can make a small file expand into a huge tree ("billion laughs"): the number of nodes built
# is capped at this many per byte of input (plus a floor), far above what anchors are used for in specs.
_NODES_PER_BYTE = 4
_MIN_NODE_BUDGET = 200_000


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_join(pointer: str, token: str | int) -> str:
    return f"{pointer}/{escape_pointer_token(token)}"


@dataclass(slots=True)
class Document:
    """A loaded document: its data, where each node stands, and the flaws found while loading."""

    path: Path
    display: str
    data: Any
    flaws: list[Problem] = field(
        default_factory=list
    )  # errors by default, warnings with --lenient
    warnings: list[Problem] = field(
        default_factory=list
    )  # always warnings (we could not check something)
    # The table of marks, or None until it is first needed (then built from ``text``).
    known_marks: dict[str, tuple[int, int]] | None = None
    text: str = ""
    # The YAML node tree, kept when the loader was asked to (``keep_node``): the line of any pointer is then
    # a walk down it, with no second parse. None otherwise (the tree is as large as the data).
    node: Any = None
    # Loaded by the JSON parser: the marks then come from a scan of the JSON text, not from YAML.
    is_json: bool = False

    @property
    def marks(self) -> dict[str, tuple[int, int]]:
        """JSON pointer -> (line, column) of every node, built from the text on first use."""
        if self.known_marks is None:
            self.known_marks = (
                json_marks(self.text) if self.is_json else _marks_of(self.text)
            )
        return self.known_marks

    def locate(self, pointer: str) -> Location:
        """The location of ``pointer``, or of its nearest ancestor that has a mark."""
        probe = pointer
        while True:
            mark = self.marks.get(probe)
            if mark is not None:
                return Location(self.display, mark[0], mark[1], pointer)
            if not probe:
                return Location(self.display, 0, 0, pointer)
            probe = probe.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str) -> Problem:
        return Problem(self.locate(pointer), message)


# libyaml's parser when PyYAML was built with it (the wheels are): about ten times faster, same marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader whose scalars are constructed one by one (we build the containers ourselves).

    Implicit tags are memoised: a plain scalar's tag depends only on its text, and a spec repeats the same
    few hundred texts (``type``, ``string``, ``description``, …) many thousand times.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[tuple[str, bool], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            key = (value, implicit[0])
            tag = self._tags.get(key)
            if tag is None:
                tag = self._tags[key] = super().resolve(kind, value, implicit)
            return tag
        # No path resolvers are registered, so containers always get the default tags.
        return _MAP_TAG if kind is yaml.MappingNode else _SEQ_TAG


def _display_path(path: Path) -> str:
    """The path as the user would write it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # a different drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def load_document(path: str | os.PathLike[str], *, keep_node: bool = False) -> Document:
    """Read and parse ``path``; raise :class:`SpecError` with a located message when it cannot be read.
    ``keep_node`` keeps the YAML node tree in :attr:`Document.node`."""
    file_path = Path(path)
    display = _display_path(file_path)

    def fail(message: str, line: int = 0, column: int = 0) -> SpecError:
        return SpecError([Problem(Location(display, line, column, ""), message)])

    if file_path.is_dir():
        raise fail("is a directory, not an OpenAPI document")
    try:
        size = file_path.stat().st_size
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if size > MAX_SPEC_BYTES:
        raise fail(
            f"the file is {size / 2**20:.1f} MiB; documents over {MAX_SPEC_BYTES // 2**20} MiB are refused"
            " (is this really an OpenAPI document?)"
        )
    try:
        raw = file_path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if b"\x00" in raw[:8192]:
        raise fail("is a binary file, not a YAML or JSON document")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"is not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    return parse_text(text, file_path, display, keep_node=keep_node)


def parse_text(
    text: str, path: Path, display: str, *, keep_node: bool = False
) -> Document:
    """Parse ``text`` into a :class:`Document`: a ``.json`` file with the JSON parser (several times faster
    than YAML's), anything else, or JSON the JSON parser refuses, as YAML (which also covers most JSON).
    """
    if path.suffix.lower() == ".json":
        data = _plain_json(text, path)
        if data is not _NOT_PLAIN:
            if sys.getrecursionlimit() > COMPOSER_SAFE_DEPTH:
                _refuse_too_deep(
                    text, display
                )  # otherwise, JSON Python's parser reads is shallow
            return Document(
                path=path, display=display, data=data, text=text, is_json=True
            )
    _refuse_too_deep(text, display)
    doc = Document(path=path, display=display, data=None, text=text)
    node = _compose(text, path, display)
    if isinstance(node, _JsonDocument):
        return node.doc
    budget = _Budget(max(_MIN_NODE_BUDGET, _NODES_PER_BYTE * len(text)))
    constructor = _Loader("")
    try:
        doc.data = _build_plain(node, constructor, budget)
        if keep_node:
            doc.node = node
        return doc
    except _Unusual:
        pass  # a key to report, or too many nodes: build again, with marks, to say where
    except RecursionError:
        raise SpecError([Problem(Location(display, 1, 1, ""), _TOO_DEEP)]) from None
    doc.known_marks = {}
    doc.data = _build_marked(_compose(text, path, display), doc)
    return doc


def _refuse_too_deep(text: str, display: str) -> None:
    """Refuse a document nested deeper than the composer can take, at the place it goes too deep."""
    mark = too_deep_at(text)
    if mark is not None:
        message = f"the document nests too deeply (more than {MAX_DEPTH} levels)"
        raise SpecError(
            [Problem(Location(display, mark.line + 1, mark.column + 1, ""), message)]
        )


class _JsonDocument:
    """What :func:`_compose` returns for a ``.json`` file that PyYAML cannot read but ``json`` can."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc


def _compose(text: str, path: Path, display: str) -> Any:
    """The YAML node tree of ``text``; SpecError with the place when it is not YAML."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = exc.problem or exc.context or "invalid YAML"
        # JSON allows escapes PyYAML's YAML 1.1 does not; fall back to the JSON parser for .json files.
        if path.suffix.lower() == ".json":
            return _JsonDocument(_parse_json(text, path, display))
        raise SpecError(
            [Problem(Location(display, line, column, ""), f"not valid YAML: {reason}")]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            [Problem(Location(display, 0, 0, ""), f"not valid YAML: {exc}")]
        ) from None
    except RecursionError:
        raise SpecError([Problem(Location(display, 1, 1, ""), _TOO_DEEP)]) from None
    if node is None:
        raise SpecError([Problem(Location(display, 1, 1, ""), "the document is empty")])
    return node


def _build_marked(node: yaml.Node, doc: Document) -> Any:
    """The data of ``node``, recording the mark of every node in ``doc`` (and the flaws of its keys)."""
    budget = _Budget(max(_MIN_NODE_BUDGET, _NODES_PER_BYTE * len(doc.text)))
    try:
        return _build(node, "", doc, _Loader(""), budget)
    except RecursionError:
        raise SpecError([Problem(Location(doc.display, 1, 1, ""), _TOO_DEEP)]) from None


def _marks_of(text: str) -> dict[str, tuple[int, int]]:
    """The marks table of a document that already loaded once without trouble (so it parses again)."""
    doc = Document(path=Path(), display="", data=None, known_marks={}, text=text)
    _build_marked(_compose(text, doc.path, doc.display), doc)
    return doc.marks


_TOO_DEEP = "the document nests too deeply to be an OpenAPI document"


@dataclass(slots=True)
class _Budget:
    """How many more nodes may be built: YAML aliases must not expand a small file into a huge tree."""

    left: int

    def spend(self, doc: Document, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            raise SpecError(
                [
                    Problem(
                        Location(doc.display, line, column, ""),
                        "the document expands to too many nodes (YAML aliases repeated?); refused",
                    )
                ]
            )


def _parse_json(text: str, path: Path, display: str) -> Document:
    try:
        data = json.loads(text)
    except RecursionError:
        raise SpecError([Problem(Location(display, 1, 1, ""), _TOO_DEEP)]) from None
    except json.JSONDecodeError as exc:
        raise SpecError(
            [
                Problem(
                    Location(display, exc.lineno, exc.colno, ""),
                    f"not valid JSON: {exc.msg}",
                )
            ]
        ) from None
    return Document(path=path, display=display, data=data, text=text, is_json=True)


_NOT_PLAIN = object()


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# The last plain JSON text of each file that parsed, with its regions: the next text of that file (the
# watch's next save) is parsed only where it differs (parse/reparse.py), the rest of the data is shared.
_LAST_JSON: dict[str, Spanned] = {}


def _plain_json(text: str, path: Path | None = None) -> Any:
    """The data of a JSON text, or ``_NOT_PLAIN`` when the YAML loader must take it: it is not JSON, or
    repeats a key, or holds NaN or Infinity (the YAML loader reports or reads those as before). With
    ``path``, the last text of that file is kept, and the next one re-parsed where it changed only.
    """
    hooks: dict[str, Any] = {
        "object_pairs_hook": _unique_keys,
        "parse_constant": _no_constant,
    }
    if path is not None:
        # A text that does not parse leaves the last good one kept: an editor's save can be seen half
        # written (truncated, then written), and the next, whole text differs from the last good one in
        # the edit only.
        key = os.path.abspath(path)
        last = _LAST_JSON.get(key)
        spanned = reparse(last, text, **hooks) if last is not None else None
        if spanned is None:
            spanned = parse_spanned(text, **hooks)
        if spanned is not None:
            _LAST_JSON[key] = spanned
            return spanned.data
    try:
        return json.loads(text, **hooks)
    except (ValueError, _DuplicateKey, RecursionError):
        return _NOT_PLAIN


# The tokens of a JSON text: strings, punctuation, and the bare literals (numbers, true, false, null).
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def json_marks(text: str) -> dict[str, tuple[int, int]]:
    """JSON pointer -> (line, column) where each node's value starts, from one scan of a JSON text (the
    marks the YAML loader would make). Only built when a message needs a place."""
    line_starts = [0]
    line_starts.extend(m.end() for m in re.finditer("\n", text))
    marks: dict[str, tuple[int, int]] = {}
    # Each open container: [is_object, pointer, index (arrays) or None, expecting a key (objects)]
    stack: list[list[Any]] = []
    pending = ""  # the pointer of the next value
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        top = stack[-1] if stack else None
        if first in ",:":
            if first == "," and top is not None:
                if top[0]:
                    top[3] = True
                else:
                    top[2] += 1
                    pending = pointer_join(top[1], top[2])
            continue
        if first in "}]":
            stack.pop()
            continue
        if top is not None and top[0] and top[3]:  # an object's key
            pending = pointer_join(top[1], json.loads(token))
            top[3] = False
            continue
        offset = match.start()
        line = bisect.bisect_right(line_starts, offset)
        marks[pending] = (line, offset - line_starts[line - 1] + 1)
        if first == "{":
            stack.append([True, pending, None, True])
        elif first == "[":
            stack.append([False, pending, 0, False])
            pending = pointer_join(pending, 0)
    return marks


class _Unusual(Exception):
    """The plain build met something it reports with a place: the marked build takes over."""


def _build_plain(node: yaml.Node, constructor: _Loader, budget: _Budget) -> Any:
    """The data of ``node``, exactly as :func:`_build` makes it, without the marks; raises :class:`_Unusual`
    where :func:`_build` would record a flaw or refuse the document."""
    budget.left -= 1
    if budget.left < 0:
        raise _Unusual
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                key = constructor.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    raise _Unusual
            if key in result:
                raise _Unusual
            result[key] = _build_plain(value_node, constructor, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build_plain(item, constructor, budget) for item in node.value]
    if node.tag == _STR_TAG:
        return node.value
    value = constructor.construct_object(node, deep=True)
    if not isinstance(value, (str, int, float, bool, type(None))):
        value = node.value
    return value


def _build(
    node: yaml.Node, pointer: str, doc: Document, constructor: _Loader, budget: _Budget
) -> Any:
    budget.spend(doc, node)
    doc.marks[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                # YAML turns unquoted 200 into an int; OpenAPI keys are strings.
                key_pointer = pointer_join(pointer, str(key))
                doc.marks.setdefault(
                    key_pointer,
                    (key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                )
                doc.flaws.append(
                    doc.problem(
                        key_pointer,
                        f"key {key!r} is a {type(key).__name__}, not a string; quote it",
                    )
                )
                key = "true" if key is True else "false" if key is False else str(key)
            child_pointer = pointer_join(pointer, key)
            if key in result:
                line = key_node.start_mark.line + 1
                column = key_node.start_mark.column + 1
                raise SpecError(
                    [
                        Problem(
                            Location(doc.display, line, column, child_pointer),
                            f"duplicate key {key!r}",
                        )
                    ]
                )
            result[key] = _build(value_node, child_pointer, doc, constructor, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, pointer_join(pointer, i), doc, constructor, budget)
            for i, item in enumerate(node.value)
        ]
    if node.tag == _STR_TAG:
        return node.value  # most scalars: no constructor round trip
    value = constructor.construct_object(node, deep=True)
    # Dates and timestamps stay strings: OpenAPI examples and defaults are JSON values.
    if not isinstance(value, (str, int, float, bool, type(None))):
        value = node.value
    return value
