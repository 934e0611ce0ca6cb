"""Words for a response that does not match its declared type: where, what came, what was declared.

pydantic reports where validation failed as a ``loc`` that mixes the data's keys with the labels of union
members it tried (``("pet", "Cat", "meows")``). ``describe_mismatch`` walks the declared type along that
``loc`` to tell the two apart, so the message names the field path as it is in the data, the JSON type of
the value found there and the type declared for it. Values themselves are never quoted: a response may
carry secrets, and messages end up in logs.
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic

from .exceptions import render_path

__all__ = ["describe_mismatch", "json_type_name", "type_name"]

_UNKNOWN = object()


def json_type_name(value: Any) -> str:
    """The JSON type of a parsed value: ``null``, ``boolean``, ``integer``, ``number``, ``string``,
    ``array`` or ``object``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float, Decimal)):  # Decimal: parsed exactly (``decimals``)
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _strip(tp: Any) -> Any:
    """The type without ``Annotated`` metadata, and the root type of a root model."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif (
            isinstance(tp, type)
            and issubclass(tp, pydantic.RootModel)
            and "root" in tp.model_fields
        ):
            tp = tp.model_fields["root"].annotation
        else:
            return tp


def _members(tp: Any) -> tuple[Any, ...]:
    return get_args(tp) if get_origin(tp) in (Union, types.UnionType) else ()


def type_name(tp: Any) -> str:
    """A type as the generated code writes it: ``list[Item] | None``, ``Literal['a']``, ``UUID``."""
    if tp is type(None) or tp is None:
        return "None"
    if tp is Any or tp is typing.Any:
        return "Any"
    origin = get_origin(tp)
    if origin is Annotated:
        return type_name(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return " | ".join(dict.fromkeys(type_name(a) for a in get_args(tp)))
    if origin is Literal:
        return "Literal[" + ", ".join(repr(a) for a in get_args(tp)) + "]"
    if origin is not None:
        name = getattr(origin, "__name__", repr(origin))
        return f"{name}[{', '.join(type_name(a) for a in get_args(tp))}]"
    if isinstance(tp, type):
        return tp.__name__
    return repr(tp)


def _label(member: Any) -> set[str]:
    """The names pydantic may give a union member in a ``loc``: its tag, its class or type name."""
    names = {type_name(member)}
    if get_origin(member) is Annotated:
        for meta in get_args(member)[1:]:
            tag = getattr(meta, "tag", None)
            if isinstance(tag, str):
                names.add(tag)
        names.add(type_name(get_args(member)[0]))
    stripped = _strip(member)
    names.add(type_name(stripped))
    if isinstance(stripped, type):
        names.add(stripped.__name__.lower())
    return names


def _field(model: type[pydantic.BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key == name or key == info.alias or key == info.validation_alias:
            return info.annotation
    return _UNKNOWN


def _walk(tp: Any, loc: tuple[Any, ...]) -> tuple[list[str | int], Any]:
    """The data path of ``loc`` (union labels removed) and the type declared there (``_UNKNOWN`` when the
    walk cannot follow)."""
    path: list[str | int] = []
    current: Any = tp
    # The union a trailing member label was taken from: that union is what was declared.
    union: Any = None
    for step in loc:
        if not isinstance(step, (str, int)):
            continue
        current = _strip(current) if current is not _UNKNOWN else current
        members = _members(current)
        if members and isinstance(step, str):
            chosen = next((m for m in members if step in _label(m)), None)
            if chosen is not None:  # pydantic names the member it tried, not a key
                union, current = current, chosen
                continue
            non_null = [m for m in members if m is not type(None)]
            if len(non_null) == 1:
                current = _strip(non_null[0])
        elif members:
            non_null = [m for m in members if m is not type(None)]
            if len(non_null) == 1:
                current = _strip(non_null[0])
        path.append(step)
        union = None
        if current is _UNKNOWN or current is Any:
            continue
        origin = get_origin(current)
        args = get_args(current)
        if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
            current = _field(current, str(step))
        elif origin in (list, set, frozenset, tuple) and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            current = _UNKNOWN
    return path, (union if union is not None else current)


def describe_mismatch(tp: Any, exc: pydantic.ValidationError) -> tuple[str, str]:
    """``(path, message)`` for the first error of ``exc``, raised validating a value against ``tp``:
    ``("items[1].id", "got string, declared int: Input should be a valid integer (2 error(s))")``.
    """
    first = exc.errors()[0]
    path, declared = _walk(tp, tuple(first["loc"]))
    got = "nothing" if first["type"] == "missing" else json_type_name(first["input"])
    where = f"declared {type_name(declared)}" if declared is not _UNKNOWN else ""
    summary = f"got {got}" + (f", {where}" if where else "")
    return (
        render_path(path),
        f"{summary}: {first['msg']} ({exc.error_count()} error(s))",
    )
