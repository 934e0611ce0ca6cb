"""clientgen: typed Python client packages and Markdown docs from OpenAPI 3 documents."""

__version__ = "0.1.0"
