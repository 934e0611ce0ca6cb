"""Field checks of generated models: schema constraints (checked on values built in Python, not on parsed
JSON) and inline enums, with OpenAPI Generator's messages.

Generated models use them as ``Annotated`` metadata (the module is imported as ``_v``)::

    status: Annotated[Literal["available", "sold"], _v.OneOf(("available", "sold"))] | None = None
    code: Annotated[str, _v.Limits(max_length=9, pattern="/^image_\\d{1,3}$/i")] | None = None
    price: Annotated[Decimal, _v.DECIMAL_NUMBER] | None = None  # how it goes on the wire (``decimals``)
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, TypeAdapter
from pydantic_core import core_schema

from .decimals import DECIMAL_NUMBER, DECIMAL_TEXT, PARSED_JSON

__all__ = ["DECIMAL_NUMBER", "DECIMAL_TEXT", "Limits", "OneOf", "compile_pattern"]

_ANNOTATED: Any = Annotated  # subscripted with a type known at run time

_SLASHED = re.compile(r"/(.*)/([gimsuyx]*)", re.DOTALL)
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """The regular expression of a schema ``pattern``; ``/body/flags`` (as some specs write it) is read
    as the body with those flags. None when Python's ``re`` cannot compile it (an ECMA-only construct):
    the value is then not checked."""
    body, flags = pattern, 0
    slashed = _SLASHED.fullmatch(pattern)
    if slashed is not None:
        body = slashed.group(1)
        for letter in slashed.group(2):
            flags |= _FLAGS.get(letter, 0)
    try:
        return re.compile(body, flags)
    except re.error:
        return None


class Limits:
    """A schema's constraints (bounds, ``multipleOf``, lengths or item counts, ``pattern``), checked on
    values built in Python (construction, assignment, ``from_dict``, a union's variants), not on JSON
    parsed from text (``from_json``, responses, those parsed with exact decimals too): a server's data is not refused for a spec constraint,
    which specs often state stricter than their servers. A ``pattern`` is matched with Python's ``re``
    (not anchored, as JSON Schema says; ``/body/flags`` read), its error reads ``must validate the
    regular expression /…/`` as in OpenAPI Generator's clients.
    """

    __slots__ = ("bounds", "pattern")

    def __init__(
        self,
        *,
        ge: float | None = None,
        gt: float | None = None,
        le: float | None = None,
        lt: float | None = None,
        multiple_of: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
    ) -> None:
        self.bounds = {
            "ge": ge,
            "gt": gt,
            "le": le,
            "lt": lt,
            "multiple_of": multiple_of,
            "min_length": min_length,
            "max_length": max_length,
        }
        self.pattern = pattern

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        plain = handler(source)
        given: dict[str, Any] = {k: v for k, v in self.bounds.items() if v is not None}
        checked = handler(_ANNOTATED[source, Field(**given)]) if given else plain
        regex = compile_pattern(self.pattern) if self.pattern is not None else None
        if regex is not None and self.pattern is not None:
            shown = (
                self.pattern
                if _SLASHED.fullmatch(self.pattern)
                else "/" + self.pattern + "/"
            )
            message = f"must validate the regular expression {shown}"

            def check(value: Any) -> Any:
                if isinstance(value, str) and regex.search(value) is None:
                    raise ValueError(message)
                return value

            checked = core_schema.no_info_after_validator_function(check, checked)
        return core_schema.json_or_python_schema(
            json_schema=plain, python_schema=_unless_parsed(source, checked)
        )

    def __repr__(self) -> str:
        given: dict[str, Any] = {k: v for k, v in self.bounds.items() if v is not None}
        if self.pattern is not None:
            given["pattern"] = self.pattern
        return "Limits(" + ", ".join(f"{k}={v!r}" for k, v in given.items()) + ")"


def _unless_parsed(
    source: Any, checked: core_schema.CoreSchema
) -> core_schema.CoreSchema:
    """``checked``, except for a response parsed from JSON and validated as Python data
    (``decimals.PARSED_JSON``): that is validated as ``source``, without the constraints.
    """
    adapter: list[TypeAdapter[Any]] = []  # made on first use

    def route(
        value: Any,
        handler: core_schema.ValidatorFunctionWrapHandler,
        info: core_schema.ValidationInfo,
    ) -> Any:
        if info.context is not PARSED_JSON:
            return handler(value)
        if not adapter:
            adapter.append(TypeAdapter(source))
        return adapter[0].validate_python(value, context=info.context)

    return core_schema.with_info_wrap_validator_function(route, checked)


class OneOf:
    """A value must be one of an inline enum's values; the error lists them as OpenAPI Generator's
    clients do (``must be one of enum values ('a', 'b')``). Checked before the ``Literal`` itself.
    """

    __slots__ = ("values",)

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = values

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        allowed = frozenset(self.values)
        message = (
            "must be one of enum values ("
            + ", ".join(repr(v) for v in self.values)
            + ")"
        )

        def check(value: Any) -> Any:
            try:
                known = value in allowed
            except TypeError:  # unhashable: not a value of the enum
                known = False
            if not known:
                raise ValueError(message)
            return value

        return core_schema.no_info_before_validator_function(check, handler(source))

    def __repr__(self) -> str:
        return f"OneOf({self.values!r})"
