"""Schema kinds of the intermediate model.

Each kind answers for itself what the templates need: its Python ``annotation``, its ``doc_type`` in the form
OpenAPI Generator's docs show (``List[str]``, ``Dict[str, int]``, ``bytearray``), and the model classes it
refers to. Named models are referred to by :class:`ModelRef` (by name), so recursive schemas stay finite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

PrimitiveName = Literal[
    "str", "int", "float", "bool", "bytes", "datetime", "date", "Decimal", "UUID"
]


@dataclass(frozen=True, slots=True)
class Constraints:
    """Validation keywords of a scalar or array schema, checked by the runtime's ``validators.Limits`` on
    values built in Python (construction, assignment, ``from_dict``, union variants), not on JSON parsed
    from text (responses, ``from_json``).

    ``pattern`` is the spec's regular expression as written (``/…/flags`` included, as some specs write
    it), checked with Python's ``re`` and OpenAPI Generator's message.
    """

    ge: int | float | None = None
    gt: int | float | None = None
    le: int | float | None = None
    lt: int | float | None = None
    multiple_of: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None

    def field_arguments(self) -> str:
        """``ge=0, le=255, pattern='…'``: the keyword arguments of the runtime's ``validators.Limits``
        that checks them ("" when none)."""
        parts = []
        for name in (
            "ge",
            "gt",
            "le",
            "lt",
            "multiple_of",
            "min_length",
            "max_length",
        ):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self.pattern is not None:
            parts.append(f"pattern={_quoted(self.pattern)}")
        return ", ".join(parts)

    def wrap(self, annotation: str) -> str:
        """``annotation`` with these constraints as ``Annotated`` metadata."""
        arguments = self.field_arguments()
        return (
            f"Annotated[{annotation}, _v.Limits({arguments})]"
            if arguments
            else annotation
        )

    @property
    def imports(self) -> frozenset[str]:
        return frozenset({"Annotated", "_v"}) if self.field_arguments() else frozenset()


def _quoted(text: str) -> str:
    """A Python string literal for spec text: ``repr`` escapes quotes, backslashes and every character
    that is not printable (line breaks, controls, bidirectional overrides)."""
    return repr(text)


@dataclass(frozen=True, slots=True)
class Primitive:
    """A JSON scalar with an optional format: ``string``/``date-time`` → ``datetime``."""

    python: PrimitiveName
    format: str | None = None
    constraints: Constraints | None = None
    kind: Literal["primitive"] = "primitive"
    json_number: bool = (
        False  # a Decimal sent as a JSON number (`type: number`), else as a string
    )

    @property
    def annotation(self) -> str:
        return self.python

    @property
    def field_annotation(self) -> str:
        """The annotation with the schema's constraints (what model fields and union variants use); a
        Decimal also says how it is written in JSON (the runtime's ``decimals``)."""
        if self.python == "Decimal":
            return self._decimal_annotation()
        if self.constraints is None:
            return self.python
        return self.constraints.wrap(self.python)

    def _decimal_annotation(self) -> str:
        form = "_v.DECIMAL_NUMBER" if self.json_number else "_v.DECIMAL_TEXT"
        arguments = self.constraints.field_arguments() if self.constraints else ""
        limits = f", _v.Limits({arguments})" if arguments else ""
        return f"Annotated[Decimal, {form}{limits}]"

    @property
    def doc_type(self) -> str:
        if self.format in ("binary", "byte") or self.python == "bytes":
            return "bytearray"
        return self.python

    @property
    def model_refs(self) -> frozenset[str]:
        return frozenset()

    @property
    def is_file(self) -> bool:
        return self.python == "bytes" and self.format == "binary"


@dataclass(frozen=True, slots=True)
class AnyType:
    """Any JSON value: a schema without a type, or one we could only type loosely."""

    kind: Literal["any"] = "any"

    @property
    def annotation(self) -> str:
        return "Any"

    @property
    def field_annotation(self) -> str:
        return "Any"

    @property
    def doc_type(self) -> str:
        return "object"

    @property
    def model_refs(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True, slots=True)
class ConstType:
    """A single allowed value (``const``, or a one-member inline enum): ``Literal["x"]``."""

    value: str | int | float | bool | None
    kind: Literal["const"] = "const"

    @property
    def annotation(self) -> str:
        return f"Literal[{self.value!r}]"

    @property
    def field_annotation(self) -> str:
        return self.annotation

    @property
    def doc_type(self) -> str:
        return "str" if isinstance(self.value, str) else type(self.value).__name__

    @property
    def model_refs(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True, slots=True)
class LiteralType:
    """An inline enum: one of a few allowed scalar values, ``Literal['a', 'b']``."""

    values: tuple[str | int | float | bool, ...]
    kind: Literal["literal"] = "literal"

    @property
    def annotation(self) -> str:
        return "Literal[" + ", ".join(repr(v) for v in self.values) + "]"

    @property
    def field_annotation(self) -> str:
        """The literal, checked first against the values for OpenAPI Generator's message."""
        values = ", ".join(repr(v) for v in self.values)
        values += "," if len(self.values) == 1 else ""
        return f"Annotated[{self.annotation}, _v.OneOf(({values}))]"

    @property
    def doc_type(self) -> str:
        first = self.values[0] if self.values else ""
        return "str" if isinstance(first, str) else type(first).__name__

    @property
    def model_refs(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A reference to a named model (object, enum or union class) by its class name."""

    name: str
    kind: Literal["ref"] = "ref"

    @property
    def annotation(self) -> str:
        return self.name

    @property
    def field_annotation(self) -> str:
        return self.name

    @property
    def doc_type(self) -> str:
        return self.name

    @property
    def model_refs(self) -> frozenset[str]:
        return frozenset({self.name})


@dataclass(frozen=True, slots=True)
class ArrayType:
    item: SchemaType
    unique: bool = False
    constraints: Constraints | None = (
        None  # min_length / max_length: minItems / maxItems
    )
    kind: Literal["array"] = "array"

    @property
    def annotation(self) -> str:
        return f"list[{self.item.annotation}]"

    @property
    def field_annotation(self) -> str:
        inner = f"list[{self.item.field_annotation}]"
        return inner if self.constraints is None else self.constraints.wrap(inner)

    @property
    def doc_type(self) -> str:
        return f"List[{self.item.doc_type}]"

    @property
    def model_refs(self) -> frozenset[str]:
        return self.item.model_refs


@dataclass(frozen=True, slots=True)
class MapType:
    """An object used as a map (``additionalProperties`` with no fixed properties)."""

    value: SchemaType
    kind: Literal["map"] = "map"

    @property
    def annotation(self) -> str:
        return f"dict[str, {self.value.annotation}]"

    @property
    def field_annotation(self) -> str:
        return f"dict[str, {self.value.field_annotation}]"

    @property
    def doc_type(self) -> str:
        return f"Dict[str, {self.value.doc_type}]"

    @property
    def model_refs(self) -> frozenset[str]:
        return self.value.model_refs


@dataclass(frozen=True, slots=True)
class UnionType:
    """``oneOf``/``anyOf`` of several types; with a discriminator when the spec names one."""

    variants: tuple[SchemaType, ...]
    discriminator: str | None = None
    tags: tuple[
        tuple[str, str], ...
    ] = ()  # (discriminator value, class name): a discriminated union
    kind: Literal["union"] = "union"

    @property
    def discriminated_annotation(self) -> str:
        """A pydantic discriminated union (``Annotated[... , Discriminator(...)]``), "" when not one.

        Each variant is tagged with its class name; the discriminator maps the wire value of the property to
        that name (a model instance is tagged by its class), so several values may select one class.
        """
        names = [v.name for v in self.variants if isinstance(v, ModelRef)]
        if not self.discriminator or not self.tags or len(names) != len(self.variants):
            return ""
        if not {n for _, n in self.tags} >= set(names):
            return ""
        choices = " | ".join(
            f"Annotated[{n}, Tag({n!r})]" for n in dict.fromkeys(names)
        )
        table = "{" + ", ".join(f"{v!r}: {n!r}" for v, n in self.tags) + "}"
        pick = f"lambda v: {table}.get(v.get({self.discriminator!r})) if isinstance(v, dict) else type(v).__name__"
        return f"Annotated[{choices}, Discriminator({pick})]"

    @property
    def annotation(self) -> str:
        return " | ".join(dict.fromkeys(v.annotation for v in self.variants))

    @property
    def field_annotation(self) -> str:
        return " | ".join(dict.fromkeys(v.field_annotation for v in self.variants))

    @property
    def doc_type(self) -> str:
        return " | ".join(dict.fromkeys(v.doc_type for v in self.variants))

    @property
    def model_refs(self) -> frozenset[str]:
        refs: frozenset[str] = frozenset()
        for variant in self.variants:
            refs |= variant.model_refs
        return refs


@dataclass(frozen=True, slots=True)
class Nullable:
    """A type that also admits JSON ``null``."""

    inner: SchemaType
    kind: Literal["nullable"] = "nullable"

    @property
    def annotation(self) -> str:
        return f"{self.inner.annotation} | None"

    @property
    def field_annotation(self) -> str:
        return f"{self.inner.field_annotation} | None"

    @property
    def doc_type(self) -> str:
        return self.inner.doc_type

    @property
    def model_refs(self) -> frozenset[str]:
        return self.inner.model_refs


SchemaType = (
    Primitive
    | AnyType
    | ConstType
    | LiteralType
    | ModelRef
    | ArrayType
    | MapType
    | UnionType
    | Nullable
)


def strip_nullable(t: SchemaType) -> SchemaType:
    return t.inner if isinstance(t, Nullable) else t


def field_imports(t: SchemaType) -> frozenset[str]:
    """What ``t.field_annotation`` needs beyond ``needs_imports(t)``: ``Annotated``, pydantic's ``Field``
    and the runtime's validators (imported as ``_v``)."""
    if isinstance(t, Primitive):
        if t.python == "Decimal":
            return frozenset({"Annotated", "_v"})
        return t.constraints.imports if t.constraints is not None else frozenset()
    if isinstance(t, LiteralType):
        return frozenset({"Annotated", "_v"})
    if isinstance(t, ArrayType):
        own = t.constraints.imports if t.constraints is not None else frozenset()
        return own | field_imports(t.item)
    if isinstance(t, MapType):
        return field_imports(t.value)
    if isinstance(t, Nullable):
        return field_imports(t.inner)
    if isinstance(t, UnionType):
        out: frozenset[str] = frozenset()
        for v in t.variants:
            out |= field_imports(v)
        return out
    return frozenset()


def needs_imports(t: SchemaType) -> frozenset[str]:
    """Names from ``typing``/``datetime``/``decimal`` an annotation of ``t`` uses."""
    if isinstance(t, Primitive):
        return (
            frozenset({t.python})
            if t.python in ("datetime", "date", "Decimal", "UUID")
            else frozenset()
        )
    if isinstance(t, AnyType):
        return frozenset({"Any"})
    if isinstance(t, (ConstType, LiteralType)):
        return frozenset({"Literal"})
    if isinstance(t, (ArrayType,)):
        return needs_imports(t.item)
    if isinstance(t, MapType):
        return needs_imports(t.value)
    if isinstance(t, Nullable):
        return needs_imports(t.inner)
    if isinstance(t, UnionType):
        out: frozenset[str] = frozenset()
        for v in t.variants:
            out |= needs_imports(v)
        return out
    return frozenset()


@dataclass(frozen=True, slots=True)
class Example:
    """An example value from the spec (JSON data), kept as data: renderers turn it into a literal."""

    value: Any
    present: bool = True


NO_EXAMPLE = Example(None, present=False)


@dataclass(frozen=True, slots=True)
class Field:
    """One property of an object model."""

    py_name: str
    wire_name: str
    type: SchemaType
    required: bool
    description: str = ""
    default: Example = NO_EXAMPLE
    example: Example = NO_EXAMPLE
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    enum_descriptions: tuple[tuple[str, str], ...] = ()

    @property
    def has_alias(self) -> bool:
        return self.py_name != self.wire_name

    @property
    def annotation(self) -> str:
        if not self.required and not isinstance(self.type, Nullable):
            return f"{self.type.annotation} | None"
        return self.type.annotation

    @property
    def field_annotation(self) -> str:
        """The annotation of the model field: ``annotation`` with the schema's constraints."""
        if not self.required and not isinstance(self.type, Nullable):
            return f"{self.type.field_annotation} | None"
        return self.type.field_annotation

    @property
    def is_optional(self) -> bool:
        return not self.required


@dataclass(frozen=True, slots=True)
class EnumMember:
    py_name: str
    value: str | int | float | bool
    description: str = ""


@dataclass(frozen=True, slots=True)
class ObjectModel:
    """A named object schema: a pydantic model class."""

    name: str
    module: str
    pointer: str
    description: str
    fields: tuple[Field, ...]
    additional: SchemaType | None = (
        None  # typed additionalProperties beside fixed properties
    )
    closed: bool = False  # additionalProperties: false
    deprecated: bool = False
    example: Example = NO_EXAMPLE
    kind: Literal["object"] = "object"

    @property
    def model_refs(self) -> frozenset[str]:
        refs: frozenset[str] = frozenset()
        for f in self.fields:
            refs |= f.type.model_refs
        if self.additional is not None:
            refs |= self.additional.model_refs
        return refs - {self.name}

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


@dataclass(frozen=True, slots=True)
class EnumModel:
    """A named enum schema: a ``str``/``int`` Enum class."""

    name: str
    module: str
    pointer: str
    description: str
    members: tuple[EnumMember, ...]
    value_type: Literal["str", "int", "float"]
    kind: Literal["enum"] = "enum"

    @property
    def model_refs(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True, slots=True)
class RootModel:
    """A named schema that is not an object: a union, array or map used as a class (a pydantic RootModel)."""

    name: str
    module: str
    pointer: str
    description: str
    type: SchemaType
    example: Example = NO_EXAMPLE
    # A oneOf/anyOf schema: which keyword, its variants in the spec's order (null left out), and its
    # discriminating property with (value, class name) pairs when it has one.
    composition: Literal["", "oneOf", "anyOf"] = ""
    variants: tuple[SchemaType, ...] = ()
    discriminator: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    kind: Literal["root"] = "root"

    @property
    def model_refs(self) -> frozenset[str]:
        return self.type.model_refs - {self.name}

    @property
    def discriminated_root(self) -> str:
        """The root annotation as a pydantic discriminated union, "" when the root is not one."""
        inner = strip_nullable(self.type)
        annotation = (
            inner.discriminated_annotation if isinstance(inner, UnionType) else ""
        )
        if annotation and isinstance(self.type, Nullable):
            annotation += " | None"
        return annotation


Model = ObjectModel | EnumModel | RootModel
