"""Web reference pages (``docs/reference/<method>.md``) in the form of Plane's developer docs (seeds 001/002).

Each page has YAML front matter, the method and path, the parameters grouped by location with their enum
values, the OAuth scopes, curl / Python ``requests`` / JavaScript ``fetch`` examples whose body is built from
the body model's property examples, and the success response's example.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from ..model.api import Api, Operation, Parameter
from ..model.types import (
    ArrayType,
    ConstType,
    EnumModel,
    Field,
    LiteralType,
    MapType,
    ModelRef,
    Nullable,
    ObjectModel,
    Primitive,
    RootModel,
    SchemaType,
    UnionType,
)
from .docs_examples import example_data, object_data, placeholder
from .docs_filters import code_span, fenced, fold_lines, md_inline, yaml_scalar
from .docs_snippets import curl, javascript_fetch, python_requests

_JSON_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "Decimal": "number",
    "bool": "boolean",
}
_TOKEN = re.compile(r"[^!#$%&'*+.^_`|~0-9A-Za-z-]")


def json_type(t: SchemaType, api: Api) -> str:
    """The JSON Schema type name a reader of the web docs expects (``string``, ``integer``, ``object``)."""
    if isinstance(t, Nullable):
        return json_type(t.inner, api)
    if isinstance(t, Primitive):
        return _JSON_TYPES.get(t.python, "string")
    if isinstance(t, (ConstType, LiteralType)):
        first = (
            t.value if isinstance(t, ConstType) else (t.values[0] if t.values else "")
        )
        return _JSON_TYPES.get(type(first).__name__, "string")
    if isinstance(t, ArrayType):
        return "array"
    if isinstance(t, MapType):
        return "object"
    if isinstance(t, UnionType):
        return " | ".join(dict.fromkeys(json_type(v, api) for v in t.variants))
    if isinstance(t, ModelRef):
        model = next((m for m in api.models if m.name == t.name), None)
        if isinstance(model, EnumModel):
            return _JSON_TYPES.get(model.value_type, "string")
        if isinstance(model, RootModel):
            return json_type(model.type, api)
        return "object"
    return "any"


@dataclass(frozen=True, slots=True)
class ParamDoc:
    name: str  # a code span
    required: bool
    type: str
    description: str
    enum_lines: tuple[str, ...]  # "`value` - Description"

    @property
    def presence(self) -> str:
        return "required" if self.required else "optional"


@dataclass(frozen=True, slots=True)
class ParamGroup:
    title: str
    params: tuple[ParamDoc, ...]


@dataclass(frozen=True, slots=True)
class ReferencePage:
    title: str
    front_title: str
    front_description: str
    front_keywords: str
    http_method: str
    path: str  # a code span
    summary: str
    groups: tuple[ParamGroup, ...]
    scopes: tuple[str, ...]
    curl: str
    python: str
    javascript: str
    response_status: str
    response_json: str


def _enum_lines(
    f_type: SchemaType, descriptions: tuple[tuple[str, str], ...], api: Api
) -> tuple[str, ...]:
    pairs: list[tuple[object, str]] = list(descriptions)
    inner = f_type.inner if isinstance(f_type, Nullable) else f_type
    if not pairs and isinstance(inner, ModelRef):
        model = next((m for m in api.models if m.name == inner.name), None)
        if isinstance(model, EnumModel):
            pairs = [(m.value, m.description) for m in model.members]
    if not pairs and isinstance(inner, LiteralType):
        pairs = [(v, "") for v in inner.values]
    return tuple(
        f"{code_span(str(v))} - {md_inline(d)}" if d else code_span(str(v))
        for v, d in pairs
    )


def _param_doc(p: Parameter, api: Api) -> ParamDoc:
    return ParamDoc(
        code_span(p.wire_name),
        p.required,
        json_type(p.type, api),
        md_inline(p.description),
        _enum_lines(p.type, (), api),
    )


def _field_doc(f: Field, api: Api) -> ParamDoc:
    return ParamDoc(
        code_span(f.wire_name),
        f.required,
        json_type(f.type, api),
        md_inline(f.description),
        _enum_lines(f.type, f.enum_descriptions, api),
    )


def _body_model(op: Operation, api: Api) -> ObjectModel | None:
    if op.body is None or op.body.param is None:
        return None
    t = op.body.param.type
    if isinstance(t, ModelRef):
        model = next((m for m in api.models if m.name == t.name), None)
        if isinstance(model, ObjectModel):
            return model
    return None


def _groups(op: Operation, api: Api) -> tuple[ParamGroup, ...]:
    groups = []
    for location, title in (
        ("path", "Path"),
        ("query", "Query"),
        ("header", "Header"),
        ("cookie", "Cookie"),
    ):
        params = tuple(_param_doc(p, api) for p in op.params if p.location == location)
        if params:
            groups.append(ParamGroup(f"{title} Parameters", params))
    model = _body_model(op, api)
    body: tuple[ParamDoc, ...] = ()
    if model is not None:
        body = tuple(_field_doc(f, api) for f in model.fields if not f.read_only)
    elif op.body is not None:
        fields = op.body.fields or ((op.body.param,) if op.body.param else ())
        body = tuple(_param_doc(p, api) for p in fields)
    if body:
        groups.append(ParamGroup("Body Parameters", body))
    return tuple(groups)


def product_name(api: Api) -> str:
    """The product a reference page speaks of: the API title without a trailing "API" ("Plane API" → "Plane")."""
    title = fold_lines(api.title).strip()
    stripped = re.sub(r"\s+api$", "", title, flags=re.IGNORECASE).strip()
    return stripped or title or "API"


def body_data(op: Operation, api: Api) -> Any:
    """The request body the examples send: the body model's property examples in property order."""
    if op.body is None:
        return None
    model = _body_model(op, api)
    if model is not None:
        return object_data(model, api, writable=True)
    if op.body.fields:
        return {
            f.wire_name: (
                f.example.value
                if f.example.present
                else placeholder(f.type, f.py_name, api)
            )
            for f in op.body.fields
            if not f.is_file
        }
    param = op.body.param
    if param is None:
        return None
    if param.example.present:
        return param.example.value
    return example_data(param.type, param.py_name, api)


