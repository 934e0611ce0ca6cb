"""One target from spec to project: load, validate, model, render, then write atomically or compare."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import Target
from .diff.release import CHANGELOG, dump_manifest, release_outputs
from .errors import Location, OutputError, Problem
from .load import _without_gc, load_spec
from .load import load_api as load_api  # where callers have always found it
from .model.api import Api
from .parse.load import Document
from .parse.validate import VALIDATION, Findings
from .phases import Phases, counted
from .render import TEMPLATES
from .render.cache import RENDERS, RenderCache, file_keys, whole_key
from .render.incremental import Plan, digest_bytes
from .render.ownership import (
    MANIFEST,
    Manifest,
    foreign_files,
    guard_output,
    manifest_as_read,
    manifest_json,
    manifest_text,
    owned_files,
    read_files,
    refuse_foreign_in_the_way,
    refuse_links_out,
)
from .render.write import (
    Changes,
    OutputFile,
    compare,
    diff,
    read_tree,
    stage,
    swap_in,
    syntax_error,
    writable_parent,
)

OUTPUTS = ".clientgen-outputs"  # digest of the written tree; git-ignored, so a fresh clone rebuilds once
GENERATOR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class BuildResult:
    changes: Changes
    seconds: float
    warnings: tuple[Problem, ...]
    skipped: bool = False
    # The release gate's verdict on the spec's changes since the previous build (none, patch, minor,
    # major), when the previous build recorded a surface to compare with.
    verdict: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``build --check`` found: a diff of clientgen's files ("" when up to date), and the files in the
    output clientgen did not write (kept, not compared)."""

    diff: str
    foreign: tuple[str, ...]


def _tree_files(root: Path, suffix: str) -> list[tuple[str, str, os.stat_result]]:
    """The files under ``root`` whose names end in ``suffix`` (``__pycache__`` left out): their path relative
    to ``root``, their full path and their ``stat``, in path order (folder by folder).
    """
    found = []
    todo = [("", str(root))]
    while todo:
        rel, folder = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        todo.append((f"{rel}{entry.name}/", entry.path))
                elif entry.name.endswith(suffix) and entry.is_file():
                    found.append((f"{rel}{entry.name}", entry.path, entry.stat()))
    found.sort(key=lambda f: f[0].split("/"))
    return found


# root -> (the stat signature of its files, their digest): a build digests the templates and the generator's
# code twice (the inputs digest and the render salt), the watch before every build.
_TREE_DIGESTS: dict[tuple[str, str], tuple[object, str]] = {}


