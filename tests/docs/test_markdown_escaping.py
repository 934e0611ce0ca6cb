"""Hostile spec text cannot break the generated Markdown: tables keep their columns, fences stay closed
where we close them, no raw HTML gets through, and Jinja syntax in the spec is printed, not evaluated.

The spec is built with ``clientgen generate`` and the Markdown read back from the folder it wrote: the
files checked are the files a user would get.
"""

from __future__ import annotations

import ast
import json

import pytest

from .conftest import generate_docs
from .markdown_tools import MD, fences, table_cells

NASTY = "pipe | here\nsecond `tick` line\n```\nfence <script>alert(1)</script> {{ jinja }} {% if x %}"

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Nasty | API", "version": "1.0", "description": NASTY},
    "servers": [{"url": "https://example.com/api"}],
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "schemas": {
            "Thing": {
                "type": "object",
                "description": NASTY,
                "required": ["name"],
                "properties": {
                    "name": {
                        "type": "string",
                        "description": NASTY,
                        "example": "a'b\"c```d|e\nf",
                    },
                    "kind": {
                        "type": "string",
                        "enum": ["a|b", "c`d"],
                        "description": NASTY,
                    },
                },
            }
        },
    },
    "security": [{"key": []}],
    "paths": {
        "/things/{id}": {
            "post": {
                "operationId": "makeThing",
                "tags": ["Things"],
                "summary": "Make | a ```thing``` <script>x</script>\n# not a heading",
                "description": NASTY,
                "x-doc-title": "Make <b>thing</b> ``` {{ x }}",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": NASTY,
                        "schema": {"type": "string"},
                        "example": "x'y\"z```",
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "description": NASTY,
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Thing"}
                        }
                    }
                },
                "responses": {
                    "200": {
                        "description": NASTY,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"},
                                "example": {
                                    "name": "```\n</script><script>",
                                    "kind": "a|b",
                                },
                            }
                        },
                    }
                },
            }
        }
    },
}


@pytest.fixture(scope="module", params=["sync", "asyncio"])
def nasty_docs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("nasty")
    spec = folder / "nasty.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    return generate_docs(spec, folder / "out", "nasty", request.param)


def test_all_pages_rendered(nasty_docs: dict[str, str]) -> None:
    assert {
        "README.md",
        "docs/ThingsApi.md",
        "docs/Thing.md",
        "docs/reference/make_thing.md",
    } <= set(nasty_docs)


def test_tables_keep_their_columns(nasty_docs: dict[str, str]) -> None:
    for path, text in nasty_docs.items():
        rows = table_cells(text)
        for row in rows:
            assert len(row) == len(rows[0]) or len(row) in (2, 3, 4), (path, row)
        # a cell holding spec text holds all of it: a pipe did not split it
        for row in rows:
            for cell in row:
                if "pipe" in cell:
                    assert "pipe \\| here second" in cell and "{{ jinja }}" in cell, (
                        path,
                        cell,
                    )


def test_table_rows_are_one_line(nasty_docs: dict[str, str]) -> None:
    page = nasty_docs["docs/ThingsApi.md"]
    rows = [
        ln
        for ln in page.splitlines()
        if ln.startswith((" **id**", " **q**", "**200**"))
    ]
    assert len(rows) == 3
    for row in rows:
        assert (
            "pipe \\| here second &#x60;tick&#x60; line &#x60;&#x60;&#x60; fence &lt;script&gt;"
            in row
        )


def test_fences_are_not_closed_early(nasty_docs: dict[str, str]) -> None:
    api = fences(nasty_docs["docs/ThingsApi.md"])
    python = [f for f in api if f.info == "python"]
    assert len(python) == 1 and "except Exception as e:" in python[0].content
    compile(
        python[0].content, "example.py", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )
    reference = {
        f.info: f.content for f in fences(nasty_docs["docs/reference/make_thing.md"])
    }
    assert set(reference) == {"bash", "python", "javascript", "json"}
    assert (
        reference["javascript"].rstrip().endswith("const data = await response.json();")
    )
    assert (
        json.loads(reference["json"])
        == SPEC["paths"]["/things/{id}"]["post"]["responses"]["200"]["content"][
            "application/json"
        ]["example"]
    )
    compile(reference["python"], "requests.py", "exec")
    readme = [f for f in fences(nasty_docs["README.md"]) if f.info == "python"]
    assert any("except ApiException as e:" in f.content for f in readme)


def test_sections_survive_the_description(nasty_docs: dict[str, str]) -> None:
    """The description's unclosed ``` must not swallow the headings after it."""
    for path in ("docs/ThingsApi.md", "docs/Thing.md", "README.md"):
        headings = [
            t.content
            for i, t in enumerate(MD.parse(nasty_docs[path]))
            if i and t.type == "inline"
        ]
        text = "\n".join(headings)
        assert "Example" in text or "Documentation For Models" in text, path
    tokens = MD.parse(nasty_docs["docs/ThingsApi.md"])
    heading_texts = [
        tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    for expected in (
        "Example",
        "Parameters",
        "Return type",
        "Authorization",
        "HTTP response details",
    ):
        assert expected in heading_texts
    assert "not a heading" not in " ".join(heading_texts)


def test_no_raw_html(nasty_docs: dict[str, str]) -> None:
    for path, text in nasty_docs.items():
        if text.startswith(
            "---\n"
        ):  # front matter is data for the site generator, not Markdown
            text = text.split("---\n", 2)[2]
        html = MD.render(text)
        assert "<script" not in html, path
        assert "<b>" not in html, path


def test_jinja_syntax_is_printed(nasty_docs: dict[str, str]) -> None:
    assert "{{ jinja }}" in nasty_docs["docs/ThingsApi.md"]
    assert "{% if x %}" in nasty_docs["docs/ThingsApi.md"]
    assert "{{ x }}" in nasty_docs["docs/reference/make_thing.md"]


def test_front_matter_is_valid_yaml(nasty_docs: dict[str, str]) -> None:
    import yaml

    page = nasty_docs["docs/reference/make_thing.md"]
    _, front, _ = page.split("---\n", 2)
    data = yaml.safe_load(front)
    assert data["title"] == "Make <b>thing</b> ``` {{ x }}"
