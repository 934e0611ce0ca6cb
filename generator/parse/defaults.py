"""Does a schema's ``default`` fit the schema? The fast pass's answer, with openapi-spec-validator's rules.

openapi-spec-validator checks each default it meets with openapi-schema-validator's ``OAS30Validator`` or
``OAS31Validator`` and their format checkers. Importing those (and jsonschema) costs more than building a small
spec, so the fast pass (:mod:`.semantics`) judges the defaults itself, for the keywords whose meaning is plain
and fixed: types, enums and ``const``, bounds, lengths, ``pattern``, integer ``multipleOf``, the formats the
checkers know, array and object shapes and the ``allOf``/``anyOf``/``oneOf``/``not`` combinations of such
schemas. Its answer is either the list of reasons the value does not fit (empty: it fits) or None, when the
schema uses anything else (or something of an unexpected shape): then the full validator is asked.

``tests/parse/test_default_judge.py`` pins every answer that is not None to openapi-schema-validator's on many
generated schemas and values, and the format table to the format checkers' own registries.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import importlib.util
import ipaddress
import re
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

# Keywords that never decide whether a value fits (annotations), by OpenAPI version.
_ANNOTATIONS_30 = frozenset(
    {
        "title",
        "description",
        "default",
        "example",
        "deprecated",
        "readOnly",
        "writeOnly",
        "xml",
        "externalDocs",
        "nullable",
    }
)
_ANNOTATIONS_31 = frozenset(
    {
        "title",
        "description",
        "default",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "xml",
        "externalDocs",
        "$comment",
        "nullable",  # not an OpenAPI 3.1 keyword: JSON Schema ignores it
    }
)
# Keywords this module judges; a schema with any other keyword (but ``x-`` extensions) is not judged.
_JUDGED = frozenset(
    {
        "type",
        "enum",
        "const",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "multipleOf",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "$ref",
        "discriminator",
    }
)
# How deep a value and its schemas are followed (a recursive schema with a deep default stops here).
_DEPTH = 32

Resolve = Callable[[Any], Any]


def judge(
    value: Any, schema: Any, openapi31: bool, resolve: Resolve
) -> list[str] | None:
    """Why ``value`` does not fit ``schema`` as openapi-spec-validator checks a default (an empty list: it
    fits), or None when only the full validator can tell. ``resolve`` follows a local ``$ref`` (None when it
    cannot)."""
    return _Judge(openapi31, resolve).fit(value, schema, 0)


class _Unknown(Exception):
    """The schema uses something this module does not judge."""


class _Judge:
    def __init__(self, openapi31: bool, resolve: Resolve) -> None:
        self.openapi31 = openapi31
        self.resolve = resolve
        self.annotations = _ANNOTATIONS_31 if openapi31 else _ANNOTATIONS_30

    def fit(self, value: Any, schema: Any, depth: int) -> list[str] | None:
        try:
            return self._fit(value, schema, depth)
        except _Unknown:
            return None

    def _fit(self, value: Any, schema: Any, depth: int) -> list[str]:
        if depth > _DEPTH:
            raise _Unknown
        if schema is True and self.openapi31:
            return []
        if schema is False and self.openapi31:
            return [f"{value!r} is not allowed here (the schema is false)"]
        if not isinstance(schema, dict):
            raise _Unknown
        for key in schema:
            if not isinstance(key, str):
                raise _Unknown
            if key not in _JUDGED and key not in self.annotations:
                # The dialect a 3.1 schema names: the validator checks its default as OpenAPI 3.1's dialect
                # would (it reads ``$schema`` only in a schema below the one it starts from).
                if key == "$schema" and depth == 0 and self.openapi31:
                    continue
                if not key.startswith("x-"):
                    raise _Unknown
        if "discriminator" in schema and not (
            self.openapi31 or {"allOf", "anyOf", "oneOf"}.isdisjoint(schema)
        ):
            raise _Unknown  # OpenAPI 3.0's validator picks the alternative by the discriminator
        if "const" in schema and not self.openapi31:
            raise _Unknown
        found: list[str] = []
        if "$ref" in schema:
            ref = schema["$ref"]
            target = self.resolve({"$ref": ref}) if type(ref) is str else None
            if target is None:
                raise _Unknown
            found += self._fit(value, target, depth + 1)
        found += self._type(value, schema)
        if "enum" in schema:
            enum = schema["enum"]
            if not isinstance(enum, list):
                raise _Unknown
            if not any(_equal(each, value) for each in enum):
                found.append(f"{value!r} is not one of {enum!r}")
        if "const" in schema and not _equal(schema["const"], value):
            found.append(f"{value!r} is not {schema['const']!r}")
        if _is_number(value):
            found += self._bounds(value, schema)
            if "multipleOf" in schema:
                found += _multiple(value, schema["multipleOf"])
        if isinstance(value, str):
            found += _lengths(value, schema)
            if "pattern" in schema:
                found += _pattern(value, schema["pattern"])
        if "format" in schema and not (value is None and not self.openapi31):
            found += _format(value, schema["format"], self.openapi31)
        if isinstance(value, list):
            found += self._array(value, schema, depth)
        if isinstance(value, dict):
            found += self._object(value, schema, depth)
        found += self._combined(value, schema, depth)
        return found

    def _type(self, value: Any, schema: dict[str, Any]) -> list[str]:
        if "type" not in schema:
            return []
        kind = schema["type"]
        if self.openapi31:
            kinds = kind if isinstance(kind, list) else [kind]
            if not kinds or not all(type(k) is str and k in _TYPES_31 for k in kinds):
                raise _Unknown
            if any(_TYPES_31[k](value) for k in kinds):
                return []
            return [f"{value!r} is not of type {', '.join(repr(k) for k in kinds)}"]
        if type(kind) is not str or kind not in _TYPES_30:
            raise _Unknown
        found = []
        if value is None:
            if schema.get("nullable") is True:
                return []
            found.append("None is not allowed (the schema is not nullable)")
        if not _TYPES_30[kind](value):
            found.append(f"{value!r} is not of type {kind!r}")
        return found

    def _bounds(self, value: Any, schema: dict[str, Any]) -> list[str]:
        found = []
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key not in schema:
                continue
            bound = schema[key]
            if key.startswith("exclusive") and not self.openapi31:
                if type(bound) is not bool:
                    raise _Unknown
                continue  # a flag of minimum/maximum
            # A boolean bound is out of place in 3.1, but the validator compares with it as with 1 or 0.
            if not (_is_number(bound) or (self.openapi31 and type(bound) is bool)):
                raise _Unknown
        minimum, maximum = schema.get("minimum"), schema.get("maximum")
        if self.openapi31:
            low, high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
            if minimum is not None and value < minimum:
                found.append(f"{value!r} is less than the minimum of {minimum!r}")
            if maximum is not None and value > maximum:
                found.append(f"{value!r} is greater than the maximum of {maximum!r}")
            if low is not None and value <= low:
                found.append(
                    f"{value!r} is less than or equal to the minimum of {low!r}"
                )
            if high is not None and value >= high:
                found.append(
                    f"{value!r} is greater than or equal to the maximum of {high!r}"
                )
            return found
        if minimum is not None:
            if schema.get("exclusiveMinimum", False):
                if value <= minimum:
                    found.append(
                        f"{value!r} is less than or equal to the minimum of {minimum!r}"
                    )
            elif value < minimum:
                found.append(f"{value!r} is less than the minimum of {minimum!r}")
        if maximum is not None:
            if schema.get("exclusiveMaximum", False):
                if value >= maximum:
                    found.append(
                        f"{value!r} is greater than or equal to the maximum of {maximum!r}"
                    )
            elif value > maximum:
                found.append(f"{value!r} is greater than the maximum of {maximum!r}")
        return found

    def _array(self, value: list[Any], schema: dict[str, Any], depth: int) -> list[str]:
        found: list[str] = []
        for key in ("minItems", "maxItems"):
            if key in schema and not _is_count(schema[key]):
                raise _Unknown
        if "minItems" in schema and len(value) < schema["minItems"]:
            found.append(f"{value!r} has fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            found.append(f"{value!r} has more than {schema['maxItems']} items")
        if "uniqueItems" in schema:
            unique = schema["uniqueItems"]
            if type(unique) is not bool:
                raise _Unknown
            if unique and len(value) > 1:
                raise _Unknown  # the validator's notion of "the same item" is its own
        if "items" in schema:
            items = schema["items"]
            if isinstance(items, bool) and not self.openapi31:
                raise _Unknown
            for index, item in enumerate(value):
                found += [
                    f"item {index}: {why}" for why in self._fit(item, items, depth + 1)
                ]
        return found

    def _object(
        self, value: dict[str, Any], schema: dict[str, Any], depth: int
    ) -> list[str]:
        found: list[str] = []
        for key in ("minProperties", "maxProperties"):
            if key in schema and not _is_count(schema[key]):
                raise _Unknown
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            found.append(
                f"{value!r} has fewer than {schema['minProperties']} properties"
            )
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            found.append(
                f"{value!r} has more than {schema['maxProperties']} properties"
            )
        properties = schema.get("properties", {})
        if not isinstance(properties, dict):
            raise _Unknown
        for name, sub in properties.items():
            if name in value:
                found += [
                    f"{name!r}: {why}" for why in self._fit(value[name], sub, depth + 1)
                ]
        if "required" in schema:
            required = schema["required"]
            if not isinstance(required, list) or not all(
                isinstance(r, str) for r in required
            ):
                raise _Unknown
            for name in required:
                if name in value:
                    continue
                if not self.openapi31 and self._exempt(properties.get(name)):
                    continue
                found.append(f"{name!r} is a required property")
        if "additionalProperties" in schema:
            extra = schema["additionalProperties"]
            names = [name for name in value if name not in properties]
            if extra is False:
                if names:
                    listed = ", ".join(repr(n) for n in names)
                    found.append(f"additional properties are not allowed ({listed})")
            elif isinstance(extra, dict) or (extra is True and self.openapi31):
                for name in names:
                    found += [
                        f"{name!r}: {why}"
                        for why in self._fit(value[name], extra, depth + 1)
                    ]
            elif extra is not True:
                raise _Unknown
        return found

    @staticmethod
    def _exempt(schema: Any) -> bool:
        """OpenAPI 3.0's validator does not require a property that is read-only or write-only (it checks
        defaults neither as a request nor as a response). A property that is a reference counts as
        neither."""
        if not isinstance(schema, dict) or not schema:
            return False
        return bool(schema.get("readOnly", False) or schema.get("writeOnly", False))

    def _combined(self, value: Any, schema: dict[str, Any], depth: int) -> list[str]:
        found: list[str] = []
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema and not (isinstance(schema[key], list) and schema[key]):
                raise _Unknown
        for member in schema.get("allOf", ()):
            found += self._fit(value, member, depth + 1)
        if "anyOf" in schema:
            # The validator tries the alternatives in turn up to the first that fits.
            if not any(self._fit(value, m, depth + 1) == [] for m in schema["anyOf"]):
                found.append(f"{value!r} is not valid under any of the given schemas")
        if "oneOf" in schema:
            answers = [self.fit(value, member, depth + 1) for member in schema["oneOf"]]
            if any(a is None for a in answers):
                raise _Unknown
            fits = sum(a == [] for a in answers)
            if fits == 0:
                found.append(f"{value!r} is not valid under any of the given schemas")
            elif fits > 1:
                found.append(
                    f"{value!r} is valid under each of {fits} of the given schemas"
                )
        if "not" in schema:
            answer = self.fit(value, schema["not"], depth + 1)
            if answer is None:
                raise _Unknown
            if answer == []:
                found.append(f"{value!r} should not be valid under {schema['not']!r}")
        return found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# JSON types as each validator's type checker sees Python values: OpenAPI 3.0's integer is Python's int only,
# JSON Schema 2020-12's also takes a float with no fraction. 3.0 has no null type.
_TYPES_30: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_TYPES_31: dict[str, Callable[[Any], bool]] = {
    **_TYPES_30,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "null": lambda v: v is None,
}


def _equal(one: Any, two: Any) -> bool:
    """JSON equality: booleans are not numbers, 1 equals 1.0, containers compare item by item."""
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(
            _equal(a, b) for a, b in zip(one, two, strict=True)
        )
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(
            k in two and _equal(v, two[k]) for k, v in one.items()
        )
    if isinstance(one, (list, dict)) or isinstance(two, (list, dict)):
        return False
    return bool(one == two)


def _lengths(value: str, schema: dict[str, Any]) -> list[str]:
    found = []
    for key in ("minLength", "maxLength"):
        if key in schema and not _is_count(schema[key]):
            raise _Unknown
    if "minLength" in schema and len(value) < schema["minLength"]:
        found.append(f"{value!r} is shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{value!r} is longer than {schema['maxLength']} characters")
    return found


def _pattern(value: str, pattern: Any) -> list[str]:
    if not isinstance(pattern, str) or _has_module("regress"):
        raise _Unknown  # with regress installed the validator matches ECMA-262 expressions
    try:
        compiled = _compiled(pattern)
    except re.error:
        raise _Unknown from None
    return [] if compiled.search(value) else [f"{value!r} does not match {pattern!r}"]


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _multiple(value: Any, factor: Any) -> list[str]:
    # Only whole numbers: the validator's float arithmetic has its own rounding.
    if not (isinstance(value, int) and isinstance(factor, int)) or isinstance(
        value, bool
    ):
        raise _Unknown
    if isinstance(factor, bool) or factor <= 0:
        raise _Unknown
    return [] if value % factor == 0 else [f"{value!r} is not a multiple of {factor!r}"]


@cache
def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _check_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_time(text: str) -> bool:
    # The checkers' "time" is the oldest JSON Schema draft's: hours, minutes and seconds, nothing more.
    try:
        datetime.datetime.strptime(text, "%H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return False
    return True


def _check_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return all(text[i] == "-" for i in (8, 13, 18, 23))


def _check_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ipaddress.AddressValueError:
        return False
    return True


def _check_ipv6(text: str) -> bool:
    try:
        address = ipaddress.IPv6Address(text)
    except ipaddress.AddressValueError:
        return False
    return not address.scope_id


def _check_regex(text: str) -> bool:
    if _has_module("regress"):
        raise _Unknown  # the checkers then compile ECMA-262 expressions
    try:
        re.compile(text)
    except re.error:
        return False
    return True


def _check_byte(text: str) -> bool:
    try:
        base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _check_date_time(text: str) -> bool:
    from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

    return bool(validate_rfc3339(text.upper()))


def _check_idn_hostname(text: str) -> bool:
    import idna

    try:
        idna.encode(text)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


# The string formats the checkers know and how each is checked. Each needs no module, or the one named.
_STRING_FORMATS: dict[str, tuple[str | None, Callable[[str], bool]]] = {
    "email": (None, lambda text: "@" in text),
    "idn-email": (None, lambda text: "@" in text),
    "ipv4": (None, _check_ipv4),
    "ipv6": (None, _check_ipv6),
    "date": (None, _check_date),
    "time": (None, _check_time),
    "uuid": (None, _check_uuid),
    "regex": (None, _check_regex),
    "date-time": ("rfc3339_validator", _check_date_time),
    "idn-hostname": ("idna", _check_idn_hostname),
}
# Formats the checkers know only when a module is installed, which this module does not judge: with the module
# the full validator is asked, without it the format is not checked.
_OPTIONAL_FORMATS: dict[str, tuple[str, ...]] = {
    "hostname": ("fqdn",),
    "uri": ("rfc3987", "rfc3986_validator"),
    "uri-reference": ("rfc3987", "rfc3986_validator"),
    "iri": ("rfc3987",),
    "iri-reference": ("rfc3987",),
    "color": ("webcolors",),
    "json-pointer": ("jsonpointer",),
    "relative-json-pointer": ("jsonpointer",),
    "uri-template": ("uri_template",),
    "duration": ("isoduration",),
}


def _format(value: Any, name: Any, openapi31: bool) -> list[str]:
    if not isinstance(name, str):
        raise _Unknown
    fits = _format_fits(value, name, openapi31)
    return [] if fits else [f"{value!r} is not a {name!r}"]


def _format_fits(value: Any, name: str, openapi31: bool) -> bool:
    if name in ("int32", "int64"):
        if not isinstance(value, int) or isinstance(value, bool):
            return True
        bits = 31 if name == "int32" else 63
        return -(1 << bits) <= value < (1 << bits)
    if name in ("float", "double", "password"):
        return True  # every JSON number is a Python int or float: nothing to check
    if name in ("binary", "byte") and openapi31:
        return True  # not formats of OpenAPI 3.1's checker
    if name == "binary":
        return True  # 3.0: any string (or bytes) will do
    if name == "byte":
        if not isinstance(value, str):
            return True
        if not value.isascii():
            raise _Unknown  # the 3.0 checker fails with an error of its own
        return _check_byte(value)
    if name in _STRING_FORMATS:
        module, check = _STRING_FORMATS[name]
        if module is not None and not _has_module(module):
            return True
        return not isinstance(value, str) or check(value)
    if name in _OPTIONAL_FORMATS:
        if any(_has_module(m) for m in _OPTIONAL_FORMATS[name]):
            raise _Unknown
        return True
    return True  # a format the checkers do not know is not checked
