"""The HTTP lens: what a client built from the old contract meets when the server moves to the new one.

Operations are matched by method and path (path parameter names aside); one that disappears while another
with the same ``operationId`` appears has moved. Schemas are compared where they stand: a change that breaks a
request (the client sends it) is often harmless in a response (the client reads it), and the other way round.
A schema shared through ``$ref`` is compared once per direction and reported at its own pointer.
"""

from __future__ import annotations

from typing import Any

from .change import Change, Side
from .contract import Contract
from .kinds import kind

_MAX_LIKE = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_MIN_LIKE = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")


def _fmt(values: list[Any]) -> str:
    return ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values)


def _path_param_names(path: str) -> list[str]:
    names, rest = [], path
    while "{" in rest:
        start = rest.index("{")
        end = rest.find("}", start)
        if end < 0:
            break
        names.append(rest[start + 1 : end])
        rest = rest[end + 1 :]
    return names


def _default_style(location: str) -> str:
    return "simple" if location in ("path", "header") else "form"


def _serialization(param: dict[str, Any]) -> tuple[str, bool]:
    style = str(param.get("style") or _default_style(param["in"]))
    explode = param.get("explode")
    return style, bool(explode) if explode is not None else style == "form"


def _is_success(status: str) -> bool:
    return status.startswith("2")


