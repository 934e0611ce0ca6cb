"""Filters through which spec text reaches the generated Markdown.

Each filter is named after the place its result goes: a table cell, an inline paragraph, a block of
Markdown, a ``#`` comment in a code example, a YAML front-matter scalar, a code span or a fenced block.
Each makes spec text inert in that place, whatever it holds: pipes and line breaks cannot split a table
row, a backtick run cannot close a fence, and ``<script>`` arrives as text, never as HTML.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from .filters import py_literal

# Every character CommonMark, Python or an editor treats as a line break.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# jmustache's HTML escaping, which OpenAPI Generator's Markdown tables show (``&#x3D;``, ``&#x60;``).
_MUSTACHE = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "`": "&#x60;",
    "=": "&#x3D;",
}
_MUSTACHE_TABLE = str.maketrans(_MUSTACHE)
# A line that opens or closes a fenced code block (CommonMark: up to three spaces, then ``` or ~~~).
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# Characters that start a block construct when they open a line.
_BLOCK_START = re.compile(
    r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|[-*_=]{3,}|`{3,}|~{3,}|\d{1,9}[.)](?=\s|$)|\|)"
)
_BACKTICKS = re.compile(r"`+")
_PLAIN_YAML = re.compile(r"[A-Za-z0-9(][^:#\"'\\{}\[\]&*!|>%@`]*")


def fold_lines(text: str) -> str:
    """One line: every line break becomes one space, other control characters a space, bidi marks go."""
    if text and text.isprintable():  # no line break, tab, control or bidi character
        return text
    text = _LINE_BREAK.sub(" ", text or "")
    text = _CONTROL.sub(" ", text)
    return _BIDI.sub("", text.replace("\t", " "))


def html_escape(text: str) -> str:
    """Escape as jmustache does: ``& < > " ' ` =``."""
    return text.translate(_MUSTACHE_TABLE)


# Pages repeat the same cells (statuses, descriptions) thousands of times.
@lru_cache(maxsize=16384)
def table_cell(text: str) -> str:
    """Text for a Markdown table cell: one line, HTML-escaped, ``\\`` and ``|`` escaped so columns hold."""
    return html_escape(fold_lines(text)).replace("\\", "\\\\").replace("|", "\\|")


def _escape_angles(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _neutral_start(line: str) -> str:
    """Backslash-escape a character that would make ``line`` a heading, quote, list, fence or table."""
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    lead, marker = match.group(1), match.group(2)
    rest = line[len(lead) + len(marker) :]
    if marker[0].isdigit():
        return f"{lead}{marker[:-1]}\\{marker[-1]}{rest}"
    return f"{lead}\\{marker}{rest}"


def md_inline(text: str) -> str:
    """A one-line paragraph (summary, heading text, list item): folded, no raw HTML, no block syntax."""
    return _neutral_start(_escape_angles(fold_lines(text).strip()))


def escape_text(text: str) -> str:
    """OpenAPI Generator's ``escapeText``: line breaks become spaces, ``\\`` and ``"`` are escaped."""
    text = fold_lines(text).replace("\\", "\\\\").replace('"', '\\"')
    return _neutral_start(_escape_angles(text))


def md_block(text: str) -> str:
    """Markdown from a description, kept as written but contained.

    Raw HTML and table pipes are escaped outside fenced code, and a fence the text opens is closed at its
    end, so the description cannot swallow the page that follows it.
    """
    text = _BIDI.sub("", _CONTROL.sub(" ", _LINE_BREAK.sub("\n", text or "")))
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        match = _FENCE_LINE.match(line)
        if fence is None:
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
                out.append(line)
            else:
                # A `|` could start a table that swallows the lines around it: kept as text.
                out.append(_escape_angles(line).replace("|", "\\|"))
        else:
            out.append(line)
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
            ):
                if not match.group(2).strip():
                    fence = None
    if fence is not None:
        out.append(fence)
    return "\n".join(out)


def comment(text: str) -> str:
    """Text after ``#`` in a code example: one line, spacing kept as OpenAPI Generator keeps it."""
    return fold_lines(text)


def code_span(text: str) -> str:
    """An inline code span holding ``text`` verbatim, delimited by a backtick run it does not contain."""
    text = fold_lines(text)
    runs = [len(r) for r in _BACKTICKS.findall(text)] if "`" in text else []
    ticks = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(content: str, info: str = "") -> str:
    """A fenced code block around ``content``, its fence longer than any backtick run inside."""
    runs = [len(r) for r in _BACKTICKS.findall(content)] if "`" in content else []
    ticks = "`" * max(3, max(runs, default=0) + 1)
    body = content if content.endswith("\n") else content + "\n"
    return f"{ticks}{fold_lines(info)}\n{body}{ticks}"


def link_text(text: str) -> str:
    """Text inside ``[...]`` of a link: one line, brackets and HTML escaped."""
    text = _escape_angles(fold_lines(text))
    return re.sub(r"([\[\]\\])", r"\\\1", text)


def anchor(name: str) -> str:
    """An HTML id / link fragment for a name from the spec (security scheme names)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name) or "-"


def slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def yaml_scalar(text: str) -> str:
    """A YAML front-matter value: plain when that is unambiguous, else a double-quoted JSON string."""
    text = fold_lines(text).strip()
    if _PLAIN_YAML.fullmatch(text) and not text.endswith(" ") and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def py_str_dq(text: str) -> str:
    """A double-quoted Python string literal (``host = "https://..."`` as the seeds show it)."""
    literal = json.dumps(text, ensure_ascii=False)
    return literal.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def json_string(text: str) -> str:
    """A JSON (and Python, and JavaScript) string literal, safe on one line."""
    return py_str_dq(_BIDI.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))


def py_value(value: Any) -> str:
    """A Python literal for example data (``repr`` based, see :func:`filters.py_literal`)."""
    return py_literal(value)


FILTERS = {
    "cell": table_cell,
    "inline": md_inline,
    "block": md_block,
    "escape_text": escape_text,
    "comment": comment,
    "code": code_span,
    "link_text": link_text,
    "anchor": anchor,
    "yaml": yaml_scalar,
    "py": py_value,
    "py_dq": py_str_dq,
}
