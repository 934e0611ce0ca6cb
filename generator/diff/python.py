"""The Python lens: what a user's code imports and calls in the generated package, and how it changed.

griffe reads each generated module (``griffe.visit``: the source is parsed, never imported) and its API
breakage checks compare two versions: removed objects, parameters removed, moved, made required or given
another kind or default, removed base classes. griffe does not compare annotations, pydantic fields (class
attributes whose annotation is the field type and whose value is the default) or enum members, nor report
additions; this module adds those.

The surface of a module is kept as plain data (``surface_of``), keyed by module, with a digest of the module's
source: the build records it in the manifest, and a module whose source did not change is neither read again
nor compared. For a comparison the plain data is turned back into griffe objects.
"""

from __future__ import annotations

import ast
import functools
import gc
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from .change import Change
from .kinds import kind

Surface = dict[
    str, dict[str, Any]
]  # module -> {"digest": str, "objects": {...}, "exports": [...]}

# Variants of every operation's method; a change to all of them is reported once, on the plain method.
_VARIANTS = ("_with_http_info", "_without_preload_content", "_iter", "_ws")


# Bumped whenever what ``read_module`` records changes, so surfaces recorded by an older clientgen are read again.
_FORMAT = "2"


def digest(source: str) -> str:
    return hashlib.sha256(f"{_FORMAT}\0{source}".encode()).hexdigest()[:16]


def module_sources(files: Iterable[Any], package: str) -> dict[str, str]:
    """Dotted module name -> source of each generated module users import (the ``_runtime`` is private)."""
    out: dict[str, str] = {}
    for f in files:
        path: str = f.path
        if not path.endswith(".py") or not path.startswith(f"{package}/"):
            continue
        parts = path[:-3].split("/")
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        content = f.content
        out[".".join(parts)] = (
            content if isinstance(content, str) else content.decode("utf-8")
        )
    return out


# -- reading: source -> plain data --------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    return None if value is None else _without_constraints(str(value))


def _without_constraints(text: str) -> str:
    """``text`` with each ``Annotated[T, ...]`` replaced by ``T``: a model field's constraints
    (``Annotated[str, _v.Limits(max_length=50)]``) are checks on values, which the HTTP lens reports,
    not a change of the field's Python type."""
    start = text.find("Annotated[")
    while start != -1:
        depth, comma, end = 0, -1, -1
        for i in range(start + len("Annotated["), len(text)):
            char = text[i]
            if char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    end = i
                    break
                depth -= 1
            elif char == "," and depth == 0 and comma == -1:
                comma = i
        if end == -1:
            return text
        inner = text[start + len("Annotated[") : comma if comma != -1 else end]
        text = text[:start] + inner.strip() + text[end + 1 :]
        start = text.find("Annotated[", start)
    return text


def _plain(obj: Any) -> dict[str, Any] | None:
    if obj.is_alias:
        return {"kind": "alias", "target": obj.target_path}
    if obj.is_class:
        bases = [str(b) for b in obj.bases]
        role = "class"
        if any(b.endswith("Enum") for b in bases):
            role = "enum"
        elif any(b == "ApiModel" or b.startswith("ApiRootModel") for b in bases):
            role = "model"
        members = {}
        for name, member in obj.members.items():
            if name.startswith("_") and name != "__init__":
                continue
            plain = _plain(member)
            if plain is not None:
                members[name] = plain
        return {"kind": "class", "role": role, "bases": bases, "members": members}
    if obj.is_function:
        return {
            "kind": "function",
            "params": [
                [p.name, p.kind.value, _text(p.annotation), _text(p.default)]
                for p in obj.parameters
            ],
            "returns": _text(obj.returns),
        }
    if obj.is_attribute:
        return {
            "kind": "attribute",
            "annotation": _text(obj.annotation),
            "value": _text(obj.value),
        }
    return None


def _visit(name: str, source: str) -> Any:
    import griffe

    return griffe.visit(
        name.rsplit(".", 1)[-1],
        Path(name.replace(".", "/") + ".py"),
        source,
        docstring_parser=None,
    )


class _Stmt(NamedTuple):
    """Where one statement is (0-based index of its first line, decorators included; 1-based last line)."""

    name: str  # a class's or function's name ("" for other statements)
    start: int
    end: int
    is_class: bool
    is_function: bool
    private: bool  # see :func:`_private`
    body: tuple[_Stmt, ...] = ()  # a class's statements
    # A class: the 1-based line of its first statement (after that statement's decorators). A function: the
    # line its body starts on (its first statement's first line, decorators included) when that is below
    # the ``def`` line; 0 otherwise.
    body_line: int = 0


