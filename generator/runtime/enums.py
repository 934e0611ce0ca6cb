"""``ApiEnum``: the base of generated enums, open to values a newer server adds.

An API grows: a server may start sending ``"archived"`` in a field whose enum the client's spec lists as
``["active", "paused"]``. Rejecting the whole response for it would break every client the day the server
changes, so a value the spec does not list is accepted *in a response* (and in WebSocket messages) as an
instance of the enum that is not one of its members::

    status = task.status        # Status.ACTIVE, Status.PAUSED, or an unknown value
    status.value                # "archived": the server's value, unchanged
    status.is_known             # False (True for every member)
    status == "archived"        # True: it is still a str (or an int for integer enums)

It serialises back to the same value. Everywhere else enums stay closed: ``Status("archived")``,
``Task(status="archived")`` and ``Task.from_json(...)`` raise, so requests cannot send a value the spec
does not list. ``accept_unknown_values()`` is the switch the response decoder turns on.

No import of pydantic here: generated enum modules import this one, and importing them stays cheap.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

__all__ = ["ACCEPT_UNKNOWN", "ApiEnum", "accept_unknown_values"]

ACCEPT_UNKNOWN: ContextVar[bool] = ContextVar(
    "accept_unknown_enum_values", default=False
)
"""True while a response is decoded (``accept_unknown_values``; the decoder sets it directly)."""

_UNKNOWN_NAME = "UNKNOWN"


@contextlib.contextmanager
def accept_unknown_values() -> Iterator[None]:
    """Within this block (in this thread or task), enums accept values they do not list."""
    token = ACCEPT_UNKNOWN.set(True)
    try:
        yield
    finally:
        ACCEPT_UNKNOWN.reset(token)


def _unknown_member(cls: type[ApiEnum], value: Any) -> ApiEnum:
    """An instance of ``cls`` carrying ``value`` without being one of its members."""
    base: Any = getattr(cls, "_member_type_", object)  # str / int for mixed-in enums
    member: ApiEnum = (
        object.__new__(cls) if base is object else base.__new__(cls, value)
    )
    member._name_ = _UNKNOWN_NAME
    member._value_ = value
    return member


class ApiEnum(enum.Enum):
    """Base of every generated enum (``class Status(str, ApiEnum)``); see the module docstring."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not ACCEPT_UNKNOWN.get():
            return None  # Enum raises its usual ValueError (pydantic: an "enum" validation error)
        base: type = getattr(cls, "_member_type_", object)
        if base is float and type(value) is int:
            value = float(value)
        if base is not object and (
            not isinstance(value, base)
            or (isinstance(value, bool) and base is not bool)
        ):
            return None  # the wrong kind of value (a number for a string enum) is still an error
        return _unknown_member(cls, value)

    @property
    def is_known(self) -> bool:
        """Whether this is one of the members the spec lists (False for a value only the server knew)."""
        return type(self).__members__.get(self._name_) is self

    def __reduce_ex__(self, protocol: Any) -> Any:
        if self.is_known:
            return type(self), (self._value_,)
        return _unknown_member, (type(self), self._value_)
