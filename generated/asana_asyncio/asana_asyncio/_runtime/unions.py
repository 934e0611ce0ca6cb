"""``ApiUnionModel``: the base of generated ``oneOf``/``anyOf`` models, with OpenAPI Generator's surface.

A union model holds one value, ``actual_instance``, typed as the union of its variants, plus one field per
variant (``oneof_schema_1_validator``, …; ``anyof_…`` for anyOf) that validates a value against that variant
alone, constraints included::

    color = Color([128, 128, 128])            # or Color(actual_instance=...), Color(oneof_schema_1_validator=...)
    color.actual_instance                     # [128, 128, 128]
    Color.from_json("[12, 34, 56]").to_json() # '[12, 34, 56]'

``oneOf`` needs exactly one variant to accept the value, ``anyOf`` takes the first that does (variants in
the spec's order); with a discriminator, the variant is chosen by the discriminating property. Scalars are
matched strictly (``"1"`` is not an integer, ``1`` not a string), as in OpenAPI Generator's clients, so a
value never matches a variant only by conversion. Failures raise ``ValueError`` (``ValidationError`` is one)
with OpenAPI Generator's messages (``No match found when …``, ``Multiple matches found when …``) followed by
each variant's own error.

Inside other models a union field is parsed from and serialised to its plain JSON value.
"""

from __future__ import annotations

import enum
import json
import operator
import pprint
import sys
import types
from collections.abc import Callable
from functools import reduce
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

import pydantic
from pydantic import (
    ConfigDict,
    StrictBool,
    StrictBytes,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    field_validator,
    model_serializer,
    model_validator,
)

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Self

__all__ = ["ApiUnionModel", "DiscriminatorLookupError", "strict_scalars"]

_STRICT: dict[Any, Any] = {
    str: StrictStr,
    int: StrictInt,
    bool: StrictBool,
    bytes: StrictBytes,
    float: Union[StrictFloat, StrictInt],  # noqa: UP007 - a runtime type object
}


# Subscripted with types only known at run time (type checkers cannot follow that).
_ANNOTATED: Any = Annotated
_DICT: Any = dict


def strict_scalars(tp: Any) -> Any:
    """``tp`` with every ``str``/``int``/``float``/``bool``/``bytes`` inside it made strict (``Annotated``
    metadata, containers and unions kept), so a value matches a scalar only when it has that type.
    """
    if tp in _STRICT:
        return _STRICT[tp]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _ANNOTATED[(strict_scalars(args[0]), *tp.__metadata__)]
    if origin in (Union, types.UnionType):
        return reduce(operator.or_, (strict_scalars(a) for a in args))
    if origin in (list, set, frozenset, tuple) and args:
        return origin[tuple(strict_scalars(a) for a in args)]
    if origin is dict and args:
        return _DICT[args[0], strict_scalars(args[1])]
    return tp  # models, enums, Literal, datetime, Any …


class DiscriminatorLookupError(ValueError, AttributeError):
    """A discriminated union was given a value that is not a JSON object. OpenAPI Generator's clients raise
    ``AttributeError`` there (with the same message), so this is both that and a ``ValueError``.
    """


class _Arguments:
    """The keyword arguments of a constructor call, told apart from a raw value to parse."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values


class _Variant:
    """One variant: its field, its name in messages, and the strict adapter that checks a value."""

    __slots__ = ("adapter", "enum", "field", "model", "name")

    def __init__(self, field: str, name: str, annotation: Any) -> None:
        self.field = field
        self.name = name
        bare = annotation
        while get_origin(bare) is Annotated:
            bare = get_args(bare)[0]
        self.enum = (
            bare if isinstance(bare, type) and issubclass(bare, enum.Enum) else None
        )
        self.model = (
            bare
            if isinstance(bare, type) and issubclass(bare, pydantic.BaseModel)
            else None
        )
        self.adapter: TypeAdapter[Any] = TypeAdapter(strict_scalars(annotation))

    def check(self, value: Any) -> Any:
        """The value as this variant holds it; raises ``ValueError`` with the variant's own message."""
        if self.enum is not None and not isinstance(value, self.enum):
            return self.enum(value)  # "'e' is not a valid EnumString1"
        return self.adapter.validate_python(value)


# Built on first use, per union class: the variants' checks, and the serialiser of ``actual_instance``.
_VARIANTS: dict[type[ApiUnionModel], tuple[_Variant, ...]] = {}
_DUMPERS: dict[type[ApiUnionModel], TypeAdapter[Any]] = {}


