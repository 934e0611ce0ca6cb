"""The line of each JSON pointer a report names.

A diff names a handful of places; building the loader's full table of marks costs a second full parse with a
node per value. When the loader kept its YAML node tree, each pointer is a walk down it; otherwise libyaml's
event stream carries the same marks without building anything, in one pass. (When the loader did build its
marks, for a document with flaws, they are used as they are.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from ..parse.load import escape_pointer_token

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _wanted(pointers: Iterable[str]) -> set[str]:
    """The pointers and all their ancestors (a pointer with no node of its own gets its parent's line)."""
    out = {""}
    for pointer in pointers:
        while pointer and pointer not in out:
            out.add(pointer)
            pointer = pointer.rsplit("/", 1)[0]
    return out


def lines_in(
    text: str,
    pointers: Iterable[str],
    marks: dict[str, tuple[int, int]] | None = None,
    node: Any = None,
) -> dict[str, int]:
    """pointer -> 1-based line where the node's value starts (as in every message clientgen prints), for
    each of ``pointers`` or its nearest ancestor. ``marks``, when the loader built them, are used as they
    are; ``node``, the loader's YAML node tree of ``text``, is walked instead of parsing ``text`` again.
    """
    pointers = list(pointers)
    if not pointers:
        return {}
    if marks is not None:
        return _from_marks(marks, pointers)
    if node is not None and not _ANCHOR.search(text):
        return _from_marks(_walk(node, pointers), pointers)
    wanted = _wanted(pointers)
    missing = set(pointers)  # the scan stops once every pointer asked for has its line
    found: dict[str, tuple[int, int]] = {}
    # Each open collection: [is_mapping, pointer, next index or pending key]
    stack: list[list[Any]] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _SKIPPED):
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                _advance(stack)
                continue
            if stack and stack[-1][0] and stack[-1][2] is None:  # a mapping key
                stack[-1][2] = (
                    event.value if isinstance(event, yaml.ScalarEvent) else "?"
                )
                continue
            if not stack:
                pointer = ""
            elif stack[-1][0]:
                pointer = f"{stack[-1][1]}/{escape_pointer_token(stack[-1][2])}"
            else:
                pointer = f"{stack[-1][1]}/{stack[-1][2]}"
            if pointer in wanted:
                found[pointer] = (
                    event.start_mark.line + 1,
                    event.start_mark.column + 1,
                )
                missing.discard(pointer)
                if not missing:
                    break
            if isinstance(event, yaml.MappingStartEvent):
                stack.append([True, pointer, None])
            elif isinstance(event, yaml.SequenceStartEvent):
                stack.append([False, pointer, 0])
            else:
                _advance(stack)
    except yaml.YAMLError:
        pass  # e.g. JSON that only the JSON parser reads: lines stay unknown
    return _from_marks(found, pointers)


# A YAML anchor (``&name`` where a node may start). Through an alias the node tree reaches the anchored
# node, whose mark is the anchor's, while the scan of the text reports the alias: a document that may
# hold an anchor is scanned, so both ways always give the same lines. (Text such as "A &B" in a
# description only costs the scan.)
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},&]")


def _walk(root: Any, pointers: list[str]) -> dict[str, tuple[int, int]]:
    """(line, column) of each pointer and of its ancestors that are nodes of the tree under ``root``."""
    found: dict[str, tuple[int, int]] = {}
    found[""] = (root.start_mark.line + 1, root.start_mark.column + 1)
    for pointer in pointers:
        if not pointer.startswith("/"):
            continue  # the root, or a place in another file
        node, probe = root, ""
        for token in pointer.split("/")[1:]:
            node = _child(node, token)
            if node is None:
                break
            probe = f"{probe}/{token}"
            found[probe] = (node.start_mark.line + 1, node.start_mark.column + 1)
    return found


def _child(node: Any, token: str) -> Any:
    """The child of ``node`` that the scan would name ``token`` (keys escaped, indices in decimal)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and escape_pointer_token(key.value) == token
            ):
                return value
        return None
    if isinstance(node, yaml.SequenceNode) and token.isdigit():
        index = int(token)
        if str(index) == token and index < len(node.value):
            return node.value[index]
    return None


def _from_marks(
    marks: dict[str, tuple[int, int]], pointers: list[str]
) -> dict[str, int]:
    out: dict[str, int] = {}
    for pointer in pointers:
        probe = pointer
        while probe not in marks and probe:
            # "other.yaml#/a" (a place in another file) ends at the root, never loops on "other.yaml#"
            probe = probe.rsplit("/", 1)[0] if "/" in probe else ""
        if probe in marks:
            out[pointer] = marks[probe][0]
    return out


_SKIPPED = (
    yaml.StreamStartEvent,
    yaml.StreamEndEvent,
    yaml.DocumentStartEvent,
    yaml.DocumentEndEvent,
)


def _advance(stack: list[list[Any]]) -> None:
    if not stack:
        return
    if stack[-1][0]:
        stack[-1][2] = None
    else:
        stack[-1][2] += 1
