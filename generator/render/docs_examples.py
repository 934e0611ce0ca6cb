"""Example values for the docs: Python literals for the client examples, JSON-like data for the reference pages.

Spec examples are data; they reach the page only as literals built here (``repr`` for Python values,
``json.dumps`` for strings in the compact JSON form), never as raw text.
"""

from __future__ import annotations

import keyword
from typing import Any

from ..model.api import Api, Parameter, RequestBody
from ..model.types import (
    ArrayType,
    ConstType,
    EnumModel,
    Field,
    LiteralType,
    MapType,
    Model,
    ModelRef,
    Nullable,
    ObjectModel,
    Primitive,
    RootModel,
    SchemaType,
    UnionType,
)
from .docs_filters import json_string, py_value

# OpenAPI Generator's placeholders for formats without an example.
_FORMAT_EXAMPLES = {
    "uuid": "38400000-8cf0-11bd-b23e-10b96e4ef00d",
    "date-time": "2013-10-20T19:20:30+01:00",
    "date": "2013-10-20",
}
_NUMBERS: dict[str, Any] = {"bool": True, "int": 56, "float": 3.4, "Decimal": 3.4}


def _model(api: Api, name: str) -> Model | None:
    try:
        return api.model(name)
    except KeyError:
        return None


def placeholder(t: SchemaType, name: str, api: Api) -> Any:
    """Example data for a value of type ``t`` without an example of its own (named models: None)."""
    if isinstance(t, Nullable):
        return placeholder(t.inner, name, api)
    if isinstance(t, Primitive):
        if t.python == "bytes":
            return None
        if t.python in _NUMBERS:
            return _NUMBERS[t.python]
        return _FORMAT_EXAMPLES.get(t.format or t.python, f"{name}_example")
    if isinstance(t, ConstType):
        return t.value
    if isinstance(t, LiteralType):
        return t.values[0] if t.values else None
    if isinstance(t, ArrayType):
        return [placeholder(t.item, name, api)]
    if isinstance(t, MapType):
        return {"key": placeholder(t.value, name, api)}
    if isinstance(t, UnionType):
        return placeholder(t.variants[0], name, api) if t.variants else None
    if isinstance(t, ModelRef):
        model = _model(api, t.name)
        if isinstance(model, EnumModel):
            return model.members[0].value if model.members else None
    return None


def _kwarg(f: Field) -> str:
    """The keyword a constructor call uses: the wire name when it is an identifier (pydantic alias)."""
    name = f.wire_name
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    return f.py_name


def _required_value(f: Field, package: str, api: Api, seen: frozenset[str]) -> str:
    if f.example.present:
        return py_value(f.example.value)
    t = f.type.inner if isinstance(f.type, Nullable) else f.type
    if isinstance(t, ArrayType):
        return "[]"
    if isinstance(t, MapType):
        return "{}"
    return python_example(t, f.py_name, package, api, seen)


def constructor(
    model: ObjectModel, package: str, api: Api, seen: frozenset[str] = frozenset()
) -> str:
    """``pkg.Model(required=...)``: a model built with its required fields, recursively."""
    if model.name in seen:
        return "None"
    seen = seen | {model.name}
    args = [
        f"{_kwarg(f)}={_required_value(f, package, api, seen)}"
        for f in model.required_fields
    ]
    return f"{package}.{model.name}({', '.join(args)})"


def python_example(
    t: SchemaType, name: str, package: str, api: Api, seen: frozenset[str] = frozenset()
) -> str:
    """A Python expression for a value of type ``t``: a literal, or a model built with its required fields."""
    inner = t.inner if isinstance(t, Nullable) else t
    if isinstance(inner, ModelRef):
        model = _model(api, inner.name)
        if isinstance(model, ObjectModel):
            return constructor(model, package, api, seen)
        if isinstance(model, RootModel):
            if model.name in seen:
                return "None"
            value = python_example(model.type, name, package, api, seen | {model.name})
            return f"{package}.{model.name}({value})"
    return py_value(placeholder(inner, name, api))


def compact_json(value: Any) -> str:
    """JSON's compact form as a Python literal: ``{"a":1,"b":True}`` (strings through ``json.dumps``)."""
    if isinstance(value, dict):
        items = ",".join(
            f"{json_string(str(k))}:{compact_json(v)}" for k, v in value.items()
        )
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(compact_json(v) for v in value) + "]"
    if isinstance(value, str):
        return json_string(value)
    return py_value(value)


def arg_example(
    arg: Parameter, body: RequestBody | None, package: str, api: Api
) -> str:
    """The value an API example assigns to ``arg``."""
    if arg.is_file:
        return "None"
    if arg.example.present:
        if arg.location == "body" and body is not None and body.kind == "json":
            return compact_json(arg.example.value)
        return py_value(arg.example.value)
    if arg.default.present and not arg.required and arg.default.value is not None:
        return py_value(arg.default.value)  # as OpenAPI Generator's examples do
    if arg.enum_values:
        return py_value(arg.enum_values[0])
    return python_example(arg.type, arg.py_name, package, api)


def example_data(
    t: SchemaType, name: str, api: Api, seen: frozenset[str] = frozenset()
) -> Any:
    """JSON data for a value of type ``t``: models as objects of their fields' examples."""
    inner = t.inner if isinstance(t, Nullable) else t
    if isinstance(inner, ModelRef):
        model = _model(api, inner.name)
        if isinstance(model, ObjectModel) and model.name not in seen:
            if model.example.present:
                return model.example.value
            return object_data(model, api, seen | {model.name})
        if isinstance(model, RootModel) and model.name not in seen:
            if model.example.present:
                return model.example.value
            return example_data(model.type, name, api, seen | {model.name})
    if isinstance(inner, ArrayType) and isinstance(inner.item, ModelRef):
        return [example_data(inner.item, name, api, seen)]
    return placeholder(inner, name, api)


def object_data(
    model: ObjectModel,
    api: Api,
    seen: frozenset[str] = frozenset(),
    *,
    writable: bool = False,
) -> dict[str, Any]:
    """A model's example object: every field with an example, and every required field, in property order."""
    data: dict[str, Any] = {}
    for f in model.fields:
        if writable and f.read_only:
            continue
        if f.example.present:
            data[f.wire_name] = f.example.value
        elif f.required:
            data[f.wire_name] = example_data(
                f.type, f.py_name, api, seen | {model.name}
            )
    return data
