"""Identifiers for generated code: sanitised, cased like OpenAPI Generator's Python output, never reserved.

Every name the templates print comes from here. A name is allocated once per scope by a :class:`Scope`, which
settles collisions in a fixed order, so the same spec always gives the same names.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from functools import lru_cache

# Names a generated package defines at its top level or imports into model/API modules.
PACKAGE_RESERVED = frozenset(
    {
        "ApiClient",
        "ApiException",
        "ApiResponse",
        "ApiModel",
        "ApiRootModel",
        "Configuration",
        "OpenApiException",
        "Endpoint",
        "Param",
        "Body",
        "FormField",
        "Pagination",
        "Any",
        "Annotated",
        "ClassVar",
        "Dict",
        "Enum",
        "Field",
        "List",
        "Literal",
        "Mapping",
        "Optional",
        "Self",
        "StrictBool",
        "StrictBytes",
        "StrictFloat",
        "StrictInt",
        "StrictStr",
        "TYPE_CHECKING",
        "Union",
        "UUID",
        "Decimal",
        "BaseModel",
        "RootModel",
        "ConfigDict",
        "cast",
        "date",
        "datetime",
        "annotations",
        "models",
        "api",
        "rest",
        "exceptions",
        "configuration",
        "api_client",
        "api_response",
    }
)

# Attributes of pydantic's BaseModel and of our ApiModel: a field with one of these names would shadow them.
MODEL_RESERVED = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_dict",
        "from_json",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "to_dict",
        "to_json",
        "to_str",
        "update_forward_refs",
        "validate",
        "model_config",
        "model_fields",
        "model_computed_fields",
        "model_extra",
        "model_fields_set",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
    }
)

# Names a generated API method uses itself besides its parameters.
METHOD_RESERVED = frozenset(
    {"self", "_request_timeout", "_headers", "_retries", "_host", "response"}
)

# Names that generated annotations use: a field or class with one of these names would shadow the type.
ANNOTATION_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict"}
    | {
        "date",
        "datetime",
        "UUID",
        "Decimal",
        "Any",
        "Literal",
        "Field",
        "Annotated",
        "Union",
        "Optional",
    }
)
FIELD_RESERVED = MODEL_RESERVED | ANNOTATION_NAMES

_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_BUILTINS = frozenset(dir(builtins))

_CAMEL_BOUNDARY_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY_2 = re.compile(r"([a-z\d])([A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z_]+")


def _ascii_words(text: str) -> str:
    """Fold accents away and keep letters, digits and separators."""
    folded = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    )
    return folded


# The name functions are pure and a spec repeats the same few thousand names (properties, parameters) many
# times over, so their results are memoised.
@lru_cache(maxsize=65536)
def snake_case(text: str) -> str:
    """``createUserAsset`` → ``create_user_asset``, ``GetAttachment200Response`` → ``get_attachment200_response``.

    The same rule as OpenAPI Generator's ``underscore``: a boundary before an upper-case letter that follows a
    lower-case letter or a digit, and inside runs of capitals; anything that is not a letter or digit is a
    separator.
    """
    text = _ascii_words(text)
    text = _CAMEL_BOUNDARY_1.sub(r"\1_\2", text)
    text = _CAMEL_BOUNDARY_2.sub(r"\1_\2", text)
    text = _NON_WORD.sub("_", text)
    return re.sub(r"_+", "_", text).strip("_").lower()


@lru_cache(maxsize=65536)
def pascal_case(text: str) -> str:
    """``generic_asset-upload request`` → ``GenericAssetUploadRequest``; existing capitals are kept."""
    text = _ascii_words(text)
    parts = [p for p in _NON_WORD.sub(" ", text).replace("_", " ").split(" ") if p]
    return "".join(p[0].upper() + p[1:] for p in parts)


def _fix_start(name: str, prefix: str) -> str:
    if not name:
        return prefix
    if name[0].isdigit():
        return f"{prefix}{name}" if prefix.endswith("_") else f"{prefix}_{name}"
    return name


# Names become file names (models/<name>.py, api/<tag>_api.py): keep them well under file-system limits.
MAX_NAME = 80


def _cap(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[:MAX_NAME].rstrip("_")


@lru_cache(maxsize=65536)
def python_identifier(
    text: str, *, reserved: frozenset[str] = frozenset(), fallback: str = "value"
) -> str:
    """A snake_case identifier for ``text``: never empty, never a digit first, never a keyword or reserved.

    Builtins such as ``id`` or ``type`` are allowed: they only shadow inside the generated scope, which the
    ``reserved`` set of that scope accounts for.
    """
    name = _fix_start(_cap(snake_case(text)), "var_") if text else fallback
    if not name:
        name = fallback
    while name in _KEYWORDS or name in reserved:
        name += "_"
    return name


@lru_cache(maxsize=65536)
def class_name(
    text: str, *, reserved: frozenset[str] = PACKAGE_RESERVED, fallback: str = "Model"
) -> str:
    """A PascalCase class name for ``text``: never empty, never a digit first, never reserved."""
    name = _cap(pascal_case(text)) or fallback
    if name[0].isdigit():
        name = f"Model{name}"
    while name in reserved or name in _BUILTINS or name in _KEYWORDS:
        name += "Model"
    return name


def enum_member_name(value: object) -> str:
    """An UPPER_SNAKE member name for an enum value, as OpenAPI Generator spells them."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        text = str(value).replace("-", "MINUS_").replace(".", "_DOT_")
        return f"NUMBER_{text}".upper()
    if value is None:
        return "NULL"
    text = str(value)
    text = (
        text.replace("/", "_SLASH_")
        .replace("+", "_PLUS_")
        .replace("*", "_STAR_")
        .replace(".", "_DOT_")
    )
    text = text.replace("-", "_")
    name = snake_case(text).upper() if text else "EMPTY"
    if not name:
        name = "VALUE"
    if name[0].isdigit():
        name = f"ENUM_{name}"
    if keyword.iskeyword(name) or name in {
        "NAME",
        "VALUE",
    }:  # Enum's own attribute names, once lower-cased
        name += "_"
    return name


class Scope:
    """Allocates unique names in one namespace (a module's classes, one method's parameters, …).

    ``claim`` returns the wanted name when it is free, else the name with the first free numeric suffix.
    """

    def __init__(self, taken: frozenset[str] | set[str] = frozenset()) -> None:
        self._taken: set[str] = set(taken)
        self._folded: set[str] = set(
            _folded(taken)
            if isinstance(taken, frozenset)
            else (t.lower() for t in taken)
        )

    def claim(self, wanted: str, *, fold_case: bool = False) -> str:
        """Claim ``wanted`` (or a suffixed variant). With ``fold_case``, names equal but for case collide
        too (module file names on case-insensitive file systems)."""
        candidate = wanted
        n = 1
        while candidate in self._taken or (
            fold_case and candidate.lower() in self._folded
        ):
            n += 1
            candidate = (
                f"{wanted}{n}"
                if not wanted.endswith(tuple("0123456789"))
                else f"{wanted}_{n}"
            )
        self._taken.add(candidate)
        self._folded.add(candidate.lower())
        return candidate

    def __contains__(self, name: str) -> bool:
        return name in self._taken


@lru_cache(maxsize=64)
def _folded(names: frozenset[str]) -> frozenset[str]:
    """The lower-cased names of a reserved set (scopes start from the same few sets thousands of times)."""
    return frozenset(t.lower() for t in names)
