"""How deeply a document nests, settled before libyaml composes it.

libyaml's composer recurses in C, one call per level: about 20,000 levels (40 KB of ``[``) overflow an 8 MB
stack and kill the process with SIGSEGV, where Python would raise RecursionError. So a document is composed
only once it is known to nest at most :data:`MAX_DEPTH` levels. Bounds that cost a few string scans settle
nearly every document; the others are measured exactly from libyaml's parser events (its parser keeps its
own stack; only the composer recurses), which costs about a fifth of composing them.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import yaml

# Far deeper than any API description (ours nest under 20 levels), and well within what the model's own
# recursion follows.
MAX_DEPTH = 500
# Python's JSON parser refuses text nested deeper than the recursion limit; libyaml's composer is safe far
# beyond this many levels, so JSON that Python parses is safe to compose while the limit is below it.
COMPOSER_SAFE_DEPTH = 5_000

# What may precede a node on its line (indentation and the indicators of compact block collections), after
# one of YAML's line breaks (\n, \r, NEL, LS, PS). (Patterns that start with a character set are scanned
# for quickly; a leading look-behind would be tried at every position.)
_PREFIX = "[ \t?:\\-]"
_BREAK = "[\n\r\x85\u2028\u2029]"
# A `[` or `{` that does not close at once (`[]` nests nothing)...
_BRACKET = re.compile(r"[\[{](?![\]}])")
# ...opens a collection only where a node may start: after a space, a line break, a flow indicator or
# ':'/'?'/'-' (inside a plain scalar, as in `/pets/{id}`, it opens nothing).
_BEFORE_A_NODE = frozenset("[{,:?-\ufeff")


def too_deep_at(text: str) -> yaml.Mark | None:
    """Where ``text`` first nests deeper than :data:`MAX_DEPTH` levels, or None when it does not (or when
    it is not YAML: the composer then stops at the same place, at a depth it can take).
    """
    if _shallow_json(text) or _surely_shallow(text):
        return None
    return _first_too_deep(text)


def _surely_shallow(text: str) -> bool:
    """Whether bounds cheap to compute keep ``text`` within :data:`MAX_DEPTH` levels.

    Each level of flow collections opens with its own ``[`` or ``{``; block collections nest at most two
    levels per column of the line prefix (indentation and ``- ``/``? ``/``: `` indicators) they start
    after, since a sequence may start at its mapping key's column. So the depth is at most the number of
    openers (plus one, for an empty collection) plus twice the longest such prefix (plus two).
    """
    budget = MAX_DEPTH // 2
    flow = text.count("[") + text.count("{") + 1
    if flow >= budget:
        flow = _flow_openers(text) + 1
        if flow >= budget:
            return False
    columns = (MAX_DEPTH - flow) // 2 - 1
    deep_prefix = f"{_PREFIX}{{{columns}}}"
    return (
        re.match(deep_prefix, text) is None
        and re.search(_BREAK + deep_prefix, text) is None
    )


def _flow_openers(text: str) -> int:
    """How many ``[`` and ``{`` in ``text`` may open a collection that holds something."""
    count = 0
    for match in _BRACKET.finditer(text):
        at = match.start()
        if at == 0 or text[at - 1].isspace() or text[at - 1] in _BEFORE_A_NODE:
            count += 1
    return count


def _shallow_json(text: str) -> bool:
    """Whether ``text`` is JSON that Python's (fast, recursion-checked) parser reads: then it nests no
    deeper than the recursion limit."""
    if not text.lstrip().startswith(("{", "[")):
        return False
    if sys.getrecursionlimit() > COMPOSER_SAFE_DEPTH:
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _first_too_deep(text: str) -> yaml.Mark | None:
    """The start of the first collection nested deeper than :data:`MAX_DEPTH`, from the parser's events."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, _CLOSE):
                depth -= 1
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None