def _stmt(
    node: ast.stmt, shift: int = 0, body: tuple[_Stmt, ...] | None = None
) -> _Stmt:
    decorators = getattr(node, "decorator_list", None) or []
    start = min([node.lineno, *(d.lineno for d in decorators)]) - 1 + shift
    is_class = isinstance(node, ast.ClassDef)
    if is_class and body is None:
        body = tuple(_stmt(b, shift) for b in node.body)  # type: ignore[attr-defined]
    is_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    body_line = _body_line(node) if is_function else 0
    return _Stmt(
        getattr(node, "name", ""),
        start,
        (node.end_lineno or node.lineno) + shift,
        is_class,
        is_function,
        _private(node),
        body or (),
        body_line + shift if body_line else 0,
    )


def _body_line(node: ast.stmt) -> int:
    """The 1-based line a function's body starts on (its first statement's first line, decorators
    included), when that is below the ``def`` line; 0 otherwise."""
    first = node.body[0]  # type: ignore[attr-defined]
    decorators = getattr(first, "decorator_list", None) or []
    line: int = min([first.lineno, *(d.lineno for d in decorators)])
    return line if line > node.lineno else 0


def _outline(source: str) -> list[_Stmt]:
    """The module's statements, and each class's, with where they are: from one parse of the module, or,
    for a large module, from parses of its pieces (see :func:`_outline_in_pieces`)."""
    if len(source) >= _LARGE:
        pieces = _outline_in_pieces(source)
        if pieces is not None:
            return pieces
    return _outline_of(ast.parse(source))


def _outline_of(tree: ast.Module, shift: int = 0) -> list[_Stmt]:
    out = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            body = tuple(_stmt(b, shift) for b in node.body)
            out.append(
                _stmt(node, shift, body)._replace(body_line=node.body[0].lineno + shift)
            )
        else:
            out.append(_stmt(node, shift))
    return out


# A module this large is parsed piece by piece: the syntax tree of a whole 2.4 MB module (Kubernetes'
# core API) takes 100 MB, the largest allocation of a giant's build.
_LARGE = 1 << 18
_TOP = ("@", "class ", "def ", "async def ")
_MEMBER = re.compile(r"([ \t]+)(?:@|def |async def )")


def _starts(
    lines: list[str], first: int, last: int, at: Callable[[str], bool]
) -> list[int]:
    """Indexes of the lines in ``first:last`` where a statement starts by ``at``; a decorator (of one line
    or more) sticks to the class or function it decorates."""
    out = []
    decorated = False
    for i in range(first, last):
        line = lines[i]
        if not at(line):
            continue
        decorator = line.lstrip().startswith("@")
        if not decorated:
            out.append(i)
        decorated = decorator
    return out


def _outline_in_pieces(source: str) -> list[_Stmt] | None:
    """The outline of ``source`` from parses of its pieces: the module is cut before each line at column 0
    that starts a class, a function or a decorator, and a large class before each of its methods. A cut
    inside a string or brackets leaves a piece that does not parse: then None (and the module is parsed
    whole). Pinned to the whole-module parse by tests/diff/test_outline.py."""
    lines = source.splitlines(keepends=True)
    cuts = sorted(
        {0, *_starts(lines, 0, len(lines), lambda line: line.startswith(_TOP))}
    )
    out: list[_Stmt] = []
    try:
        for a, b in zip(cuts, [*cuts[1:], len(lines)], strict=True):
            text = "".join(lines[a:b])
            if (
                b - a > 1
                and len(text) >= _LARGE // 4
                and lines[a].lstrip().startswith(("class ", "@"))
            ):
                stmt = _class_in_pieces(lines, a, b)
                if stmt is not None:
                    out.append(stmt)
                    continue
            out.extend(_outline_of(ast.parse(text), a))
    except SyntaxError:
        return None
    return out


def _class_in_pieces(lines: list[str], a: int, b: int) -> _Stmt | None:
    """A top-level class (``lines[a:b]``) from parses of its head and of each of its methods."""
    first = next((m for m in map(_MEMBER.match, lines[a + 1 : b]) if m), None)
    if first is None:
        return None
    indent = first.group(1)

    def member(line: str) -> bool:
        match = _MEMBER.match(line)
        return match is not None and match.group(1) == indent

    cuts = _starts(lines, a + 1, b, member)
    if not cuts:
        return None
    head = ast.parse("".join(lines[a : cuts[0]]) + indent + "pass\n")
    if len(head.body) != 1 or not isinstance(head.body[0], ast.ClassDef):
        return None
    node = head.body[0]
    own = node.body[:-1]  # without the ``pass`` added to close the head
    body = [_stmt(s, a) for s in own]
    body_line = own[0].lineno + a if own else 0
    for c, d in zip(cuts, [*cuts[1:], b], strict=True):
        piece = ast.parse("class _:\n" + "".join(lines[c:d]))
        inner = piece.body[0]
        assert isinstance(inner, ast.ClassDef)
        if not body_line:
            body_line = inner.body[0].lineno + c - 1
        body.extend(_stmt(s, c - 1) for s in inner.body)
    return _stmt(node, a, tuple(body))._replace(body_line=body_line, end=body[-1].end)


