"""Realistic, schema-valid JSON payloads built from an OpenAPI document (deterministic, seeded).

``instance(spec, "Asset", rng)`` walks the component schema: required properties always, optional ones
often near the root and rarely deep down (so recursive models stay finite), enums from their values, string
formats honoured (uuid, date-time, byte), examples used where the spec gives them, and code-sized text for a
fragment's ``raw`` string. ``assets_payload(spec, min_bytes)`` is a Pieces ``Assets`` list of at least
``min_bytes`` of JSON, each asset with nested formats, the models benchmark's input.
"""

from __future__ import annotations

import base64
import datetime
import json
import random
import uuid
from typing import Any

__all__ = ["instance", "assets_payload", "small_seed"]

_WORDS = (
    "parse openapi document client generator request response schema model field value stream asset format "
    "fragment preview snippet python typed async token header query path body upload download search filter"
).split()
_CODE = '''def {name}(spec: dict, *, strict: bool = True) -> list[str]:
    """Return the operation ids of {name} in declaration order."""
    seen: set[str] = set()
    out: list[str] = []
    for path, item in spec.get("paths", {{}}).items():
        for method, op in item.items():
            oid = op.get("operationId") or f"{{method}}_{{path}}"
            if strict and oid in seen:
                raise ValueError(f"duplicate operationId {{oid!r}} at {{path}}")
            seen.add(oid)
            out.append(oid)
    return out
'''


def _text(rng: random.Random, lo: int = 1, hi: int = 8) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(lo, hi)))


def _string(name: str, schema: dict[str, Any], rng: random.Random) -> str:
    fmt = schema.get("format")
    if "enum" in schema:
        return str(rng.choice(schema["enum"]))
    if fmt == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if fmt == "date-time":
        moment = datetime.datetime(
            2024, 1, 1, tzinfo=datetime.timezone.utc
        ) + datetime.timedelta(
            seconds=rng.randint(0, 3 * 365 * 86400),
            microseconds=rng.randint(0, 999) * 1000,
        )
        return moment.isoformat().replace("+00:00", "Z")
    if fmt == "date":
        return (
            datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 1000))
        ).isoformat()
    if fmt == "byte":
        return base64.b64encode(rng.randbytes(rng.randint(8, 48))).decode()
    if name == "raw":
        return "".join(
            _CODE.format(name=f"{rng.choice(_WORDS)}_{i}")
            for i in range(rng.randint(1, 4))
        )
    if (
        "example" in schema
        and isinstance(schema["example"], str)
        and rng.random() < 0.5
    ):
        return schema["example"]
    return _text(rng)


class _Walker:
    def __init__(
        self,
        spec: dict[str, Any],
        rng: random.Random,
        optional_depth: int,
        array_items: int,
    ) -> None:
        self.schemas: dict[str, Any] = spec["components"]["schemas"]
        self.rng = rng
        self.optional_depth = optional_depth
        self.array_items = array_items

    def value(self, name: str, schema: dict[str, Any], depth: int) -> Any:
        if "$ref" in schema:
            return self.value(
                name, self.schemas[schema["$ref"].rsplit("/", 1)[-1]], depth
            )
        kind = schema.get("type", "object" if "properties" in schema else "string")
        rng = self.rng
        if "enum" in schema:
            return rng.choice(schema["enum"])
        if kind == "object":
            out: dict[str, Any] = {}
            required = set(schema.get("required", ()))
            for prop, sub in schema.get("properties", {}).items():
                keep = prop in required or (
                    depth < self.optional_depth
                    and rng.random() < (0.8 if depth < 2 else 0.35)
                )
                if keep and prop != "schema":
                    out[prop] = self.value(prop, sub, depth + 1)
            extra = schema.get("additionalProperties")
            if (
                isinstance(extra, dict)
                and depth < self.optional_depth
                and not schema.get("properties")
            ):
                for _ in range(rng.randint(1, 3)):
                    out[rng.choice(_WORDS)] = self.value("", extra, depth + 1)
            return out
        if kind == "array":
            count = (
                rng.randint(1, self.array_items) if depth < self.optional_depth else 0
            )
            count = max(count, schema.get("minItems", 0))
            return [
                self.value(name, schema.get("items", {}), depth + 1)
                for _ in range(count)
            ]
        if kind == "integer":
            return rng.randint(schema.get("minimum", 0), schema.get("maximum", 100_000))
        if kind == "number":
            return round(rng.uniform(0, 1000), 3)
        if kind == "boolean":
            return rng.random() < 0.5
        return _string(name, schema, rng)


def instance(
    spec: dict[str, Any],
    schema_name: str,
    rng: random.Random,
    *,
    optional_depth: int = 4,
    array_items: int = 3,
) -> Any:
    """A JSON value valid against ``#/components/schemas/<schema_name>``."""
    walker = _Walker(spec, rng, optional_depth, array_items)
    return walker.value(schema_name, {"$ref": f"#/components/schemas/{schema_name}"}, 0)


def assets_payload(spec: dict[str, Any], min_bytes: int, seed: int = 2024) -> bytes:
    """JSON of a Pieces ``Assets`` with as many assets as it takes to reach ``min_bytes``."""
    rng = random.Random(seed)
    assets: list[Any] = []
    size = 0
    while size < min_bytes:
        asset = instance(spec, "Asset", rng, optional_depth=5, array_items=3)
        asset["formats"] = {
            "iterable": [
                instance(spec, "Format", rng, optional_depth=4) for _ in range(3)
            ]
        }
        assets.append(asset)
        size += len(json.dumps(asset, separators=(",", ":")))
    return json.dumps({"iterable": assets}, separators=(",", ":")).encode()


def small_seed(spec: dict[str, Any]) -> dict[str, Any]:
    """A small valid ``Seed`` (required fields only), the POST benchmark's body."""
    return instance(spec, "Seed", random.Random(7), optional_depth=0)  # type: ignore[no-any-return]
