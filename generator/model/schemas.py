"""The one type/format dispatcher: JSON Schema nodes → schema kinds and named models.

Component schemas that need a class (objects, enums, unions, recursive aliases) become named models; other
named schemas (a string with a format, an array, a map) are inlined where they are used, as OpenAPI
Generator does. Inline object schemas get deterministic names from where they appear, and structurally
identical inline schemas share one class (the first name wins).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ..errors import Problem, SpecError
from ..parse.load import Document, escape_pointer_token
from ..parse.refs import Resolver, Target
from .names import (
    FIELD_RESERVED,
    Scope,
    class_name,
    enum_member_name,
    enum_varname,
    python_identifier,
)
from .types import (
    NO_EXAMPLE,
    AnyType,
    ArrayType,
    Constraints,
    ConstType,
    EnumMember,
    EnumModel,
    Example,
    Field,
    LiteralType,
    MapType,
    Model,
    ModelRef,
    Nullable,
    ObjectModel,
    Primitive,
    RootModel,
    SchemaType,
    UnionType,
)

_STRING_FORMATS: dict[str, Primitive] = {
    "date-time": Primitive("datetime", "date-time"),
    "date": Primitive("date", "date"),
    "binary": Primitive("bytes", "binary"),
    "byte": Primitive("str", "byte"),
    "decimal": Primitive("Decimal", "decimal"),
    "uuid": Primitive("UUID", "uuid"),
}
# The patterns pydantic (FastAPI) writes on a `Decimal` as a string (before 2.12): such a string is a Decimal.
_DECIMAL_PATTERNS = (r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$",)
_PENDING = ModelRef("<pending>")
_SCALARS = ("string", "integer", "number", "boolean")
# Media types whose content is text: a string with one of these as its contentMediaType stays a str.
_TEXT_MEDIA = ("json", "xml", "javascript", "yaml", "x-www-form-urlencoded", "csv")
# JSON Schema keywords the generated types do not express, and what the client does instead.
_IGNORED_KEYWORDS = (
    (
        "prefixItems",
        "prefixItems is ignored: the array is typed by `items` (else Any); positions are not checked",
    ),
    (
        "patternProperties",
        "patternProperties is ignored: properties matching its patterns are not typed (kept as Any)",
    ),
    (
        "dependentRequired",
        "dependentRequired is not checked: the properties it names stay optional",
    ),
    (
        "dependentSchemas",
        "dependentSchemas is not checked: the value is typed by the schema's other keywords",
    ),
    (
        "if",
        "if/then/else is not checked: the value is typed by the schema's other keywords",
    ),
    (
        "unevaluatedProperties",
        "unevaluatedProperties is not checked: properties not declared are kept untyped",
    ),
    (
        "unevaluatedItems",
        "unevaluatedItems is not checked: the array is typed by `items` (else Any)",
    ),
    ("$dynamicRef", "$dynamicRef is not followed: typed as Any"),
    ("$recursiveRef", "$recursiveRef is not followed: typed as Any"),
)


def example_of(node: dict[str, Any]) -> Example:
    if "example" in node:
        return Example(node["example"])
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return Example(examples[0])
    return NO_EXAMPLE


def spec_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _constraints(node: dict[str, Any], json_type: str) -> Constraints | None:
    """The validation keywords of a scalar or array schema (None when it has none).

    ``exclusiveMinimum``/``exclusiveMaximum`` are read both ways: OpenAPI 3.0's flag beside
    ``minimum``/``maximum`` and 3.1's number. Array ``minItems``/``maxItems`` become lengths.
    """
    if json_type in ("integer", "number"):
        low, high = _number(node.get("minimum")), _number(node.get("maximum"))
        xlow, xhigh = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
        gt = _number(xlow) if not isinstance(xlow, bool) else (low if xlow else None)
        lt = (
            _number(xhigh) if not isinstance(xhigh, bool) else (high if xhigh else None)
        )
        limits = Constraints(
            ge=None if xlow is True else low,
            gt=gt,
            le=None if xhigh is True else high,
            lt=lt,
            multiple_of=_number(node.get("multipleOf")) or None,
        )
    elif json_type == "string":
        pattern = node.get("pattern")
        limits = Constraints(
            min_length=_count(node.get("minLength")),
            max_length=_count(node.get("maxLength")),
            pattern=pattern if isinstance(pattern, str) and pattern else None,
        )
    elif json_type == "array":
        limits = Constraints(
            min_length=_count(node.get("minItems")),
            max_length=_count(node.get("maxItems")),
        )
    else:
        return None
    return None if limits == Constraints() else limits


def is_text_media(media_type: str) -> bool:
    """Whether content of this media type is text (``text/*``, JSON, XML, YAML, ...), not raw bytes."""
    base = media_type.split(";", 1)[0].strip().lower()
    return base.startswith("text/") or any(
        base.endswith("/" + t) or base.endswith("+" + t) for t in _TEXT_MEDIA
    )


def _is_binary_media(node: dict[str, Any]) -> bool:
    """A 3.1 string holding raw bytes: a ``contentMediaType`` that is not text, and no ``contentEncoding``
    (FastAPI's ``UploadFile``: ``{type: string, contentMediaType: application/octet-stream}``).
    """
    media = node.get("contentMediaType")
    if not isinstance(media, str) or "contentEncoding" in node:
        return False
    return not is_text_media(media)


class SchemaRegistry:
    """Turns schemas into types, registering the named models it meets along the way."""

    def __init__(
        self,
        resolver: Resolver,
        classes: Scope,
        warnings: list[Problem],
        openapi31: bool,
    ) -> None:
        self.resolver = resolver
        self.classes = classes
        self.modules = Scope({"__init__"})
        self.warnings = warnings
        self.openapi31 = openapi31
        self.models: dict[str, Model] = {}
        self._by_target: dict[tuple[str, str], SchemaType] = {}
        self._names_by_target: dict[tuple[str, str], str] = {}
        self._recursive_alias: set[tuple[str, str]] = set()
        self._by_shape: dict[str, str] = {}

    # -- its state, kept between builds (see model/build.py) --------------------------------------------
    def state(self) -> dict[str, Any]:
        """What the registry knows (copies), for :meth:`restore` into the registry of a later build."""
        return {
            "models": dict(self.models),
            "by_target": dict(self._by_target),
            "names_by_target": dict(self._names_by_target),
            "recursive_alias": set(self._recursive_alias),
            "by_shape": dict(self._by_shape),
            "modules": self.modules.copy(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.models = dict(state["models"])
        self._by_target = dict(state["by_target"])
        self._names_by_target = dict(state["names_by_target"])
        self._recursive_alias = set(state["recursive_alias"])
        self._by_shape = dict(state["by_shape"])
        self.modules = state["modules"].copy()

    def within_components(self, doc: Document) -> bool:
        """Whether everything the registry read lies under ``doc``'s ``/components/`` (no other file, nothing
        under ``paths``): then what it built from the components depends on them alone.
        """
        path = str(doc.path)
        return all(
            file == path and pointer.startswith("/components/")
            for file, pointer in (*self._by_target, *self._names_by_target)
        ) and all(value is not _PENDING for value in self._by_target.values())

    # -- naming --------------------------------------------------------------------------------------------
    def reserve_component_names(self, doc: Document) -> None:
        """Allocate class names for component schemas first, sorted, so they never depend on traversal."""
        schemas = (
            doc.data.get("components", {}).get("schemas", {})
            if isinstance(doc.data, dict)
            else {}
        )
        if not isinstance(schemas, dict):
            return
        for key in sorted(schemas):
            node = schemas[key]
            target = Target(
                node, doc, f"/components/schemas/{escape_pointer_token(key)}"
            )
            if self._needs_class(target):
                self._names_by_target[target.key] = self.classes.claim(class_name(key))

    def _allocate(self, target: Target, hint: str) -> str:
        name = self._names_by_target.get(target.key)
        if name is None:
            name = self.classes.claim(class_name(hint))
            self._names_by_target[target.key] = name
        return name

    def _module_for(self, name: str) -> str:
        # A module name is imported (`from .models.<module> import ...`), so it must be an identifier too.
        return self.modules.claim(
            python_identifier(name, fallback="model"), fold_case=True
        )

    def _warn(self, target: Target, message: str) -> None:
        self.warnings.append(self.resolver.problem(target, message))

    def _warn_ignored(self, target: Target) -> None:
        """A warning for each keyword of this schema that the generated type does not express."""
        node: dict[str, Any] = target.data
        for keyword, message in _IGNORED_KEYWORDS:
            if keyword in node:
                self._warn(target, message)
        if "contentEncoding" in node:
            self._warn(
                target,
                f"contentEncoding {node['contentEncoding']!r} is not decoded: typed as str, the encoded text",
            )
        elif "contentMediaType" in node and not _is_binary_media(node):
            self._warn(
                target,
                f"contentMediaType {node['contentMediaType']!r} is not parsed: typed as str, the text as sent",
            )

    # -- classification ------------------------------------------------------------------------------------
    def _needs_class(self, target: Target) -> bool:
        node = target.data
        if not isinstance(node, dict):
            return False
        if "$ref" in node:
            return False
        if "enum" in node and self._types_of(node) != ["boolean"]:
            return len(node["enum"]) > 0
        if "allOf" in node or "properties" in node:
            return True
        if "oneOf" in node or "anyOf" in node:
            return not self._is_nullable_wrapper(node)
        types = self._types_of(node)
        return (
            "object" in types and "additionalProperties" not in node and len(types) == 1
        )

    def _types_of(self, node: dict[str, Any]) -> list[str]:
        raw = node.get("type")
        if isinstance(raw, list):
            return [t for t in raw if isinstance(t, str)]
        if isinstance(raw, str):
            return [raw]
        return []

    def _is_nullable_wrapper(self, node: dict[str, Any]) -> bool:
        variants = node.get("oneOf") or node.get("anyOf") or []
        non_null = [
            v for v in variants if not (isinstance(v, dict) and v.get("type") == "null")
        ]
        return len(non_null) == 1 and len(variants) == 2 and not node.get("properties")

    # -- entry points --------------------------------------------------------------------------------------
    def component(self, doc: Document, key: str) -> SchemaType:
        node = doc.data["components"]["schemas"][key]
        return self.named(
            Target(node, doc, f"/components/schemas/{escape_pointer_token(key)}"), key
        )

    def named(self, target: Target, hint: str) -> SchemaType:
        """The type of a schema that has an identity (a component, or any ``$ref`` target)."""
        known = self._by_target.get(target.key)
        if known is _PENDING:
            # A reference back to an alias being built: the alias must become a class to stay finite.
            self._recursive_alias.add(target.key)
            return ModelRef(self._allocate(target, hint))
        if known is not None:
            return known
        if self._needs_class(target):
            name = self._allocate(target, hint)
            ref = ModelRef(name)
            self._by_target[target.key] = ref
            self._build_class(target, name)
            node = target.data
            if "oneOf" not in node and "anyOf" not in node and self._is_nullable(node):
                # A nullable enum or object component: the class holds the values, the reference adds None
                # (a union component carries its null inside its root type instead).
                result_ref: SchemaType = Nullable(ref)
                self._by_target[target.key] = result_ref
                return result_ref
            return ref
        self._by_target[target.key] = _PENDING
        inner = self.inline(target, hint)
        if target.key in self._recursive_alias:
            name = self._allocate(target, hint)
            self._register(
                RootModel(
                    name,
                    self._module_for(name),
                    target.pointer,
                    spec_text(target.data.get("description")),
                    inner,
                )
            )
            result: SchemaType = ModelRef(name)
        else:
            result = inner
        self._by_target[target.key] = result
        return result

    def schema_type(
        self, node: Any, doc: Document, pointer: str, hint: str
    ) -> SchemaType:
        """The type of a schema as written at ``pointer`` (following ``$ref``)."""
        if isinstance(node, dict) and "$ref" in node:
            target = self.resolver.follow(node, doc, pointer)
            ref_hint = target.pointer.rsplit("/", 1)[-1] or target.doc.path.stem
            t = self.named(target, ref_hint)
            if node.get("nullable") is True and not isinstance(t, Nullable):
                t = Nullable(t)
            return t
        return self.inline(Target(node, doc, pointer), hint)

    # -- inline schemas ------------------------------------------------------------------------------------
    def inline(self, target: Target, hint: str) -> SchemaType:
        node = target.data
        if node is True or node == {}:
            return AnyType()
        if node is False or not isinstance(node, dict):
            if node is not False:
                self._warn(target, "a schema must be an object; typed as Any")
            return AnyType()
        self._warn_ignored(target)
        t = self._inline_non_null(target, hint)
        if self._is_nullable(node) and not isinstance(t, (Nullable, AnyType)):
            t = Nullable(t)
        return t

    def _is_nullable(self, node: dict[str, Any]) -> bool:
        if node.get("nullable") is True:
            return True
        if "null" in self._types_of(node):
            return True
        enum = node.get("enum")
        if isinstance(enum, list) and None in enum and len(enum) > 1:
            return True
        # `anyOf: [T, {type: null}]`: how pydantic (FastAPI, Litestar) writes `T | None`.
        return any(
            isinstance(v, dict) and v.get("type") == "null"
            for key in ("oneOf", "anyOf")
            for v in (node.get(key) if isinstance(node.get(key), list) else ())
        )

    def _inline_non_null(self, target: Target, hint: str) -> SchemaType:
        node: dict[str, Any] = target.data
        if "const" in node:
            value = node["const"]
            if isinstance(value, (str, int, float, bool)) or value is None:
                return ConstType(value)
            self._warn(target, "a non-scalar const is typed as Any")
            return AnyType()
        if "enum" in node:
            values = tuple(v for v in node["enum"] if v is not None)
            if values and all(isinstance(v, (str, int, float, bool)) for v in values):
                return LiteralType(values)  # named enums became classes in `named`
            self._warn(target, "enum values that are not scalars are typed loosely")
        if "allOf" in node or "properties" in node:
            return self._inline_object(target, hint)
        for key in ("oneOf", "anyOf"):
            if key in node:
                variants = self._variants(target, key, hint)
                non_null = [
                    v
                    for v in variants
                    if not (isinstance(v, Primitive) and v.python == "None")
                ]
                if len(non_null) == 1:
                    return non_null[0]
                if _is_decimal_input(node.get(key)):
                    return Primitive("Decimal", "decimal")
                discriminator = self._discriminator(node)
                if discriminator and not self._tells_apart(non_null, discriminator):
                    self._warn(
                        target,
                        f"discriminator {discriminator!r} is not used by an inline {key}: generated as a "
                        "plain union (pydantic tries each variant in turn)",
                    )
                return UnionType(tuple(non_null), discriminator)
        if "not" in node:
            self._warn(
                target,
                "`not` cannot be expressed in a Python type; the constraint is not checked",
            )
        types = [t for t in self._types_of(node) if t != "null"]
        if not types:
            if "items" in node:
                types = ["array"]
            elif "additionalProperties" in node:
                types = ["object"]
            else:
                return AnyType()
        if len(types) > 1:
            variants = tuple(self._single_type(target, t, hint) for t in types)
            return UnionType(variants)
        return self._single_type(target, types[0], hint)

    def _single_type(self, target: Target, json_type: str, hint: str) -> SchemaType:
        node: dict[str, Any] = target.data
        fmt = node.get("format") if isinstance(node.get("format"), str) else None
        if json_type in _SCALARS:
            scalar = self._scalar(node, json_type, fmt)
            limits = _constraints(node, json_type)
            return scalar if limits is None else replace(scalar, constraints=limits)
        if json_type == "array":
            items = node.get("items")
            limits = _constraints(node, json_type)
            if items is None:
                return ArrayType(
                    AnyType(), unique=bool(node.get("uniqueItems")), constraints=limits
                )
            item_hint = hint + "Inner"
            item = self.schema_type(
                items, target.doc, target.pointer + "/items", item_hint
            )
            return ArrayType(
                item, unique=bool(node.get("uniqueItems")), constraints=limits
            )
        if json_type == "object":
            extra = node.get("additionalProperties", True)
            if extra is True or extra == {}:
                return MapType(AnyType())
            if extra is False:
                return MapType(AnyType())
            value = self.schema_type(
                extra,
                target.doc,
                target.pointer + "/additionalProperties",
                hint + "Value",
            )
            return MapType(value)
        if json_type == "null":
            return AnyType()
        self._warn(target, f"unknown type {json_type!r}; typed as Any")
        return AnyType()

    def _scalar(
        self, node: dict[str, Any], json_type: str, fmt: str | None
    ) -> Primitive:
        if json_type == "string":
            if fmt is None and _is_binary_media(node):
                return Primitive("bytes", "binary")
            if fmt is None and node.get("pattern") in _DECIMAL_PATTERNS:
                return Primitive("Decimal", "decimal")
            return _STRING_FORMATS.get(fmt or "", Primitive("str", fmt))
        if json_type == "integer":
            return Primitive("int", fmt)
        if json_type == "number":
            return (
                Primitive("Decimal", fmt, json_number=True)
                if fmt == "decimal"
                else Primitive("float", fmt)
            )
        return Primitive("bool")

    def _variants(self, target: Target, key: str, hint: str) -> list[SchemaType]:
        out: list[SchemaType] = []
        raw = target.data.get(key)
        if not isinstance(raw, list):
            return out
        for i, variant in enumerate(raw):
            if isinstance(variant, dict) and variant.get("type") == "null":
                continue
            suffix = key[0].upper() + key[1:] + (str(i) if i else "")
            out.append(
                self.schema_type(
                    variant, target.doc, f"{target.pointer}/{key}/{i}", hint + suffix
                )
            )
        return out

    def _tells_apart(self, variants: list[SchemaType], prop: str) -> bool:
        """Whether each variant is a model that pins ``prop`` to its own constant(s), so a plain union
        still picks the variant the discriminator names."""
        seen: set[Any] = set()
        for variant in variants:
            model = (
                self.models.get(variant.name) if isinstance(variant, ModelRef) else None
            )
            if not isinstance(model, ObjectModel):
                return False
            field = next((f for f in model.fields if f.wire_name == prop), None)
            t = field.type if field is not None and field.required else None
            if isinstance(t, ConstType):
                values: tuple[Any, ...] = (t.value,)
            elif isinstance(t, LiteralType):
                values = t.values
            else:
                return False
            if seen & set(values):
                return False
            seen |= set(values)
        return True

    def _tags(self, target: Target, key: str) -> tuple[tuple[str, str], ...]:
        """(discriminator value, class name) pairs: the explicit ``mapping``, then each ``$ref`` variant under
        its schema's name (the implicit mapping). Empty when there is no discriminator or a variant is inline.
        """
        node = target.data
        disc = node.get("discriminator")
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            return ()
        tags: dict[str, str] = {}
        mapping = disc.get("mapping")
        for value, ref in mapping.items() if isinstance(mapping, dict) else ():
            if not isinstance(ref, str):
                continue
            if "#" not in ref and "/" not in ref:
                ref = "#/components/schemas/" + ref
            try:
                ref_target = self.resolver.follow(
                    {"$ref": ref}, target.doc, target.pointer + "/discriminator/mapping"
                )
            except SpecError:
                self._warn(
                    target,
                    f"discriminator mapping {value!r} points at nothing; ignored",
                )
                continue
            name = self._names_by_target.get(ref_target.key)
            if name is not None:
                tags[str(value)] = name
        for variant in node.get(key) or []:
            if not isinstance(variant, dict) or not isinstance(
                variant.get("$ref"), str
            ):
                self._warn(
                    target,
                    "a discriminated union with an inline variant is generated as a plain union",
                )
                return ()
            ref_target = self.resolver.follow(variant, target.doc, target.pointer)
            name = self._names_by_target.get(ref_target.key)
            if name is None:
                return ()
            if name not in tags.values():
                tags[ref_target.pointer.rsplit("/", 1)[-1]] = name
        return tuple(tags.items())

    def _discriminator(self, node: dict[str, Any]) -> str | None:
        disc = node.get("discriminator")
        if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
            return disc["propertyName"]
        return None

    def _inline_object(self, target: Target, hint: str) -> SchemaType:
        node = target.data
        parts = node.get("allOf")
        # `allOf: [{$ref: X}]` alone (a common way to add a description to a reference) is just X.
        if isinstance(parts, list) and len(parts) == 1 and not node.get("properties"):
            only = parts[0]
            if isinstance(only, dict) and "$ref" in only:
                return self.schema_type(
                    only, target.doc, target.pointer + "/allOf/0", hint
                )
        shape = json.dumps([str(target.doc.path), node], sort_keys=True, default=str)
        name = self._by_shape.get(shape)
        if name is not None:
            return ModelRef(name)
        name = self._allocate(target, hint)
        self._by_shape[shape] = name
        self._build_class(target, name)
        return ModelRef(name)

    # -- classes -------------------------------------------------------------------------------------------
    def _register(self, model: Model) -> None:
        self.models[model.name] = model

    def _build_class(self, target: Target, name: str) -> None:
        if name in self.models:
            return
        node: dict[str, Any] = target.data
        self._warn_ignored(target)
        description = spec_text(node.get("description")) or spec_text(node.get("title"))
        if (
            "enum" in node
            and self._types_of(node) != ["boolean"]
            and "properties" not in node
        ):
            self._register(self._enum_model(target, name, description))
            return
        if (
            ("oneOf" in node or "anyOf" in node)
            and "properties" not in node
            and "allOf" not in node
        ):
            placeholder = RootModel(
                name, self._module_for(name), target.pointer, description, AnyType()
            )
            self._register(
                placeholder
            )  # reserves the name while the variants are built (recursion)
            key = "oneOf" if "oneOf" in node else "anyOf"
            variants = tuple(self._variants(target, key, name))
            tags = self._tags(target, key)
            union: SchemaType = (
                UnionType(variants, self._discriminator(node), tags)
                if len(variants) > 1
                else variants[0] if variants else AnyType()
            )
            if self._is_nullable(node) or any(
                isinstance(v, dict) and v.get("type") == "null"
                for v in node.get(key, [])
            ):
                union = Nullable(union)
            self._register(
                RootModel(
                    name,
                    placeholder.module,
                    target.pointer,
                    description,
                    union,
                    example_of(node),
                    composition=key if variants else "",  # type: ignore[arg-type]
                    variants=variants,
                    discriminator=self._discriminator(node),
                    tags=tags,
                )
            )
            return
        module = self._module_for(name)
        # Register first, so a property that refers back to this model sees the class.
        self._register(ObjectModel(name, module, target.pointer, description, ()))
        properties, required, additional, closed = self._collect_object(target, name)
        fields = self._fields(properties, required, name)
        self._register(
            ObjectModel(
                name=name,
                module=module,
                pointer=target.pointer,
                description=description,
                fields=tuple(fields),
                additional=additional,
                closed=closed,
                deprecated=bool(node.get("deprecated")),
                example=example_of(node),
            )
        )

    def _enum_model(self, target: Target, name: str, description: str) -> EnumModel:
        node = target.data
        values = [v for v in node["enum"] if v is not None]
        descriptions = node.get("x-enum-descriptions") or []
        varnames = node.get("x-enum-varnames") or []
        scope = Scope({"name", "value", "from_json"})
        members = []
        for i, value in enumerate(values):
            wanted = (
                varnames[i]
                if i < len(varnames) and isinstance(varnames[i], str)
                else None
            )
            member = scope.claim(
                enum_varname(wanted) if wanted else enum_member_name(value)
            )
            text = (
                descriptions[i]
                if i < len(descriptions) and isinstance(descriptions[i], str)
                else ""
            )
            members.append(EnumMember(member, value, text))
        kinds = {type(v) for v in values}
        if kinds <= {int}:
            value_type = "int"
        elif kinds <= {int, float}:
            value_type = "float"
        else:
            value_type = "str"
            if kinds != {str}:
                self._warn(
                    target, "an enum mixing types is generated with string values"
                )
                members = [
                    EnumMember(m.py_name, str(m.value), m.description) for m in members
                ]
        return EnumModel(
            name,
            self._module_for(name),
            target.pointer,
            description,
            tuple(members),
            value_type,
        )

    def _collect_object(
        self, target: Target, name: str
    ) -> tuple[list[tuple[str, Any, Document, str]], set[str], SchemaType | None, bool]:
        """Properties (with where they are written), required names and additionalProperties, merging allOf."""
        properties: dict[str, tuple[str, Any, Document, str]] = {}
        required: set[str] = set()
        additional: SchemaType | None = None
        closed = False
        seen_parts: set[tuple[str, str]] = set()

        def visit(t: Target) -> None:
            nonlocal additional, closed
            if t.key in seen_parts or not isinstance(t.data, dict):
                return
            seen_parts.add(t.key)
            node = t.data
            for i, part in enumerate(node.get("allOf") or []):
                visit(self.resolver.follow(part, t.doc, f"{t.pointer}/allOf/{i}"))
            if ("oneOf" in node or "anyOf" in node) and t is not target:
                self._warn(
                    t,
                    f"a oneOf/anyOf inside an allOf is not merged into {name}; its fields are untyped",
                )
            props = node.get("properties") or {}
            if isinstance(props, dict):
                for prop, schema in props.items():
                    where = f"{t.pointer}/properties/{escape_pointer_token(prop)}"
                    properties.pop(prop, None)  # a later part overrides an earlier one
                    properties[prop] = (prop, schema, t.doc, where)
            req = node.get("required") or []
            if isinstance(req, list):
                required.update(r for r in req if isinstance(r, str))
            extra = node.get("additionalProperties")
            if extra is False:
                closed = True
            elif isinstance(extra, dict) and extra:
                additional = self.schema_type(
                    extra, t.doc, t.pointer + "/additionalProperties", name + "Value"
                )

        visit(target)
        return list(properties.values()), required, additional, closed

    def _fields(
        self,
        properties: list[tuple[str, Any, Document, str]],
        required: set[str],
        owner: str,
    ) -> list[Field]:
        scope = Scope(FIELD_RESERVED)
        fields = []
        for prop, schema, doc, where in properties:
            py_name = scope.claim(python_identifier(prop, reserved=FIELD_RESERVED))
            t = self.schema_type(
                schema, doc, where, owner + class_name(prop, reserved=frozenset())
            )
            node = schema if isinstance(schema, dict) else {}
            resolved = (
                self.resolver.follow(schema, doc, where).data
                if "$ref" in node
                else node
            )
            resolved = resolved if isinstance(resolved, dict) else {}
            # A $ref'd property documents itself with its own (sibling) description, not the target's.
            description = spec_text(node.get("description"))
            if not description and "$ref" not in node:
                description = spec_text(resolved.get("description"))
            read_only = bool(node.get("readOnly") or resolved.get("readOnly"))
            write_only = bool(node.get("writeOnly") or resolved.get("writeOnly"))
            enum_descriptions: tuple[tuple[str, str], ...] = ()
            if isinstance(resolved.get("enum"), list):
                texts = resolved.get("x-enum-descriptions") or []
                enum_descriptions = tuple(
                    (
                        str(v),
                        (
                            texts[i]
                            if i < len(texts) and isinstance(texts[i], str)
                            else ""
                        ),
                    )
                    for i, v in enumerate(resolved["enum"])
                    if v is not None
                )
            example = example_of(node)
            if not example.present:
                example = example_of(resolved)
            # A default written beside a $ref wins over the referenced schema's own (an inherited allOf
            # property brings its own schema, so its default comes with it).
            source = node if "default" in node else resolved
            fields.append(
                Field(
                    py_name=py_name,
                    wire_name=prop,
                    type=t,
                    required=prop in required and not read_only and not write_only,
                    description=description,
                    default=(
                        Example(source["default"])
                        if "default" in source
                        else NO_EXAMPLE
                    ),
                    example=example,
                    read_only=read_only,
                    write_only=write_only,
                    deprecated=bool(node.get("deprecated")),
                    enum_descriptions=enum_descriptions,
                )
            )
        return fields


def _is_decimal_input(variants: Any) -> bool:
    """``anyOf: [{type: number}, {type: string}]`` (a null variant aside): what pydantic (FastAPI) writes
    for a ``Decimal`` a request may give as a number or as text. Typed ``Decimal``, sent as text (exact).
    """
    if not isinstance(variants, list):
        return False
    kinds = []
    for v in variants:
        if not isinstance(v, dict):
            return False
        if v.get("type") == "null":
            continue
        if v.get("type") == "number" and not set(v) - _NUMBER_KEYWORDS:
            kinds.append("number")
        elif v.get("type") == "string" and (
            not set(v) - {"type", "title"} or v.get("pattern") in _DECIMAL_PATTERNS
        ):
            kinds.append("string")
        else:
            return False
    return sorted(kinds) == ["number", "string"]


_NUMBER_KEYWORDS = frozenset(
    {
        "type",
        "title",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    }
)
