"""A spec from file to model: load, validate, build the model (what ``build``, ``validate``, ``model`` and
``diff`` all start with).

Kept apart from :mod:`generator.build` so that the commands which only read specs (``validate``, ``diff``)
do not import the renderer's writing and formatting side.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import ParamSpec, TypeVar

from .errors import Problem, SpecError
from .model.api import Api
from .model.build import api_from_document
from .parse.load import Document, load_document
from .parse.validate import Findings, validate_document
from .phases import Phases

P = ParamSpec("P")
R = TypeVar("R")


def _without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with the cyclic garbage collector off. A build allocates millions of objects that all live
    until it ends, and every collection walks them: at 5,000 operations that was 40% of loading the YAML.
    The collector comes back on afterwards (and finds the few cycles left then)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper


def load_api(spec: Path, *, lenient: bool = False) -> Api:
    """Load, validate and model ``spec``; raise SpecError with every problem (strict) or warn (lenient)."""
    return load_spec(spec, lenient=lenient)[1]


@_without_gc
def load_spec(
    spec: Path,
    *,
    lenient: bool = False,
    display: str | None = None,
    keep_node: bool = False,
    phases: Phases | None = None,
    findings: Callable[[], Findings] | None = None,
) -> tuple[Document, Api]:
    """The loaded document and its model (``display`` names the file in messages, e.g. ``REV:PATH``;
    ``keep_node`` keeps the YAML node tree, to find lines later without parsing again; ``phases`` times
    the load, validate and model phases; ``findings``, the validator's findings kept by earlier builds).
    """
    clock = phases if phases is not None else Phases()
    clock.start("load")
    doc = load_document(spec, keep_node=keep_node)
    if display is not None:
        doc.display = display
    clock.start("validate")
    flaws = validate_document(doc, findings)
    if flaws and not lenient:
        raise SpecError(flaws + doc.flaws)
    if doc.flaws and not lenient:
        raise SpecError(doc.flaws)
    clock.start("model")
    try:
        api = api_from_document(doc, lenient=lenient)
    except (
        SpecError
    ) as exc:  # lenient, and still no model can be built: every problem is an error
        raise SpecError(flaws + [p for p in exc.errors if p not in flaws]) from None
    except Exception:
        if (
            flaws
        ):  # lenient: the flaws the validator found broke the model builder; they are the errors
            raise SpecError(flaws) from None
        raise
    finally:
        clock.stop()
    clock.count(operations=len(api.operations), models=len(api.models))
    if lenient and flaws:
        api = _with_warnings(api, flaws)
    return doc, api


def _with_warnings(api: Api, extra: list[Problem]) -> Api:
    return replace(api, warnings=tuple(extra) + api.warnings)
