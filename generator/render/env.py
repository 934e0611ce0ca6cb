"""The Jinja environment: templates hold layout only, so undefined names are errors."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import jinja2

from . import filters

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (compiling them costs about 0.3 s a build). The cache is keyed
    by each template's source, so an edited template is recompiled; without a writable cache folder,
    templates are simply compiled every time."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    if not os.path.isabs(root):
        return None  # no home folder to keep a cache in (never a relative folder in the project)
    folder = Path(root) / "clientgen" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return (
        jinja2.FileSystemBytecodeCache(str(folder))
        if os.access(folder, os.W_OK)
        else None
    )


@cache
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=_bytecode_cache(),
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
