"""The Jinja environment: templates hold layout only, so undefined names are errors."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from . import filters

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


@cache
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = filters.py_literal
    env.filters["docstring"] = filters.docstring
    env.filters["comment"] = filters.comment
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