class HttpDiff:
    def __init__(self, old: Contract, new: Contract) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, str]] = set()

    # -- reporting --------------------------------------------------------------------------------------
    def add(
        self,
        kind_id: str,
        message: str,
        old: Any = None,
        new: Any = None,
        obj: str | None = None,
    ) -> None:
        self.changes.append(
            Change(
                kind(kind_id),
                message,
                Side(old["ptr"]) if isinstance(old, dict) and "ptr" in old else None,
                Side(new["ptr"]) if isinstance(new, dict) and "ptr" in new else None,
                obj,
            )
        )

    # -- the whole document -----------------------------------------------------------------------------
    def run(self) -> list[Change]:
        old, new = self.old, self.new
        if old["info"] != new["info"]:
            what = [
                k
                for k in ("title", "version", "doc")
                if old["info"].get(k) != new["info"].get(k)
            ]
            label = {
                "title": "title",
                "version": "version",
                "doc": "description",
            }
            detail = ", ".join(label[w] for w in what)
            version = (
                f" ({old['info'].get('version')} -> {new['info'].get('version')})"
                if "version" in what
                else ""
            )
            self.add(
                "info-changed",
                f"the API's {detail} changed{version}",
                {"ptr": "/info"},
                {"ptr": "/info"},
            )
        self._servers(old["servers"], new["servers"], "/servers", None)
        self._schemes()
        self._operations()
        return self.changes

    def _servers(
        self, old: list[str], new: list[str], ptr: str, where: str | None
    ) -> None:
        prefix = f"{where}: " if where else ""
        for url in old:
            if url not in new:
                self.add(
                    "server-removed",
                    f"{prefix}server {url} removed",
                    {"ptr": ptr},
                    {"ptr": ptr},
                )
        for url in new:
            if url not in old:
                self.add(
                    "server-added",
                    f"{prefix}server {url} added",
                    {"ptr": ptr},
                    {"ptr": ptr},
                )

    def _schemes(self) -> None:
        old, new = self.old["schemes"], self.new["schemes"]
        for name, scheme in old.items():
            if name not in new:
                self.add(
                    "security-scheme-removed",
                    f"security scheme {name} removed",
                    scheme,
                )
                continue
            now = new[name]
            moved = [
                k
                for k in ("type", "in", "name", "scheme")
                if scheme.get(k) != now.get(k)
            ]
            if moved:
                detail = ", ".join(
                    f"{k} {scheme.get(k)} -> {now.get(k)}" for k in moved
                )
                self.add(
                    "security-scheme-changed",
                    f"security scheme {name} changed: {detail}",
                    scheme,
                    now,
                )
            if scheme.get("openIdConnectUrl") != now.get("openIdConnectUrl"):
                self.add(
                    "security-scheme-url-changed",
                    f"security scheme {name}: openIdConnectUrl changed",
                    scheme,
                    now,
                )
            old_flows, new_flows = scheme.get("flows", {}), now.get("flows", {})
            for flow, data in old_flows.items():
                current = new_flows.get(flow)
                if current is None:
                    self.add(
                        "security-scheme-changed",
                        f"security scheme {name}: the {flow} flow was removed",
                        scheme,
                        now,
                    )
                    continue
                for url in ("authorizationUrl", "tokenUrl", "refreshUrl"):
                    if data.get(url) != current.get(url):
                        self.add(
                            "security-scheme-url-changed",
                            f"security scheme {name}: {flow} {url} changed from "
                            f"{data.get(url)} to {current.get(url)}",
                            scheme,
                            now,
                        )
                for scope in data["scopes"]:
                    if scope not in current["scopes"]:
                        self.add(
                            "security-scheme-scope-removed",
                            f"security scheme {name}: {flow} scope {scope} removed",
                            scheme,
                            now,
                        )
                for scope in current["scopes"]:
                    if scope not in data["scopes"]:
                        self.add(
                            "security-scheme-scope-added",
                            f"security scheme {name}: {flow} scope {scope} added",
                            scheme,
                            now,
                        )
        for name, scheme in new.items():
            if name not in old:
                self.add(
                    "security-scheme-added",
                    f"security scheme {name} added",
                    None,
                    scheme,
                )

    # -- operations -------------------------------------------------------------------------------------
    def _operations(self) -> None:
        old_ops, new_ops = self.old["operations"], self.new["operations"]
        removed = [k for k in old_ops if k not in new_ops]
        added = [k for k in new_ops if k not in old_ops]
        # An operation that left one method and path for another, keeping its operationId (or naming its
        # old one in x-clientgen-renamed-from), has moved.
        by_id: dict[str, str] = {}
        for key in added:
            op = new_ops[key]
            for name in [op.get("id"), *op.get("renamed_from", [])]:
                if name:
                    by_id.setdefault(name, key)
        for key in list(removed):
            op = old_ops[key]
            target = by_id.get(op.get("id", ""))
            if target is None or target not in added:
                continue
            moved = new_ops[target]
            self.add(
                "operation-moved",
                f"{op['method']} {op['path']} moved to {moved['method']} {moved['path']}",
                op,
                moved,
                op.get("py") or moved.get("py"),
            )
            removed.remove(key)
            added.remove(target)
            self._operation(op, moved)
        for key in removed:
            op = old_ops[key]
            note = " (it was deprecated)" if op.get("deprecated") else ""
            self.add(
                "operation-removed",
                f"{op['method']} {op['path']} removed{note}",
                op,
                None,
                op.get("py"),
            )
        for key in added:
            op = new_ops[key]
            self.add(
                "operation-added",
                f"{op['method']} {op['path']} added",
                None,
                op,
                op.get("py"),
            )
        # With everything but the operations the same (schemas, schemes, ...), an operation whose contract is
        # unchanged has nothing to report: comparing equal data finds no change (a large API's release diff
        # after a one-operation edit compares one operation, not all of them).
        rest_same = set(self.old) == set(self.new) and all(
            value == self.new[name]
            for name, value in self.old.items()
            if name != "operations"
        )
        for key, op in old_ops.items():
            if key in new_ops:
                if rest_same and op == new_ops[key]:
                    continue
                self._operation(op, new_ops[key])

    def _operation(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        where = f"{new['method']} {new['path']}"
        obj = new.get("py") or old.get("py")
        if old.get("id") != new.get("id"):
            self.add(
                "operation-id-changed",
                f"{where}: operationId {old.get('id')} -> {new.get('id')}",
                old,
                new,
                obj,
            )
        if not old.get("deprecated") and new.get("deprecated"):
            self.add("operation-deprecated", f"{where} deprecated", old, new, obj)
        elif old.get("deprecated") and not new.get("deprecated"):
            self.add(
                "operation-reactivated",
                f"{where} is no longer deprecated",
                old,
                new,
                obj,
            )
        if old.get("tags", []) != new.get("tags", []):
            self.add(
                "operation-tags-changed",
                f"{where}: tags {old.get('tags', [])} -> {new.get('tags', [])}",
                old,
                new,
                obj,
            )
        if old.get("doc") != new.get("doc"):
            self.add(
                "operation-doc-changed",
                f"{where}: summary or description changed",
                old,
                new,
                obj,
            )
        self._servers(old.get("servers", []), new.get("servers", []), new["ptr"], where)
        self._parameters(old, new, where)
        self._body(old, new, where)
        self._responses(old, new, where)
        self._security(old, new, where)

    # -- parameters -------------------------------------------------------------------------------------
    def _parameters(
        self, old_op: dict[str, Any], new_op: dict[str, Any], where: str
    ) -> None:
        old = dict(old_op.get("params", {}))
        new = dict(new_op.get("params", {}))
        # Path parameters are matched by position: renaming {id} to {user_id} changes no request.
        renames = dict(
            zip(
                _path_param_names(old_op["path"]),
                _path_param_names(new_op["path"]),
                strict=False,
            )
        )
        for old_name, new_name in renames.items():
            if old_name != new_name and f"path:{old_name}" in old:
                old[f"path:{new_name}"] = old.pop(f"path:{old_name}")
        removed = [k for k in old if k not in new]
        added = [k for k in new if k not in old]
        for key in list(removed):
            param = old[key]
            name = param["name"].lower()
            match = next(
                (
                    k
                    for k in added
                    if new[k]["name"].lower() == name and new[k]["in"] != param["in"]
                ),
                None,
            )
            if match is not None:
                self.add(
                    "request-parameter-moved",
                    f"{where}: parameter {param['name']} moved from the {param['in']} to the "
                    f"{new[match]['in']}",
                    param,
                    new[match],
                    new[match].get("py") or param.get("py"),
                )
                removed.remove(key)
                added.remove(match)
                continue
            match = next(
                (
                    k
                    for k in added
                    if param["name"] in new[k].get("renamed_from", [])
                    and new[k]["in"] == param["in"]
                ),
                None,
            )
            if match is not None:
                self.add(
                    "request-parameter-renamed",
                    f"{where}: {param['in']} parameter {param['name']} renamed to "
                    f"{new[match]['name']}",
                    param,
                    new[match],
                    new[match].get("py") or param.get("py"),
                )
                removed.remove(key)
                added.remove(match)
                self._parameter(param, new[match], where)
        for key in removed:
            param = old[key]
            self.add(
                "request-parameter-removed",
                f"{where}: {param['in']} parameter {param['name']} removed",
                param,
                None,
                param.get("py"),
            )
        for key in added:
            param = new[key]
            required = param.get("required")
            self.add(
                (
                    "request-parameter-added-required"
                    if required
                    else "request-parameter-added-optional"
                ),
                f"{where}: {'required' if required else 'optional'} {param['in']} parameter "
                f"{param['name']} added",
                None,
                param,
                param.get("py"),
            )
        for key, param in old.items():
            if key in new:
                self._parameter(param, new[key], where)

    def _parameter(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        label = f"{where}: {new['in']} parameter {new['name']}"
        obj = new.get("py") or old.get("py")
        if not old["required"] and new["required"]:
            self.add(
                "request-parameter-became-required",
                f"{label} became required",
                old,
                new,
                obj,
            )
        elif old["required"] and not new["required"]:
            self.add(
                "request-parameter-became-optional",
                f"{label} became optional",
                old,
                new,
                obj,
            )
        if _serialization(old) != _serialization(new):
            (os_, oe), (ns, ne) = _serialization(old), _serialization(new)
            self.add(
                "request-parameter-serialization-changed",
                f"{label}: style/explode {os_}/{str(oe).lower()} -> {ns}/{str(ne).lower()}",
                old,
                new,
                obj,
            )
        if not old.get("deprecated") and new.get("deprecated"):
            self.add(
                "request-parameter-deprecated",
                f"{label} deprecated",
                old,
                new,
                obj,
            )
        if old.get("doc") != new.get("doc"):
            self.add(
                "request-parameter-doc-changed",
                f"{label}: description changed",
                old,
                new,
                obj,
            )
        self._schema(
            old["schema"],
            new["schema"],
            direction="request",
            root="request-parameter",
            nested="request-parameter",
            where=label,
            path="",
            obj=obj,
        )

    # -- request bodies ---------------------------------------------------------------------------------
    def _body(self, old_op: dict[str, Any], new_op: dict[str, Any], where: str) -> None:
        old, new = old_op.get("body"), new_op.get("body")
        obj = (new or old or {}).get("py") or new_op.get("py")
        if old is None and new is None:
            return
        if old is None:
            required = new["required"]
            self.add(
                (
                    "request-body-added-required"
                    if required
                    else "request-body-added-optional"
                ),
                f"{where}: {'required' if required else 'optional'} request body added",
                None,
                new,
                obj,
            )
            return
        if new is None:
            self.add(
                "request-body-removed", f"{where}: request body removed", old, None, obj
            )
            return
        if not old["required"] and new["required"]:
            self.add(
                "request-body-became-required",
                f"{where}: request body became required",
                old,
                new,
                obj,
            )
        elif old["required"] and not new["required"]:
            self.add(
                "request-body-became-optional",
                f"{where}: request body became optional",
                old,
                new,
                obj,
            )
        if old.get("doc") != new.get("doc"):
            self.add(
                "request-body-doc-changed",
                f"{where}: request body description changed",
                old,
                new,
                obj,
            )
        for media, entry in old["content"].items():
            if media not in new["content"]:
                self.add(
                    "request-media-type-removed",
                    f"{where}: request content type {media} no longer accepted",
                    entry,
                    new,
                    obj,
                )
        for media, entry in new["content"].items():
            if media not in old["content"]:
                self.add(
                    "request-media-type-added",
                    f"{where}: request content type {media} added",
                    old,
                    entry,
                    obj,
                )
                continue
            before = old["content"][media]
            if "schema" in before and "schema" in entry:
                self._schema(
                    before["schema"],
                    entry["schema"],
                    direction="request",
                    root="request-body",
                    nested="request-property",
                    where=f"{where} request body",
                    path="",
                    obj=obj,
                )

    # -- responses --------------------------------------------------------------------------------------
    def _responses(
        self, old_op: dict[str, Any], new_op: dict[str, Any], where: str
    ) -> None:
        old, new = old_op["responses"], new_op["responses"]
        obj = new_op.get("py") or old_op.get("py")
        for status, response in old.items():
            if status not in new:
                success = _is_success(status)
                self.add(
                    (
                        "response-success-status-removed"
                        if success
                        else "response-error-status-removed"
                    ),
                    f"{where}: response {status} removed",
                    response,
                    {"ptr": new_op["ptr"] + "/responses"},
                    obj,
                )
        for status, response in new.items():
            if status not in old:
                self.add(
                    (
                        "response-success-status-added"
                        if _is_success(status)
                        else "response-error-status-added"
                    ),
                    f"{where}: response {status} added",
                    {"ptr": old_op["ptr"] + "/responses"},
                    response,
                    obj,
                )
                continue
            before = old[status]
            label = f"{where} response {status}"
            if before.get("doc") != response.get("doc"):
                self.add(
                    "response-doc-changed",
                    f"{label}: description changed",
                    before,
                    response,
                    obj,
                )
            for media, entry in before["content"].items():
                if media not in response["content"]:
                    self.add(
                        "response-media-type-removed",
                        f"{label}: content type {media} no longer returned",
                        entry,
                        response,
                        obj,
                    )
            for media, entry in response["content"].items():
                if media not in before["content"]:
                    self.add(
                        "response-media-type-added",
                        f"{label}: content type {media} added",
                        before,
                        entry,
                        obj,
                    )
                    continue
                was = before["content"][media]
                if "schema" in was and "schema" in entry:
                    self._schema(
                        was["schema"],
                        entry["schema"],
                        direction="response",
                        root="response-body",
                        nested="response-property",
                        where=label,
                        path="",
                        obj=obj,
                    )
                elif "schema" in was:
                    self.add(
                        "response-body-type-changed",
                        f"{label}: the {media} body no longer has a schema",
                        was,
                        entry,
                        obj,
                    )
            old_headers = before.get("headers", {})
            new_headers = response.get("headers", {})
            for name, header in old_headers.items():
                if name not in new_headers:
                    self.add(
                        "response-header-removed",
                        f"{label}: header {header['name']} removed",
                        header,
                        response,
                        obj,
                    )
                else:
                    self._schema(
                        header["schema"],
                        new_headers[name]["schema"],
                        direction="response",
                        root="response-header",
                        nested="response-header",
                        where=f"{label} header {header['name']}",
                        path="",
                        obj=obj,
                    )
            for name, header in new_headers.items():
                if name not in old_headers:
                    self.add(
                        "response-header-added",
                        f"{label}: header {header['name']} added",
                        before,
                        header,
                        obj,
                    )

    # -- security ---------------------------------------------------------------------------------------
    def _security(
        self, old_op: dict[str, Any], new_op: dict[str, Any], where: str
    ) -> None:
        old = old_op.get("security", self.old["security"])
        new = new_op.get("security", self.new["security"])
        obj = new_op.get("py") or old_op.get("py")

        def schemes(alternative: list[list[Any]]) -> frozenset[str]:
            return frozenset(name for name, _ in alternative)

        old_alts = {schemes(a): a for a in old}
        new_alts = {schemes(a): a for a in new}
        anonymous_before = not old or frozenset() in old_alts
        anonymous_now = not new or frozenset() in new_alts
        if anonymous_now:
            return  # anyone may call it: no old client is turned away
        if anonymous_before:
            names = " or ".join(" + ".join(sorted(k)) for k in new_alts) or "?"
            self.add(
                "security-requirement-added",
                f"{where} now requires authentication ({names})",
                old_op,
                new_op,
                obj,
            )
            return
        for key, alternative in old_alts.items():
            if key in new_alts:
                old_scopes = dict((n, set(s)) for n, s in alternative)
                for name, scopes in new_alts[key]:
                    extra = sorted(set(scopes) - old_scopes.get(name, set()))
                    fewer = sorted(old_scopes.get(name, set()) - set(scopes))
                    if extra:
                        self.add(
                            "security-scope-added",
                            f"{where}: {name} now needs scope(s) {', '.join(extra)}",
                            old_op,
                            new_op,
                            obj,
                        )
                    if fewer:
                        self.add(
                            "security-scope-removed",
                            f"{where}: {name} no longer needs scope(s) {', '.join(fewer)}",
                            old_op,
                            new_op,
                            obj,
                        )
                continue
            stricter = [k for k in new_alts if k > key]
            self.add(
                (
                    "security-requirement-added"
                    if stricter
                    else "security-alternative-removed"
                ),
                f"{where}: authenticating with {' + '.join(sorted(key))} "
                + (
                    f"now also needs {' + '.join(sorted(stricter[0] - key))}"
                    if stricter
                    else "is no longer accepted"
                ),
                old_op,
                new_op,
                obj,
            )
        for key in new_alts:
            if key not in old_alts and not any(k < key for k in old_alts):
                self.add(
                    "security-alternative-added",
                    f"{where}: may now authenticate with {' + '.join(sorted(key))}",
                    old_op,
                    new_op,
                    obj,
                )

    # -- schemas ----------------------------------------------------------------------------------------
    def _resolve(self, node: dict[str, Any], contract: Contract) -> dict[str, Any]:
        ref = node.get("ref")
        if ref is None:
            return node
        return contract["schemas"].get(ref) or node

    def _schema(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        *,
        direction: str,
        root: str,
        nested: str,
        where: str,
        path: str,
        obj: str | None,
    ) -> None:
        if "ref" in old or "ref" in new:
            key = (
                old.get("ref") or old["ptr"],
                new.get("ref") or new["ptr"],
                direction,
            )
            if key in self._seen:
                return
            self._seen.add(key)
            old_target = self._resolve(old, self.old)
            new_target = self._resolve(new, self.new)
            if "ref" in new and new_target is not new:
                # Reported at the shared schema, named by it.
                name = new["ref"].rsplit("/", 1)[-1]
                if path:  # reached as a property: its own changes are a property's
                    root = nested
                where, path = f"schema {name}", ""
                obj = new_target.get("py") or old_target.get("py") or obj
            old, new = old_target, new_target
        self._compare(old, new, direction, root, nested, where, path, obj)

    def _compare(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        direction: str,
        root: str,
        nested: str,
        where: str,
        path: str,
        obj: str | None,
    ) -> None:
        place = nested if path else root
        subject = f"{where}, property {path}" if path else where

        def report(what: str, message: str) -> None:
            self.add(f"{place}-{what}", f"{subject}: {message}", old, new, obj)

        if "bool" in old or "bool" in new:
            if old.get("bool") != new.get("bool"):
                report("type-changed", "the boolean schema changed")
            return
        self._types(old, new, report)
        if old.get("format") != new.get("format"):
            report(
                "format-changed",
                f"format {old.get('format')} -> {new.get('format')}",
            )
        self._enum(old, new, report)
        self._constraints(old, new, report)
        if old.get("default") != new.get("default"):
            report(
                "default-changed",
                f"default {old.get('default')!r} -> {new.get('default')!r}",
            )
        if not old.get("deprecated") and new.get("deprecated"):
            report("deprecated", "deprecated")
        if old.get("doc") != new.get("doc"):
            report("doc-changed", "description or example changed")
        if old.get("discriminator") != new.get("discriminator"):
            report("discriminator-changed", "the discriminator changed")
        if "items" in old and "items" in new:
            self._schema(
                old["items"],
                new["items"],
                direction=direction,
                root=root,
                nested=nested,
                where=where,
                path=f"{path}[]" if path else "[]",
                obj=obj,
            )
        old_add, new_add = old.get("additional"), new.get("additional")
        if isinstance(old_add, dict) and isinstance(new_add, dict):
            self._schema(
                old_add,
                new_add,
                direction=direction,
                root=root,
                nested=nested,
                where=where,
                path=f"{path}{{}}" if path else "{}",
                obj=obj,
            )
        elif (old_add is False) != (new_add is False):
            report(
                "constraint-tightened" if new_add is False else "constraint-loosened",
                "additional properties "
                + ("no longer allowed" if new_add is False else "now allowed"),
            )
        self._variants(old, new, direction, root, nested, where, path, obj, report)
        self._properties(old, new, direction, root, nested, where, path, obj)

    def _types(self, old: dict[str, Any], new: dict[str, Any], report: Any) -> None:
        old_types = set(old.get("type", []))
        new_types = set(new.get("type", []))
        old_null = "null" in old_types
        new_null = "null" in new_types
        old_types.discard("null")
        new_types.discard("null")
        if old_types != new_types:
            before = "|".join(sorted(old_types)) or "any"
            after = "|".join(sorted(new_types)) or "any"

            def covers(wide: set[str], narrow: set[str]) -> bool:
                widened = set(wide)
                if "number" in widened:
                    widened.add("integer")
                return not wide or narrow <= widened

            if covers(new_types, old_types):
                report("type-widened", f"type {before} -> {after}")
            elif covers(old_types, new_types):
                report("type-narrowed", f"type {before} -> {after}")
            else:
                report("type-changed", f"type {before} -> {after}")
        if old_types and new_types:
            if new_null and not old_null:
                report("became-nullable", "null is now allowed")
            elif old_null and not new_null:
                report("became-not-nullable", "null is no longer allowed")

    def _enum(self, old: dict[str, Any], new: dict[str, Any], report: Any) -> None:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum is None and new_enum is None:
            return
        if old_enum is None:
            report("became-enum", f"values restricted to {_fmt(new_enum)}")
            return
        if new_enum is None:
            report("enum-removed", "values no longer restricted to an enum")
            return
        removed = [v for v in old_enum if v not in new_enum]
        added = [v for v in new_enum if v not in old_enum]
        if removed:
            report("enum-value-removed", f"enum value(s) {_fmt(removed)} removed")
        if added:
            report("enum-value-added", f"enum value(s) {_fmt(added)} added")

    def _constraints(
        self, old: dict[str, Any], new: dict[str, Any], report: Any
    ) -> None:
        before = old.get("constraints", {})
        after = new.get("constraints", {})
        for key in sorted(set(before) | set(after)):
            a, b = before.get(key), after.get(key)
            if a == b:
                continue
            if isinstance(a, bool) or isinstance(b, bool):
                # uniqueItems, or OpenAPI 3.0's boolean exclusiveMaximum/exclusiveMinimum
                tighter = bool(b) and not bool(a)
            elif a is None:
                tighter = True
            elif b is None:
                tighter = False
            elif key in _MAX_LIKE:
                tighter = b < a
            elif key in _MIN_LIKE:
                tighter = b > a
            else:  # pattern, multipleOf: any change may reject a value that passed
                tighter = True
            report(
                "constraint-tightened" if tighter else "constraint-loosened",
                f"{key} {a!r} -> {b!r}",
            )

    def _variants(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        direction: str,
        root: str,
        nested: str,
        where: str,
        path: str,
        obj: str | None,
        report: Any,
    ) -> None:
        old_variants = old.get("variants", [])
        new_variants = new.get("variants", [])
        if not old_variants and not new_variants:
            return

        def name(v: dict[str, Any]) -> str:
            return v["ref"].rsplit("/", 1)[-1] if "ref" in v else ""

        old_named = {name(v): v for v in old_variants if name(v)}
        new_named = {name(v): v for v in new_variants if name(v)}
        for key in old_named:
            if key not in new_named:
                report("variant-removed", f"variant {key} removed")
        for key in new_named:
            if key not in old_named:
                report("variant-added", f"variant {key} added")
        for key, variant in old_named.items():
            if key in new_named:
                self._schema(
                    variant,
                    new_named[key],
                    direction=direction,
                    root=root,
                    nested=nested,
                    where=where,
                    path=path,
                    obj=obj,
                )
        old_inline = [v for v in old_variants if not name(v)]
        new_inline = [v for v in new_variants if not name(v)]
        for a, b in zip(old_inline, new_inline, strict=False):
            self._schema(
                a,
                b,
                direction=direction,
                root=root,
                nested=nested,
                where=where,
                path=path,
                obj=obj,
            )
        if len(new_inline) > len(old_inline):
            report(
                "variant-added", f"{len(new_inline) - len(old_inline)} variant(s) added"
            )
        elif len(new_inline) < len(old_inline):
            report(
                "variant-removed",
                f"{len(old_inline) - len(new_inline)} variant(s) removed",
            )

    def _properties(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        direction: str,
        root: str,
        nested: str,
        where: str,
        path: str,
        obj: str | None,
    ) -> None:
        old_props = old.get("properties", {})
        new_props = new.get("properties", {})
        old_required = set(old.get("required", []))
        new_required = set(new.get("required", []))
        request = direction == "request"
        side = "request" if request else "response"

        def full(name: str) -> str:
            return f"{path}.{name}" if path else name

        def report(kind_id: str, message: str, a: Any, b: Any, label: Any) -> None:
            self.add(kind_id, f"{where}: {message}", a, b, label or obj)

        renamed: dict[str, str] = {}
        for name, prop in new_props.items():
            for previous in prop.get("renamed_from", []):
                if previous in old_props and previous not in new_props:
                    renamed[previous] = name
        for name, prop in old_props.items():
            if name in renamed:
                target = renamed[name]
                report(
                    f"{side}-property-renamed",
                    f"{side} property {full(name)} renamed to {full(target)}",
                    prop,
                    new_props[target],
                    new_props[target].get("py") or prop.get("py"),
                )
                continue
            if name in new_props:
                continue
            if request:
                kind_id = "request-property-removed"
            elif name in old_required:
                kind_id = "response-required-property-removed"
            else:
                kind_id = "response-optional-property-removed"
            report(
                kind_id,
                f"{side} property {full(name)} removed",
                prop,
                new,
                prop.get("py"),
            )
        targets = set(renamed.values())
        for name, prop in new_props.items():
            if name in old_props or name in targets:
                continue
            if request:
                required = name in new_required and not prop.get("readOnly")
                kind_id = (
                    "request-property-added-required"
                    if required
                    else "request-property-added-optional"
                )
                text = "required" if required else "optional"
            else:
                if prop.get("writeOnly"):
                    continue
                kind_id = "response-property-added"
                text = "required" if name in new_required else "optional"
            report(
                kind_id,
                f"{text} {side} property {full(name)} added",
                old,
                prop,
                prop.get("py"),
            )
        pairs = [(n, n) for n in old_props if n in new_props] + list(renamed.items())
        for old_name, new_name in pairs:
            a, b = old_props[old_name], new_props[new_name]
            label = b.get("py") or a.get("py")
            was_required = old_name in old_required
            is_required = new_name in new_required
            if request and not b.get("readOnly"):
                if is_required and not was_required:
                    report(
                        "request-property-became-required",
                        f"request property {full(new_name)} became required",
                        a,
                        b,
                        label,
                    )
                elif was_required and not is_required:
                    report(
                        "request-property-became-optional",
                        f"request property {full(new_name)} became optional",
                        a,
                        b,
                        label,
                    )
            if request and b.get("readOnly") and not a.get("readOnly"):
                report(
                    "request-property-became-read-only",
                    f"request property {full(new_name)} became read-only",
                    a,
                    b,
                    label,
                )
            if not request:
                if b.get("writeOnly") and not a.get("writeOnly"):
                    report(
                        "response-property-became-write-only",
                        f"response property {full(new_name)} is no longer returned (write-only)",
                        a,
                        b,
                        label,
                    )
                elif was_required and not is_required:
                    report(
                        "response-property-became-optional",
                        f"response property {full(new_name)} became optional",
                        a,
                        b,
                        label,
                    )
                elif is_required and not was_required:
                    report(
                        "response-property-became-required",
                        f"response property {full(new_name)} became required",
                        a,
                        b,
                        label,
                    )
            self._schema(
                a,
                b,
                direction=direction,
                root=root,
                nested=nested,
                where=where,
                path=full(new_name),
                obj=label or obj,
            )


def http_changes(old: Contract, new: Contract) -> list[Change]:
    return HttpDiff(old, new).run()