@functools.lru_cache(maxsize=64)
def _chunks(
    source: str,
) -> tuple[str, list[tuple[str, str, list[tuple[str, str, str]]]]]:
    """The module without its classes, and each class as (name, the class without its methods, methods):
    each method's name, text, and text for griffe (see :func:`_signature`).

    ``ast`` finds where each statement starts and ends (it parses a large module in milliseconds); griffe
    then reads only the pieces that changed.
    """
    lines = source.splitlines(keepends=True)

    def text(stmt: _Stmt) -> str:
        return "".join(lines[stmt.start : stmt.end])

    shell: list[str] = []
    classes = []
    for stmt in _outline(source):
        if not stmt.is_class:
            if not stmt.private:
                shell.append(text(stmt))
            continue
        header = "".join(lines[stmt.start : stmt.body_line - 1])
        body: list[str] = []
        methods: list[tuple[str, str, str]] = []
        for member in stmt.body:
            if member.is_function:
                whole = text(member)
                methods.append((member.name, whole, _signature(member, lines, whole)))
            else:
                body.append(text(member))
        classes.append((stmt.name, header + "".join(body) + "    ...\n", methods))
    return "".join(shell), classes


def _signature(method: _Stmt, lines: list[str], whole: str) -> str:
    """The method as griffe needs to read it: its decorators and signature, its body replaced by ``...``
    (the body of a generated API method is most of its text, and griffe reads only the signature of a
    method other than ``__init__``, whose assignments are attributes). A cut that leaves the signature
    incomplete does not parse (the batch is then read whole, see :func:`read_module`);
    tests/diff/test_outline.py pins the surface read this way to the surface read from the whole text.
    """
    name = method.name
    if (
        not _PRUNE
        or not method.body_line
        or (name.startswith("__") and name.endswith("__"))
    ):
        return whole
    first = lines[method.body_line - 1]
    indent = first[: len(first) - len(first.lstrip())]
    return "".join(lines[method.start : method.body_line - 1]) + indent + "...\n"


_PRUNE = True  # False: griffe reads each method's whole text (the general path the test compares with)


def _private(node: ast.stmt) -> bool:
    """A module-level function or assignment whose names are all private (endpoint tables and the like)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name.startswith("_")
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        return (
            len(names) == len(targets)
            and all(n.startswith("_") for n in names)
            and "__all__" not in names
        )
    return False


def _public(module: Any) -> dict[str, Any]:
    exports = {str(e) for e in module.exports or ()}
    out = {}
    for member_name, member in module.members.items():
        # An import is public when __all__ lists it; anything else is public unless __all__ leaves it out
        # or its name is private (the rules griffe applies, without resolving imports).
        if member.is_alias:
            if member_name not in exports:
                continue
        elif member.is_module or member_name.startswith("_"):
            continue
        elif exports and member_name not in exports:
            continue
        out[member_name] = member
    return out


_SLICE = 64  # methods read by one griffe visit


def read_module(
    name: str,
    source: str,
    known: dict[str, Any] | None = None,
    same: set[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The public surface of one module. Methods are read piecewise: one whose text is unchanged is taken
    from ``known`` (a previous surface of this module), or, when it is in ``same`` (present unchanged in the
    other version being compared), left as a placeholder that compares equal."""
    shell_source, classes = _chunks(source)
    shell = _visit(name, shell_source)
    objects: dict[str, Any] = {}
    public = _public(shell)
    for member_name, member in public.items():
        plain = _plain(member)
        if plain is not None:
            objects[member_name] = plain
    exports = {str(e) for e in shell.exports or ()}
    old_objects = (known or {}).get("objects", {})
    for class_name, class_source, methods in classes:
        if class_name.startswith("_") or (exports and class_name not in exports):
            continue
        cls = _visit(name, class_source)[class_name]
        plain = _plain(cls)
        assert plain is not None
        previous_members = old_objects.get(class_name, {}).get("members", {})
        batch: list[tuple[str, str, str, str]] = []
        for method_name, method_source, signature in methods:
            if method_name.startswith("_") and method_name != "__init__":
                continue
            d = digest(f"{name}.{class_name}.{method_name}\0{method_source}")
            before = previous_members.get(method_name)
            if same is not None and (f"{class_name}.{method_name}", d) in same:
                plain["members"][method_name] = {"kind": "same", "d": d}
            elif before is not None and before.get("d") == d:
                plain["members"][method_name] = before
            else:
                batch.append((method_name, method_source, signature, d))
        # In slices, the griffe objects of each freed before the next (an API class of a giant has
        # hundreds of methods).
        for start in range(0, len(batch), _SLICE):
            piece = batch[start : start + _SLICE]
            try:
                holder = _visit(
                    name,
                    f"class {class_name}:\n" + "".join(sig for _, _, sig, _ in piece),
                )[class_name]
            except (
                SyntaxError
            ):  # a body that could not be cut off: read the methods whole
                holder = _visit(
                    name,
                    f"class {class_name}:\n" + "".join(text for _, text, _, _ in piece),
                )[class_name]
            for method_name, _, _, d in piece:
                member = _plain(holder.members[method_name])
                assert member is not None
                member["d"] = d
                plain["members"][method_name] = member
            del holder
            _collect_young()
        plain["members"] = dict(sorted(plain["members"].items()))
        objects[class_name] = plain
    out: dict[str, Any] = {
        "digest": digest(source),
        "objects": dict(sorted(objects.items())),
    }
    if exports:
        out["exports"] = sorted(exports)
    return out