class ApiUnionModel(pydantic.BaseModel):
    """Base of generated ``oneOf``/``anyOf`` models (see the module docstring).

    Subclasses declare the variant fields and ``actual_instance``, and set the class variables below.
    """

    model_config = ConfigDict(
        validate_assignment=True,
        protected_namespaces=(),
        defer_build=True,
        validate_by_name=True,
    )

    union_kind: ClassVar[Literal["oneOf", "anyOf"]] = "oneOf"
    """``oneOf``: exactly one variant must accept a value; ``anyOf``: the first that does is used."""
    variant_fields: ClassVar[tuple[str, ...]] = ()
    """The variant fields, in the spec's order."""
    variant_names: ClassVar[tuple[str, ...]] = ()
    """Each variant's type as OpenAPI Generator's messages name it (``List[int]``, ``BasquePig``)."""
    discriminator: ClassVar[tuple[str, dict[str, str]] | None] = None
    """The discriminating property's wire name and its values' variant fields, when the spec names one."""
    nullable: ClassVar[bool] = False

    actual_instance: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            if len(args) > 1:
                raise ValueError(
                    "If a position argument is used, only 1 is allowed to set `actual_instance`"
                )
            if kwargs:
                raise ValueError(
                    "If a position argument is used, keyword arguments cannot be used."
                )
            kwargs = {"actual_instance": args[0]}
        self.__pydantic_validator__.validate_python(
            _Arguments(kwargs), self_instance=self
        )

    # -- the variants ---------------------------------------------------------------------------------------

    @classmethod
    def _variants(cls) -> tuple[_Variant, ...]:
        cached = _VARIANTS.get(cls)
        if cached is None:
            cls.model_rebuild()  # resolve forward references of deferred models first
            cached = tuple(
                _Variant(name, label, _field_type(cls.model_fields[name]))
                for name, label in zip(
                    cls.variant_fields, cls.variant_names, strict=True
                )
            )
            _VARIANTS[cls] = cached
        return cached

    @classmethod
    def _schemas(cls) -> str:
        return ", ".join(sorted(set(cls.variant_names)))

    @classmethod
    def _match(cls, value: Any, setting: bool) -> tuple[str, Any] | None:
        """The variant field and value ``value`` matches (None: no variant, for a null of a nullable
        union). Raises ``ValueError`` with OpenAPI Generator's message when none (or, for oneOf, more than
        one) matches."""
        kind = cls.union_kind
        variants = cls._variants()
        if cls.discriminator is not None and not setting:
            chosen = cls._by_discriminator(value, variants)
            if chosen is not None:
                return chosen.field, chosen.check(value)
        matches: list[tuple[str, Any]] = []
        errors: list[str] = []
        for variant in variants:
            if (
                setting
                and kind == "anyOf"
                and variant.model is not None
                and not isinstance(value, (variant.model, dict))
            ):
                errors.append(
                    f"Error! Input type `{type(value)}` is not `{variant.name}`"
                )
                continue
            try:
                checked = variant.check(value)
            except ValueError as exc:  # ValidationError included
                errors.append(str(exc))
                continue
            if kind == "anyOf":
                return variant.field, checked
            matches.append((variant.field, checked))
        if len(matches) == 1:
            return matches[0]
        where = (
            f"setting `actual_instance` in {cls.__name__}"
            if setting and kind == "oneOf"
            else (
                f"setting the actual_instance in {cls.__name__}"
                if setting
                else f"deserializing the JSON string into {cls.__name__}"
            )
        )
        found = "Multiple matches" if matches else "No match"
        raise ValueError(
            f"{found} found when {where} with {kind} schemas: {cls._schemas()}. "
            f"Details: {', '.join(errors)}"
        )

    @classmethod
    def _by_discriminator(
        cls, value: Any, variants: tuple[_Variant, ...]
    ) -> _Variant | None:
        assert cls.discriminator is not None
        prop, fields = cls.discriminator
        if isinstance(value, pydantic.BaseModel):
            return None  # an instance: matched by its type
        if not isinstance(value, dict):
            # OpenAPI Generator's clients look the property up with ``value.get`` and fail with this.
            raise DiscriminatorLookupError(
                f"'{type(value).__name__}' object has no attribute 'get'"
            )
        tag = value.get(prop)
        if not tag:
            raise ValueError(
                f"Failed to lookup data type from the field `{prop}` in the input."
            )
        field = fields.get(tag) if isinstance(tag, str) else None
        return next((v for v in variants if v.field == field), None)

    # -- building -------------------------------------------------------------------------------------------

    @model_validator(mode="wrap")
    @classmethod
    def _validate(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        if isinstance(
            data, _Arguments
        ):  # a constructor call: validate the fields given
            values = dict(data.values)
            instance = handler(values)
            if values.get("actual_instance") is None:
                # Set through a variant field: that value is the union's value too.
                for field in cls.variant_fields:
                    if values.get(field) is not None:
                        object.__setattr__(
                            instance, "actual_instance", getattr(instance, field)
                        )
                        break
            return instance
        if isinstance(
            data, cls
        ):  # an instance (as a field value), or an assignment to one
            return handler(data)
        return cls._parse(
            data
        )  # a plain JSON value (inside another model, model_validate)

    @field_validator("actual_instance", mode="wrap")
    @classmethod
    def _check_instance(cls, value: Any, handler: Callable[[Any], Any]) -> Any:
        if value is None:
            return None
        if cls.union_kind == "oneOf":
            value = handler(
                value
            )  # pydantic's own check of the typed union comes first
        matched = cls._match(value, setting=True)
        return None if matched is None else matched[1]

    @classmethod
    def _parse(cls, value: Any) -> Self:
        if value is None and cls.nullable:
            return cls.model_construct()
        matched = cls._match(value, setting=False)
        if matched is None:
            return cls.model_construct()
        field, checked = matched
        instance = cls.model_construct()
        # Set without validation: the value was just checked against its variant.
        object.__setattr__(instance, field, checked)
        object.__setattr__(instance, "actual_instance", checked)
        instance.__pydantic_fields_set__ = {field, "actual_instance"}
        return instance

    @classmethod
    def from_dict(cls, obj: Any) -> Self:
        """The union holding ``obj`` (parsed JSON data; models are taken as they are)."""
        return cls._parse(obj)

    @classmethod
    def from_json(cls, json_str: str | bytes | bytearray | None) -> Self:
        """Parse JSON text into the union (``None`` gives an empty union for a nullable one)."""
        if json_str is None:
            if cls.nullable:
                return cls.model_construct()
            raise ValueError(f"{cls.__name__} is not nullable: JSON text is required")
        return cls._parse(json.loads(json_str))

    # -- output ---------------------------------------------------------------------------------------------

    @classmethod
    def _dumper(cls) -> TypeAdapter[Any]:
        cached = _DUMPERS.get(cls)
        if cached is None:
            cls.model_rebuild()
            cached = TypeAdapter(_field_type(cls.model_fields["actual_instance"]))
            _DUMPERS[cls] = cached
        return cached

    @model_serializer(mode="wrap")
    def _serialize(
        self, handler: Callable[[Any], Any], info: pydantic.SerializationInfo
    ) -> Any:
        if self.actual_instance is None:
            return None
        return self._dumper().dump_python(
            self.actual_instance,
            mode="json" if info.mode == "json" else "python",
            by_alias=True,
            exclude_unset=info.exclude_unset,
            exclude_none=info.exclude_none,
        )

    def to_dict(self) -> Any:
        """The JSON-compatible value (``None`` when empty); models by wire name, unset fields left out."""
        if self.actual_instance is None:
            return None
        return self._dumper().dump_python(
            self.actual_instance, mode="json", by_alias=True, exclude_unset=True
        )

    def to_json(self) -> str:
        """``json.dumps(self.to_dict())`` (``"null"`` when empty), as OpenAPI Generator's clients write it."""
        return json.dumps(self.to_dict())

    def to_str(self) -> str:
        """A readable, pretty-printed form of the value."""
        return pprint.pformat(self.to_dict())

    @property
    def root(self) -> Any:
        """``actual_instance``, under the name a pydantic ``RootModel`` would give it."""
        return self.actual_instance


def _field_type(info: pydantic.fields.FieldInfo) -> Any:
    """A field's annotation with its metadata (constraints) and without the ``| None`` every variant
    field carries."""
    annotation = info.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        args = tuple(a for a in get_args(annotation) if a is not type(None))
        annotation = reduce(operator.or_, args) if args else Any
    if info.metadata:
        return _ANNOTATED[(annotation, *info.metadata)]
    return annotation
