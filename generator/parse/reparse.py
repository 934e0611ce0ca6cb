"""JSON parsed again after an edit: only the changed region of the text.

The watch (``build --watch``) loads its spec after every save, and a large JSON spec (GitHub's: 5.7 MB)
takes a tenth of a second or more to parse although one operation changed. :func:`parse_spanned` parses a
JSON text as ``json.loads`` does (with the same hooks) and also records where each *region* stands: every
member of the top-level object, each path item of ``paths`` and each entry of a ``components`` section (the
units an edit usually stays within). :func:`reparse` takes the last text, its data and regions, and a new
text: when everything that differs lies inside one region's value, that value alone is parsed from the new
text, and the rest of the data is the last data's (the same objects; nothing downstream mutates them).

It is exact, not a heuristic: the text before the region and after it is byte for byte the last text's, so a
parser reaches the region's start in the same state; the value parsed from there must end exactly where the
last one ended (shifted by the change in length), after which the parser again sees the last text. Anything
else (a change across regions, a changed key, a value that now ends elsewhere, text that is not plain JSON)
gives None, and the caller parses the whole text.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

# JSON's whitespace (what json.loads skips between tokens).
_WS = re.compile(r"[ \t\n\r]*")
# The top-level members whose members are regions of their own (``*``: any key): path items and the
# entries of each components section.
_PLAN: dict[str, Any] = {"paths": {"*": None}, "components": {"*": {"*": None}}}
# How much text is compared at once when looking for the first and last difference.
_CHUNK = 1 << 16


class _Irregular(Exception):
    """The text is not what :func:`parse_spanned` reads here (the caller parses it the ordinary way)."""


@dataclass(slots=True)
class Spanned:
    """A JSON text's data and its regions: ``keys[i]`` (the path of keys to the region's value) spans
    ``text[starts[i]:ends[i]]``, in order of position."""

    text: str
    data: Any
    keys: list[tuple[str, ...]]
    starts: list[int]
    ends: list[int]


def parse_spanned(
    text: str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any], **hooks: Any
) -> Spanned | None:
    """``text`` parsed as ``json.loads(text, object_pairs_hook=..., **hooks)`` would, with its regions;
    None when that is not a JSON object (or the hooks refuse it: let ``json.loads`` say so).
    """
    scan = _scanner(object_pairs_hook, hooks)
    keys: list[tuple[str, ...]] = []
    starts: list[int] = []
    ends: list[int] = []

    def value(at: int, where: tuple[str, ...], plan: Any) -> tuple[Any, int]:
        if plan is not None and text.startswith("{", at):
            return members(at, where, plan)
        try:
            found, end = scan(text, at)
        except StopIteration:
            raise _Irregular from None
        keys.append(where)
        starts.append(at)
        ends.append(end)
        return found, end

    def members(
        at: int, where: tuple[str, ...], plan: dict[str, Any]
    ) -> tuple[Any, int]:
        pairs: list[tuple[str, Any]] = []
        at = _WS.match(text, at + 1).end()  # type: ignore[union-attr]
        if text.startswith("}", at):
            return object_pairs_hook(pairs), at + 1
        while True:
            if not text.startswith('"', at):
                raise _Irregular
            key, at = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
            at = _WS.match(text, at).end()  # type: ignore[union-attr]
            if not text.startswith(":", at):
                raise _Irregular
            at = _WS.match(text, at + 1).end()  # type: ignore[union-attr]
            inner = plan.get(key, plan.get("*", False)) if plan else False
            found, at = value(at, (*where, key), None if inner is False else inner)
            pairs.append((key, found))
            at = _WS.match(text, at).end()  # type: ignore[union-attr]
            if text.startswith("}", at):
                return object_pairs_hook(pairs), at + 1
            if not text.startswith(",", at):
                raise _Irregular
            at = _WS.match(text, at + 1).end()  # type: ignore[union-attr]

    try:
        at = _WS.match(text, 0).end()  # type: ignore[union-attr]
        if not text.startswith("{", at):
            return None
        data, end = members(at, (), _PLAN)
        if _WS.match(text, end).end() != len(text):  # type: ignore[union-attr]
            return None
    except (_Irregular, ValueError, RecursionError, IndexError):
        return None
    except (
        Exception
    ):  # what the hooks raise to refuse the text (a repeated key, a constant)
        return None
    return Spanned(text, data, keys, starts, ends)


def reparse(
    last: Spanned,
    text: str,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any],
    **hooks: Any,
) -> Spanned | None:
    """``text`` parsed, reusing ``last`` (the same hooks' parse of an earlier text): only the region the
    edit lies in is parsed again. None when the edit is not inside one region's value.
    """
    old = last.text
    if text == old:
        return last
    first = _common_prefix(old, text)
    tail = _common_suffix(old, text, min(len(old), len(text)) - first)
    old_end = len(old) - tail  # the edit replaced old[first:old_end]
    i = bisect.bisect_right(last.starts, first) - 1
    if i < 0 or last.ends[i] < old_end:
        return None
    start, end = last.starts[i], last.ends[i]
    shift = len(text) - len(old)
    try:
        found, new_end = _scanner(object_pairs_hook, hooks)(text, start)
    except (StopIteration, ValueError, RecursionError):
        return None
    except Exception:  # the hooks refused it
        return None
    if new_end != end + shift:
        return None
    data = _replaced(last.data, last.keys[i], found)
    ends = last.ends[:i] + [e + shift for e in last.ends[i:]]
    starts = last.starts[: i + 1] + [s + shift for s in last.starts[i + 1 :]]
    return Spanned(text, data, last.keys, starts, ends)


def _scanner(
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any], hooks: dict[str, Any]
) -> Callable[[str, int], tuple[Any, int]]:
    """``json``'s scanner of one value at a position (C when available), with these hooks: what
    ``json.loads`` runs on the whole text."""
    decoder = json.JSONDecoder(object_pairs_hook=object_pairs_hook, **hooks)
    scan: Callable[[str, int], tuple[Any, int]] = cast(Any, decoder).scan_once
    return scan


def _replaced(
    data: dict[str, Any], keys: tuple[str, ...], value: Any
) -> dict[str, Any]:
    """``data`` with the value at ``keys`` replaced: the dicts on the way are copied, the rest shared."""
    copy = dict(data)
    if len(keys) == 1:
        copy[keys[0]] = value
    else:
        copy[keys[0]] = _replaced(data[keys[0]], keys[1:], value)
    return copy


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b``."""
    n = min(len(a), len(b))
    at = 0
    while at < n and a[at : at + _CHUNK] == b[at : at + _CHUNK]:
        at += _CHUNK
    if at >= n:
        return n
    low, high = at, min(at + _CHUNK, n)
    if a[low:high] == b[low:high]:  # the rest of the shorter one
        return high
    # a[:low] == b[:low], a[:high] != b[:high]
    while high - low > 1:
        mid = (low + high) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix of ``a`` and ``b``, at most ``limit``."""
    la, lb = len(a), len(b)
    at = 0
    while at < limit:
        step = min(_CHUNK, limit - at)
        if a[la - at - step : la - at] != b[lb - at - step : lb - at]:
            break
        at += step
    else:
        return limit
    low, high = (
        at,
        at + step,
    )  # the last `low` characters are equal, the last `high` are not
    while high - low > 1:
        mid = (low + high) // 2
        if a[la - mid : la - low] == b[lb - mid : lb - low]:
            low = mid
        else:
            high = mid
    return low


__all__ = ["Spanned", "parse_spanned", "reparse"]
