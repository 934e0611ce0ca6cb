"""The line of each JSON pointer a report names, found in one pass over the YAML events.

A diff names a handful of places; building the loader's full table of marks costs a second full parse with a
node per value. libyaml's event stream carries the same marks without building anything.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def lines_in(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """pointer -> 1-based line, for each of ``pointers`` (or its nearest ancestor) found in ``text``."""
    pointers = list(pointers)
    if not pointers:
        return {}
    wanted = _wanted(pointers)
    missing = set(pointers)  # the scan stops once every pointer asked for has its line
    found: dict[str, int] = {}
    # Each open collection: [is_mapping, pointer, next index or pending key, key line]
    stack: list[list] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(
                event,
                (
                    yaml.StreamStartEvent,
                    yaml.StreamEndEvent,
                    yaml.DocumentStartEvent,
                    yaml.DocumentEndEvent,
                ),
            ):
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                _advance(stack)
                continue
            line = event.start_mark.line + 1
            if stack and stack[-1][0] and stack[-1][2] is None:
                # a mapping key
                key = event.value if isinstance(event, yaml.ScalarEvent) else "?"
                stack[-1][2] = key
                stack[-1][3] = line
                continue
            if not stack:
                pointer, at = "", line
            elif stack[-1][0]:
                pointer = f"{stack[-1][1]}/{escape_pointer_token(stack[-1][2])}"
                at = stack[-1][
                    3
                ]  # the key's line reads best: `get:` rather than the line below it
            else:
                pointer = f"{stack[-1][1]}/{stack[-1][2]}"
                at = line
            if pointer in wanted:
                found[pointer] = at
                missing.discard(pointer)
                if not missing:
                    break
            if isinstance(event, yaml.MappingStartEvent):
                stack.append([True, pointer, None, 0])
            elif isinstance(event, yaml.SequenceStartEvent):
                stack.append([False, pointer, 0, 0])
            else:
                _advance(stack)
    except yaml.YAMLError:
        pass  # e.g. JSON that only the JSON parser reads: lines stay unknown
    out: dict[str, int] = {}
    for pointer in pointers:
        probe = pointer
        while probe not in found and probe:
            probe = probe.rsplit("/", 1)[0]
        if probe in found:
            out[pointer] = found[probe]
    return out


def _advance(stack: list[list]) -> None:
    if not stack:
        return
    if stack[-1][0]:
        stack[-1][2] = None
    else:
        stack[-1][2] += 1
