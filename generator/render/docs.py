"""Markdown documentation of a generated package (API docs, model docs, README, reference pages).

``doc_files`` returns, relative to the project folder: ``docs/<Tag>Api.md`` per tag and ``docs/<Model>.md``
per model in OpenAPI Generator's python form (seeds 000, 003, 004), ``README.md``, and for APIs whose
operations carry ``x-doc-title`` a ``docs/reference/<method>.md`` page per operation (seeds 001, 002).
Everything shown is computed in ``docs_*.py``; the templates in ``templates/docs/`` only lay it out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import jinja2

from ..config import Flavour, Target
from ..model.api import Api, Tag
from ..runtime import limits, retry  # not configuration (its HTTP/TLS stack)
from .docs_api import DocStyle, Example, operation_doc
from .docs_features import FeatureExample, FeaturesDoc, features_doc
from .docs_filters import FILTERS, fenced, md_inline
from .docs_pages import model_doc, readme_doc
from .docs_reference import reference_pages
from .env import environment
from .write import OutputFile

# The order RFC 9110 lists the methods in, for naming the idempotent ones in prose.
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE")


def runtime_defaults() -> dict[str, str]:
    """The client's defaults the README states, read from the runtime that ships them (as text)."""
    return {
        "retry_statuses": ", ".join(str(s) for s in sorted(retry.RETRY_STATUS_CODES)),
        "idempotent_methods": ", ".join(
            sorted(
                retry.IDEMPOTENT_METHODS,
                key=lambda m: (_METHOD_ORDER.index(m) if m in _METHOD_ORDER else 99, m),
            )
        ),
        "retries": str(retry.DEFAULT_MAX_RETRIES),
        "backoff_initial": f"{retry.DEFAULT_BACKOFF_INITIAL:g}",
        "backoff_max": f"{retry.DEFAULT_BACKOFF_MAX:g}",
        "retry_after_max": f"{retry.DEFAULT_RETRY_AFTER_MAX:g}",
        "jitter_percent": f"{retry.DEFAULT_JITTER * 100:g}",
        "timeout": f"{limits.DEFAULT_TIMEOUT:g}",
    }


def docs_environment() -> jinja2.Environment:
    """The shared environment (StrictUndefined, trim/lstrip blocks) with the Markdown filters added,
    and ``defaults``, the runtime's retry and timeout defaults."""
    env = environment().overlay()
    env.filters.update(FILTERS)
    env.globals["defaults"] = runtime_defaults()
    return env


def runnable_async(code: str) -> str:
    """An asyncio example as a script: the client part inside ``async def main()``, run by ``asyncio.run``."""
    lines = code.split("\n")
    start = lines.index("# Enter a context with an instance of the API client")
    body = ["    " + line if line else line for line in lines[start:]]
    head = ["import asyncio"] + lines[:start]
    script = head + ["async def main() -> None:"] + body
    return "\n".join(script).rstrip("\n") + "\n\n\nasyncio.run(main())\n"


def render_feature_example(env: jinja2.Environment, example: FeatureExample) -> str:
    """The ``python`` fenced block of a README feature example (its first line is its marker)."""
    code = env.get_template("docs/feature_example.py.j2").render(ex=example)
    return fenced(code.rstrip("\n") + "\n", "python")


def render_features(env: jinja2.Environment, doc: FeaturesDoc) -> FeaturesDoc:
    """``doc`` with every example rendered into its ``block`` fields."""

    def block(example: FeatureExample | None) -> str:
        return "" if example is None else render_feature_example(env, example)

    return dataclasses.replace(
        doc,
        websocket=tuple(
            dataclasses.replace(o, block=block(o.example)) for o in doc.websocket
        ),
        pagination=tuple(
            dataclasses.replace(o, block=block(o.example)) for o in doc.pagination
        ),
        event_stream=tuple(
            dataclasses.replace(o, block=block(o.example)) for o in doc.event_stream
        ),
        retries_block=block(doc.retries),
        errors_block=block(doc.errors),
    )


def api_page(
    env: jinja2.Environment,
    api: Api,
    tag: Tag,
    target: Target,
    flavour: Flavour,
    reuse: Mapping[str, str] = {},  # noqa: B006 (read only)
) -> OutputFile:
    """``docs/<Tag>Api.md`` (or ``docs/Async<Tag>Api.md``, the asyncio twin's) in OpenAPI Generator's
    form for that client: the sync pages are the seeds' layout, the asyncio ones its asyncio layout.
    """
    template = env.get_template("docs/example.py.j2")
    class_name = flavour.api_class(tag.class_name)
    path = f"docs/{class_name}.md"
    if path in reuse:
        return OutputFile(path, reuse[path])

    def example_block(example: Example) -> str:
        """The ``python`` fenced block of an example; the fence outgrows any backtick run inside."""
        return fenced(template.render(ex=example), "python")

    ops = [
        operation_doc(api, op, tag.class_name, target, flavour, example_block)
        for op in tag.operations
    ]
    content = env.get_template("docs/api.md.j2").render(
        package=target.package,
        class_name=class_name,
        host=md_inline(api.host).replace("*", "\\*"),
        ops=ops,
        style=DocStyle.for_flavour(flavour),
    )
    return OutputFile(path, content)


def model_pages(
    env: jinja2.Environment,
    api: Api,
    target: Target,
    reuse: Mapping[str, str] = {},  # noqa: B006 (read only)
) -> list[OutputFile]:
    page, example = (
        env.get_template("docs/model.md.j2"),
        env.get_template("docs/model_example.py.j2"),
    )
    files = []
    for model in api.models:
        path = f"docs/{model.name}.md"
        if path in reuse:
            files.append(OutputFile(path, reuse[path]))
            continue
        doc = model_doc(api, model, target.package)
        block = "" if doc.is_enum else fenced(example.render(m=doc), "python")
        files.append(OutputFile(path, page.render(m=doc, example_block=block)))
    return files


def doc_files(
    api: Api, target: Target, reuse: Mapping[str, str] | None = None
) -> list[OutputFile]:
    """Every Markdown file of the project, relative to the project folder; a page whose path is in
    ``reuse`` is taken from there as it is (incremental rendering, see render/cache.py).
    """
    reuse = reuse or {}
    env = docs_environment()
    files = [
        api_page(env, api, tag, target, flavour, reuse)
        for flavour in target.flavours
        for tag in api.tags
    ]
    files.extend(model_pages(env, api, target, reuse))
    pages = reference_pages(api)
    template = env.get_template("docs/reference.md.j2")
    files.extend(OutputFile(path, template.render(p=page)) for path, page in pages)
    links = tuple((page.title, path) for path, page in pages)
    readme = readme_doc(api, target, links)
    example = env.get_template("docs/example.py.j2")

    def readme_block(ex: Example | None) -> str:
        if ex is None:
            return ""
        code = example.render(ex=ex)
        return fenced(runnable_async(code) if ex.style.is_async else code, "python")

    features = render_features(env, features_doc(api, target))
    content = env.get_template("docs/readme.md.j2").render(
        r=readme,
        example_block=readme_block(readme.example),
        twin_example_block=readme_block(readme.twin_example),
        f=features,
    )
    files.append(OutputFile("README.md", content))
    return files
