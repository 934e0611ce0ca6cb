"""Entry point for ``python -m generator``."""

from .cli import run

run()
