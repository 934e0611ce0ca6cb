"""Operations: parameters, request bodies, responses and security, with names allocated once per method."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..errors import Problem, SpecError
from ..parse.load import Document, escape_pointer_token
from ..parse.refs import Resolver, Target
from .api import (
    EventStream,
    Operation,
    Pagination,
    Parameter,
    RequestBody,
    Response,
    ResponseHeader,
    Server,
)
from .names import METHOD_RESERVED, Scope, pascal_case, python_identifier, snake_case
from .schemas import SchemaRegistry, example_of, is_text_media, spec_text
from .types import (
    NO_EXAMPLE,
    AnyType,
    ArrayType,
    Example,
    ModelRef,
    Primitive,
    SchemaType,
    strip_nullable,
)


def servers_of(raw: Any) -> tuple[Server, ...]:
    """The entries of a ``servers`` list that are servers: URL (with variables at their defaults), URL
    template, description and variables."""
    servers = []
    for server in raw if isinstance(raw, list) else []:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        variables = []
        descriptions = []
        url = template = server["url"]
        declared = server.get("variables")
        for name, var in (declared if isinstance(declared, dict) else {}).items():
            if isinstance(var, dict):
                default = str(var.get("default", ""))
                values = var.get("enum")
                enum = tuple(
                    str(v) for v in (values if isinstance(values, list) else [])
                )
                variables.append((str(name), default, enum))
                descriptions.append(spec_text(var.get("description")))
                url = url.replace("{" + str(name) + "}", default)
        servers.append(
            Server(
                url.rstrip("/") or url,
                spec_text(server.get("description")),
                tuple(variables),
                template,
                tuple(descriptions),
            )
        )
    return tuple(servers)


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_DEFAULT_STYLE = {
    "path": "simple",
    "header": "simple",
    "query": "form",
    "cookie": "form",
}


def _is_json(content_type: str) -> bool:
    base = content_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def _is_event_stream(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "text/event-stream"


def body_kind(content_type: str) -> str:
    base = content_type.split(";", 1)[0].strip().lower()
    if _is_json(base):
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/") or base in ("application/xml",):
        return "text"
    return "binary"


def _is_file(t: SchemaType) -> bool:
    """A form field sent as file parts: bytes, or an array of bytes (one part per file)."""
    inner = strip_nullable(t)
    if isinstance(inner, ArrayType):
        inner = strip_nullable(inner.item)
    return isinstance(inner, Primitive) and inner.python == "bytes"


_METHOD_NAME_RESERVED = METHOD_RESERVED | {"api_client"}
_KIND_PREFERENCE = {"json": 0, "multipart": 1, "form": 2, "text": 3, "binary": 4}


class OperationBuilder:
    def __init__(
        self,
        resolver: Resolver,
        schemas: SchemaRegistry,
        warnings: list[Problem],
        global_security: list[Any],
        scheme_names: set[str],
        flaws: list[Problem] | None = None,
        sendable_schemes: set[str] | None = None,
        idempotency_header: str | None = None,
    ) -> None:
        self.resolver = resolver
        # The document's ``x-idempotency-header``: the key header of every POST (see ``_idempotency``).
        self.idempotency_header = idempotency_header
        self.schemas = schemas
        self.warnings = warnings
        self.global_security = global_security
        self.scheme_names = scheme_names
        # Schemes that put something on a request (not mutualTLS, which the transport configures).
        self.sendable_schemes = (
            sendable_schemes if sendable_schemes is not None else scheme_names
        )
        # Problems the operation is built around (errors unless lenient); the caller decides which.
        self.flaws = flaws if flaws is not None else []

    def build(
        self,
        doc: Document,
        path: str,
        method: str,
        path_item: Target,
        method_names: Scope,
    ) -> Operation:
        node: dict[str, Any] = path_item.data[method]
        pointer = f"{path_item.pointer}/{method}"
        op_target = Target(node, path_item.doc, pointer)
        operation_id = node.get("operationId")
        if not isinstance(operation_id, str) or not operation_id.strip():
            operation_id = snake_case(f"{method}_{path}") or method
        method_name = method_names.claim(
            python_identifier(operation_id, reserved=_METHOD_NAME_RESERVED)
        )
        for suffix in ("_with_http_info", "_without_preload_content", "_ws", "_iter"):
            method_names.claim(method_name + suffix)
        type_hint = pascal_case(operation_id)

        scope = Scope(METHOD_RESERVED)
        params = self._parameters(path_item, op_target, type_hint, scope)
        params = self._check_path_params(path, params, op_target, scope)
        body = self._request_body(op_target, type_hint, scope)
        args = list(params)
        if body is not None:
            args.extend(
                body.fields if body.fields else [body.param] if body.param else []
            )
        args.sort(key=lambda a: not a.required)  # stable: spec order within each group

        responses = self._responses(op_target, type_hint)
        security = node.get("security", self.global_security)
        alternatives, scopes = self._security(security, op_target)
        raw_servers = node.get("servers") or path_item.data.get("servers") or []
        servers = tuple(s for s in servers_of(raw_servers) if s.url)
        return Operation(
            operation_id=operation_id,
            method_name=method_name,
            http_method=method.upper(),
            path=path,
            pointer=pointer,
            summary=spec_text(node.get("summary")),
            description=spec_text(node.get("description")),
            args=tuple(args),
            params=tuple(params),
            body=body,
            responses=tuple(responses),
            security=alternatives,
            security_scopes=scopes,
            deprecated=bool(node.get("deprecated")),
            websocket=node.get("x-websocket") is True,
            pagination=self._pagination(op_target, params, responses),
            servers=servers,
            doc_title=spec_text(node.get("x-doc-title")),
            idempotency_header=self._idempotency(node, method, params),
            event_stream=self._event_stream(op_target, type_hint, responses),
        )

    def _idempotency(
        self, node: dict[str, Any], method: str, params: list[Parameter]
    ) -> str | None:
        """The header that carries the operation's idempotency key: its own ``x-idempotency-header``
        (``false`` opts out), else a header parameter named ``Idempotency-Key``, else, for a POST, the
        document's ``x-idempotency-header``."""
        own = node.get("x-idempotency-header")
        if own is False:
            return None
        if isinstance(own, str) and own.strip():
            return own.strip()
        for param in params:
            if (
                param.location == "header"
                and param.wire_name.lower() == "idempotency-key"
            ):
                return param.wire_name
        if method.lower() == "post":
            return self.idempotency_header
        return None

    # -- parameters ----------------------------------------------------------------------------------------
    def _parameters(
        self, path_item: Target, op: Target, type_hint: str, scope: Scope
    ) -> list[Parameter]:
        merged: dict[tuple[str, str], tuple[Target, int]] = {}
        order = 0
        for owner in (path_item, op):
            raw = owner.data.get("parameters") or []
            for i, p in enumerate(raw if isinstance(raw, list) else []):
                target = self.resolver.follow(
                    p, owner.doc, f"{owner.pointer}/parameters/{i}"
                )
                data = target.data
                if (
                    not isinstance(data, dict)
                    or "name" not in data
                    or data.get("in") not in _DEFAULT_STYLE
                ):
                    self.flaws.append(
                        self.resolver.problem(
                            target,
                            "a parameter needs `name` and `in` (path, query, header or cookie); ignored",
                        )
                    )
                    continue
                key = (str(data["name"]), str(data["in"]))
                position = merged[key][1] if key in merged else order
                merged[key] = (target, position)
                order += 1
        result = []
        for target, _ in sorted(merged.values(), key=lambda item: item[1]):
            result.append(self._parameter(target, type_hint, scope))
        return result

    def _parameter(self, target: Target, type_hint: str, scope: Scope) -> Parameter:
        data: dict[str, Any] = target.data
        name = str(data["name"])
        location = data["in"]
        content_type = None
        schema_node = data.get("schema")
        schema_doc, schema_pointer = target.doc, target.pointer + "/schema"
        if (
            schema_node is None
            and isinstance(data.get("content"), dict)
            and data["content"]
        ):
            content_type, media = next(iter(data["content"].items()))
            media = media if isinstance(media, dict) else {}
            schema_node = media.get("schema", {})
            schema_pointer = (
                f"{target.pointer}/content/{escape_pointer_token(content_type)}/schema"
            )
        if schema_node is None:
            schema_node = {}
        t = self.schemas.schema_type(
            schema_node, schema_doc, schema_pointer, type_hint + pascal_case(name)
        )
        resolved = self.resolver.follow(schema_node, schema_doc, schema_pointer).data
        resolved = resolved if isinstance(resolved, dict) else {}
        example = self._example(data, target.doc, target.pointer)
        if not example.present:
            example = example_of(resolved)
        required = bool(data.get("required")) or location == "path"
        if required:
            t = strip_nullable(
                t
            )  # a URL or header cannot carry null: a required one takes a value
        style = data.get("style") or _DEFAULT_STYLE.get(location, "form")
        explode = data.get("explode")
        if explode is None:
            explode = style == "form"
        enum_values = tuple(
            v
            for v in resolved.get("enum") or []
            if isinstance(v, (str, int, float, bool))
        )
        return Parameter(
            py_name=scope.claim(python_identifier(name, reserved=METHOD_RESERVED)),
            wire_name=name,
            location=location,
            type=t,
            required=required,
            description=spec_text(data.get("description")),
            style=style,
            explode=bool(explode),
            allow_reserved=bool(data.get("allowReserved")),
            content_type=content_type,
            example=example,
            default=(
                Example(resolved["default"]) if "default" in resolved else NO_EXAMPLE
            ),
            deprecated=bool(data.get("deprecated")),
            enum_values=enum_values,
        )

    def _check_path_params(
        self, path: str, params: list[Parameter], op: Target, scope: Scope
    ) -> list[Parameter]:
        """Flag path parameters that do not match the template; when lenient, an undeclared one becomes a
        required string argument and one missing from the template is optional (it is never sent).
        """
        in_template = list(dict.fromkeys(re.findall(r"{([^{}]+)}", path)))
        declared = {p.wire_name for p in params if p.location == "path"}
        result = []
        for p in params:
            if p.location == "path" and p.wire_name not in in_template:
                self.flaws.append(
                    self.resolver.problem(
                        op,
                        f"path parameter {p.wire_name!r} is declared but is not in the path {path!r}",
                    )
                )
                p = replace(p, required=False)
            result.append(p)
        for missing in in_template:
            if missing in declared:
                continue
            self.flaws.append(
                self.resolver.problem(
                    op, f"path parameter {missing!r} of {path!r} is not declared"
                )
            )
            name = scope.claim(python_identifier(missing, reserved=METHOD_RESERVED))
            result.append(
                Parameter(
                    name,
                    missing,
                    "path",
                    Primitive("str"),
                    True,
                    style="simple",
                    explode=False,
                )
            )
        return result

    def _example(self, node: dict[str, Any], doc: Document, pointer: str) -> Example:
        """The example of a parameter or media type: its ``example``, else the ``value`` of the first of its
        ``examples`` (Example objects, ``$ref`` followed)."""
        example = example_of(node)
        examples = node.get("examples")
        if example.present or not isinstance(examples, dict) or not examples:
            return example
        first = next(iter(examples.values()))
        try:
            first = self.resolver.follow(first, doc, pointer).data
        except (
            SpecError
        ):  # a broken reference, already a flaw (`--lenient` let it through)
            return NO_EXAMPLE
        if isinstance(first, dict) and "value" in first:
            return Example(first["value"])
        return NO_EXAMPLE

    # -- request body --------------------------------------------------------------------------------------
    def _request_body(
        self, op: Target, type_hint: str, scope: Scope
    ) -> RequestBody | None:
        raw = op.data.get("requestBody")
        if raw is None:
            return None
        target = self.resolver.follow(raw, op.doc, op.pointer + "/requestBody")
        data = target.data if isinstance(target.data, dict) else {}
        content = data.get("content") or {}
        if not isinstance(content, dict) or not content:
            return None
        content_types = tuple(content)
        chosen = content_types[0]
        kind = body_kind(chosen)
        media = content[chosen] if isinstance(content[chosen], dict) else {}
        media_pointer = f"{target.pointer}/content/{escape_pointer_token(chosen)}"
        schema_node = media.get("schema", {})
        required = bool(data.get("required"))
        description = spec_text(data.get("description"))
        example = self._example(media, target.doc, media_pointer)
        if kind in ("form", "multipart"):
            fields = self._form_fields(
                target.doc, media_pointer, schema_node, media, type_hint, scope
            )
            if fields is not None:
                return RequestBody(
                    kind=kind,  # type: ignore[arg-type]
                    content_type=chosen,
                    content_types=content_types,
                    required=required,
                    description=description,
                    fields=tuple(fields),
                    example=example,
                )
            kind = "json" if kind == "form" else kind
        t = self.schemas.schema_type(
            schema_node, target.doc, media_pointer + "/schema", type_hint + "Request"
        )
        name_source = "body"
        if isinstance(schema_node, dict) and "$ref" in schema_node:
            name_source = (
                schema_node["$ref"].rsplit("/", 1)[-1].rsplit(".", 1)[0] or "body"
            )
        elif isinstance(strip_nullable(t), ModelRef):
            name_source = strip_nullable(t).annotation  # type: ignore[union-attr]
        custom = op.data.get("x-codegen-request-body-name")
        if isinstance(custom, str) and custom:
            name_source = custom
        if kind == "binary" and not (isinstance(t, Primitive) and t.python == "bytes"):
            t = Primitive("bytes", "binary")
        if kind == "text" and isinstance(t, AnyType):
            t = Primitive("str")
        param = Parameter(
            py_name=scope.claim(
                python_identifier(snake_case(name_source), reserved=METHOD_RESERVED)
            ),
            wire_name=name_source,
            location="body",
            type=t,
            required=required,
            description=description,
            example=example,
            is_file=kind == "binary",
        )
        return RequestBody(
            kind=kind,  # type: ignore[arg-type]
            content_type=chosen,
            content_types=content_types,
            required=required,
            description=description,
            param=param,
            example=example,
        )

    def _form_fields(
        self,
        doc: Document,
        media_pointer: str,
        schema_node: Any,
        media: dict[str, Any],
        type_hint: str,
        scope: Scope,
    ) -> list[Parameter] | None:
        """Each property of a form body as its own argument; None when the body is not an object."""
        target = self.resolver.follow(schema_node, doc, media_pointer + "/schema")
        collected = self.schemas._collect_object(target, type_hint + "Request")
        properties, required, _additional, _closed = collected
        if not properties:
            return None
        encoding = (
            media.get("encoding") if isinstance(media.get("encoding"), dict) else {}
        )
        fields = []
        for prop, schema, prop_doc, where in properties:
            t = self.schemas.schema_type(
                schema, prop_doc, where, type_hint + pascal_case(prop)
            )
            resolved = self.resolver.follow(schema, prop_doc, where).data
            resolved = resolved if isinstance(resolved, dict) else {}
            node = schema if isinstance(schema, dict) else {}
            enc = encoding.get(prop) if isinstance(encoding.get(prop), dict) else {}
            is_file = _is_file(t)
            example = example_of(node)
            if not example.present:
                example = example_of(resolved)
            enum_values = tuple(
                v
                for v in resolved.get("enum") or []
                if isinstance(v, (str, int, float, bool))
            )
            fields.append(
                Parameter(
                    py_name=scope.claim(
                        python_identifier(prop, reserved=METHOD_RESERVED)
                    ),
                    wire_name=prop,
                    location="form",
                    type=t,
                    required=prop in required,
                    description=spec_text(node.get("description"))
                    or spec_text(resolved.get("description")),
                    content_type=(
                        enc.get("contentType")
                        if isinstance(enc.get("contentType"), str)
                        else None
                    ),
                    example=example,
                    default=(
                        Example(resolved["default"])
                        if "default" in resolved
                        else NO_EXAMPLE
                    ),
                    is_file=is_file,
                    enum_values=enum_values,
                )
            )
        return fields

    # -- responses -----------------------------------------------------------------------------------------
    def _responses(self, op: Target, type_hint: str) -> list[Response]:
        raw = op.data.get("responses") or {}
        result = []
        for status, value in raw.items() if isinstance(raw, dict) else ():
            status = str(status)
            target = self.resolver.follow(
                value, op.doc, f"{op.pointer}/responses/{escape_pointer_token(status)}"
            )
            data = target.data if isinstance(target.data, dict) else {}
            content = data.get("content") or {}
            content = content if isinstance(content, dict) else {}
            content_types = tuple(content)
            t: SchemaType | None = None
            example = NO_EXAMPLE
            if content_types:
                ranked = sorted(
                    content_types, key=lambda ct: _KIND_PREFERENCE[body_kind(ct)]
                )
                chosen = ranked[0]
                media = content[chosen] if isinstance(content[chosen], dict) else {}
                kind = body_kind(chosen)
                hint = f"{type_hint}{status.upper() if status != 'default' else 'Default'}Response"
                schema_node = media.get("schema")
                media_pointer = (
                    f"{target.pointer}/content/{escape_pointer_token(chosen)}"
                )
                if schema_node is None:
                    t = (
                        Primitive("str")
                        if kind == "text"
                        else Primitive("bytes") if kind == "binary" else AnyType()
                    )
                else:
                    t = self.schemas.schema_type(
                        schema_node, target.doc, media_pointer + "/schema", hint
                    )
                # Raw bytes, unless the schema says the body is text (a base64 string, or a string
                # under a textual media type; a plain `type: string` is how 3.1 specs and Litestar
                # describe a download) or names a model (NestJS's @ApiProduces puts its JSON error
                # models under the operation's binary media type too).
                if kind == "binary" and not (
                    isinstance(strip_nullable(t), ModelRef)
                    or (
                        isinstance(t, Primitive)
                        and (
                            t.python == "bytes"
                            or (
                                t.python == "str"
                                and (t.format == "byte" or is_text_media(chosen))
                            )
                        )
                    )
                ):
                    t = Primitive("bytes", "binary")
                example = self._example(media, target.doc, media_pointer)
            headers = []
            raw_headers = data.get("headers") or {}
            for hname, hvalue in (
                raw_headers.items() if isinstance(raw_headers, dict) else ()
            ):
                htarget = self.resolver.follow(
                    hvalue, target.doc, f"{target.pointer}/headers/{hname}"
                )
                hdata = htarget.data if isinstance(htarget.data, dict) else {}
                htype = self.schemas.schema_type(
                    hdata.get("schema") or {},
                    htarget.doc,
                    htarget.pointer + "/schema",
                    type_hint + pascal_case(hname),
                )
                headers.append(
                    ResponseHeader(
                        str(hname), spec_text(hdata.get("description")), htype
                    )
                )
            result.append(
                Response(
                    status,
                    spec_text(data.get("description")),
                    content_types,
                    t,
                    tuple(headers),
                    example,
                )
            )
        return result

    # -- server-sent events ----------------------------------------------------------------------------------
    def _event_stream(
        self, op: Target, type_hint: str, responses: list[Response]
    ) -> EventStream | None:
        """The operation's event stream: its first success response (as ``Operation.success`` picks
        it) offering ``text/event-stream``. The item type is OpenAPI 3.2's ``itemSchema`` of that media
        type, else its ``schema``, else None (JSON, or the text); the sentinel is ``x-sse-sentinel`` of
        the response, else of the operation."""
        exact = sorted(
            (r for r in responses if r.is_success and r.status.isdigit()),
            key=lambda r: r.status,
        )
        ranged = [r for r in responses if r.status.upper() == "2XX"]
        success = next(iter(exact + ranged), None)
        if success is None:
            return None
        stream_type = next(
            (ct for ct in success.content_types if _is_event_stream(ct)),
            None,
        )
        if stream_type is None:
            return None
        raw = op.data.get("responses") or {}
        status_key = next((k for k in raw if str(k) == success.status), success.status)
        target = self.resolver.follow(
            raw[status_key],
            op.doc,
            f"{op.pointer}/responses/{escape_pointer_token(success.status)}",
        )
        data = target.data if isinstance(target.data, dict) else {}
        media = data["content"][stream_type]
        media = media if isinstance(media, dict) else {}
        media_pointer = f"{target.pointer}/content/{escape_pointer_token(stream_type)}"
        item: SchemaType | None = None
        if media.get("itemSchema") is not None:
            item = self.schemas.schema_type(
                media["itemSchema"],
                target.doc,
                media_pointer + "/itemSchema",
                f"{type_hint}Event",
            )
        elif media.get("schema") is not None:
            ranked = sorted(
                success.content_types, key=lambda ct: _KIND_PREFERENCE[body_kind(ct)]
            )
            # The response's own type when it was read from this media type (no second model).
            item = (
                success.type
                if ranked[0] == stream_type
                else self.schemas.schema_type(
                    media["schema"],
                    target.doc,
                    media_pointer + "/schema",
                    f"{type_hint}Event",
                )
            )
        sentinel: str | None = None
        for where, node in ((target, data), (op, op.data)):
            value = node.get("x-sse-sentinel")
            if value is None:
                continue
            if isinstance(value, str):
                sentinel = value
            else:
                self.flaws.append(
                    where.doc.problem(
                        where.pointer + "/x-sse-sentinel",
                        "x-sse-sentinel must be a string (the data value that ends the stream); ignored",
                    )
                )
            break
        return EventStream(item, sentinel)

    # -- security ------------------------------------------------------------------------------------------
    def _security(
        self, security: Any, op: Target
    ) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
        if not isinstance(security, list):
            return (), ()
        alternatives = []
        scopes: list[str] = []
        for requirement in security:
            if not isinstance(requirement, dict):
                continue
            names = []
            for name, wanted in requirement.items():
                if name not in self.scheme_names:
                    self.flaws.append(
                        self.resolver.problem(
                            op,
                            f"security requirement names an undefined scheme {name!r}; ignored",
                        )
                    )
                    continue
                if name not in self.sendable_schemes:
                    continue  # mutualTLS: nothing to send per request
                names.append(name)
                scopes.extend(
                    s
                    for s in (wanted if isinstance(wanted, list) else [])
                    if isinstance(s, str)
                )
            alternatives.append(tuple(names))
        return tuple(a for a in alternatives if a) if alternatives else (), tuple(
            dict.fromkeys(scopes)
        )

    # -- vendor extensions ---------------------------------------------------------------------------------
    def _pagination(
        self, op: Target, params: list[Parameter], responses: list[Response]
    ) -> Pagination | None:
        spec = op.data.get("x-pagination")
        if spec is None:
            return None
        where = op.pointer + "/x-pagination"
        if not isinstance(spec, dict):
            self.flaws.append(
                op.doc.problem(where, "x-pagination must be a mapping; ignored")
            )
            return None
        cursor = spec.get("cursor-param")
        by_wire = {p.wire_name: p for p in params if p.location == "query"}
        if not isinstance(cursor, str) or cursor not in by_wire:
            self.flaws.append(
                op.doc.problem(
                    where,
                    f"x-pagination cursor-param {cursor!r} is not a query parameter; ignored",
                )
            )
            return None
        next_cursor = spec.get("next-cursor")
        items = spec.get("items")
        if not isinstance(next_cursor, str) or not isinstance(items, str):
            self.flaws.append(
                op.doc.problem(
                    where, "x-pagination needs `next-cursor` and `items` paths; ignored"
                )
            )
            return None
        item_type = self._item_type(responses, tuple(items.split(".")))
        return Pagination(
            by_wire[cursor].py_name,
            tuple(next_cursor.split(".")),
            tuple(items.split(".")),
            item_type,
        )

    def _item_type(
        self, responses: list[Response], items: tuple[str, ...]
    ) -> SchemaType | None:
        from .types import ObjectModel

        success = next(
            (r for r in responses if r.status.startswith("2") and r.type is not None),
            None,
        )
        t = success.type if success else None
        for step in items:
            t = strip_nullable(t) if t is not None else None
            if not isinstance(t, ModelRef):
                return None
            model = self.schemas.models.get(t.name)
            if not isinstance(model, ObjectModel):
                return None
            found = next((f for f in model.fields if f.wire_name == step), None)
            t = found.type if found else None
        t = strip_nullable(t) if t is not None else None
        return t.item if isinstance(t, ArrayType) else None
