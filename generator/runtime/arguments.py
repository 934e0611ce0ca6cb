"""``validate_arguments``: generated API methods check their arguments before anything is sent.

As in OpenAPI Generator's clients (which decorate each method with pydantic's ``validate_call``), a call
with a missing required argument, or with a value of the wrong type (``"123"`` for an integer: scalars are
checked strictly), raises pydantic's ``ValidationError`` titled ``<Api>.<method>``, before any request.
``_host_index`` must pick one of the operation's servers (0 when it has none of its own). A JSON body may
also be a plain dict, sent as given (the caller's own data: models are checked when they are built).

The checker of a method is built on its first call (pydantic is imported then, not when the API module is),
from the method's own annotations; ``names`` says which module (relative to the method's) holds each name
those annotations use that the module only imports for type checkers, and only the names a method uses are
imported. Arguments are checked, not converted: the method receives them as given.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from .endpoint import Endpoint

__all__ = ["host_for_index", "validate_arguments"]

F = TypeVar("F", bound=Callable[..., Any])
# inspect.CO_COROUTINE: ``async def`` functions have it. (Importing ``inspect`` itself, for its
# iscoroutinefunction, would add to every API module's import what lazy imports save.)
_CO_COROUTINE = 0x80


def validate_arguments(
    endpoint: Endpoint, names: Mapping[str, str]
) -> Callable[[F], F]:
    """Decorate a generated API method so its arguments are validated on every call."""

    def decorate(fn: F) -> F:
        check: _Plain | None = None

        if fn.__code__.co_flags & _CO_COROUTINE:

            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                nonlocal check
                if check is None:
                    check = _checker(fn, endpoint, names)
                if not check.plain(args, kwargs):
                    check.validate(*args, **kwargs)
                return await fn(*args, **kwargs)

            return cast(F, run_async)

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            nonlocal check
            if check is None:
                check = _checker(fn, endpoint, names)
            if not check.plain(args, kwargs):
                check.validate(*args, **kwargs)
            return fn(*args, **kwargs)

        return cast(F, run)

    return decorate


def host_for_index(endpoint: Endpoint, configuration: Any, index: int) -> str:
    """``servers.host_for_index``, imported when a call first passes ``_host_index`` (API modules of
    operations without servers of their own then never import ``servers``)."""
    from .servers import host_for_index as select

    return select(endpoint, configuration, index)


def _checker(
    fn: Callable[..., Any], endpoint: Endpoint, names: Mapping[str, str]
) -> _Plain:
    """pydantic's ``validate_call`` of a stand-in with ``fn``'s signature and resolved, strict types
    (its errors are titled ``<Api>.<method>``, the stand-in's qualified name)."""
    import inspect
    from typing import Annotated

    import pydantic

    namespace = _Names(fn.__globals__, names, fn.__module__)
    signature = inspect.signature(fn)
    body = endpoint.body
    # A JSON object given for the JSON body is sent as it is (the caller's own data), as before.
    raw_body = body.param if body is not None and body.kind == "json" else None
    parameters = []
    for parameter in signature.parameters.values():
        annotation: Any = Any
        if parameter.name == "_host_index":
            last = max(len(endpoint.servers) - 1, 0)
            annotation = (
                Annotated[pydantic.StrictInt, pydantic.Field(ge=0, le=last)] | None
            )
        elif parameter.annotation is not inspect.Parameter.empty:
            annotation = _resolve(parameter.annotation, namespace)
            if parameter.name == raw_body:
                annotation = annotation | dict[str, Any]
        parameters.append(parameter.replace(annotation=annotation))

    def stand_in(*args: Any, **kwargs: Any) -> None:
        return None

    stand_in.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=None
    )
    stand_in.__annotations__ = {p.name: p.annotation for p in parameters}
    stand_in.__name__ = fn.__name__
    stand_in.__qualname__ = fn.__qualname__
    stand_in.__module__ = fn.__module__
    try:
        validate = pydantic.validate_call(
            config=pydantic.ConfigDict(arbitrary_types_allowed=True)
        )(stand_in)
    except (pydantic.PydanticSchemaGenerationError, TypeError, NameError) as exc:
        # An annotation pydantic cannot check: the call goes ahead unchecked rather than failing.
        import logging

        logging.getLogger(__name__).debug(
            "arguments of %s are not checked: %s", fn.__qualname__, exc
        )
        return _Plain(
            [], stand_in
        )  # (no parameter is plain: every call goes to stand_in)
    return _Plain(parameters, validate)


_ANY_TYPE: frozenset[type] = frozenset()
"""``_Plain``'s mark of a parameter that takes any value (annotated ``Any``)."""


