"""Markdown documentation of a generated package (API docs, model docs, README, reference pages)."""

from __future__ import annotations

import dataclasses

import jinja2

from ..config import Target
from ..model.api import Api, Tag
from .docs_api import DocStyle, Example, operation_doc
from .docs_filters import FILTERS, fenced, md_inline
from .env import environment
from .write import OutputFile


def docs_environment() -> jinja2.Environment:
    """The shared environment (StrictUndefined, trim/lstrip blocks) with the Markdown filters added."""
    env = environment().overlay()
    env.filters.update(FILTERS)
    return env


def render_example(env: jinja2.Environment, example: Example) -> str:
    """The ``python`` fenced block of an example; the fence outgrows any backtick run inside."""
    return fenced(env.get_template("docs/example.py.j2").render(ex=example), "python")


def api_page(env: jinja2.Environment, api: Api, tag: Tag, target: Target) -> OutputFile:
    ops = []
    for op in tag.operations:
        doc = operation_doc(api, op, tag.class_name, target)
        ops.append(
            dataclasses.replace(doc, example_block=render_example(env, doc.example))
        )
    content = env.get_template("docs/api.md.j2").render(
        package=target.package,
        class_name=tag.class_name,
        host=md_inline(api.host).replace("*", "\\*"),
        ops=ops,
        style=DocStyle.for_target(target),
    )
    return OutputFile(f"docs/{tag.class_name}.md", content)


def doc_files(api: Api, target: Target) -> list[OutputFile]:
    """Every Markdown file of the project, relative to the project folder."""
    env = docs_environment()
    files = [api_page(env, api, tag, target) for tag in api.tags]
    return files
