"""Type aliases used in generated method signatures."""

from __future__ import annotations

import os
from typing import IO, Any, TypeAlias

__all__ = ["FileInput", "RequestTimeout"]

FileInput: TypeAlias = (
    bytes | str | os.PathLike[str] | IO[bytes] | tuple[str, Any] | tuple[str, Any, str]
)
"""A file to upload: its bytes, a path, an open binary file, or ``(filename, content[, content_type])``."""

RequestTimeout: TypeAlias = float | tuple[float, float] | None
"""Seconds for the whole request, or ``(connect, read)``; None uses the configuration's timeout."""