def _tree_digest(root: Path, suffix: str) -> str:
    """A digest of the files under ``root`` (see :func:`_tree_files`): their paths and bytes. Kept while every
    file keeps its size, inode and modification and change times."""
    files = _tree_files(root, suffix)
    signature = [
        (rel, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
        for rel, _, st in files
    ]
    kept = _TREE_DIGESTS.get((str(root), suffix))
    if kept is not None and kept[0] == signature:
        return kept[1]
    h = hashlib.sha256()
    for rel, path, _ in files:
        h.update(rel.encode())
        h.update(b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    digest = h.hexdigest()
    _TREE_DIGESTS[(str(root), suffix)] = (signature, digest)
    return digest


def spec_digest(spec: Path) -> str:
    """A hash of the spec and every file it references."""
    h = hashlib.sha256()
    for path in _referenced_files(spec):
        h.update(path.name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def input_digest(target: Target, lenient: bool, spec_hash: str) -> str:
    """A hash of everything the output depends on: spec files, templates, generator code, options."""
    h = hashlib.sha256()
    h.update(
        json.dumps(
            [
                __version__,
                target.package,
                target.library,
                target.version,
                lenient,
                spec_hash,
            ]
        ).encode()
    )
    h.update(_tree_digest(TEMPLATES, "").encode())
    h.update(_tree_digest(GENERATOR, ".py").encode())
    return h.hexdigest()


def _referenced_files(spec: Path) -> list[Path]:
    """Files a spec reaches through relative ``$ref``s (followed transitively), in its folder."""
    seen: set[Path] = set()
    todo = [spec.resolve()]
    folder = todo[0].parent
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file() or folder not in path.parents:
            continue
        seen.add(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        for ref in _REF.findall(text):
            file_part = ref.split("#", 1)[0]
            if file_part and "://" not in file_part:
                todo.append((path.parent / file_part).resolve())
    return sorted(seen)


_REF = re.compile(r"""\$ref["']?\s*:\s*["']?([^"'\s}]+)""")


# From about this many operations and models together a project has over 1 MB of Python, and its build is
# spread over the cores (the docs rendered by a forked child while the code is rendered here).
_LARGE_PROJECT = 500


@dataclass(frozen=True, slots=True)
class Project:
    """What :func:`stage` needs to write a project: functions rendering its code and its docs, and the
    manifest's fields (the inputs' digests, to skip unchanged builds)."""

    code: Callable[[], list[OutputFile]]
    docs: Callable[[], list[OutputFile]]
    # The release files (CHANGELOG.md; the manifest's surface and the verdict on the way), from the code as
    # rendered: computed while ruff formats the code.
    release: Callable[[], list[OutputFile]]
    large: bool
    manifest: dict[str, object]
    # What rendering found out on the way (the release gate's ``verdict``), for the build's result.
    notes: dict[str, str]
    # Incremental rendering (render/cache.py): the key of each file rendered from one tag or model, and
    # the code files as rendered (before formatting), once ``code`` has run.
    keys: dict[str, str]
    rendered: list[OutputFile]
    # The renders taken from the cache, and which files this build leaves as they are in the output
    # (render/incremental.py: they are neither staged nor formatted); None when every file is staged.
    reused: dict[str, str]
    plan: Plan | None = None
    # The key of the files rendered from the whole API (render/cache.py's whole_key; "" without a cache),
    # and the docs as rendered, in order (when this process rendered them, else empty).
    whole: str = ""
    rendered_docs: list[OutputFile] = field(default_factory=list)
    # The paths of the docs staged, in the order they were rendered (filled by :func:`_stage`, also when a
    # forked child rendered them).
    staged_docs: list[str] = field(default_factory=list)


def render_project(
    target: Target,
    api: Api,
    digest: str,
    spec_hash: str,
    *,
    doc: Document | None = None,
    output: Path | None = None,
    gate: bool = False,
    phases: Phases | None = None,
    cache: RenderCache | None = None,
    lenient: bool = False,
    trust_stat: bool = False,
) -> Project:
    """The project's code and docs, as functions :func:`stage` calls when it is ready for them. Given the
    spec's ``doc``, the project also gets its changelog, and the manifest the surface of this build (see
    :func:`_release_files`). With a ``cache``, the files whose inputs did not change since the build that
    filled it are taken from it instead of rendered again, and those the output holds as they would be
    written are left out of the staging (``trust_stat``: the output's files keep the ``lstat`` this process
    saw when it moved them in, see render/incremental.py)."""
    manifest: dict[str, object] = {
        "generator": f"clientgen {__version__}",
        "inputs": digest,
        "library": target.library,
        "package": target.package,
        "spec": spec_hash,
        "version": target.version,
    }
    notes: dict[str, str] = {}
    salt = input_digest(target, lenient, "")
    keys = _file_keys(api, target, salt, doc, cache) if cache is not None else {}
    if cache is not None:
        cache.contracts.salt = salt
    reuse = cache.reuse(keys) if cache is not None else {}
    whole = whole_key(api, target, salt, keys) if cache is not None else ""
    # Every file as the last build rendered it, when nothing it was rendered from changed: then neither Jinja
    # nor the planners are even imported.
    same = cache.whole_files(whole, keys) if cache is not None else None
    rendered_docs: list[OutputFile] = []
    checked = cache.reuse(keys, checked=True) if cache is not None else {}
    rendered: list[OutputFile] = []
    plan = (
        Plan(cache.written, output, keys, trust_stat=trust_stat)
        if cache is not None and output is not None
        else None
    )
    if plan is not None and same is not None:
        # The docs taken from the cache: left out of the staging when the output holds them.
        plan.consider_rendered(same[1])

    def code() -> list[OutputFile]:
        files = list(same[0]) if same is not None else _code_files(api, target, reuse)
        rendered.extend(files)
        if plan is not None:
            files = plan.staged(files)
        return _checked(files, checked)

    def release() -> list[OutputFile]:
        # Called by stage() once ruff is formatting the code (in its own process): the release files read
        # the code as rendered, so they need not wait for the formatter, nor it for them.
        if doc is None:
            return []
        # A SyntaxError: reading the public surface met code that is not Python; say where.
        try:
            files = _release_files(
                target,
                doc,
                api,
                rendered,
                output or _output(target),
                spec_hash,
                gate,
                manifest,
                notes,
                cache,
            )
        except SyntaxError:
            raise OutputError(
                syntax_error(rendered) or "generated code is not valid Python"
            ) from None
        return plan.staged(files) if plan is not None else files

    def docs() -> list[OutputFile]:
        files = list(same[1]) if same is not None else _doc_files(api, target, reuse)
        rendered_docs.extend(files)
        if plan is not None:
            files = plan.doc_files(files)
        return _checked(files, checked)

    return Project(
        code=counted(phases, code, "format"),
        docs=counted(phases, docs, "format"),
        release=release,
        # The docs are rendered in a forked child only when many are rendered: after a small edit (most
        # renders reused) forking the large process costs more than rendering the few docs here.
        large=len(api.operations) + len(api.models) >= _LARGE_PROJECT
        and (cache is None or len(keys) - len(reuse) >= len(keys) / 2),
        manifest=manifest,
        notes=notes,
        keys=keys,
        rendered=rendered,
        reused=reuse,
        plan=plan,
        whole=whole,
        rendered_docs=rendered_docs,
    )


def _file_keys(
    api: Api, target: Target, salt: str, doc: Document | None, cache: RenderCache
) -> dict[str, str]:
    """:func:`file_keys`, or the keys the cache's last build computed from the same inputs."""
    inputs = _keys_inputs(target, salt, doc) if doc is not None else None
    memo = cache.keys_memo
    if inputs is not None and memo is not None and memo[0] == inputs:
        return dict(memo[1])
    keys = file_keys(api, target, salt, cache.model_texts)
    cache.keys_memo = (inputs, dict(keys)) if inputs is not None else None
    return keys


# Where a document may refer to another file: a ``$ref`` whose value is anything but a local reference
# (``#…``) or a mapping (a schema property named ``$ref``); and the escapes that could spell ``$`` in a key.
_NOT_ONLY_LOCAL = re.compile(rb"""\$ref["']?\s*+:\s*+(?!["']?#|\{)""")
_DOLLAR_ESCAPES = re.compile(rb"\\(?:x|u00|U000000)24")


def _keys_inputs(target: Target, salt: str, doc: Document) -> str | None:
    """A digest of everything the model and the render keys are computed from, for a document that refers to
    no other file (None otherwise): its text (the very text parsed) and its name in messages and headers,
    the build's salt (generator code, templates, options), the Python that runs the build, and the target's
    fields but where its files lie (as :func:`whole_key`: the cache stays the same wherever the project
    lies).
    """
    text = doc.text.encode("utf-8", "surrogatepass")
    if not text or _NOT_ONLY_LOCAL.search(text) or _DOLLAR_ESCAPES.search(text):
        return None
    where = ("spec", "output", "project")
    fields = [
        f"{f.name}={getattr(target, f.name)!r}"
        for f in dataclasses.fields(target)
        if f.name not in where
    ]
    h = hashlib.blake2b(digest_size=20)
    for part in (salt, sys.version, doc.display, target.source, *fields):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    h.update(text)
    return h.hexdigest()


def _checked(files: list[OutputFile], checked: dict[str, str]) -> list[OutputFile]:
    """``files`` with those taken from ``checked`` as bytes: the same text, which passed the syntax checks
    (of the code, of the docs' examples) in this process's previous build, so they are not run on it again.
    """
    if not checked:
        return files
    return [
        (
            OutputFile(f.path, f.content.encode("utf-8"))
            if isinstance(f.content, str) and checked.get(f.path) is f.content
            else f
        )
        for f in files
    ]


def _code_files(
    api: Api, target: Target, reuse: dict[str, str] | None = None
) -> list[OutputFile]:
    # Imported on first use: a build whose files all come from the render cache needs no Jinja.
    from .render.plan import code_files

    return code_files(api, target, reuse)


def _doc_files(
    api: Api, target: Target, reuse: dict[str, str] | None = None
) -> list[OutputFile]:
    # Imported on first use: `clientgen diff` loads specs through this module and renders no docs.
    from .render.docs import doc_files

    return doc_files(api, target, reuse)


def _release_files(
    target: Target,
    doc: Document,
    api: Api,
    files: list[OutputFile],
    output: Path,
    spec_hash: str,
    gate: bool,
    manifest: dict[str, object],
    notes: dict[str, str],
    cache: RenderCache | None = None,
) -> list[OutputFile]:
    """CHANGELOG.md, the surface of this build in ``manifest`` and the diff's verdict in ``notes``; with
    ``gate``, ReleaseError when the
    spec changed and ``version`` did not move as far as the changes need (generator/diff/release.py).
    """
    previous = manifest_json(output)
    # A watch build after a release build keeps that build's record in the manifest (see below).
    keep = bool(
        not gate
        and notes.get("keep")
        and "surface" in previous
        and previous.get("spec") != spec_hash
    )
    text, extra = release_outputs(
        target,
        doc,
        api,
        files,
        output,
        previous,
        spec_hash,
        gate=gate,
        contracts=cache.contracts if cache is not None else None,
        surfaces=cache.surfaces if cache is not None else None,
        record=not keep,
    )
    verdict = extra.pop("verdict", None)
    if verdict is not None:
        notes["verdict"] = verdict
    manifest.update(extra)
    if keep:
        # A watch build is no release: the manifest keeps the last build's record (and its inputs
        # digest, so that the next `build` renders and applies the gate against that build).
        for key in ("inputs", "spec", "version", "surface"):
            if key in previous:
                manifest[key] = previous[key]
    return [OutputFile(CHANGELOG, text)]


def _manifest_text(
    fields: dict[str, object],
    files: Iterable[str],
    written: tuple[str, object] | None = None,
) -> str:
    """The manifest (see render/ownership.py), its recorded surface one line per operation, schema and
    module so that its diffs read well. ``written``: the text of the manifest the last build wrote, as it is
    in the output, and its JSON; that text when this manifest is the same data (a regeneration of an
    unchanged spec), rather than megabytes dumped again."""
    if "surface" not in fields:
        return manifest_text(fields, files)  # type: ignore[arg-type]
    listed = sorted(f for f in files if f != MANIFEST)
    data = dict(sorted({**fields, "files": listed}.items()))
    # The watch writes the same manifest build after build (it keeps the last release record): its text is
    # kept rather than dumped again (comparing is quick, the surface being the very object it read).
    if _DUMPED and _DUMPED[0][0] == data:
        return _DUMPED[0][1]
    if written is not None and _dumps_alike(data, written[1]):
        text = written[0]
    else:
        text = dump_manifest(data)
    _DUMPED[:] = [(data, text)]
    return text


def _dumps_alike(value: object, other: object, depth: int = 1) -> bool:
    """Whether :func:`dump_manifest` writes ``value`` and ``other`` (plain JSON data) alike: equal, with the
    same types and the same key order where it writes a mapping entry by entry (above depth 5; below it
    the keys are sorted)."""
    if type(value) is not type(other):
        return False
    if isinstance(value, dict) and isinstance(other, dict) and value and depth < 5:
        if list(value) != list(other):
            return False
        return all(_dumps_alike(v, other[k], depth + 1) for k, v in value.items())
    return value == other


# The last manifest with a surface that _manifest_text dumped, and its text.
_DUMPED: list[tuple[dict[str, object], str]] = []


def _stage(
    project: Project, parent: Path, written_manifest: tuple[str, object] | None = None
) -> tuple[Path, dict[str, bytes]]:
    """The staging folder of ``project`` and its files, the manifest listing them among them
    (``written_manifest``: see :func:`_manifest_text`)."""
    staging = stage(
        project.code,
        parent,
        more=project.docs,
        large=project.large,
        meanwhile=project.release,
        docs_written=project.staged_docs,
    )
    unchanged = project.plan.unchanged if project.plan is not None else {}
    try:
        written = read_tree(staging)
        data = _manifest_text(
            project.manifest, [*written, *unchanged], written_manifest
        ).encode()
        (staging / MANIFEST).write_bytes(data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written[MANIFEST] = data
    return staging, written


def _all_docs_staged(
    project: Project, written: dict[str, bytes], docs: list[OutputFile]
) -> list[OutputFile]:
    """The docs of a build whose docs a forked child rendered, as rendered and in order, when it staged every
    one (none was left out as unchanged in the output: every doc with a render key is among them, and those
    without one are never left out); [] otherwise."""
    if not project.whole or not project.staged_docs or project.rendered_docs:
        return []
    staged = set(project.staged_docs)
    if any(path.endswith(".md") and path not in staged for path in project.keys) or any(
        path not in written for path in project.staged_docs
    ):
        return []
    # (``docs`` holds their text already: decoding the staged bytes again held every doc twice.)
    text = {f.path: f for f in docs}
    return [
        text.get(path) or OutputFile(path, written[path].decode("utf-8"))
        for path in project.staged_docs
    ]


def _written_manifest(output: Path, cache: RenderCache) -> tuple[str, object] | None:
    """The text and JSON of the output's manifest as this process read it, when it holds what the cache's
    build wrote there (the digest of its bytes is the one that build recorded)."""
    read = manifest_as_read(output)
    if (
        read is None
        or cache.manifest is None
        or digest_bytes(read[0]) != cache.manifest
    ):
        return None
    return read[1], read[2]


def _digest_tree(digests: dict[str, str]) -> str:
    """A digest of a tree given as the digest of each file (:func:`digest_bytes`), in path order (folder by
    folder)."""
    h = hashlib.sha256()
    for rel in sorted(digests, key=lambda r: r.split("/")):
        h.update(rel.encode())
        h.update(b"\0")
        h.update(digests[rel].encode())
        h.update(b"\0")
    return h.hexdigest()


def _record_outputs(output: Path, digest: str) -> None:
    (output / OUTPUTS).write_text(digest + "\n", encoding="utf-8")


def _outputs_intact(output: Path, previous: Manifest) -> bool:
    """Whether the files the previous run wrote are still as it wrote them (a hand edit changes them)."""
    if previous.files is None:
        return False
    try:
        recorded = (output / OUTPUTS).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    files = read_files(output, owned_files(previous, ()))
    return recorded == _digest_tree({rel: digest_bytes(b) for rel, b in files.items()})


def _output(target: Target) -> Path:
    return (
        target.output
        if target.output is not None
        else Path("generated") / target.package
    )


def _guarded_output(target: Target) -> tuple[Path, Manifest | None]:
    """The target's output folder (symlinks followed) and its manifest, once it is known clientgen may
    write there (see :func:`guard_output`)."""
    output, project = _output(target), target.project
    previous = guard_output(output, project or Path.cwd(), confined=project is not None)
    return output.resolve(), previous


def _changes(
    output: Path,
    written: dict[str, bytes],
    previous: Manifest | None,
    unchanged: Collection[str] = (),
) -> Changes:
    """What a run that wrote ``written`` changes in ``output``: only files the previous run wrote are
    replaced or removed; a file it did not write where this run writes one stops the build. The files
    ``unchanged`` (not staged: the output holds them as this run would write them) are kept as they are.
    """
    owned = owned_files(previous, [*written, *unchanged])
    refuse_foreign_in_the_way(output, [*written, *unchanged], owned)
    refuse_links_out(output, [*written, *owned])
    return compare(written, read_files(output, owned.difference(unchanged)))


def _version_warning(
    target: Target, previous: dict[str, str], spec_hash: str
) -> list[Problem]:
    """A spec that changed while the package version did not would publish different code under one version."""
    if (
        previous.get("spec") not in (None, spec_hash)
        and previous.get("version") == target.version
        and "surface" not in previous  # with a surface, the version gate decides
    ):
        message = (
            f"the spec changed but {target.package}'s version is still {target.version}: "
            "bump `version` in [tool.clientgen] before publishing"
        )
        return [Problem(Location(str(target.spec)), message)]
    return []


@_without_gc
def build_target(
    target: Target,
    *,
    force: bool = False,
    lenient: bool = False,
    incremental: bool = True,
    phases: Phases | None = None,
    watching: bool = False,
    cache: RenderCache | None = None,
) -> BuildResult:
    """Regenerate ``target``'s project; skip rendering when the manifest says nothing changed. ``phases``
    times each phase and reports it as it starts (see generator/phases.py).

    ``watching`` (``build --watch``): a build while the spec is being edited. The version gate does not
    stop it (its verdict is still reported), and the manifest keeps the release record of the last build
    that was not a watch build, so the next ``clientgen build`` compares with that one and gates.
    ``cache`` (kept by the watch between builds; otherwise read from the output's ``.clientgen-renders``
    and written back) holds the files of the last build rendered from one tag or one model: those whose
    inputs did not change are not rendered again (see render/cache.py).
    """
    started = time.perf_counter()
    output, previous = _guarded_output(target)
    # What the validator found in the last build's spec (its records beside the manifest): an unchanged
    # spec is not validated again.
    validated = Findings.read(output / VALIDATION)

    def findings() -> Findings:
        if not validated.salt:
            validated.salt = input_digest(target, lenient, "")
        return validated

    doc, api = load_spec(target.spec, lenient=lenient, phases=phases, findings=findings)
    spec_hash = spec_digest(target.spec)
    digest = input_digest(target, lenient, spec_hash)
    fields = previous.fields if previous is not None else {}
    warnings = api.warnings + tuple(_version_warning(target, fields, spec_hash))
    if (
        incremental
        and not force
        and previous is not None
        and fields.get("inputs") == digest
        and _outputs_intact(output, previous)
        and (cache is None or len(cache) > 0)  # an empty cache is filled by rendering
    ):
        validated.write(output / VALIDATION)
        return BuildResult(
            Changes((), (), ()), time.perf_counter() - started, warnings, skipped=True
        )
    parent = writable_parent(output)
    # The watch keeps its cache in memory; other builds read the last build's renders from the output.
    store = cache if cache is not None else RenderCache.read(output / RENDERS)
    project = render_project(
        target,
        api,
        digest,
        spec_hash,
        doc=doc,
        output=output,
        gate=incremental and not watching,
        phases=phases,
        cache=store,
        lenient=lenient,
        trust_stat=cache is not None,
    )
    if watching:
        project.notes["keep"] = "release record"
    if phases is not None:
        phases.start("render")
    staging, written = _stage(project, parent, _written_manifest(output, store))
    # The code as rendered; the docs as written, which is as rendered (possibly in a forked child).
    # (A doc left out of the staging was taken from the cache.)
    docs = [
        (
            OutputFile(path, written[path].decode("utf-8"))
            if path in written
            else OutputFile(path, project.reused[path])
        )
        for path in project.keys
        if path.endswith(".md") and (path in written or path in project.reused)
    ]
    # The docs rendered in this process (not by a forked child) are all known: the cache keeps the project.
    # So are those a forked child rendered when it staged every one (a cold build's: docs are written as
    # rendered, so the staged bytes are their text), and the next build takes every file from the cache.
    whole_docs = project.rendered_docs or _all_docs_staged(project, written, docs)
    if whole_docs:
        store.keep_whole(project.whole, project.keys, project.rendered, whole_docs)
    else:
        store.keep(project.keys, [*project.rendered, *docs])
    plan = project.plan
    unchanged = plan.unchanged if plan is not None else {}
    if phases is not None:
        phases.start("write", files=len(written) + len(unchanged))
    try:
        changes = _changes(output, written, previous, unchanged)
        if changes.any:
            swap_in(staging, output, changes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    digests = (
        plan.digests(written)
        if plan is not None
        else {rel: digest_bytes(b) for rel, b in written.items()}
    )
    if plan is not None:
        # The docs rendered from the whole API were written as rendered (the manifest is no render).
        plan.written_as_rendered({p: b for p, b in written.items() if p != MANIFEST})
        plan.record(digests, [*changes.added, *changes.changed])
    if incremental:
        # The output now holds exactly what was built (the outputs record is not part of either tree).
        _record_outputs(output, _digest_tree(digests))
    # What the output's manifest holds now (``written[MANIFEST]``, moved in or left there as equal).
    store.manifest = digests.get(MANIFEST)
    # The staged bytes are on disk now: not held while the render cache is written (a giant's peak).
    written.clear()
    if cache is None:
        store.write(output / RENDERS)
    validated.write(output / VALIDATION)
    if phases is not None:
        phases.stop()
    # Freeing the build's objects (the spec's data, the model, the renders: millions of objects for a
    # large API) takes a noticeable part of a second: it is left until after the summary is printed
    # (release_last_build; the watch does it while it waits, `clientgen` ends without it).
    _LAST_BUILD[:] = [doc, api, project, store, written, docs, digests]
    return BuildResult(
        changes,
        time.perf_counter() - started,
        warnings,
        verdict=project.notes.get("verdict"),
    )


_LAST_BUILD: list[object] = []


def release_last_build() -> None:
    """Free the objects of the last build (see the end of :func:`build_target`)."""
    _LAST_BUILD.clear()


def saved_cache(target: Target) -> RenderCache:
    """The render cache the last build left in ``target``'s output (empty when there is none)."""
    return RenderCache.read(_output(target).resolve() / RENDERS)


def save_cache(target: Target, cache: RenderCache) -> None:
    """Leave the render cache of the ``build --watch`` process in ``target``'s output (``.clientgen-renders``,
    what a build that is not a watch reads), when the watch built there."""
    output = _output(target).resolve()
    if len(cache) > 0 and (output / MANIFEST).is_file():
        cache.write(output / RENDERS)


@_without_gc
def check_target(target: Target, *, lenient: bool = False) -> CheckResult:
    """Compare the files clientgen writes in the output with what the inputs generate now, and list the
    files it did not write (other than caches, build artefacts and what git ignores)."""
    label = _output(target).as_posix()
    output, previous = _guarded_output(target)
    doc, api = load_spec(target.spec, lenient=lenient)
    spec_hash = spec_digest(target.spec)
    digest = input_digest(target, lenient, spec_hash)
    with tempfile.TemporaryDirectory(prefix="clientgen-check-") as tmp:
        project = render_project(
            target, api, digest, spec_hash, doc=doc, output=output, gate=True
        )
        _, written = _stage(project, Path(tmp))
    known = set(written) | owned_files(previous, written)
    on_disk = read_files(output, known)
    foreign = foreign_files(output, known)
    return CheckResult(
        diff(written, on_disk, label), tuple(f"{label}/{rel}" for rel in foreign)
    )