def _param_value(p: Parameter, api: Api) -> Any:
    return p.example.value if p.example.present else placeholder(p.type, p.py_name, api)


def example_url(op: Operation, api: Api) -> str:
    """The host and path with path parameters filled from their examples, required query parameters added."""
    path = op.path
    for p in op.params:
        if p.location == "path":
            path = path.replace(
                "{" + p.wire_name + "}", quote(str(_param_value(p, api)), safe="")
            )
    query = [
        (p.wire_name, _scalar(_param_value(p, api)))
        for p in op.params
        if p.location == "query" and p.required
    ]
    url = api.host.rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_scalar(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Which auth headers the examples send: an API key header, a bearer token, or both (one commented)."""

    api_key_header: str  # "" when no API key scheme applies
    bearer: bool
    env_prefix: str  # PLANE

    @property
    def header_pairs(self) -> list[tuple[str, str]]:
        """(header, value) the Python and JavaScript examples send."""
        if self.api_key_header:
            return [(self.api_key_header, "your-api-key")]
        if self.bearer:
            return [("Authorization", "Bearer your-access-token")]
        return []


def credentials(op: Operation, api: Api) -> Credentials:
    names = {n for alternative in op.security for n in alternative}
    schemes = [s for s in api.security_schemes if s.name in names]
    key = next(
        (s for s in schemes if s.kind == "api_key" and s.location == "header"), None
    )
    bearer = any(s.kind in ("oauth2", "openid", "bearer") for s in schemes)
    prefix = re.sub(r"[^A-Z0-9]+", "_", product_name(api).upper()).strip("_") or "API"
    header = _TOKEN.sub("", key.param_name) if key is not None else ""
    return Credentials(header, bearer, prefix)


def _title(op: Operation) -> str:
    return fold_lines(op.doc_title or op.summary or op.method_name).strip()


def reference_page(api: Api, op: Operation, tag_name: str) -> ReferencePage:
    title = _title(op)
    product = product_name(api)
    low = title.lower()
    creds = credentials(op, api)
    url = example_url(op, api)
    body = body_data(op, api)
    content_type = op.body.content_type if op.body else ""
    success = op.success
    response: Any = None
    if success is not None and success.type is not None:
        response = (
            success.example.value
            if success.example.present
            else example_data(success.type, "response", api)
        )
    returns_body = success is not None and success.type is not None
    return ReferencePage(
        title=md_inline(title),
        front_title=yaml_scalar(title),
        front_description=yaml_scalar(
            f"{title} via {product} API. HTTP request format, parameters, scopes, and example responses for {low}."
        ),
        front_keywords=yaml_scalar(
            f"{product.lower()}, {product.lower()} api, rest api, api integration, "
            f"{fold_lines(tag_name).lower()}, {low}"
        ),
        http_method=op.http_method,
        path=code_span(op.path),
        summary=md_inline(op.summary),
        groups=_groups(op, api),
        scopes=tuple(code_span(s) for s in op.security_scopes),
        curl=fenced(
            curl(
                op.http_method,
                url,
                creds.api_key_header,
                creds.bearer,
                creds.env_prefix,
                content_type,
                body,
            ),
            "bash",
        ),
        python=fenced(
            python_requests(
                op.http_method, url, creds.header_pairs, body, returns_body
            ),
            "python",
        ),
        javascript=fenced(
            javascript_fetch(
                op.http_method,
                url,
                creds.header_pairs,
                content_type,
                body,
                returns_body,
            ),
            "javascript",
        ),
        response_status=code_span(success.status) if success is not None else "",
        response_json=(
            fenced(json.dumps(response, indent=2, ensure_ascii=False), "json")
            if response is not None
            else ""
        ),
    )


def has_reference_pages(api: Api) -> bool:
    """Reference pages are written for APIs whose operations carry ``x-doc-title`` (Plane's docs do)."""
    return any(op.doc_title for op in api.operations)


def reference_pages(api: Api) -> list[tuple[str, ReferencePage]]:
    """(path relative to the project, page) for every operation, when the API has reference pages."""
    if not has_reference_pages(api):
        return []
    return [
        (f"docs/reference/{op.method_name}.md", reference_page(api, op, tag.name))
        for tag in api.tags
        for op in tag.operations
    ]
