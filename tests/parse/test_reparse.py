"""A JSON spec loaded again after an edit is parsed only where it changed (the watch's saves), and the data
is always what ``json.loads`` makes of the whole new text: over many random edits, in place and structural,
valid and broken."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import SpecError
from generator.parse import load as load_module
from generator.parse.load import _no_constant, _unique_keys, parse_text
from generator.parse.reparse import parse_spanned, reparse

ROOT = Path(__file__).resolve().parents[2]
HOOKS: dict[str, Any] = {
    "object_pairs_hook": _unique_keys,
    "parse_constant": _no_constant,
}


def _spec_text(indent: int | None) -> str:
    data = yaml.safe_load((ROOT / "specs" / "pieces_os.yaml").read_text("utf-8"))
    return json.dumps(data, indent=indent, ensure_ascii=False)


def _same(a: Any, b: Any) -> bool:
    """Equal, including the order of every object's keys."""
    return json.dumps(a) == json.dumps(b)


def _regions(text: str) -> list[tuple[int, int]]:
    spanned = parse_spanned(text, **HOOKS)
    assert spanned is not None
    return list(zip(spanned.starts, spanned.ends, strict=True))


def _edit(rng: random.Random, text: str) -> str:
    """One random edit: inside a region or across regions, keeping JSON valid or not."""
    kind = rng.randrange(9)
    spans = _regions(text)
    start, end = spans[rng.randrange(len(spans))]
    if kind == 0:  # retype a string somewhere (usually inside one region)
        at = text.index('"', rng.randrange(len(text) - 1)) if '"' in text else 0
        close = text.index('"', at + 1)
        return text[: at + 1] + f"edit {rng.random()}" + text[close:]
    if kind == 1:  # a new member at the start of a region's object
        if text[start] != "{":
            return text[:start] + "[1, 2]" + text[end:]
        return (
            text[: start + 1]
            + f'"x-{rng.randrange(99)}": {{"a": [1]}}, '
            + text[start + 1 :]
        )
    if kind == 2:  # the region's value replaced by another type
        return (
            text[:start]
            + rng.choice(['"s"', "3", "null", "[]", "{}", "true"])
            + text[end:]
        )
    if kind == 3:  # a region deleted with its key (structure changes)
        key_at = text.rindex('"', 0, text.rindex('"', 0, start))
        comma = text.find(",", end)
        if comma < 0 or text[end:comma].strip():
            return text[:key_at] + text[end:]
        return text[:key_at] + text[comma + 1 :]
    if kind == 4:  # a region's key renamed
        key_end = text.rindex('"', 0, start)
        return text[:key_end] + "-renamed" + text[key_end:]
    if kind == 5:  # one character inserted or deleted anywhere (mostly breaks the JSON)
        at = rng.randrange(len(text))
        if rng.random() < 0.5:
            return text[:at] + rng.choice('{}[],:"x1 ') + text[at:]
        return text[:at] + text[at + 1 :]
    if kind == 6:  # an edit across two regions
        other_start, other_end = spans[rng.randrange(len(spans))]
        lo, hi = sorted((start + 1, other_end - 1))
        return text[:lo] + text[lo:hi].replace('"', "'", 1) + text[hi:]
    if kind == 7:  # a region made to end elsewhere: its closing bracket moved
        if text[end - 1] in "}]" and end - start > 2:
            return text[: end - 1] + text[end:] + text[end - 1]
        return text + " "
    # a repeated key inside a region (the loader refuses those with the YAML loader's message)
    if text[start] == "{" and end - start > 2:
        return text[: start + 1] + '"dup": 1, "dup": 2, ' + text[start + 1 :]
    return text


@pytest.mark.parametrize("indent", [None, 2])
def test_random_edits_parse_as_the_whole_text(indent: int | None) -> None:
    rng = random.Random(20 + (indent or 0))
    base = _spec_text(indent)
    text = base
    path = Path("spec.json")
    load_module._LAST_JSON.clear()
    parse_text(text, path, "spec.json")
    partial = 0
    for step in range(300):
        new = _edit(rng, text)
        last = load_module._LAST_JSON.get(str(path.resolve()))
        try:
            expected: Any = json.loads(new, **HOOKS)
        except Exception:
            expected = None
        if last is not None and reparse(last, new, **HOOKS) is not None:
            partial += 1
        try:
            doc = parse_text(new, path, "spec.json")
        except SpecError:
            assert expected is None, step
            got = None
        else:
            got = doc.data
            if expected is not None:
                assert doc.is_json
                assert _same(got, expected), step
        if expected is None or not isinstance(expected, dict) or rng.random() < 0.1:
            text = base  # back to a good document now and then
            parse_text(text, path, "spec.json")
        else:
            text = new
    # Most edits stay within one region: those were re-parsed in part.
    assert partial > 60


def test_an_edit_within_one_path_item_shares_the_rest() -> None:
    text = _spec_text(2)
    last = parse_spanned(text, **HOOKS)
    assert last is not None
    data = json.loads(text)
    path, item = next(iter(data["paths"].items()))
    method = next(m for m in item if isinstance(item[m], dict))
    old_literal = json.dumps(item[method]["operationId"])
    at = text.index(f'"operationId": {old_literal}')
    new = text[:at] + text[at:].replace(old_literal, '"renamedOperation"', 1)
    spanned = reparse(last, new, **HOOKS)
    assert spanned is not None
    assert _same(spanned.data, json.loads(new))
    assert spanned.data["paths"][path][method]["operationId"] == "renamedOperation"
    assert spanned.data["components"] is last.data["components"]
    others = [p for p in data["paths"] if p != path]
    assert all(spanned.data["paths"][p] is last.data["paths"][p] for p in others)
    # The regions after the edit moved with it: a second edit further on is re-parsed in part too.
    later = others[-1]
    literal = f'"{later}": {{'
    at = new.index(literal) + len(literal)
    newer = new[:at] + '"x-note": "n",' + new[at:]
    again = reparse(spanned, newer, **HOOKS)
    assert again is not None
    assert _same(again.data, json.loads(newer))


def test_an_edit_across_regions_is_parsed_whole() -> None:
    text = json.dumps(
        {"openapi": "3.0.3", "info": {"title": "a"}, "paths": {"/a": {}, "/b": {}}}
    )
    last = parse_spanned(text, **HOOKS)
    assert last is not None
    new = text.replace('"/a": {}, "/b"', '"/a": {"x": 1}, "/c"')
    assert reparse(last, new, **HOOKS) is None
    doc = parse_text(new, Path("across.json"), "across.json")
    assert _same(doc.data, json.loads(new))


def test_a_half_written_save_does_not_lose_the_last_good_text(tmp_path: Path) -> None:
    """The watch may read a save half done (the file truncated): that fails, and the next, whole text is
    still parsed only where it differs from the last good one."""
    text = _spec_text(2)
    path = tmp_path / "spec.json"
    first = parse_text(text, path, "spec.json")
    with pytest.raises(SpecError):
        parse_text("", path, "spec.json")
    with pytest.raises(SpecError):
        parse_text(text[: len(text) // 2], path, "spec.json")
    at = text.index('"description": "') + len('"description": "')
    edited = text[:at] + "Edited. " + text[at:]
    again = parse_text(edited, path, "spec.json")
    assert _same(again.data, json.loads(edited))
    # Re-parsed in part: the components are still the objects of the first parse.
    assert again.data["components"] is first.data["components"]
