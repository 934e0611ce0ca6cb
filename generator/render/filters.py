"""Filters through which every spec string reaches generated code.

Spec text is untrusted. It enters Python source only as a literal made by :func:`py_literal` (``repr`` based),
as docstring text from :func:`docstring`, or as comment text from :func:`comment`; each makes the string
inert by construction, whatever quotes, backslashes, newlines or control characters it holds.
"""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata
from typing import Any

# Characters Python or editors treat as line breaks, and other controls that must not appear raw.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Bidirectional overrides can make code read differently from how it runs (CVE-2021-42574).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def py_literal(value: Any) -> str:
    """A Python literal for JSON-like data: strings through ``repr``, containers recursively."""
    # The common case first (a str is none of the kinds below).
    if isinstance(value, str):
        return _str_literal(value)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f'float("{value}")'
        return repr(value)
    if isinstance(value, tuple):
        items = [py_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{py_literal(str(k))}: {py_literal(v)}" for k, v in value.items()
            )
            + "}"
        )
    return _str_literal(str(value))


def _str_literal(text: str) -> str:
    """``repr`` with the characters that could mislead a reader of the source escaped as well."""
    literal = repr(text)
    # A printable text has no control, line-break or bidi character: nothing more to escape.
    if text.isprintable():
        return literal
    literal = _BIDI.sub(_escape_char, literal)
    return literal.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_WIDTH = 88
_BULLET = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")


def _wrap(line: str, width: int) -> list[str]:
    """Wrap one prose line at ``width`` columns, continuing list items under their text."""
    if len(line) <= width or line.startswith(
        "    "
    ):  # short, or an indented (code) block
        return [line]
    bullet = _BULLET.match(line)
    lead = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
    subsequent = " " * len(bullet.group(0)) if bullet else lead
    wrapped = textwrap.wrap(
        line,
        width=width,
        subsequent_indent=subsequent,
        break_long_words=False,
        break_on_hyphens=False,
        drop_whitespace=True,
    )
    return wrapped or [line]


def docstring(text: str, indent: str = "") -> str:
    """Text that is safe and black-stable between triple double quotes.

    Backslashes and quotes are escaped, line breaks normalised, control and bidi characters escaped, trailing
    spaces dropped, and continuation lines indented by ``indent``.
    """
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\\", "\\\\")
    # A printable text has no line break, control, bidi or tab character to replace.
    if not text.isprintable():
        text = _LINE_BREAKS.sub("\n", text)
        text = _CONTROL.sub(_escape_char, text)
        text = _BIDI.sub(_escape_char, text)
        text = text.replace("\t", "    ")
    text = text.replace('"""', '\\"\\"\\"')
    width = max(_WIDTH - len(indent), 40)
    lines = []
    for i, raw in enumerate(text.split("\n")):
        # The first line shares its row with the opening quotes.
        lines.extend(_wrap(raw.rstrip(), width - 3 if i == 0 else width))
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return ""
    lines[0] = lines[0].lstrip()
    # A quote right before the closing triple quote must be escaped, unless it already is (an odd number of
    # backslashes before it: the escaped triple quote above ends with one).
    last = lines[-1]
    if last.endswith('"') and (len(last) - 1 - len(last[:-1].rstrip("\\"))) % 2 == 0:
        lines[-1] = last[:-1] + '\\"'
    text = "\n".join([lines[0]] + [indent + line if line else "" for line in lines[1:]])
    # A docstring of several lines closes on its own line, as black leaves it.
    return text + "\n" + indent if len(lines) > 1 else text


def comment(text: str) -> str:
    """One line of text that is safe after ``#``: every line break and control character folded away."""
    if text and text.isprintable():
        return " ".join(text.split())
    text = _LINE_BREAKS.sub(" ", text or "")
    text = _CONTROL.sub(" ", text)
    text = _BIDI.sub("", text)
    return " ".join(text.split())
