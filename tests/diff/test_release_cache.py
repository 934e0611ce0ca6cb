"""The release computation's caches (issue 20): the ``build --watch`` process keeps the HTTP contract of each
operation and the Python surface of each module between builds. With them, the verdict and the changelog are
exactly what a computation from scratch gives, over the mutation specs and over consecutive real versions of
Asana's spec; and a cached entry whose inputs changed is never used.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.diff.contract import ContractCache, contract_of  # noqa: E402
from generator.diff.engine import _render_code, compare  # noqa: E402
from generator.diff.python import module_sources, surface_of  # noqa: E402
from generator.diff.release import section  # noqa: E402
from generator.load import load_spec  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_mutations import BASE, CASES, REVERSED  # noqa: E402

HISTORY = ROOT.parent / "shared" / "spec-history" / "asana"
PACKAGE = "shop"


def _load(path: Path) -> tuple[Any, Any, dict[str, str]]:
    # Lenient: the real history has flaws (unquoted integer keys in examples) a strict load refuses.
    doc, api = load_spec(path, lenient=True)
    sources = module_sources(_render_code(api, PACKAGE, "sync"), PACKAGE)
    return doc, api, sources


def _fresh(doc: Any, api: Any, sources: dict[str, str]) -> dict[str, Any]:
    return {
        "http": contract_of(doc, api, PACKAGE),
        "python": surface_of(sources),
    }


def _cached(
    doc: Any, api: Any, sources: dict[str, str], caches: tuple[ContractCache, dict]
) -> dict[str, Any]:
    contracts, seen = caches
    return {
        "http": contract_of(doc, api, PACKAGE, contracts),
        "python": surface_of(sources, None, seen=seen),
    }


def _same_release(old_path: Path, new_path: Path) -> tuple[dict[str, Any], Any]:
    """Both versions through warm caches (the old one fills them) and from scratch: the snapshots, the
    report and the changelog section are the same. Returns the new snapshots and the caches.
    """
    old_doc, old_api, old_sources = _load(old_path)
    new_doc, new_api, new_sources = _load(new_path)
    caches = (ContractCache(), {})
    old_cached = _cached(old_doc, old_api, old_sources, caches)
    new_cached = _cached(new_doc, new_api, new_sources, caches)
    old_fresh = _fresh(old_doc, old_api, old_sources)
    new_fresh = _fresh(new_doc, new_api, new_sources)
    assert old_cached == old_fresh
    assert new_cached == new_fresh
    with_caches = compare(old_cached, new_cached)
    without = compare(old_fresh, new_fresh)
    assert with_caches.to_json() == without.to_json()
    assert section("2.0.0", new_api, with_caches) == section("2.0.0", new_api, without)
    return {"old": old_cached, "new": new_cached, "report": without}, caches


def _write(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name", [name for name, *_ in CASES], ids=[name for name, *_ in CASES]
)
def test_mutations_give_the_same_release_with_and_without_caches(
    tmp_path: Path, name: str
) -> None:
    mutation = next(m for n, m, *_ in CASES if n == name)
    before, after = copy.deepcopy(BASE), copy.deepcopy(BASE)
    if mutation is None:
        REVERSED[name](before)
    else:
        mutation(after)
    result, (contracts, _) = _same_release(
        _write(tmp_path / "old.yaml", before), _write(tmp_path / "new.yaml", after)
    )
    # The caches were used: when only `paths` changed, an operation the mutation did not touch is the very object computed before.
    old_ops, new_ops = result["old"]["http"]["operations"], result["new"]["http"]
    reused = [k for k, v in new_ops["operations"].items() if old_ops.get(k) is v]

    def head(spec: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in spec.items() if k != "paths"}

    if head(before) == head(after):
        assert reused, name
    assert len(contracts) == len(new_ops["operations"])


def test_an_edited_operation_is_computed_again(tmp_path: Path) -> None:
    after = copy.deepcopy(BASE)
    target = after["paths"]["/items"]["get"]
    limit = next(p for p in target["parameters"] if p["name"] == "limit")
    limit["required"] = not limit.get("required", False)
    result, _ = _same_release(
        _write(tmp_path / "old.yaml", BASE), _write(tmp_path / "new.yaml", after)
    )
    old_op = result["old"]["http"]["operations"]["GET /items"]
    new_op = result["new"]["http"]["operations"]["GET /items"]
    assert new_op is not old_op
    assert new_op["params"]["query:limit"]["required"] == limit["required"]
    assert result["report"].changes  # the verdict saw the edit


def test_a_module_whose_text_changed_is_read_again() -> None:
    source = (
        "class Pet:\n"
        "    def feed(self, amount: int) -> None:\n"
        "        '''Feed.'''\n"
        "    def walk(self) -> None: ...\n"
    )
    seen: dict[str, Any] = {}
    first = surface_of({"shop.pet": source}, seen=seen)
    changed = source.replace("amount: int", "amount: float")
    second = surface_of({"shop.pet": changed}, seen=seen)
    feed = second["shop.pet"]["objects"]["Pet"]["members"]["feed"]
    assert feed["params"][1][2] == "float"
    assert second["shop.pet"]["digest"] != first["shop.pet"]["digest"]
    assert second == surface_of({"shop.pet": changed})
    # The unchanged method came from the cache, as it was.
    assert (
        second["shop.pet"]["objects"]["Pet"]["members"]["walk"]
        == first["shop.pet"]["objects"]["Pet"]["members"]["walk"]
    )
    assert seen["shop.pet"] is second["shop.pet"]


def test_an_operation_whose_reference_target_changed_is_computed_again(
    tmp_path: Path,
) -> None:
    """Editing a schema an operation returns changes the head of the spec: nothing stale is reused."""
    after = copy.deepcopy(BASE)
    first_schema = next(iter(after["components"]["schemas"].values()))
    first_schema["description"] = "reworded"
    first_schema.setdefault("properties", {})["extra_field"] = {"type": "string"}
    _same_release(
        _write(tmp_path / "old.yaml", BASE), _write(tmp_path / "new.yaml", after)
    )


def _history_pairs() -> list[tuple[Path, Path]]:
    versions = sorted(HISTORY.glob("*.yaml"))
    pairs = list(zip(versions, versions[1:], strict=False))
    return pairs[:3]


@pytest.mark.skipif(
    not HISTORY.is_dir(), reason="../shared/spec-history/asana is not present"
)
@pytest.mark.parametrize(
    ("old", "new"),
    _history_pairs(),
    ids=lambda p: p.stem if isinstance(p, Path) else "",
)
def test_asana_versions_give_the_same_release_with_and_without_caches(
    old: Path, new: Path
) -> None:
    _same_release(old, new)


def test_a_cache_saved_by_one_build_serves_the_next_only_with_the_same_salt(
    tmp_path: Path,
) -> None:
    """A cold build reads the contract cache the last build wrote to `.clientgen-renders` (as JSON): the
    next contract is the same as from scratch, and a cache written by another generator is not used.
    """
    import json

    after = copy.deepcopy(BASE)
    after["paths"]["/items"]["get"]["summary"] = "reworded"
    old_doc, old_api, _ = _load(_write(tmp_path / "old.yaml", BASE))
    new_doc, new_api, _ = _load(_write(tmp_path / "new.yaml", after))
    first = ContractCache("generator-1")
    contract_of(old_doc, old_api, PACKAGE, first)
    saved = json.loads(json.dumps(first.saved()))
    fresh = contract_of(new_doc, new_api, PACKAGE)
    again = ContractCache("generator-1")
    again.restore(saved)
    reused = contract_of(new_doc, new_api, PACKAGE, again)
    assert reused == fresh
    assert reused["operations"]["POST /items"] is saved["operations"].get(
        next(
            k
            for k, v in saved["operations"].items()
            if v["method"] == "POST" and v["path"] == "/items"
        )
    )
    other = ContractCache("generator-2")
    other.restore(saved)
    computed = contract_of(new_doc, new_api, PACKAGE, other)
    assert computed == fresh
    assert all(
        computed["operations"][k] is not v for k, v in reused["operations"].items()
    )


def test_a_json_spec_edited_in_place_gives_the_same_contracts(tmp_path: Path) -> None:
    """A ``.json`` spec saved again and again at one path (as in the watch): its unchanged path items are
    the objects of the last load (parse/reparse.py), whose operations keep their cached digests; every
    contract is still the one computed from scratch."""
    import json

    spec = tmp_path / "spec.json"
    contracts = ContractCache()
    for name, mutation, *_ in CASES:
        for version in (BASE, copy.deepcopy(BASE)):
            if version is not BASE:
                if mutation is None:
                    REVERSED[name](version)
                else:
                    mutation(version)
            spec.write_text(json.dumps(version, indent=2), encoding="utf-8")
            doc, api, _ = _load(spec)
            assert contract_of(doc, api, PACKAGE, contracts) == contract_of(
                doc, api, PACKAGE
            ), name
    assert contracts.operation_keys  # the digests were kept between the loads


def test_the_manifests_check_walks_only_what_the_cache_did_not_vouch_for() -> None:
    """The manifest keeps the contract as built when it is JSON data (release._stored walks it to make
    sure). Operations and schemas read back from the render cache's file are JSON data as json.loads made
    them and are not walked again; anything else still is, and a value that is not JSON is still caught
    (the manifest then gets a copy)."""
    import json

    from generator.diff.release import _stored

    doc, api, sources = _load(Path(__file__).parent / "base_spec.yaml")
    first = ContractCache()
    contract_of(doc, api, PACKAGE, first)
    assert len(first) > 0
    # Another process: the cache as the render cache's file gives it back.
    cache = ContractCache()
    cache.restore(json.loads(json.dumps(first.saved())))
    http = contract_of(doc, api, PACKAGE, cache)
    assert http == contract_of(doc, api, PACKAGE)
    assert set(cache.plain) == {id(v) for v in cache.entries()}
    snapshot = {"http": http, "python": surface_of(sources)}
    assert _stored(snapshot, cache) is snapshot
    # A value the cache vouches for is not walked (a tuple there would make the walk copy the snapshot)...
    entry = next(iter(cache.operations.values()))
    entry["probe"] = ("not", "json")
    assert _stored(snapshot, cache) is snapshot
    # ...while one it does not vouch for is.
    cache.plain.pop(id(entry))
    copied = _stored(snapshot, cache)
    assert copied is not snapshot
    assert copied["http"]["operations"] == json.loads(json.dumps(http["operations"]))
