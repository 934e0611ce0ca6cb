"""A rebuild of the very text of a one-file spec takes its render keys from the render cache instead of
computing them from the model's ``repr`` (build.py's ``_file_keys``): it writes what a full build writes,
and any change of the text, or a spec that refers to another file, computes them again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import build
from generator.config import make_target
from generator.render.cache import RENDERS


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".clientgen-")  # records and caches
    }


def _spec(description: str, pet: Any) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.0.0"},
        "paths": {
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "tags": ["pets"],
                    "description": description,
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "the pet",
                            "content": {"application/json": {"schema": pet}},
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "its name"},
                        # A schema property named $ref (as in Kubernetes' JSONSchemaProps): no reference.
                        "$ref": {"type": "string"},
                    },
                }
            }
        },
    }


def _build(spec: Path, output: Path, version: str = "1.0.0") -> None:
    """``build --force`` as a new process would run it (without the last manifest this one dumped); an edit
    of the spec needs a new ``version`` (the release gate)."""
    build._DUMPED.clear()
    target = make_target(spec, "pets", "sync", version, output)
    build.build_target(target, force=True)


def _computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the builds that compute their render keys from the model."""
    calls: list[int] = []
    real = build.file_keys

    def counted(*args: Any, **kwargs: Any) -> dict[str, str]:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "file_keys", counted)
    return calls


def _full_build(
    tmp_path: Path, spec: Path, name: str, version: str = "1.0.0"
) -> dict[str, bytes]:
    """What a build into an empty folder writes."""
    output = tmp_path / name / "pets"
    _build(spec, output, version)
    return tree(output)


def test_a_rebuild_of_the_same_text_takes_the_keys_and_writes_what_a_full_build_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec" / "pets.json"
    spec.parent.mkdir()
    pet = {"$ref": "#/components/schemas/Pet"}
    spec.write_text(json.dumps(_spec("Get a pet.", pet)))
    calls = _computed(monkeypatch)
    output = tmp_path / "out" / "pets"
    _build(spec, output)
    assert len(calls) == 1
    _build(spec, output)
    assert len(calls) == 1  # the same text: the keys come from the cache
    assert tree(output) == _full_build(tmp_path, spec, "full1")
    # Any edit computes them again, and the output follows it.
    spec.write_text(json.dumps(_spec("Fetch one pet by its id.", pet)))
    _build(spec, output, "1.0.1")
    assert len(calls) == 3  # (one more for the full build above)
    assert b"Fetch one pet by its id." in (output / "pets/api/pets_api.py").read_bytes()
    # The next build of the edited text takes them again, and writes what a full build writes.
    _build(spec, output, "1.0.1")
    assert len(calls) == 3


def test_a_spec_referring_to_another_file_computes_its_keys_every_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its text does not hold all the model reads: an edit of the other file must reach the output."""
    folder = tmp_path / "spec"
    folder.mkdir()
    spec, other = folder / "pets.json", folder / "pet.json"
    main = _spec("Get a pet.", {"$ref": "pet.json#/Pet"})
    schema = main.pop("components")["schemas"]["Pet"]
    spec.write_text(json.dumps(main))
    other.write_text(json.dumps({"Pet": schema}))
    calls = _computed(monkeypatch)
    output = tmp_path / "out" / "pets"
    _build(spec, output)
    _build(spec, output)
    assert len(calls) == 2
    schema["properties"]["name"]["description"] = "the name it answers to"
    other.write_text(json.dumps({"Pet": schema}))
    _build(spec, output, "1.0.1")
    assert len(calls) == 3
    model = output / "pets/models/pet.py"
    assert b"the name it answers to" in model.read_bytes()


def test_a_moved_output_or_cache_file_from_elsewhere_gives_the_same_bytes(
    tmp_path: Path,
) -> None:
    """The cache (with its keys) copied beside another target's output of the same spec: that target's
    build is a full build's, byte for byte."""
    spec = tmp_path / "spec" / "pets.json"
    spec.parent.mkdir()
    spec.write_text(
        json.dumps(_spec("Get a pet.", {"$ref": "#/components/schemas/Pet"}))
    )
    first = tmp_path / "a" / "pets"
    _build(spec, first)
    other = tmp_path / "b" / "pets"
    shutil.copytree(first, other)
    target = make_target(spec, "pets", "asyncio", "1.0.0", other)
    build.build_target(target, force=True)
    full = tmp_path / "c" / "pets"
    build.build_target(make_target(spec, "pets", "asyncio", "1.0.0", full))
    assert (other / RENDERS).is_file()
    assert tree(other) == tree(full)


def test_a_rebuild_writes_the_manifest_a_full_build_writes_even_after_a_hand_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged spec's rebuild takes the manifest's text as the output holds it (no dump of megabytes)
    only while it is the text the last build wrote: reformatted by hand (the same JSON), it is written
    anew."""
    dumped: list[int] = []
    real = build.dump_manifest

    def counted(manifest: dict[str, Any]) -> str:
        dumped.append(1)
        return real(manifest)

    monkeypatch.setattr(build, "dump_manifest", counted)
    spec = tmp_path / "spec" / "pets.json"
    spec.parent.mkdir()
    spec.write_text(
        json.dumps(_spec("Get a pet.", {"$ref": "#/components/schemas/Pet"}))
    )
    output = tmp_path / "out" / "pets"
    _build(spec, output)
    manifest = output / ".clientgen.json"
    first = manifest.read_bytes()
    assert b'"surface"' in first
    assert len(dumped) == 1
    _build(spec, output)
    assert manifest.read_bytes() == first
    assert len(dumped) == 1
    manifest.write_text(json.dumps(json.loads(first), indent=4))
    _build(spec, output)
    assert manifest.read_bytes() == first
    assert len(dumped) == 2
    assert tree(output) == _full_build(tmp_path, spec, "full")


@pytest.mark.parametrize(
    ("value", "other"),
    [
        (
            {"a": 1, "b": 2},
            {"b": 2, "a": 1},
        ),  # the same mapping, written in another order
        ({"a": 1}, {"a": True}),  # equal in Python, not in JSON
        ({"a": {"b": 1.0}}, {"a": {"b": 1}}),
    ],
)
def test_manifests_alike_only_when_dumped_alike(value: Any, other: Any) -> None:
    from generator.build import _dumps_alike
    from generator.diff.release import dump_manifest

    assert value == other
    assert dump_manifest(value) != dump_manifest(other) or type(value) is not type(
        other
    )
    assert not _dumps_alike(value, other)
    assert _dumps_alike(value, json.loads(json.dumps(value)))
