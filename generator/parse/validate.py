"""Validate a loaded document against the OpenAPI 3.0/3.1 schema with openapi-spec-validator.

A fast pass (the document schema on jsonschema-rs, and :mod:`.semantics`) decides whether the document is
clean and, when it is not, which regions of it are not (path items, components, webhooks, the top level).
Only those regions, with what they reference, are handed to openapi-spec-validator, whose keyword pass costs
milliseconds per operation: a large spec with one small flaw is checked in a fraction of a second, and its
message is the validator's own. The pruned document keeps every node at its pointer, so every error is
located through the document's mark table: file, line, column and JSON pointer.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from ..errors import Problem, SpecError
from . import metaschema
from .load import Document, load_document, pointer_join
from .refs import check_references
from .semantics import (
    Region,
    SchemaMemo,
    findings,
    node_tokens,
    ref_tokens,
    region_of,
)

_SWAGGER_HINT = (
    "this is a Swagger 2.0 document, not OpenAPI 3; convert it first, for example with "
    "`npx swagger2openapi in.yaml -o out.yaml` or the converter at converter.swagger.io"
)
_PATH_OPERATION = re.compile(
    r"'(?P<method>[a-z]+)'(?: operation)? in '(?P<path>/[^']*)'"
)
_UNRESOLVED_PATH_PARAM = re.compile(
    r"Path parameter '(?P<name>[^']*)' for '(?P<method>[a-z]+)' operation in '(?P<path>/[^']*)' was not resolved"
)
_DUPLICATE_OPERATION_ID = re.compile(
    r"Operation ID '(?P<id>.*)' for '[a-z]+' in '/[^']*' is not unique"
)
# Errors about the validator's reach rather than the document: reported as warnings, never fatal.
_UNCHECKABLE = ("Unknown JSON Schema dialect",)
# Keys whose value the validator checks against a schema without saying where (defaults, examples).
_VALUE_KEYS = ("default", "example", "x-example")
# Messages from jsonschema can quote a whole sub-document; keep them readable.
_MAX_MESSAGE = 300


def check_version(doc: Document) -> Problem | None:
    """Refuse documents that are not OpenAPI 3.0 or 3.1, with a message that says what they are."""
    data = doc.data
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        return doc.problem(
            "", f"the top level must be a mapping (an OpenAPI object), not {kind}"
        )
    if "swagger" in data:
        return doc.problem("/swagger", _SWAGGER_HINT)
    version = data.get("openapi")
    if version is None:
        return doc.problem(
            "", "missing the `openapi` field: this is not an OpenAPI 3 document"
        )
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01]\.\d+(-.+)?", version):
        return doc.problem(
            "/openapi",
            f"unsupported OpenAPI version {version!r}: expected 3.0.x or 3.1.x",
        )
    return None


@cache
def _validator_class(openapi31: bool) -> Any:
    """The spec validator, always on the Python jsonschema backend: its errors carry the sub-errors of a
    failed ``oneOf`` (so we can say which requirement is missing), and its messages do not depend on whether
    the optional jsonschema-rs happens to be installed."""
    # Imported here: the package costs about half a second to import, and clean specs never need it.
    from jsonschema.validators import validator_for
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    base = OpenAPIV31SpecValidator if openapi31 else OpenAPIV30SpecValidator
    schema = dict(schema_v31 if openapi31 else schema_v30)
    return type(
        base.__name__, (base,), {"schema_validator": validator_for(schema)(schema)}
    )


class _LocalReferences(Mapping[str, Callable[[str], Any]]):
    """The URI handlers the full validator resolves references with: ``file:`` URIs in ``folder`` (or
    below it) are read by our own loader, with its limits; any other URI reads as an empty document, so
    validation never reaches the network. (References that matter were resolved, and reported, by
    :func:`check_references` before; the validator meets others only inside data, such as a default
    value holding a ``$ref`` key.) jsonschema-path fetches a scheme it has no handler for with urllib, so
    this mapping answers for every scheme."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self._read if scheme == "file" else self._refuse

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(("file",))

    def __len__(self) -> int:
        return 1

    def _read(self, uri: str) -> Any:
        # Imported here: urllib.request brings http.client, email and ssl, which most runs never need.
        from urllib.request import url2pathname

        path = Path(url2pathname(urlsplit(uri).path)).resolve()
        if self._folder not in path.parents:
            return self._refuse(uri)
        try:
            return load_document(path).data
        except SpecError:
            return {}

    @staticmethod
    def _refuse(uri: str) -> Any:
        return {}


