"""Validate a loaded document against the OpenAPI 3.0/3.1 schema with openapi-spec-validator.

Every error is located through the document's mark table: file, line, column and JSON pointer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from ..errors import Problem
from .load import Document, pointer_join

_SWAGGER_HINT = (
    "this is a Swagger 2.0 document, not OpenAPI 3; convert it first, for example with "
    "`npx swagger2openapi in.yaml -o out.yaml` or the converter at converter.swagger.io"
)
_PATH_OPERATION = re.compile(r"'(?P<method>[a-z]+)' operation in '(?P<path>/[^']*)'")
# Messages from jsonschema can quote a whole sub-document; keep them readable.
_MAX_MESSAGE = 300


def check_version(doc: Document) -> Problem | None:
    """Refuse documents that are not OpenAPI 3.0 or 3.1, with a message that says what they are."""
    data = doc.data
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        return doc.problem("", f"the top level must be a mapping (an OpenAPI object), not {kind}")
    if "swagger" in data:
        return doc.problem("/swagger", _SWAGGER_HINT)
    version = data.get("openapi")
    if version is None:
        return doc.problem("", "missing the `openapi` field: this is not an OpenAPI 3 document")
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01]\.\d+(-.+)?", version):
        return doc.problem("/openapi", f"unsupported OpenAPI version {version!r}: expected 3.0.x or 3.1.x")
    return None


def validate_document(doc: Document) -> list[Problem]:
    """All schema problems of ``doc`` (an empty list when it is valid)."""
    bad_version = check_version(doc)
    if bad_version is not None:
        return [bad_version]
    version: str = doc.data["openapi"]
    validator_class = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    validator = validator_class(doc.data, base_uri=doc.path.resolve().as_uri())
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    try:
        errors: Iterable[Any] = validator.iter_errors()
        for error in errors:
            pointer = _pointer_of(error)
            message = _message_of(error)
            if (pointer, message) in seen:
                continue
            seen.add((pointer, message))
            problems.append(doc.problem(pointer, message))
    except RecursionError:
        problems.append(doc.problem("", "the document nests too deeply (a reference cycle outside schemas?)"))
    except Exception as exc:  # the validator itself failed (e.g. an unresolvable external $ref)
        problems.append(doc.problem("", f"cannot validate: {_shorten(str(exc))}"))
    return problems


def _pointer_of(error: Any) -> str:
    path = list(getattr(error, "absolute_path", None) or getattr(error, "path", None) or [])
    if path:
        pointer = ""
        for token in path:
            pointer = pointer_join(pointer, token)
        return pointer
    match = _PATH_OPERATION.search(str(getattr(error, "message", error)))
    if match:
        return pointer_join(pointer_join("/paths", match["path"]), match["method"])
    return ""


def _message_of(error: Any) -> str:
    return _shorten(str(getattr(error, "message", error)))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"