def method_digests(name: str, source: str) -> set[tuple[str, str]]:
    """``(Class.method, digest)`` of every method in a module (to tell which are unchanged in another)."""
    _, classes = _chunks(source)
    return {
        (f"{c}.{m}", digest(f"{name}.{c}.{m}\0{text}"))
        for c, _, methods in classes
        for m, text, _ in methods
    }


class _griffe_garbage_collected:
    """While the cyclic collector is off (a build turns it off, see ``load._without_gc``), the objects griffe
    builds for a module (parents and members point at each other) are never freed: on a giant they held
    150 MB after the surface was read. Inside this block the heap as it was is frozen (kept out of every
    collection), so :func:`_collect_young` after each module walks only what was allocated since: the
    module's griffe objects, freed, and its plain surface, kept."""

    def __enter__(self) -> None:
        self._froze = not gc.isenabled() and gc.get_freeze_count() == 0
        if self._froze:
            gc.freeze()

    def __exit__(self, *_: object) -> None:
        if self._froze:
            gc.unfreeze()


def _collect_young() -> None:
    if not gc.isenabled():
        gc.collect(0)


# From this much source to read, the modules are read by a worker per core (a cold build of a large
# project: GitHub's 2,200 modules took 1.7 s on one core); below it, forking costs more than it gains.
_SPREAD_BYTES = 2_000_000


def surface_of(
    sources: dict[str, str],
    previous: Surface | None = None,
    same: dict[str, set[tuple[str, str]]] | None = None,
    seen: Surface | None = None,
    *,
    workers: int | None = None,
) -> Surface:
    """The surface of every module; one whose digest is in ``previous`` is not read again.

    ``seen`` (kept by the ``build --watch`` process between builds) holds the last surface read of each
    module: a module whose source has that digest is not read again either, and a changed one is read
    piecewise against it (only its changed methods go through griffe). It is updated with this build's.

    When there is much to read (a first build of a large project), the modules are shared out among
    ``workers`` processes (this one and children forked with ``os.fork``; by default one per core), each
    sending back the surfaces it read; where ``os.fork`` is missing, or with ``workers=1``, this process
    reads them all. Either way the surface is the same (tests/diff/test_outline.py).
    """
    previous = previous or {}
    if same is not None:
        seen = (
            None  # a surface with placeholders for the other version is no module's own
        )
    out: Surface = {}
    todo: list[tuple[str, str, dict[str, Any] | None]] = []
    for name in sorted(sources):
        source = sources[name]
        known = previous.get(name)
        last = seen.get(name) if seen is not None else None
        d = digest(source)
        if known is not None and known.get("digest") == d:
            out[name] = known
        elif last is not None and last.get("digest") == d:
            out[name] = last
        else:
            todo.append((name, source, last or known))
    count = _workers(todo, workers)
    read = _read_spread(todo, same, count) if count > 1 else _read_modules(todo, same)
    out = {name: out[name] if name in out else read[name] for name in sorted(sources)}
    if seen is not None:
        seen.clear()
        seen.update(out)
    return out


def _workers(todo: list[tuple[str, str, Any]], asked: int | None) -> int:
    """How many processes read ``todo``: one unless there is much to read, then one per core that other
    work leaves idle (or as ``asked``); never more than there are modules, and one where the system cannot
    fork."""
    if not hasattr(os, "fork") or len(todo) < 2:
        return 1
    if asked is None:
        if sum(len(source) for _, source, _ in todo) < _SPREAD_BYTES:
            return 1
        asked = _idle_cores()
    return max(1, min(asked, len(todo)))


