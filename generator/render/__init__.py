"""From the model to the project's files (see ARCHITECTURE.md)."""

from pathlib import Path

# The Jinja templates, beside the generator package (here, so that what only digests them needs no Jinja).
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
