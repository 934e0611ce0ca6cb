"""A large spec with one flaw, located at file:line:col and pointer. A default that does not fit its schema is
worded by the fast pass itself (openapi-spec-validator is never imported); any other flaw is the full
validator's to word, and it is handed only the regions the fast pass flagged (with what they reference), never
the whole document."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.parse import semantics, validate
from generator.parse.load import load_document

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = 1000  # 200 resources, 200 path items, 400 schemas


def _synthetic() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_synthetic_regions", ROOT / "benchmarks" / "synthetic.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pristine() -> dict[str, Any]:
    data: dict[str, Any] = _synthetic().make_spec(OPERATIONS)
    return data


@pytest.fixture()
def large(pristine: dict[str, Any]) -> dict[str, Any]:
    # each test breaks its own copy (with no object in two places: YAML would write it once, with an alias)
    data: dict[str, Any] = json.loads(json.dumps(pristine))
    assert len(data["paths"]) >= 200 and len(data["components"]["schemas"]) >= 400
    return data


@pytest.fixture()
def unjudged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast pass does not judge the defaults these tests break ("lots", "heaps"): they are the full
    validator's to check, as one with a keyword the fast pass does not judge is."""
    real = semantics.judge

    def judge(value: Any, *rest: Any) -> Any:
        return None if value in ("lots", "heaps") else real(value, *rest)

    monkeypatch.setattr(semantics, "judge", judge)


