"""Reading generated Markdown back: links, anchors, tables and fences, through markdown-it."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from generator.render.docs_filters import slug

MD = MarkdownIt("commonmark").enable("table")
_HTML_ANCHOR = re.compile(r"""<a\s+(?:id|name)="([^"]+)"\s*>""")


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _plain(token: Token) -> str:
    return "".join(
        c.content for c in token.children or [] if c.type in ("text", "code_inline")
    )


def anchors(markdown: str) -> set[str]:
    """Heading slugs (GitHub style, numbered on repeats) and explicit ``<a id/name=...>`` anchors."""
    found: set[str] = set(_HTML_ANCHOR.findall(markdown))
    tokens = MD.parse(markdown)
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            base = slug(_plain(tokens[i + 1]))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(markdown: str) -> list[str]:
    return [t.attrs["href"] for t in _walk(MD.parse(markdown)) if t.type == "link_open"]  # type: ignore[misc]


def resolve(page: str, href: str) -> tuple[str, str]:
    """(target path relative to the project, fragment) for a relative link on ``page``."""
    path, _, fragment = href.partition("#")
    target = (
        posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if path
        else page
    )
    return target, fragment


def fences(markdown: str) -> list[Token]:
    return [t for t in MD.parse(markdown) if t.type == "fence"]


def table_cells(markdown: str) -> list[list[str]]:
    """Each table row's cell texts (header rows included), as markdown-it splits them."""
    tokens = MD.parse(markdown)
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.map is None:
            rows[-1].append(token.content)
    return rows
