"""Errors and warnings as values: every problem carries its file, line, column and JSON pointer.

A list of problems is named for what it does to a run, the same everywhere:

- ``errors``: they stop the run (``SpecError.errors``); nothing is written.
- ``flaws``: faults of the spec the model can be built around (an integer key, a ``$ref`` with a trailing
  ``/``, what the validator finds): errors by default, warnings with ``--lenient``.
- ``warnings``: never stop a run (a construct the generated types express more loosely, a part of the
  spec that could not be checked); ``Api.warnings`` holds them, with the flaws ``--lenient`` let through.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file, a 1-based line and column (0 when unknown) and a JSON pointer."""

    file: str
    line: int = 0
    column: int = 0
    pointer: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.pointer or '/'}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning about an input document."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class SpecError(Exception):
    """Raised with every error found when a document cannot be turned into a model."""

    def __init__(self, errors: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in errors))
        self.errors = errors


class OutputError(Exception):
    """Raised when the output cannot be written (the previous output is left intact)."""