class _Plain:
    """An argument checker that passes a call whose arguments are all of exactly a type their
    annotation names (``str`` for a ``str``, a ``Pet`` for a ``Pet``, None for an optional one), bound
    to the parameters in the plain way (no argument twice, none unknown, the required ones given),
    without asking pydantic: pydantic's ``validate_call`` costs several microseconds a call, which the
    client benchmark measured (BENCHMARKS.md). Any other call, and any parameter whose annotation
    holds a constraint, a container or anything else but a plain type, goes to ``validate`` (pydantic),
    which accepts or raises as before; ``tests/runtime/test_fast_paths.py`` pins the two together.
    """

    __slots__ = ("by_name", "leading", "positional", "required", "validate")

    def __init__(self, parameters: list[Any], validate: Callable[..., Any]) -> None:
        import inspect

        self.validate = validate
        kinds = {p.kind for p in parameters}
        positional: list[frozenset[type] | None] = []
        by_name: dict[str, tuple[int, frozenset[type] | None]] = {}
        required: list[tuple[int, str]] = []
        for index, parameter in enumerate(parameters):
            types = _plain_types(parameter.annotation)
            if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
                positional.append(types)
                by_name[parameter.name] = (index, types)
            else:  # keyword-only: never bound by position
                by_name[parameter.name] = (len(parameters), types)
            if parameter.default is inspect.Parameter.empty:
                required.append((index, parameter.name))
        if kinds - {
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        }:
            positional, by_name = (
                [],
                {},
            )  # *args, **kwargs or positional-only: pydantic's
        self.positional = tuple(positional)
        self.by_name = by_name
        self.required = tuple(required)
        # Positional arguments enough to hold every required one (more than there can be when a
        # required one is keyword-only, or none is plain: then ``required`` is always looked at).
        self.leading = max((index + 1 for index, _ in required), default=0)
        if self.leading > len(self.positional):
            self.leading = len(self.positional) + 1

    def plain(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        """Whether pydantic would accept the call for certain (see the class docstring)."""
        given = len(args)
        positional = self.positional
        if given > len(positional):
            return False
        for value, types in zip(args, positional, strict=False):  # fewer args: fine
            if types is None or (types and type(value) not in types):
                return False
        if kwargs:
            by_name = self.by_name
            for name, value in kwargs.items():
                found = by_name.get(name)
                if found is None or found[0] < given:  # unknown, or given twice
                    return False
                types = found[1]
                if types is None or (types and type(value) not in types):
                    return False
        if given < self.leading:  # some required ones not given by position
            for index, name in self.required:
                if index >= given and name not in kwargs:
                    return False
        return True

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        if not self.plain(args, kwargs):
            self.validate(*args, **kwargs)


def _plain_types(annotation: Any) -> frozenset[type] | None:
    """The exact types of value an annotation (as ``_resolve`` made it) accepts for certain, as
    pydantic checks it: ``_ANY_TYPE`` for ``Any``; None when it holds anything but plain types
    (``Strict`` scalars, None, enums, models that are not revalidated, UUID, date, datetime), such
    as a constraint or a container, whose values only pydantic can check."""
    import datetime
    import enum
    import types
    import typing
    import uuid

    import pydantic

    if annotation is Any:
        return _ANY_TYPE
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        # A union accepts what any of its members accepts: the plain types of its plain members
        # (a value of another type, or one only another member checks, goes to pydantic).
        found: set[type] = set()
        for member in typing.get_args(annotation):
            plain = _plain_types(member)
            if plain is _ANY_TYPE:
                return _ANY_TYPE
            if plain:
                found |= plain
        return frozenset(found) if found else None
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        strict = all(type(m) is pydantic.Strict and m.strict for m in metadata)
        if strict and base in (str, int, bool, bytes, float):
            return frozenset({base})
        return None
    if annotation is None or annotation is type(None):
        return frozenset({type(None)})
    if not isinstance(annotation, type):
        return None
    if annotation in (uuid.UUID, datetime.datetime, datetime.date):
        return frozenset({annotation})
    if issubclass(annotation, enum.Enum):
        return frozenset({annotation})
    if issubclass(annotation, pydantic.BaseModel):
        if annotation.model_config.get("revalidate_instances", "never") == "never":
            return frozenset({annotation})
    return None


class _Names(dict[str, Any]):
    """The names an annotation may use: the module's own, then those of ``names``, imported on first
    use (``eval`` looks names up here as its locals)."""

    def __init__(
        self, module_globals: dict[str, Any], names: Mapping[str, str], module: str
    ) -> None:
        super().__init__()
        self.module_globals = module_globals
        self.names = names
        self.package = module.rpartition(".")[0]

    def __missing__(self, name: str) -> Any:
        if name in self.names:
            value = getattr(
                importlib.import_module(self.names[name], self.package), name
            )
        else:
            value = self.module_globals[name]  # KeyError: eval raises NameError
        self[name] = value
        return value


def _resolve(annotation: Any, namespace: _Names) -> Any:
    """The type an annotation (source text) names, with scalars strict and file inputs unchecked."""
    from .unions import strict_scalars

    if isinstance(annotation, str):
        try:
            # The generated source's own annotation text, evaluated as the module would.
            annotation = eval(annotation, namespace.module_globals, namespace)
        except Exception:  # noqa: BLE001 - a name only type checkers know: not checked
            return Any
    return strict_scalars(_files_unchecked(annotation))


def _files_unchecked(tp: Any) -> Any:
    """``tp`` with every union that admits an open file (``FileInput``) replaced by ``Any``."""
    import types
    import typing

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if any(typing.get_origin(a) is typing.IO or a is typing.IO for a in args):
            return Any
        return functools.reduce(lambda a, b: a | b, (_files_unchecked(a) for a in args))
    if origin is list and args:
        return list[_files_unchecked(args[0])]  # type: ignore[misc]
    return tp