def _line_col(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    assert text.count(needle) == 1
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _one_bad_default(large: dict[str, Any], tmp_path: Path) -> None:
    """Break one default of ``large`` and validate it: one problem, said of the default, where it is."""
    name = "Resource00123"
    large["components"]["schemas"][name]["properties"]["size"]["default"] = "lots"
    path = tmp_path / "large.yaml"
    text = yaml.safe_dump(large, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    problems = validate.validate_document(load_document(path))
    pointer = f"/components/schemas/{name}/properties/size/default"
    line, column = _line_col(text, "default: lots")
    assert [str(p) for p in problems] == [
        f"{path}:{line}:{column + len('default: ')}: {pointer}: "
        "the default value does not match its schema: 'lots' is not of type 'integer'"
    ]


def test_one_bad_default_in_a_large_spec_is_worded_by_the_fast_pass(
    large: dict[str, Any], handed: list[Any], tmp_path: Path
) -> None:
    _one_bad_default(large, tmp_path)
    assert handed == []


def test_one_bad_default_the_fast_pass_cannot_judge_in_a_large_spec(
    large: dict[str, Any], handed: list[Any], tmp_path: Path, unjudged: None
) -> None:
    _one_bad_default(large, tmp_path)
    name = "Resource00123"
    # One call, with the flagged schema and what it references: not the 200 path items and 400 schemas.
    assert len(handed) == 1
    part = handed[0]
    assert part["paths"] == {}
    assert name in part["components"]["schemas"]
    assert len(part["components"]["schemas"]) <= 5
    assert len(json.dumps(part)) < len(json.dumps(large)) / 50


def test_a_repeated_operation_id_hands_both_path_items(
    large: dict[str, Any], handed: list[Any], tmp_path: Path
) -> None:
    paths = list(large["paths"])
    first, second = large["paths"][paths[10]], large["paths"][paths[150]]
    method = next(m for m in ("get", "post") if m in second)
    second[method]["operationId"] = next(
        op["operationId"] for m, op in first.items() if m in ("get", "post")
    )
    path = tmp_path / "large.json"
    path.write_text(json.dumps(large, indent=2), encoding="utf-8")
    problems = validate.validate_document(load_document(path))
    assert len(problems) == 1
    assert problems[0].message.startswith("duplicate operationId")
    assert problems[0].location.pointer.startswith(
        "/paths/" + paths[150].replace("~", "~0").replace("/", "~1")
    )
    assert problems[0].location.line > 0
    assert len(handed) == 1 and set(handed[0]["paths"]) == {paths[10], paths[150]}


def test_a_clean_large_spec_never_reaches_the_full_validator(
    large: dict[str, Any], handed: list[Any], tmp_path: Path
) -> None:
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    assert validate.validate_document(load_document(path)) == []
    assert handed == []


def _status_under_all_of(large: dict[str, Any], name: str, default: str) -> None:
    """``name``'s status as plane's spec writes such a field: an allOf of the enum, with a default."""
    large["components"]["schemas"][name]["properties"]["status"] = {
        "allOf": [{"$ref": f"#/components/schemas/{name}Status"}],
        "default": default,
        "description": "Lifecycle state.",
    }


def test_a_default_that_fits_its_all_of_never_reaches_the_full_validator(
    large: dict[str, Any], handed: list[Any], tmp_path: Path
) -> None:
    _status_under_all_of(large, "Resource00042", "active")
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    assert validate.validate_document(load_document(path)) == []
    assert handed == []


def test_a_default_outside_its_all_of_enum_is_reported_by_the_fast_pass(
    large: dict[str, Any], handed: list[Any], tmp_path: Path
) -> None:
    name = "Resource00042"
    _status_under_all_of(large, name, "gone")
    path = tmp_path / "large.yaml"
    text = yaml.safe_dump(large, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    problems = validate.validate_document(load_document(path))
    assert [p.location.pointer for p in problems] == [
        f"/components/schemas/{name}/properties/status/default"
    ]
    assert "'gone' is not one of ['draft', 'active', 'archived', 'deleted']" in (
        problems[0].message
    )
    assert handed == []


def _with_all_of_member(
    large: dict[str, Any], tmp_path: Path, member: dict[str, Any]
) -> list[Any]:
    """The problems of ``large`` once its status (an allOf with the default "active") gets ``member`` too."""
    _status_under_all_of(large, "Resource00042", "active")
    status = large["components"]["schemas"]["Resource00042"]["properties"]["status"]
    status["allOf"].append(member)
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    return validate.validate_document(load_document(path))


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ({"type": "string", "format": "uuid"}, "'active' is not a 'uuid'"),
        (
            {"$ref": "#/components/schemas/Resource00042Status", "maxLength": 3},
            "'active' is longer than 3 characters",
        ),
    ],
)
def test_an_all_of_member_the_default_does_not_fit_is_said_by_the_fast_pass(
    large: dict[str, Any],
    handed: list[Any],
    tmp_path: Path,
    member: dict[str, Any],
    why: str,
) -> None:
    problems = _with_all_of_member(large, tmp_path, member)
    assert [p.message for p in problems] == [
        f"the default value does not match its schema: {why}"
    ]
    assert handed == []


@pytest.mark.parametrize(
    "member",
    [
        # OpenAPI 3.0's validator picks an alternative by the discriminator: not judged by the fast pass.
        {"oneOf": [{"type": "string"}], "discriminator": {"propertyName": "kind"}},
        {
            "type": "string",
            "pattern": "(unclosed",
        },  # not a regular expression Python compiles
    ],
)
def test_an_all_of_member_the_fast_pass_cannot_judge_goes_to_the_full_validator(
    large: dict[str, Any], handed: list[Any], tmp_path: Path, member: dict[str, Any]
) -> None:
    _with_all_of_member(large, tmp_path, member)
    assert len(handed) == 1


def test_validating_again_after_an_edit_elsewhere_says_the_same_at_the_new_place(
    large: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unjudged: None,
) -> None:
    """The ``build --watch`` process validates after every save. While the flagged part of the document is
    unchanged, the validator is not run on it again, but the messages are placed anew (the edit moved the
    lines); an edit of the flagged part is validated afresh."""
    name = "Resource00123"
    schema = large["components"]["schemas"][name]
    schema["properties"]["size"]["default"] = "lots"
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    first = validate.validate_document(load_document(path))
    assert len(first) == 1

    runs: list[Any] = []
    real = validate._validator_findings

    def spy(doc: Any, data: Any, *rest: Any) -> Any:
        runs.append(data)
        return real(doc, data, *rest)

    monkeypatch.setattr(validate, "_validator_findings", spy)
    # An edit elsewhere, adding lines before the flaw.
    first_path = next(iter(large["paths"].values()))
    next(iter(first_path.values()))["description"] = "Several\nnew\nlines\nhere."
    text = yaml.safe_dump(large, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    again = validate.validate_document(load_document(path))
    assert runs == []
    line, column = _line_col(text, "default: lots")
    assert [(p.location.line, p.location.column, p.message) for p in again] == [
        (line, column + len("default: "), first[0].message)
    ]
    # An edit of the flagged schema: validated again, with what it now says.
    schema["properties"]["size"]["default"] = "heaps"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    third = validate.validate_document(load_document(path))
    assert len(runs) == 1
    assert ["'heaps' is not of type 'integer'" in p.message for p in third] == [True]


def test_findings_kept_by_an_earlier_process_are_placed_anew_and_not_found_again(
    large: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unjudged: None,
) -> None:
    """A build keeps the full validator's findings in its render cache: the next process (no memo of its
    own) takes them while the flagged part, the generator (salt) and the pointers they were placed by are
    the same, and places them in the document as it is now; anything else runs the validator again.
    """
    name = "Resource00123"
    large["components"]["schemas"][name]["properties"]["size"]["default"] = "lots"
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    store = validate.Findings(salt="one")
    first = validate.validate_document(load_document(path), lambda: store)
    assert len(first) == 1 and store.changed
    assert sorted(e["kind"] for e in store.entries.values()) == ["document", "findings"]
    # Only the full validator's findings are looked at here: the document's text changes below.
    store.entries = {k: e for k, e in store.entries.items() if e["kind"] == "findings"}

    runs: list[Any] = []
    real = validate._validator_findings

    def spy(doc: Any, data: Any, *rest: Any) -> Any:
        runs.append(data)
        return real(doc, data, *rest)

    monkeypatch.setattr(validate, "_validator_findings", spy)

    def again(
        salt: str, entries: dict[str, Any]
    ) -> tuple[list[Any], validate.Findings]:
        validate._LAST.clear()  # another process
        kept = validate.Findings(salt=salt, entries=json.loads(json.dumps(entries)))
        return validate.validate_document(load_document(path), lambda: kept), kept

    # An edit elsewhere moves the flaw down: the kept finding, at its new line.
    first_path = next(iter(large["paths"].values()))
    next(iter(first_path.values()))["description"] = "Several\nnew\nlines\nhere."
    text = yaml.safe_dump(large, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    second, kept = again("one", store.entries)
    assert runs == []
    assert [e for e in kept.entries.values() if e["kind"] == "findings"] == list(
        store.entries.values()
    )
    line, column = _line_col(text, "default: lots")
    assert [(p.location.line, p.location.column, p.message) for p in second] == [
        (line, column + len("default: "), first[0].message)
    ]
    # Another generator: found again.
    third, kept = again("two", store.entries)
    assert len(runs) == 1
    assert [p.message for p in third] == [first[0].message]
    # The document no longer answers as it did where the findings were placed: found again.
    entries = json.loads(json.dumps(store.entries))
    entry = next(iter(entries.values()))
    entry["probes"] = {"/no/such/pointer": True}
    again("one", entries)
    assert len(runs) == 2
    # An edit of the flagged schema: found again, with what it now says.
    large["components"]["schemas"][name]["properties"]["size"]["default"] = "heaps"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    fourth, _ = again("one", store.entries)
    assert len(runs) == 3
    assert ["'heaps' is not of type 'integer'" in p.message for p in fourth] == [True]


def test_a_document_whose_text_is_the_same_is_not_checked_again(
    large: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unjudged: None,
) -> None:
    """Another process validating the same text (the next build of an unchanged spec) takes the flagged
    regions kept for it: the references and the fast pass are not checked again, and the problems are the
    same. Another text, another generator, or a reference to another file: checked."""
    large["components"]["schemas"]["Resource00123"]["properties"]["size"][
        "default"
    ] = "lots"
    path = tmp_path / "large.yaml"
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    store = validate.Findings(salt="one")
    first = validate.validate_document(load_document(path), lambda: store)
    assert len(first) == 1
    checks: list[str] = []
    real_refs, real_regions = validate.check_references, validate._fast_pass

    def refs(doc: Any) -> Any:
        checks.append("references")
        return real_refs(doc)

    def regions(*args: Any) -> Any:
        checks.append("fast pass")
        return real_regions(*args)

    monkeypatch.setattr(validate, "check_references", refs)
    monkeypatch.setattr(validate, "_fast_pass", regions)

    def again(salt: str = "one") -> list[Any]:
        validate._LAST.clear()  # another process
        kept = validate.Findings(
            salt=salt, entries=json.loads(json.dumps(store.entries))
        )
        return validate.validate_document(load_document(path), lambda: kept)

    def said(problems: list[Any]) -> list[Any]:
        return [(p.location.line, p.location.column, p.message) for p in problems]

    assert said(again()) == said(first) and checks == []
    assert said(again("two")) == said(first) and checks == ["references", "fast pass"]
    # A clean document is kept too (no flagged region), and stays clean.
    large["components"]["schemas"]["Resource00123"]["properties"]["size"]["default"] = 3
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    checks.clear()
    store = validate.Findings(salt="one")
    assert validate.validate_document(load_document(path), lambda: store) == []
    assert checks == ["references", "fast pass"]
    assert again() == [] and checks == ["references", "fast pass"]
    # A reference to another file: the text is not all that was read, so nothing is kept by it.
    (tmp_path / "other.yaml").write_text("Thing:\n  type: string\n", encoding="utf-8")
    large["components"]["schemas"]["Resource00123"]["properties"]["other"] = {
        "$ref": "other.yaml#/Thing"
    }
    path.write_text(yaml.safe_dump(large, sort_keys=False), encoding="utf-8")
    store = validate.Findings(salt="one")
    assert validate.validate_document(load_document(path), lambda: store) == []
    assert not any(e["kind"] == "document" for e in store.entries.values())


def test_a_property_named_ref_is_no_reference_to_another_file(tmp_path: Path) -> None:
    """A schema property called ``$ref`` (an object, as Kubernetes' JSONSchemaProps has) is no reference:
    the document's findings are kept by its text, as for any one-file document. A ``$ref`` to another
    file, in JSON or YAML, still keeps nothing by text."""
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Props": {"type": "object", "properties": {"$ref": {"type": "string"}}}
            }
        },
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    assert validate._document_key("salt", load_document(path)) is not None
    yaml_path = tmp_path / "spec.yaml"
    yaml_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    (tmp_path / "other.yaml").write_text("Thing:\n  type: string\n", encoding="utf-8")
    spec["components"]["schemas"]["Other"] = {"$ref": "other.yaml#/Thing"}
    path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    yaml_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    assert validate._document_key("salt", load_document(path)) is None
    assert validate._document_key("salt", load_document(yaml_path)) is None