def _idle_cores() -> int:
    """This process's core and those the last minute's load average leaves free: on a machine whose
    cores other processes keep busy, forking gains nothing and costs the copies of the pages each process
    writes to (GitHub's modules at load 2.4 on 2 cores: 2.6–3.0 s alone, 3.1–3.5 s with a child).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 1
    return max(1, min(cores, int(cores - load + 1)))


def _read_modules(
    todo: list[tuple[str, str, dict[str, Any] | None]],
    same: dict[str, set[tuple[str, str]]] | None,
) -> Surface:
    out: Surface = {}
    with _griffe_garbage_collected():
        for name, source, known in todo:
            out[name] = read_module(
                name, source, known, None if same is None else same.get(name, set())
            )
            _collect_young()
    return out


def _read_spread(
    todo: list[tuple[str, str, dict[str, Any] | None]],
    same: dict[str, set[tuple[str, str]]] | None,
    count: int,
) -> Surface:
    """:func:`_read_modules` of ``todo`` shared out among ``count`` processes: ``count - 1`` forked
    children (each finds its modules in the memory it shares with this process, and sends back its
    surfaces) and this one. The shares are balanced by size, largest module first."""
    from .fork import Forked

    shares: list[list[tuple[str, str, Any]]] = [[] for _ in range(count)]
    loads = [0] * count
    for item in sorted(todo, key=lambda t: -len(t[1])):
        i = loads.index(min(loads))
        shares[i].append(item)
        loads[i] += len(item[1])

    def job(share: list[tuple[str, str, Any]]) -> Callable[[], tuple[Any, None]]:
        def run() -> tuple[Any, None]:
            try:
                return {"ok": _read_modules(share, same)}, None
            except SyntaxError as exc:  # the caller says which file, see release.py
                return {"syntax": [exc.msg, exc.filename, exc.lineno]}, None

        return run

    children = [
        Forked(job(share), "reading the Python surface") for share in shares[1:]
    ]
    try:
        out = _read_modules(shares[0], same)
        while children:
            got = children[0].result()
            children.pop(0).close()
            if "syntax" in got:
                msg, filename, line = got["syntax"]
                raise SyntaxError(msg, (filename, line, None, None))
            out.update(got["ok"])
    finally:
        for child in children:  # not waited for: something failed
            child.cancel()
    return out


# -- comparing ----------------------------------------------------------------------------------------------
def _griffe_object(name: str, plain: dict[str, Any]) -> Any:
    import griffe

    k = plain["kind"]
    if k == "alias":
        obj = griffe.Alias(name, plain["target"])
    elif k == "class":
        obj = griffe.Class(name, bases=list(plain["bases"]))
        for member_name, member in plain["members"].items():
            if member["kind"] == "same":
                continue  # unchanged in both versions
            obj.set_member(member_name, _griffe_object(member_name, member))
    elif k == "function":
        obj = griffe.Function(
            name,
            parameters=griffe.Parameters(
                *(
                    griffe.Parameter(
                        p_name,
                        annotation=annotation,
                        kind=griffe.ParameterKind(p_kind),
                        default=default,
                    )
                    for p_name, p_kind, annotation, default in plain["params"]
                )
            ),
            returns=plain["returns"],
        )
    else:
        obj = griffe.Attribute(
            name, value=plain.get("value"), annotation=plain.get("annotation")
        )
    obj.public = True
    return obj


def _griffe_module(name: str, module: dict[str, Any]) -> Any:
    import griffe

    obj = griffe.Module(name.rsplit(".", 1)[-1])
    for member_name, member in module["objects"].items():
        obj.set_member(member_name, _griffe_object(member_name, member))
    if module.get("exports"):
        obj.exports = list(module["exports"])
    obj.public = True
    return obj


class PythonDiff:
    def __init__(
        self,
        old: Surface,
        new: Surface,
        renames: dict[str, str] | None = None,
    ) -> None:
        self.old = old
        self.new = new
        # Public paths renamed on purpose (x-clientgen-renamed-from): old path -> new path.
        self.renames = renames or {}
        self.changes: list[Change] = []

    def add(self, kind_id: str, obj: str, message: str) -> None:
        self.changes.append(Change(kind(kind_id), message, None, None, obj))

    def run(self) -> list[Change]:
        old_classes = self._classes(self.old)
        new_classes = self._classes(self.new)
        renamed_classes = {
            old: new
            for old, new in self.renames.items()
            if old in old_classes and new in new_classes and old not in new_classes
        }
        for name in sorted(set(self.old) | set(self.new)):
            before, after = self.old.get(name), self.new.get(name)
            if before is not None and after is not None:
                if before.get("digest") != after.get("digest"):
                    self._module(name, before, after, renamed_classes)
            elif before is not None:
                self._module(name, before, {"objects": {}}, renamed_classes)
            else:
                self._module(name, {"objects": {}}, after, renamed_classes)
        for old_path, new_path in sorted(renamed_classes.items()):
            self.add(
                "python-class-renamed",
                old_path,
                f"{_short(old_path)} renamed to {_short(new_path)}",
            )
            self._compare_objects(
                old_path, old_classes[old_path], new_classes[new_path], new_path
            )
        return _fold_variants(self.changes)

    @staticmethod
    def _classes(surface: Surface) -> dict[str, dict[str, Any]]:
        return {
            f"{module}.{name}": obj
            for module, data in surface.items()
            for name, obj in data["objects"].items()
            if obj["kind"] == "class"
        }

    def _module(
        self,
        name: str,
        before: dict[str, Any],
        after: dict[str, Any],
        renamed_classes: dict[str, str],
    ) -> None:
        import griffe

        renamed_targets = set(renamed_classes.values())
        old_objects, new_objects = before["objects"], after["objects"]
        gone_targets = set()
        for obj_name, obj in old_objects.items():
            path = f"{name}.{obj_name}"
            if obj_name in new_objects or path in renamed_classes:
                continue
            if obj["kind"] == "alias":
                continue  # reported below, unless its class went too
            gone_targets.add(path)
            label = (
                "python-class-removed"
                if obj["kind"] == "class"
                else (
                    "python-method-removed"
                    if obj["kind"] == "function"
                    else "python-attribute-removed"
                )
            )
            self.add(label, path, f"{_short(path)} removed")
        for obj_name, obj in old_objects.items():
            if obj["kind"] != "alias" or obj_name in new_objects:
                continue
            target = obj["target"]
            if target in renamed_classes or self._gone(target):
                continue
            self.add(
                "python-export-removed",
                f"{name}.{obj_name}",
                f"{name} no longer exports {obj_name}",
            )
        for obj_name, obj in new_objects.items():
            path = f"{name}.{obj_name}"
            if obj_name in old_objects or path in renamed_targets:
                continue
            if obj["kind"] == "alias":
                if (
                    not self._new(obj["target"])
                    and obj["target"] not in renamed_targets
                ):
                    self.add(
                        "python-export-added",
                        path,
                        f"{name} now exports {obj_name}",
                    )
                continue
            self.add(
                (
                    "python-class-added"
                    if obj["kind"] == "class"
                    else "python-method-added"
                ),
                path,
                f"{_short(path)} added",
            )
        common = {
            n: (old_objects[n], new_objects[n]) for n in old_objects if n in new_objects
        }
        if not common:
            return
        # griffe's breakage checks on the objects both versions have (exports are compared above: griffe
        # would only follow them to their targets, which are compared in their own modules).
        checked = {
            n: pair
            for n, pair in common.items()
            if "alias" not in (pair[0]["kind"], pair[1]["kind"])
        }
        old_module = _griffe_module(
            name,
            {"objects": {n: o for n, (o, _) in checked.items()}, **_exports(before)},
        )
        new_module = _griffe_module(
            name,
            {"objects": {n: o for n, (_, o) in checked.items()}, **_exports(after)},
        )
        for breakage in griffe.find_breaking_changes(old_module, new_module):
            self._breakage(name, breakage, common)
        for obj_name, (a, b) in common.items():
            self._extra(f"{name}.{obj_name}", a, b)

    def _gone(self, path: str) -> bool:
        module, _, name = path.rpartition(".")
        return name not in self.new.get(module, {"objects": {}})["objects"]

    def _new(self, path: str) -> bool:
        module, _, name = path.rpartition(".")
        return name not in self.old.get(module, {"objects": {}})["objects"]

    def _compare_objects(
        self, old_path: str, a: dict[str, Any], b: dict[str, Any], new_path: str
    ) -> None:
        import griffe

        module, _, name = new_path.rpartition(".")
        old_obj = _griffe_module(module, {"objects": {name: a}})
        new_obj = _griffe_module(module, {"objects": {name: b}})
        for breakage in griffe.find_breaking_changes(old_obj, new_obj):
            self._breakage(module, breakage, {name: (a, b)})
        self._extra(new_path, a, b)

    # griffe's breakage -> our kind
    def _breakage(
        self, module: str, breakage: Any, common: dict[str, tuple[Any, Any]]
    ) -> None:
        from griffe import BreakageKind

        obj = breakage.obj
        path = f"{module}.{obj.path.split('.', 1)[1]}" if "." in obj.path else module
        k = breakage.kind
        if k is BreakageKind.OBJECT_REMOVED:
            owner_path, _, member = path.rpartition(".")
            role = self._role(owner_path, common)
            old_member = breakage.old_value
            if role == "enum":
                kind_id = "python-enum-member-removed"
            elif role == "model" and old_member.is_attribute:
                kind_id = "python-model-field-removed"
            elif old_member.is_function:
                kind_id = "python-method-removed"
            elif old_member.is_class:
                kind_id = "python-class-removed"
            elif old_member.is_alias:
                kind_id = "python-export-removed"
            else:
                kind_id = "python-attribute-removed"
            renamed = self._renamed_member(path)
            if renamed:
                self.add(
                    (
                        "python-model-field-renamed"
                        if role == "model"
                        else "python-method-renamed"
                    ),
                    path,
                    f"{_short(path)} renamed to {renamed.rsplit('.', 1)[-1]}",
                )
                return
            self.add(kind_id, path, f"{_short(path)} removed")
            return
        param = None
        if breakage.old_value is not None and hasattr(breakage.old_value, "name"):
            param = breakage.old_value.name
        elif breakage.new_value is not None and hasattr(breakage.new_value, "name"):
            param = breakage.new_value.name
        target = f"{path}({param})" if param else path
        messages = {
            BreakageKind.PARAMETER_MOVED: ("python-parameter-moved", "moved"),
            BreakageKind.PARAMETER_REMOVED: ("python-parameter-removed", "removed"),
            BreakageKind.PARAMETER_CHANGED_KIND: (
                "python-parameter-kind-changed",
                "changed kind",
            ),
            BreakageKind.PARAMETER_CHANGED_DEFAULT: (
                "python-parameter-default-changed",
                "changed its default",
            ),
            BreakageKind.PARAMETER_CHANGED_REQUIRED: (
                "python-parameter-became-required",
                "became required",
            ),
            BreakageKind.PARAMETER_ADDED_REQUIRED: (
                "python-parameter-added-required",
                "added as required",
            ),
        }
        if k in messages:
            kind_id, text = messages[k]
            if k is BreakageKind.PARAMETER_REMOVED and self._renamed_member(target):
                return
            self.add(kind_id, target, f"{_short(path)}: parameter {param} {text}")
        elif k is BreakageKind.RETURN_CHANGED_TYPE:
            self.add(
                "python-return-type-changed",
                path,
                f"{_short(path)} no longer returns a value",
            )
        elif k is BreakageKind.OBJECT_CHANGED_KIND:
            self.add(
                "python-object-kind-changed",
                path,
                f"{_short(path)} changed from a {breakage.old_value.value} to a "
                f"{breakage.new_value.value}",
            )
        elif k is BreakageKind.CLASS_REMOVED_BASE:
            self.add(
                "python-class-base-removed", path, f"{_short(path)} lost a base class"
            )

    def _renamed_member(self, path: str) -> str | None:
        return self.renames.get(path)

    def _role(self, owner_path: str, common: dict[str, tuple[Any, Any]]) -> str:
        name = owner_path.rsplit(".", 1)[-1]
        pair = common.get(name)
        if pair is None:
            return ""
        return str(pair[0].get("role", ""))

    # What griffe does not check: annotations, fields, enum members, additions.
    def _extra(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> None:
        if a["kind"] != b["kind"]:
            return
        if a["kind"] == "function":
            self._function(path, a, b)
        elif a["kind"] == "class":
            role = b.get("role")
            renamed_members = {
                old.rsplit(".", 1)[1]: new.rsplit(".", 1)[1]
                for old, new in self.renames.items()
                if old.rsplit(".", 1)[0] == path
            }
            for name, member in b["members"].items():
                if name in a["members"] or name in renamed_members.values():
                    continue
                member_path = f"{path}.{name}"
                if role == "enum":
                    self.add(
                        "python-enum-member-added",
                        member_path,
                        f"{_short(path)} gained member {name} = {member.get('value')}",
                    )
                elif role == "model" and member["kind"] == "attribute":
                    required = member.get("value") is None
                    self.add(
                        (
                            "python-model-field-added-required"
                            if required
                            else "python-model-field-added"
                        ),
                        member_path,
                        f"{_short(path)} gained {'a required' if required else 'an optional'} "
                        f"field {name}: {member.get('annotation')}",
                    )
                elif member["kind"] == "function":
                    self.add(
                        "python-method-added",
                        member_path,
                        f"{_short(member_path)} added",
                    )
            pairs = [(n, n) for n in a["members"] if n in b["members"]]
            pairs += [
                (o, n)
                for o, n in renamed_members.items()
                if o in a["members"] and n in b["members"]
            ]
            for old_name, new_name in pairs:
                before, after = a["members"][old_name], b["members"][new_name]
                if "same" in (before["kind"], after["kind"]):
                    continue
                member_path = f"{path}.{new_name}"
                if (
                    old_name != new_name
                    and before["kind"] == after["kind"] == "function"
                ):
                    self._compare_objects(
                        f"{path}.{old_name}", before, after, member_path
                    )
                    continue
                if role == "enum" and before.get("value") != after.get("value"):
                    self.add(
                        "python-enum-member-value-changed",
                        member_path,
                        f"{_short(member_path)}: value {before.get('value')} -> "
                        f"{after.get('value')}",
                    )
                elif role == "model" and before["kind"] == after["kind"] == "attribute":
                    self._field(member_path, before, after)
                elif before["kind"] == after["kind"] == "function":
                    self._function(member_path, before, after)

    def _field(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> None:
        if a.get("annotation") != b.get("annotation"):
            self.add(
                "python-model-field-type-changed",
                path,
                f"{_short(path)}: type {a.get('annotation')} -> {b.get('annotation')}",
            )
        was_required = a.get("value") is None
        is_required = b.get("value") is None
        if is_required and not was_required:
            self.add(
                "python-model-field-became-required",
                path,
                f"{_short(path)} became required",
            )
        elif was_required and not is_required:
            self.add(
                "python-model-field-became-optional",
                path,
                f"{_short(path)} got a default ({b.get('value')})",
            )

    def _function(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> None:
        old_params = {p[0]: p for p in a["params"]}
        for name, p_kind, annotation, default in b["params"]:
            before = old_params.get(name)
            target = f"{path}({name})"
            if before is None:
                if default is not None and p_kind != "variadic keyword":
                    self.add(
                        "python-parameter-added-optional",
                        target,
                        f"{_short(path)}: optional parameter {name} added",
                    )
                continue
            if before[2] != annotation:
                widened = _widens(before[2], annotation)
                self.add(
                    (
                        "python-parameter-type-widened"
                        if widened
                        else "python-parameter-type-changed"
                    ),
                    target,
                    f"{_short(path)}: parameter {name} type {before[2]} -> {annotation}",
                )
            if before[3] is None and default is not None:
                self.add(
                    "python-parameter-became-optional",
                    target,
                    f"{_short(path)}: parameter {name} became optional",
                )
        if (
            a.get("returns") != b.get("returns")
            and a.get("returns")
            and b.get("returns")
        ):
            self.add(
                "python-return-type-changed",
                path,
                f"{_short(path)}: returns {b.get('returns')} instead of {a.get('returns')}",
            )


_UNION_SYNTAX = re.compile(r"[\[\]()|]")


def _union_parts(annotation: str | None) -> set[str]:
    """The members of a top-level union, with each ``Literal[...]`` split into its values."""
    if not annotation:
        return set()
    parts, depth, start = [], 0, 0
    for match in _UNION_SYNTAX.finditer(
        annotation
    ):  # only the brackets and bars, not every character
        ch = match.group()
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif depth == 0:
            parts.append(annotation[start : match.start()].strip())
            start = match.end()
    parts.append(annotation[start:].strip())
    out: set[str] = set()
    for part in parts:
        if part.startswith("Literal[") and part.endswith("]"):
            out.update(f"Literal:{v.strip()}" for v in part[8:-1].split(","))
        else:
            out.add(part)
    return out


_LITERAL = re.compile(r"Literal\[([^\]]*)\]")


def _widens(old: str | None, new: str | None) -> bool:
    """Whether an argument annotated ``new`` accepts everything ``old`` did: ``int`` -> ``int | None``, or
    the same annotation whose ``Literal[...]`` values only grew (``list[Literal['a']]`` -> ``...'a', 'b'``).
    """
    before, after = _union_parts(old), _union_parts(new)
    if before and before < after:
        return True
    if not old or not new:
        return False
    if _LITERAL.sub("Literal[]", old) != _LITERAL.sub("Literal[]", new):
        return False
    pairs = zip(_LITERAL.findall(old), _LITERAL.findall(new), strict=False)
    return all(
        {v.strip() for v in a.split(",")} <= {v.strip() for v in b.split(",")}
        for a, b in pairs
    )


def _exports(module: dict[str, Any]) -> dict[str, Any]:
    return {"exports": module["exports"]} if module.get("exports") else {}


def _short(path: str) -> str:
    """``plane.models.user.User.name`` -> ``User.name``; ``plane.api.assets_api.AssetsApi.x`` likewise."""
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part[:1].isupper():
            return ".".join(parts[i:])
    return path


def _fold_variants(changes: list[Change]) -> list[Change]:
    """Drop a change to ``x_with_http_info`` (and the other variants) when ``x`` has the same change."""

    def base(obj: str) -> str:
        head, paren, tail = obj.partition("(")
        for suffix in _VARIANTS:
            if head.endswith(suffix):
                return head[: -len(suffix)] + paren + tail
        return obj

    plain = {(c.kind.id, c.object) for c in changes}
    out = []
    for change in changes:
        obj = change.object or ""
        folded = base(obj)
        if folded != obj and (change.kind.id, folded) in plain:
            continue
        out.append(change)
    return out


def python_changes(
    old: Surface, new: Surface, renames: dict[str, str] | None = None
) -> list[Change]:
    return PythonDiff(old, new, renames).run()
