"""Field checks pydantic has no keyword for, with OpenAPI Generator's messages.

Generated models use them as ``Annotated`` metadata (the module is imported as ``_v``)::

    status: Annotated[Literal["available", "sold"], _v.OneOf(("available", "sold"))] | None = None
    code: Annotated[str, _v.Pattern("/^image_\\d{1,3}$/i")] | None = None
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["OneOf", "Pattern", "compile_pattern"]

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


class Pattern:
    """A string must contain a match of the schema's regular expression (JSON Schema: not anchored).

    The error reads ``must validate the regular expression /…/`` as in OpenAPI Generator's clients.
    """

    __slots__ = ("pattern",)

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        regex = compile_pattern(self.pattern)
        if regex is None:
            return schema
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

        return core_schema.no_info_after_validator_function(check, schema)

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"


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
