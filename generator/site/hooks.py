"""MkDocs hooks for ``clientgen docs-site`` (named in the generated ``mkdocs.yml``, loaded by MkDocs).

The pages are the generated Markdown as it ships; the hooks only adapt its layout to the site:

- heading anchors are GitHub's, the ones the generated links point at (the same ``slug`` the generator
  uses), so ``--strict`` anchor validation holds the links to them;
- the front matter's ``title``, ``description`` and ``keywords`` (spec text) are HTML-escaped before the
  theme puts them into the page's ``<head>`` and navigation, which it does without escaping;
- the ``## Examples`` section of a reference page, a ``### <language>`` heading over each fenced example,
  becomes one group of content tabs (``pymdownx.tabbed``).
"""

from __future__ import annotations

import html
import re
from typing import Any

from generator.render.docs_filters import slug

META_KEYS = ("title", "description", "keywords")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_TAB_HEADING = re.compile(r"^### (.+?)\s*$")


def github_slug(value: str, separator: str) -> str:
    """Python-Markdown's ``toc`` slugify signature, GitHub's anchors."""
    return slug(value)


def on_config(config: Any) -> Any:
    config.mdx_configs.setdefault("toc", {})["slugify"] = github_slug
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    for key in META_KEYS:
        value = page.meta.get(key)
        if value is not None:
            page.meta[key] = html.escape(str(value), quote=True)
    return example_tabs(markdown)


def example_tabs(markdown: str) -> str:
    """``markdown`` with each ``### <label>`` + fenced block of its ``## Examples`` section as a tab."""
    lines = markdown.split("\n")
    out: list[str] = []
    fence: str | None = (
        None  # the open fence outside the examples (a heading inside it is code)
    )
    in_examples = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if fence is not None:
            out.append(line)
            if line.strip() == fence:
                fence = None
            i += 1
            continue
        if line.startswith("## "):
            in_examples = line.strip() == "## Examples"
        heading = _TAB_HEADING.match(line) if in_examples else None
        block = _fenced_after(lines, i + 1) if heading else None
        if heading and block is not None:
            start, end = block
            label = heading[1].replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'=== "{label}"')
            out.append("")
            out.extend("    " + code if code else code for code in lines[start:end])
            i = end
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening[1]
        out.append(line)
        i += 1
    return "\n".join(out)


def _fenced_after(lines: list[str], i: int) -> tuple[int, int] | None:
    """(first, past-last) line of the fenced block that follows line ``i`` after blank lines, if any."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    opening = _FENCE.match(lines[i]) if i < len(lines) else None
    if opening is None:
        return None
    for end in range(i + 1, len(lines)):
        if lines[end].strip() == opening[1]:
            return i, end + 1
    return None
