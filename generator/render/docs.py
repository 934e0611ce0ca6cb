"""Markdown documentation of a generated package (API docs, model docs, README, reference pages)."""

from __future__ import annotations

from ..config import Target
from ..model.api import Api
from .write import OutputFile


def doc_files(api: Api, target: Target) -> list[OutputFile]:
    """Every Markdown file of the project, relative to the project folder."""
    return []