def _without_item_schema(media_types: Any) -> Any:
    if not isinstance(media_types, dict) or not any(
        isinstance(m, dict) and "itemSchema" in m for m in media_types.values()
    ):
        return media_types
    return {
        name: (
            {k: v for k, v in m.items() if k != "itemSchema"}
            if isinstance(m, dict)
            else m
        )
        for name, m in media_types.items()
    }


def _responses_without_item_schemas(responses: Any) -> Any:
    if not isinstance(responses, dict):
        return responses
    changed = {}
    for status, response in responses.items():
        if isinstance(response, dict) and "content" in response:
            content = _without_item_schema(response["content"])
            if content is not response["content"]:
                changed[status] = {**response, "content": content}
    return {**responses, **changed} if changed else responses


def without_item_schemas(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the ``itemSchema`` of response media types (OpenAPI 3.2's schema of each item
    of a sequential media type such as ``text/event-stream``, which clientgen reads in 3.0 and 3.1
    documents too, ahead of their schemas allowing it). Only what changes is copied."""
    out = dict(data)
    paths = data.get("paths")
    if isinstance(paths, dict):
        new_paths = {}
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            new_item = {}
            for method, op in item.items():
                if isinstance(op, dict) and "responses" in op:
                    responses = _responses_without_item_schemas(op["responses"])
                    if responses is not op["responses"]:
                        new_item[method] = {**op, "responses": responses}
            if new_item:
                new_paths[path] = {**item, **new_item}
        if new_paths:
            out["paths"] = {**paths, **new_paths}
    components = data.get("components")
    if isinstance(components, dict) and "responses" in components:
        responses = _responses_without_item_schemas(components["responses"])
        if responses is not components["responses"]:
            out["components"] = {**components, "responses": responses}
    return out


# What the fast pass found: the regions the full validator must word (empty: none), or else the flaws it
# worded itself, as ("error" | "warning", pointer, message).
FastPass = tuple[set[Region], list[tuple[str, str, str]]]


def _flagged_regions(
    data: dict[str, Any], openapi31: bool, memo: SchemaMemo | None = None
) -> set[Region] | None:
    """The regions of the document the fast pass finds something wrong in (empty: the document is clean),
    or None when only the full validator can tell (a dialect it does not know, or no jsonschema-rs).
    """
    outcome = _fast_pass(data, openapi31, memo)
    if outcome is None:
        return None
    regions, worded = outcome
    return regions | {region_of(_tokens(p)) for _, p, _ in worded}


def _fast_pass(
    data: dict[str, Any], openapi31: bool, memo: SchemaMemo | None = None
) -> FastPass | None:
    """What the fast pass finds (see :data:`FastPass`), or None when only the full validator can tell (a
    ``jsonSchemaDialect`` it has no meta-schema for, or no jsonschema-rs). A default that does not fit its
    schema, a root schema its dialect's meta-schema refuses and a dialect no validator knows are flaws the
    fast pass words itself, unless the full validator is to run (then it says all, of their regions too); defaults
    openapi-spec-validator does not check (it never walks to them) are no flaw."""
    if "jsonSchemaDialect" in data and not openapi31:
        return None  # no 3.0 field: the full validator says so
    schema_errors = _document_schema_errors(openapi31)
    meta = metaschema.check(data, openapi31)
    if schema_errors is None or meta is None:
        return None
    regions = {region_of(path) for path in schema_errors(data)}
    found = list(findings(data, memo))
    if any(f.schema for f in found):
        walked = meta.walked(data)
        found = [f for f in found if not f.schema or f.schema in walked]
    regions.update(f.region for f in found if not f.worded)
    regions.update(r.region for r in meta.refusals if r.kind == "flagged")
    worded: list[tuple[str, str, str]] = []
    for refusal in meta.refusals:
        if refusal.kind == "flagged":
            continue
        tokens = node_tokens(data, refusal.region, id(refusal.schema))
        if tokens is None:
            regions.add(refusal.region)
            continue
        worded.append(
            (refusal.kind, _pointer([*tokens, *refusal.path]), refusal.message)
        )
    for finding in found:
        if not finding.worded:
            continue
        tokens = node_tokens(data, finding.region, finding.schema)
        if tokens is None:
            regions.add(finding.region)
            continue
        worded.append(("error", _pointer([*tokens, "default"]), finding.message))
    if regions:
        # The full validator runs: it says everything, of every region with a flaw (what it says of one
        # region can depend on which others it is handed, so the fast pass's words are not mixed in).
        regions |= {region_of(_tokens(pointer)) for _, pointer, _ in worded}
        regions |= meta.walkers(data, regions)
        worded = []
    return regions, worded


def _pointer(tokens: list[str | int]) -> str:
    pointer = ""
    for token in tokens:
        pointer = pointer_join(pointer, token)
    return pointer


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _document_schema_errors(
    openapi31: bool,
) -> Callable[[Any], Iterator[list[str | int]]] | None:
    """The instance paths of the document-schema errors of a document (nothing when it is valid)."""
    validator = _document_schema_check(openapi31)
    if validator is None:
        return None
    check = cast(Any, validator)

    def errors(data: Any) -> Iterator[list[str | int]]:
        if check.is_valid(data):
            return
        for error in check.iter_errors(data):
            yield list(error.instance_path)

    return errors


def _region_node(data: dict[str, Any], region: Region) -> Any:
    node: Any = data
    for token in region:
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


def _with_references(data: dict[str, Any], regions: set[Region]) -> set[Region]:
    """``regions`` and every region a local ``$ref`` in them leads to, transitively."""
    done: set[Region] = set()
    todo = [r for r in regions if r]
    while todo:
        region = todo.pop()
        if region in done:
            continue
        done.add(region)
        stack = [_region_node(data, region)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if type(ref) is str:
                    tokens = ref_tokens(ref)
                    if tokens:
                        target = region_of(tokens)
                        if target and target not in done:
                            todo.append(target)
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                stack.extend(v for v in node if isinstance(v, (dict, list)))
    return done


def sub_document(data: dict[str, Any], regions: set[Region]) -> dict[str, Any]:
    """The document cut down to ``regions`` and what they reference: every top-level field but the paths,
    webhooks and components whole, and of those only the entries named. Each node keeps its pointer (and
    every mapping its order), so what the full validator says of the part holds for the whole.
    """
    kept = _with_references(data, regions)
    whole = {r[0] for r in kept if len(r) == 1} | {
        "/".join(r[:2]) for r in kept if len(r) == 2 and r[0] == "components"
    }
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in ("paths", "webhooks", "components") or key in whole:
            out[key] = value
        elif not isinstance(value, dict):
            out[key] = value
        elif key == "components":
            part: dict[str, Any] = {}
            for kind, group in value.items():
                if f"components/{kind}" in whole or not isinstance(group, dict):
                    part[kind] = group
                    continue
                names = {r[2] for r in kept if len(r) == 3 and r[:2] == (key, kind)}
                if names:
                    part[kind] = {k: v for k, v in group.items() if str(k) in names}
            out[key] = part
        else:
            names = {r[1] for r in kept if len(r) == 2 and r[0] == key}
            out[key] = {k: v for k, v in value.items() if str(k) in names}
    return out


@cache
def _document_schema_check(openapi31: bool) -> Any:
    """openapi-spec-validator's own OpenAPI document schema, checked with jsonschema-rs as that package's
    Rust backend does, but read from its resources without importing the package (half a second).
    """
    try:
        import jsonschema_rs
    except ImportError:
        return None
    found = importlib.util.find_spec("openapi_spec_validator")
    if found is None or not found.submodule_search_locations:
        return None
    folder = Path(next(iter(found.submodule_search_locations)))
    version = "v3.1" if openapi31 else "v3.0"
    schema = json.loads(
        (folder / "resources" / "schemas" / version / "schema.json").read_text("utf-8")
    )
    # Formats are not asserted: the full validator checks the document schema with no format checker.
    validator = jsonschema_rs.validator_cls_for(schema)(schema, validate_formats=False)
    return validator


# The fast pass's schema walk of the last version of each document (by file): the ``build --watch`` process
# validates after every save, and checks again only the schemas of the regions that changed
# (semantics.SchemaMemo).
_SCHEMA_MEMOS: dict[str, SchemaMemo] = {}


# What the validator found in a build's spec, kept beside its manifest (a clientgen record, git-ignored).
VALIDATION = ".clientgen-validation"


@dataclass
class Findings:
    """What validation found, kept from one process to the next (the build keeps it in the output's
    :data:`VALIDATION` file), by the digest of what it follows from: for a whole document (its text, see
    :func:`_document_key`), the regions the fast pass flagged; for a flagged part (see
    :func:`_findings_key`), the full validator's findings and the answers the document gave on the way
    (which pointers it has). ``salt`` is the generator's code, set by the build; ``changed`` says an
    entry was added since the findings were read."""

    salt: str = ""
    entries: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def read(cls, path: Path) -> Findings:
        """The findings :meth:`write` left in ``path`` (none when there is no such file, or it is unreadable)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls(entries=data) if isinstance(data, dict) else cls()

    def write(self, path: Path) -> None:
        """Save the findings in ``path`` (atomically) when they changed and its folder exists; a failure
        only loses them."""
        if not self.changed or not path.parent.is_dir():
            return
        temporary = path.with_name(f"{path.name}.{os.getpid()}")
        try:
            temporary.write_text(json.dumps(self.entries), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
            return
        self.changed = False

    def keep(self, kind: str, key: str, entry: Any) -> None:
        """``entry`` under ``key``, in place of the last entry of its ``kind``."""
        self.entries = {
            k: v
            for k, v in self.entries.items()
            if not (isinstance(v, dict) and v.get("kind") == kind)
        }
        self.entries[key] = {"kind": kind, **entry}
        self.changed = True


def validate_document(
    doc: Document, known: Callable[[], Findings] | None = None
) -> list[Problem]:
    """All flaws of ``doc`` (an empty list when it is valid: errors unless lenient); raises SpecError when it
    is not OpenAPI 3. ``known`` gives what earlier processes found (:class:`Findings`): a document whose
    text is the same is not checked again (its flagged regions are kept; for one with references to other
    files, only the full validator's findings are), and the full validator is not run again on the same
    flagged part. ``known`` gets what this validation found.

    References are resolved first, by us: the validator cannot say where an unresolvable one is. Problems
    the validator cannot check (an unknown JSON Schema dialect) go to ``doc.warnings``.
    """
    bad_version = check_version(doc)
    if (
        bad_version is not None
    ):  # not OpenAPI 3: nothing else can be checked, lenient or not
        raise SpecError([bad_version])
    store = known() if known is not None else None
    version: str = doc.data["openapi"]
    openapi31 = version.startswith("3.1")
    whole = _document_key(store.salt, doc) if store is not None else None
    outcome = _kept(store, whole)
    data: Any = None
    if outcome is _NOT_KEPT:
        flaws = len(doc.flaws)
        reference_problems = check_references(doc)
        if reference_problems:
            return reference_problems
        data = without_item_schemas(doc.data)
        memo = _SCHEMA_MEMOS.setdefault(str(doc.path.resolve()), SchemaMemo())
        outcome = _fast_pass(data, openapi31, memo)
        if store is not None and whole is not None and len(doc.flaws) == flaws:
            # (A reference the check normalised in place, with a flaw, is not kept: it must be again.)
            kept: dict[str, Any] = {"regions": None}
            if outcome is not None:
                kept = {
                    "regions": sorted(map(list, outcome[0])),
                    "worded": [list(w) for w in outcome[1]],
                }
            store.keep("document", whole, kept)
    own: list[Problem] = []
    if outcome is not None:
        regions, worded = outcome
        for kind, pointer, message in worded:
            problem = doc.problem(pointer, message)
            (own if kind == "error" else doc.warnings).append(problem)
        if not regions:
            return _in_order(own)
    # Something else is wrong: the full validator says precisely what and where, of the flagged regions only.
    if data is None:
        data = without_item_schemas(doc.data)
    if outcome is not None:
        data = sub_document(data, regions)
    full = _full_validation(doc, data, openapi31, *([known] if known else []))
    return _in_order(own, full) if own else full


def _in_order(*groups: list[Problem]) -> list[Problem]:
    """The problems in the order of their places in the document."""
    return sorted(
        (p for group in groups for p in group),
        key=lambda p: (p.location.line, p.location.column),
    )


# A document with references to other files: its text is not all the references' checks and the fast pass
# read (the build's digest of the spec follows them by a pattern, so its findings are not kept by text).
# A `$ref` whose value is an object or an array is no reference but a property of that name (Kubernetes'
# JSONSchemaProps has one): it does not count.
_FILE_REF = re.compile(r"""\$ref["']?+\s*+:\s*+(?![{\[]|["']?#)""")
_NOT_KEPT: Any = object()


def _document_key(salt: str, doc: Document) -> str | None:
    """A digest of everything the reference checks and the fast pass follow from, for a document whose
    references are all local: its text, file and syntax, the validator's packages and the generator's code
    (``salt``); None for any other document."""
    if not doc.text or _FILE_REF.search(doc.text):
        return None
    h = hashlib.blake2b(digest_size=20)
    for part in (
        "document 1",
        salt,
        _validator_versions(),
        str(doc.path.resolve()),
        repr(doc.is_json),
        doc.text,
    ):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _kept(store: Findings | None, key: str | None) -> Any:
    """What the fast pass found in the document whose key is ``key`` (:data:`FastPass`; None: only the full
    validator can tell), or ``_NOT_KEPT``."""
    if store is None or key is None:
        return _NOT_KEPT
    entry = store.entries.get(key)
    if not isinstance(entry, dict) or "regions" not in entry:
        return _NOT_KEPT
    regions, worded = entry["regions"], entry.get("worded")
    if regions is None:
        return None
    if not isinstance(regions, list) or not all(
        isinstance(r, list) and all(isinstance(t, str) for t in r) for r in regions
    ):
        return _NOT_KEPT
    if not isinstance(worded, list) or not all(
        isinstance(w, list)
        and len(w) == 3
        and w[0] in ("error", "warning")
        and all(isinstance(t, str) for t in w)
        for w in worded
    ):
        return _NOT_KEPT
    return {tuple(r) for r in regions}, [(k, p, m) for k, p, m in worded]


# The last full validation of each document (by file, version and syntax): the sub-document it was given
# and what the validator said of it. The ``build --watch`` process validates the document after every save;
# while the flagged regions, what they reference and the top-level fields stay equal, so do the validator's
# findings (only their places are looked up again: an edit elsewhere moves lines and columns).
_LAST: dict[tuple[str, bool, bool], tuple[Any, list[tuple[str, str, str]]]] = {}


def _full_validation(
    doc: Document,
    data: Any,
    openapi31: bool,
    known: Callable[[], Findings] | None = None,
) -> list[Problem]:
    """openapi-spec-validator's findings on ``data`` (``doc``'s data, or a part of it with the same
    pointers), located in ``doc``; taken from ``known`` (an earlier process's) when they follow from the
    same input."""
    key = (str(doc.path.resolve()), openapi31, doc.is_json)
    memo = _LAST.get(key)
    found: list[tuple[str, str, str]] | None = None
    if memo is not None and memo[0] == data:
        found = memo[1]
    else:
        contained = _self_contained(data)
        store = known() if known is not None and contained else None
        digest = _findings_key(store.salt, doc, data, openapi31) if store else None
        if store is not None and digest is not None:
            found = _replayed(store.entries.get(digest), doc)
        if found is None:
            probes: dict[str, bool] = {}
            found = _validator_findings(doc, data, openapi31, probes)
            if store is not None and digest is not None:
                store.keep(
                    "findings",
                    digest,
                    {"findings": [list(f) for f in found], "probes": probes},
                )
        if contained:
            _LAST[key] = (data, found)
        else:  # it reads other files, which may change on their own
            _LAST.pop(key, None)
    flaws: list[Problem] = []
    for kind, pointer, message in found:
        if kind == "warning":
            doc.warnings.append(doc.problem(pointer, message))
        else:
            flaws.append(doc.problem(pointer, message))
    return flaws


@cache
def _validator_versions() -> str:
    """The versions of the validators and the packages they word their messages with: the names of their
    ``.dist-info`` folders (one listing of each folder they are installed in; importing them, or asking
    ``importlib.metadata``, takes longer)."""
    names = (
        "openapi_spec_validator",
        "openapi_schema_validator",
        "jsonschema",
        "jsonschema_path",
        "jsonschema_specifications",
        "jsonschema_rs",
        "referencing",
    )
    out = [sys.version]
    folders: set[str] = set()
    for name in names:
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            found = None
        where = found.origin if found is not None else None
        if found is not None and found.submodule_search_locations:
            where = next(iter(found.submodule_search_locations))
        out.append(f"{name}:{where}")
        if where:
            folders.add(os.path.dirname(os.path.abspath(where)))
    wanted = tuple(n.lower() + "-" for n in names)
    for folder in sorted(folders):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        out.extend(
            sorted(
                e
                for e in entries
                if e.endswith(".dist-info") and e.lower().startswith(wanted)
            )
        )
    return "\n".join(out)


def _findings_key(salt: str, doc: Document, data: Any, openapi31: bool) -> str:
    """A digest of everything the full validator's findings on ``data`` follow from (but the pointers the
    whole document has, see :func:`_replayed`): the data (its ``repr``: every key and value with its type,
    in order), the OpenAPI version, the file's place and syntax, the validator's packages and the
    generator's code (``salt``)."""
    h = hashlib.blake2b(digest_size=20)
    for part in (
        "findings 1",
        salt,
        _validator_versions(),
        str(doc.path.resolve()),
        repr((openapi31, doc.is_json)),
        repr(data),
    ):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _replayed(entry: Any, doc: Document) -> list[tuple[str, str, str]] | None:
    """The findings of ``entry`` (see :class:`Findings`) when ``doc`` has and lacks the pointers it had
    when they were found (where an error is placed depends on them), else None."""
    if not isinstance(entry, dict):
        return None
    findings, probes = entry.get("findings"), entry.get("probes")
    if not isinstance(findings, list) or not isinstance(probes, dict):
        return None
    out: list[tuple[str, str, str]] = []
    for item in findings:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and all(isinstance(x, str) for x in item)
        ):
            return None
        out.append((item[0], item[1], item[2]))
    if probes:
        marks = doc.marks
        if any((p in marks) != had for p, had in probes.items()):
            return None
    return out


def _self_contained(data: Any) -> bool:
    """Whether ``data`` holds only local references (``#/...``): the validator then reads no other file."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return False
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return True


def _validator_findings(
    doc: Document,
    data: Any,
    openapi31: bool,
    probes: dict[str, bool] | None = None,
) -> list[tuple[str, str, str]]:
    """What openapi-spec-validator says of ``data``: ("flaw" or "warning", pointer, message), in order.
    ``probes`` gets each pointer whose presence in the document placing them depended on.
    """
    has = _Probed(doc, probes if probes is not None else {})
    validator_class = type(
        "LocalValidator",
        (_validator_class(openapi31),),
        {"resolver_handlers": _LocalReferences(doc.path.resolve().parent)},
    )
    validator = validator_class(data, base_uri=doc.path.resolve().as_uri())
    flaws: list[tuple[str, str]] = []
    warnings: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    vague: set[int] = (
        set()
    )  # "matches none of the alternatives" errors, narrowed down by guessing
    try:
        errors: Iterable[Any] = validator.iter_errors()
        for error in errors:
            pointer, message = _describe(error, has, data)
            if (pointer, message) in seen:
                continue
            seen.add((pointer, message))
            if message.startswith(_UNCHECKABLE):
                warnings.append(("warning", pointer, f"not checked: {message}"))
                continue
            flaws.append((pointer, message))
            if getattr(error, "context", None):
                vague.add(len(flaws) - 1)
    except RecursionError:
        flaws.append(
            ("", "the document nests too deeply (a reference cycle outside schemas?)")
        )
    except (
        Exception
    ) as exc:  # the validator itself failed, most often on a problem it already reported
        if not flaws:
            flaws.append(("", f"cannot validate: {_shorten(str(exc))}"))
    # A guessed error about a node is dropped when another error at or inside that node says more.
    return warnings + [
        ("flaw", pointer, message)
        for i, (pointer, message) in enumerate(flaws)
        if i not in vague or not _superseded(i, flaws, vague)
    ]


def _superseded(index: int, flaws: list[tuple[str, str]], vague: set[int]) -> bool:
    pointer = flaws[index][0]
    for j, (at, _) in enumerate(flaws):
        if j == index:
            continue
        if at.startswith(pointer + "/"):
            return True
        if at == pointer and (j < index or j not in vague):
            return True
    return False


class _Probed:
    """Whether the document has a pointer, each answer recorded (see :func:`_replayed`)."""

    def __init__(self, doc: Document, answers: dict[str, bool]) -> None:
        self._doc = doc
        self.answers = answers

    def __call__(self, pointer: str) -> bool:
        found = pointer in self._doc.marks
        self.answers[pointer] = found
        return found


def _describe(error: Any, has: Callable[[str], bool], data: Any) -> tuple[str, str]:
    """The pointer and message of one validator error, made as precise as we can."""
    if getattr(error, "context", None):
        # "X is not valid under any of the given schemas": say which requirement of the likeliest branch fails
        # (not the Reference branch's "'$ref' is required" when the node is no reference).
        relevant = [
            e
            for e in error.context
            if "'$ref' is a required property" not in str(e.message)
        ]
        from jsonschema.exceptions import best_match

        error = best_match(relevant or error.context)
    message = _message_of(error)
    pointer = _pointer_of(error)
    unresolved = _UNRESOLVED_PATH_PARAM.search(message)
    if unresolved:
        name, path = unresolved["name"], unresolved["path"]
        if "{" + name + "}" in path:
            message = f"path parameter {name!r} of {path!r} is not declared"
        else:
            message = (
                f"path parameter {name!r} is declared but is not in the path {path!r}"
            )
    duplicate = _DUPLICATE_OPERATION_ID.search(message)
    if duplicate and pointer:
        pointer += "/operationId"
        message = f"duplicate operationId {duplicate['id']!r}"
    instance = getattr(error, "instance", None)
    if not pointer and not unresolved and not duplicate:
        found = _locate_value(
            data, instance, lambda p: p.rsplit("/", 1)[-1] in _VALUE_KEYS
        )
        if found:
            pointer = found
            message = f"the {found.rsplit('/', 1)[-1]} value does not match its schema: {message}"
    elif pointer and not has(pointer) and has(""):
        # Schema errors come with a path relative to the schema: find the node it names.
        pointer = (
            _locate_value(data, instance, lambda p: p.endswith(pointer)) or pointer
        )
    return pointer, message


def _locate_value(data: Any, instance: Any, wanted: Any) -> str:
    """The pointer of the first scalar in ``data`` equal to ``instance`` whose pointer ``wanted`` accepts
    ("" if none)."""
    if isinstance(instance, (dict, list)) or instance is None:
        return ""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            items = [(pointer_join(pointer, k), v) for k, v in node.items()]
        elif isinstance(node, list):
            items = [(pointer_join(pointer, i), v) for i, v in enumerate(node)]
        else:
            continue
        for child, value in items:
            if type(value) is type(instance) and value == instance and wanted(child):
                return child
        stack.extend(reversed([(v, c) for c, v in items]))
    return ""


def _pointer_of(error: Any) -> str:
    path = list(
        getattr(error, "absolute_path", None) or getattr(error, "path", None) or []
    )
    if path:
        pointer = ""
        for token in path:
            pointer = pointer_join(pointer, token)
        return pointer
    match = _PATH_OPERATION.search(str(getattr(error, "message", error)))
    if match:
        return pointer_join(pointer_join("/paths", match["path"]), match["method"])
    return ""


def _message_of(error: Any) -> str:
    return _shorten(str(getattr(error, "message", error)))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"
