"""What the model pages (``docs/<Model>.md``) and the package README show, computed from the model."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..config import ASYNC_TWIN, Target
from ..model.api import Api, SecurityScheme
from ..model.types import EnumModel, Field, Model, ModelRef, ObjectModel
from .docs_api import Example, example_for, type_md
from .docs_examples import example_data, object_data
from .docs_filters import anchor, code_span, md_block, md_inline, py_value, table_cell


@dataclass(frozen=True, slots=True)
class PropertyRow:
    name: str
    type_md: str
    description: str
    notes: str


@dataclass(frozen=True, slots=True)
class ModelDoc:
    """One model page: an object's properties, an enum's members or a root model's type."""

    name: str
    description: str
    module_import: str
    var: str  # snake-case stem for the example's variables
    json_literal: str  # a Python literal holding example JSON text
    properties: tuple[PropertyRow, ...] = ()
    members: tuple[str, ...] = ()  # "`NAME` (value: `'v'`)" lines
    root_type: str = ""

    @property
    def is_enum(self) -> bool:
        return bool(self.members)

    @property
    def is_root(self) -> bool:
        return bool(self.root_type)


def _property_row(f: Field) -> PropertyRow:
    notes = "" if f.required else "[optional] "
    if f.read_only:
        notes += "[readonly] "
    if f.default.present:
        notes += f"[default to {table_cell(py_value(f.default.value))}]"
    return PropertyRow(f.py_name, type_md(f.type), table_cell(f.description), notes)


def model_doc(api: Api, model: Model, package: str) -> ModelDoc:
    description = md_block(model.description)
    module_import = f"from {package}.models.{model.module} import {model.name}"
    if isinstance(model, EnumModel):
        members = tuple(
            f"{code_span(m.py_name)} (value: {code_span(repr(m.value))})"
            for m in model.members
        )
        return ModelDoc(
            model.name,
            description,
            module_import,
            model.module,
            "",
            members=members or ("(no members)",),
        )
    data = example_data(ModelRef(model.name), model.name, api)
    if isinstance(model, ObjectModel):
        if data is None:
            data = object_data(model, api)
        rows = tuple(_property_row(f) for f in model.fields)
        return ModelDoc(
            model.name,
            description,
            module_import,
            model.module,
            _json_literal(data),
            properties=rows,
        )
    return ModelDoc(
        model.name,
        description,
        module_import,
        model.module,
        _json_literal(data),
        root_type=type_md(model.type),
    )


def _json_literal(data: object) -> str:
    return py_value(json.dumps(data, ensure_ascii=False, default=str))


@dataclass(frozen=True, slots=True)
class EndpointRow:
    api_class: str
    method: str
    http_method: str
    path_cell: str
    summary_cell: str


@dataclass(frozen=True, slots=True)
class SchemeDoc:
    anchor: str
    name: str
    lines: tuple[str, ...]  # the "- **Type**: ..." bullet lines


@dataclass(frozen=True, slots=True)
class ReadmeDoc:
    title: str
    api_title: str
    description: str
    api_version: str
    package: str
    project_name: str
    version: str
    host: str
    example: Example | None
    endpoints: tuple[EndpointRow, ...]
    models: tuple[str, ...]
    schemes: tuple[SchemeDoc, ...]
    reference_pages: tuple[tuple[str, str], ...]  # (link text, docs/reference/x.md)
    twin_pages: tuple[str, ...] = ()  # Async<Tag>Api of a package with both clients
    twin_example: Example | None = (
        None  # the getting-started example with the asyncio twin
    )


def scheme_doc(scheme: SecurityScheme) -> SchemeDoc:
    lines: list[str]
    if scheme.kind == "api_key":
        where = {
            "header": "HTTP header",
            "query": "URL query string",
            "cookie": "Cookie",
        }
        lines = [
            "- **Type**: API key",
            f"- **API key parameter name**: {md_inline(scheme.param_name)}",
            f"- **Location**: {where[scheme.location]}",
        ]
    elif scheme.kind == "bearer":
        fmt = f" ({md_inline(scheme.bearer_format)})" if scheme.bearer_format else ""
        lines = [f"- **Type**: Bearer authentication{fmt}"]
    elif scheme.kind == "basic":
        lines = ["- **Type**: HTTP basic authentication"]
    elif scheme.kind == "signature":
        lines = ["- **Type**: HTTP signature authentication"]
    else:
        lines = [
            (
                "- **Type**: OAuth"
                if scheme.kind == "oauth2"
                else "- **Type**: OpenID Connect"
            )
        ]
        for flow, auth_url, token_url in scheme.flows:
            lines.append(f"- **Flow**: {md_inline(flow)}")
            if auth_url:
                lines.append(f"  - **Authorization URL**: {md_inline(auth_url)}")
            if token_url:
                lines.append(f"  - **Token URL**: {md_inline(token_url)}")
        lines.append("- **Scopes**:" + ("" if scheme.scopes else " N/A"))
        lines.extend(f"  - {code_span(s)}: {md_inline(d)}" for s, d in scheme.scopes)
    if scheme.description:
        lines.append(f"- **Description**: {md_inline(scheme.description)}")
    return SchemeDoc(anchor(scheme.name), md_inline(scheme.name), tuple(lines))


def readme_doc(
    api: Api, target: Target, reference: tuple[tuple[str, str], ...]
) -> ReadmeDoc:
    first = next(((t, op) for t in api.tags for op in t.operations), None)
    example = twin_example = None
    twin = ASYNC_TWIN in target.flavours
    if first:
        tag, op = first
        example = example_for(api, op, tag.class_name, target, "ApiException")
        if twin:
            twin_example = example_for(
                api, op, tag.class_name, target, "ApiException", ASYNC_TWIN
            )
    return ReadmeDoc(
        title=md_inline(target.project_name),
        api_title=md_inline(api.title),
        description=md_block(api.description),
        api_version=md_inline(api.version),
        package=target.package,
        project_name=target.project_name,
        version=target.version,
        host=md_inline(api.host).replace("*", "\\*"),
        example=example,
        endpoints=tuple(
            EndpointRow(
                t.class_name,
                op.method_name,
                op.http_method,
                table_cell(op.path),
                table_cell(op.summary),
            )
            for t in api.tags
            for op in t.operations
        ),
        models=tuple(m.name for m in api.models),
        schemes=tuple(scheme_doc(s) for s in api.security_schemes),
        reference_pages=reference,
        twin_pages=(
            tuple(ASYNC_TWIN.api_class(t.class_name) for t in api.tags) if twin else ()
        ),
        twin_example=twin_example,
    )
