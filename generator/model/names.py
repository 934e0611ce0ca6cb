"""Identifiers for generated code: sanitised, cased like OpenAPI Generator's Python output, never reserved.

Every name the templates print comes from here. A name is allocated once per scope by a :class:`Scope`, which
settles collisions in a fixed order, so the same spec always gives the same names.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Callable
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
        "additional_properties",
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


# The characters OpenAPI Generator spells out in enum member names ("-efg" → MINUS_EFG), with their words.
_SYMBOL_WORDS = {
    "$": "Dollar",
    "€": "Euro",
    "^": "Caret",
    "|": "Pipe",
    "=": "Equal",
    "*": "Star",
    "-": "Minus",
    "&": "Ampersand",
    "%": "Percent",
    "#": "Hash",
    "@": "At",
    "!": "Exclamation",
    "+": "Plus",
    ":": "Colon",
    ";": "Semicolon",
    ">": "Greater_Than",
    "<": "Less_Than",
    ".": "Period",
    "?": "Question_Mark",
    ",": "Comma",
    "'": "Quote",
    '"': "Double_Quote",
    "/": "Slash",
    "\\": "Back_Slash",
    "(": "Left_Parenthesis",
    ")": "Right_Parenthesis",
    "{": "Left_Curly_Bracket",
    "}": "Right_Curly_Bracket",
    "[": "Left_Square_Bracket",
    "]": "Right_Square_Bracket",
    "~": "Tilde",
    "`": "Backtick",
}
_WORD_RUN = re.compile(r"([A-Z]+)([A-Z][a-z][a-z]+)")
_LOWER_UPPER = re.compile(r"([a-z\d])([A-Z])")


def _oag_underscore(text: str) -> str:
    """OpenAPI Generator's ``underscore``: ``fooBar-baz qux`` → ``foo_bar_baz_qux`` (it also turns "." into
    "/" and "$" into "__", which enum names never contain by the time they get here)."""
    text = _WORD_RUN.sub(r"\1_\2", text)
    text = _LOWER_UPPER.sub(r"\1_\2", text)
    return text.replace("-", "_").replace(" ", "_").lower()


def _is_member_name(name: str) -> bool:
    """Usable as an Enum member: an identifier, not a keyword, not private or ``_sunder_``."""
    return name.isidentifier() and not keyword.iskeyword(name) and name[0] != "_"


def enum_member_name(value: object) -> str:
    """The member name OpenAPI Generator's Python client gives an enum value.

    Numbers: ``NUMBER_`` + the value, "-" as ``MINUS_`` and "." as ``_DOT_`` (``-1.5`` → ``NUMBER_MINUS_1_DOT_5``).
    Strings: "." becomes ``_DOT_``; a text holding any of the symbols in ``_SYMBOL_WORDS`` (or "_") has each
    symbol spelt as its word and is then split at case changes (``-efg`` → ``MINUS_EFG``, ``(xyz)`` →
    ``LEFT_PARENTHESIS_XYZ_RIGHT_PARENTHESIS``); otherwise it is only upper-cased (``camelCase`` →
    ``CAMELCASE``); spaces become "_", one leading and one trailing "_" go, and a leading digit gets
    ``ENUM_``. ``""`` is ``EMPTY``, ``" "`` ``SPACE``, ``"_"`` ``UNDERSCORE``. Where that rule would not give a
    Python identifier (other symbols, a keyword), the result is made one the way other names are.
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        name = "NUMBER_" + repr(value).replace(".", "_DOT_").replace("-", "MINUS_")
        return name if _is_member_name(name) else _sanitised_member(name)
    text = str(value).replace(".", "_DOT_")
    if text == "":
        return "EMPTY"
    if text == " ":
        return "SPACE"
    if text == "_":
        return "UNDERSCORE"
    if any(c in _SYMBOL_WORDS or c == "_" for c in text):
        spelt = "".join(
            _SYMBOL_WORDS[c] + "_" if c in _SYMBOL_WORDS else c for c in text
        )
        name = _oag_underscore(spelt).upper()
    else:
        name = text.upper()
    name = name.replace(" ", "_")
    name = name[1:] if name.startswith("_") else name
    name = name[:-1] if name.endswith("_") else name
    if name[:1].isdigit():
        name = "ENUM_" + name
    return name if _is_member_name(name) else _sanitised_member(name)


def _sanitised_member(name: str) -> str:
    """An identifier made from a name the OpenAPI Generator rule left unusable."""
    cleaned = _NON_WORD.sub("_", _ascii_words(name)).strip("_").upper()
    cleaned = re.sub(r"_+", "_", cleaned) or "VALUE"
    if cleaned[0].isdigit():
        cleaned = "ENUM_" + cleaned
    if keyword.iskeyword(cleaned):
        cleaned += "_"
    return cleaned


def enum_varname(wanted: str) -> str:
    """An ``x-enum-varnames`` entry as the member name: kept as written (as OpenAPI Generator does) when it
    is usable, else made usable."""
    return wanted if _is_member_name(wanted) else enum_member_name(wanted)


class Scope:
    """Allocates unique names in one namespace (a module's classes, one method's parameters, …).

    ``claim`` returns the wanted name when it is free, else the name with the first free numeric suffix.
    """

    def __init__(self, taken: frozenset[str] | set[str] = frozenset()) -> None:
        # Told of every claim (wanted, fold_case, result) when set: model/replay.py records them.
        self.on_claim: Callable[[str, bool, str], None] | None = None
        self._taken: set[str] = set(taken)
        self._folded: set[str] = set(
            _folded(taken)
            if isinstance(taken, frozenset)
            else (t.lower() for t in taken)
        )

    def copy(self) -> Scope:
        """A scope with the names of this one taken, claiming apart from it."""
        other = Scope()
        other._taken, other._folded = set(self._taken), set(self._folded)
        return other

    def take_from(self, other: Scope) -> None:
        """Make the names taken here those taken in ``other`` (copied)."""
        self._taken, self._folded = set(other._taken), set(other._folded)

    def claim(self, wanted: str, *, fold_case: bool = False) -> str:
        """Claim ``wanted`` (or a suffixed variant). With ``fold_case``, names equal but for case collide
        too (module file names on case-insensitive file systems)."""
        candidate = self.claim_untraced(wanted, fold_case=fold_case)
        if self.on_claim is not None:
            self.on_claim(wanted, fold_case, candidate)
        return candidate

    def claim_untraced(self, wanted: str, *, fold_case: bool = False) -> str:
        """:meth:`claim`, without telling ``on_claim``."""
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
