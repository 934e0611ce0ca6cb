"""Incremental rendering is invisible: after each of a series of random single edits of a spec (a
description reworded, a field added, an operation added, moved or removed, a schema removed from use), a
build that reuses the previous build's renders writes the same bytes as a build that renders everything —
while it stages (writes, formats with ruff, checks) only a small part of the files.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build_target
from generator.config import make_target
from generator.render import write
from generator.render.cache import RENDERS, RenderCache
from tests.support.cli import ROOT

SPEC = ROOT / "specs" / "pieces_os.yaml"
METHODS = ("get", "put", "post", "delete", "patch")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".clientgen-")  # records and caches
    }


def _operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    ]


def _objects(spec: dict[str, Any]) -> list[str]:
    schemas = spec["components"]["schemas"]
    return [n for n, s in schemas.items() if isinstance(s.get("properties"), dict)]


def edit(spec: dict[str, Any], rng: random.Random, step: int) -> str:
    """One random single edit of ``spec`` (in place); what it did, for the failure message. Enum edits
    come up more often: a model or operation shows the values of the enums it uses (defaults, examples),
    the subtlest dependency."""
    kind = rng.choice(
        [
            "op description",
            "schema description",
            "add field",
            "add op",
            "move op",
            "remove op",
            "enum values",
            "enum values",
        ]
    )
    operations = _operations(spec)
    if kind == "op description":
        path, method = rng.choice(operations)
        spec["paths"][path][method]["description"] = f"Reworded at step {step}."
    elif kind == "schema description":
        name = rng.choice(sorted(spec["components"]["schemas"]))
        spec["components"]["schemas"][name]["description"] = f"Step {step}'s words."
    elif kind == "add field":
        name = rng.choice(_objects(spec))
        target = rng.choice(sorted(spec["components"]["schemas"]))
        props = spec["components"]["schemas"][name]["properties"]
        props[f"added_{step}"] = rng.choice(
            [
                {"type": "string", "description": "A new field."},
                {"type": "integer", "minimum": 0},
                {"$ref": f"#/components/schemas/{target}"},
                {"type": "array", "items": {"$ref": f"#/components/schemas/{target}"}},
            ]
        )
    elif kind == "add op":
        target = rng.choice(_objects(spec))
        spec["paths"][f"/added/{step}"] = {
            "get": {
                "operationId": f"added_{step}",
                "tags": [rng.choice(["Assets", "Extra"])],
                "summary": f"Added at step {step}",
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{target}"}
                            }
                        },
                    }
                },
            }
        }
    elif kind == "move op":
        path, method = rng.choice(operations)
        spec["paths"][path][method]["tags"] = ["Extra"]
    elif kind == "enum values":
        # Models and operations that use the enum show its values (defaults, examples).
        schemas = spec["components"]["schemas"]
        name = rng.choice(sorted(n for n, s in schemas.items() if "enum" in s))
        schemas[name]["enum"] = [f"{v}_{step}" for v in reversed(schemas[name]["enum"])]
        schemas[name].pop("default", None)
    else:
        path, method = rng.choice(operations)
        del spec["paths"][path][method]
        if not any(m in spec["paths"][path] for m in METHODS):
            del spec["paths"][path]
    return kind


class Staged:
    """The files the builds write into their staging folders (what ruff formats, for the ``.py``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = write._write_all

        def spy(staging: Path, files: Any) -> None:
            files = list(files)
            self.paths.extend(f.path for f in files)
            real(staging, files)

        monkeypatch.setattr(write, "_write_all", spy)

    def take(self) -> list[str]:
        paths, self.paths = self.paths, []
        return paths


@contextlib.contextmanager
def _from_scratch() -> Iterator[None]:
    """No state the process keeps per spec file between builds (the JSON text and its regions, the
    validation's walk and findings, the checked references, the components' models, the operations'
    records): the build inside computes everything."""
    from generator.model import build as model_build
    from generator.parse import load, refs, validate

    kept = [
        load._LAST_JSON,
        validate._SCHEMA_MEMOS,
        validate._LAST,
        refs._CLEAN,
        model_build._COMPONENTS,
        model_build._OPERATIONS,
    ]
    saved = [dict(table) for table in kept]
    for table in kept:
        table.clear()
    try:
        yield
    finally:
        for table, entries in zip(kept, saved, strict=True):
            table.clear()
            table.update(entries)  # type: ignore[attr-defined]


def _dump(spec: dict[str, Any], path: Path) -> None:
    if (
        path.suffix == ".json"
    ):  # read with the JSON parser, re-parsed in part after an edit
        path.write_text(json.dumps(spec, indent=2, ensure_ascii=False))
    else:
        path.write_text(yaml.safe_dump(spec, sort_keys=False))


@pytest.mark.parametrize(
    ("seed", "where", "suffix"),
    [
        (1, "memory", ".yaml"),
        (2, "memory", ".yaml"),
        (3, "disk", ".yaml"),
        (4, "disk", ".yaml"),
        (13, "memory", ".json"),
        (15, "memory", ".json"),
        (18, "disk", ".json"),
    ],
)
def test_incremental_builds_write_what_full_builds_write(
    tmp_path: Path,
    seed: int,
    where: str,
    suffix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``memory``: the watch's cache, kept in the process; ``disk``: separate builds, each reading the
    renders the previous one left in the output (``.clientgen-renders``). A JSON spec is also parsed
    again in part, validated and modelled again in part (the process keeps the last version's state);
    the full build starts from none of that."""
    rng = random.Random(seed)
    spec_path = tmp_path / f"spec{suffix}"
    spec = yaml.safe_load(SPEC.read_text())
    spec.setdefault("tags", []).append({"name": "Extra", "description": "Moved here."})
    _dump(spec, spec_path)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    target = make_target(spec_path, "pieces", "both", "1.0.0", incremental)
    memory = RenderCache() if where == "memory" else None
    build_target(target, watching=True, cache=memory)
    staged = Staged(monkeypatch)

    def cache() -> RenderCache:
        return memory if memory is not None else RenderCache.read(incremental / RENDERS)

    assert len(cache()) > 0
    done = []
    for step in range(8):
        done.append(edit(spec, rng, step))
        _dump(spec, spec_path)
        # The full build starts from the same previous output (its manifest and changelog).
        shutil.rmtree(full, ignore_errors=True)
        shutil.copytree(incremental, full, symlinks=True)
        (full / RENDERS).unlink(missing_ok=True)  # the full build renders everything
        with _from_scratch():
            build_target(
                make_target(spec_path, "pieces", "both", "1.0.0", full),
                watching=True,
                force=True,
            )
        reused = len(cache().reuse(cache_keys(target)))
        staged.take()
        result = build_target(target, watching=True, cache=memory)
        assert result.changes.any, done
        assert tree(incremental) == tree(full), f"after {done}"
        assert reused > 0, f"nothing reused after {done}"
        # Only what the edit reached is staged: under half of the files, under half of the modules.
        files = tree(incremental)
        python = [p for p in files if p.endswith(".py")]
        written = staged.take()
        assert len(written) < len(files) / 2, f"{len(written)} staged after {done}"
        assert len([p for p in written if p.endswith(".py")]) < len(python) / 2, done


def cache_keys(target: Any) -> dict[str, str]:
    """The keys the next build of ``target`` computes (to count what it will reuse)."""
    from generator.build import input_digest
    from generator.load import load_api
    from generator.render.cache import file_keys

    with _from_scratch():
        return file_keys(load_api(target.spec), target, input_digest(target, False, ""))


def test_the_validators_findings_are_kept_beside_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spec the fast pass flags: what validation found is kept in ``.clientgen-validation``, so the next
    build of the same text (another process: no memo of its own) neither checks its references nor runs the
    full validator again, warns the same, and writes what a first build into an empty folder writes.
    """
    from generator.parse import semantics, validate

    # A default the fast pass leaves to the full validator (as it does one with a keyword it does not judge).
    real_judge = semantics.judge
    monkeypatch.setattr(
        semantics,
        "judge",
        lambda value, *rest: None if value == "lots" else real_judge(value, *rest),
    )
    spec = yaml.safe_load(SPEC.read_text())
    name = _objects(spec)[0]
    spec["components"]["schemas"][name]["properties"]["flagged"] = {
        "type": "integer",
        "default": "lots",
    }
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp_path / "out"
    target = make_target(spec_path, "pieces", "sync", "1.0.0", out)
    first = build_target(target, lenient=True)
    assert ["'lots' is not of type 'integer'" in w.message for w in first.warnings][
        :1
    ] == [True]

    runs: list[Any] = []
    real = validate._validator_findings

    def spy(doc: Any, data: Any, *rest: Any) -> Any:
        runs.append(data)
        return real(doc, data, *rest)

    monkeypatch.setattr(validate, "_validator_findings", spy)
    assert (out / validate.VALIDATION).is_file()
    checked: list[Any] = []
    monkeypatch.setattr(
        validate, "check_references", lambda doc: checked.append(doc) or []
    )
    validate._LAST.clear()
    second = build_target(target, lenient=True, force=True)
    assert runs == [] and checked == []
    assert [str(w) for w in second.warnings] == [str(w) for w in first.warnings]
    validate._LAST.clear()
    full = build_target(
        make_target(spec_path, "pieces", "sync", "1.0.0", tmp_path / "full"),
        lenient=True,
    )
    assert len(runs) == 1
    assert [str(w) for w in full.warnings] == [str(w) for w in first.warnings]
    assert tree(out) == tree(tmp_path / "full")


def test_the_render_cache_is_written_only_when_it_changed(tmp_path: Path) -> None:
    """A regeneration that changes no entry (``build --force`` of the same spec) leaves the output's
    ``.clientgen-renders`` as it is; an edit rewrites it, and the next build reuses what the edit left.
    """
    spec_path = tmp_path / "spec.yaml"
    spec = yaml.safe_load(SPEC.read_text())
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp_path / "out"
    target = make_target(spec_path, "pieces", "sync", "1.0.0", out)
    build_target(target)
    renders = out / RENDERS
    before = renders.read_bytes()
    signature = _stat(renders)
    build_target(target, force=True)
    assert _stat(renders) == signature
    assert renders.read_bytes() == before

    path, method = _operations(spec)[0]
    spec["paths"][path][method]["description"] = "Reworded."
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    target = make_target(spec_path, "pieces", "sync", "1.0.1", out)
    build_target(target)
    assert _stat(renders) != signature and renders.read_bytes() != before
    kept = RenderCache.read(renders)
    assert len(kept.reuse(cache_keys(target))) == len(cache_keys(target))
    signature = _stat(renders)
    build_target(target, force=True)
    assert _stat(renders) == signature


def _stat(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)
