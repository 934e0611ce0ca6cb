"""The lines a diff report gives: walking the loader's YAML node tree finds exactly what scanning the text
finds, for every node of the real specs, and for the pointers a scan cannot place."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diff.lines import lines_in
from generator.parse.load import load_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["plane.yaml", "asana.yaml", "pieces_os.yaml"])
def test_the_node_walk_gives_each_pointer_the_line_the_scan_gives(name: str) -> None:
    doc = load_document(ROOT / "specs" / name, keep_node=True)
    assert doc.node is not None and doc.known_marks is None
    every = sorted(load_document(ROOT / "specs" / name).marks)  # every node's pointer
    pointers = every[
        :: max(1, len(every) // 3000)
    ]  # 3,000 of them, across the whole document
    walked = lines_in(doc.text, pointers, None, doc.node)
    assert walked == lines_in(doc.text, pointers)
    assert len(walked) == len(pointers)


def test_pointers_without_a_node_take_their_nearest_ancestors_line(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\n"  # 1
        "paths:\n"  # 2
        "  /a~b/{c}:\n"  # 3
        "    get:\n"  # 4
        "      parameters:\n"  # 5
        "        - name: x\n"  # 6
        "          in: query\n"  # 7
        "        - name: y\n"  # 8
        "          in: query\n"  # 9
    )
    doc = load_document(spec, keep_node=True)
    pointers = [
        "/paths/~1a~0b~1{c}/get",  # escaped tokens
        "/paths/~1a~0b~1{c}/get/parameters/1/in",
        "/paths/~1a~0b~1{c}/get/parameters/01",  # not how a pointer names index 1
        "/paths/~1a~0b~1{c}/get/parameters/7",  # past the end
        "/paths/~1a~0b~1{c}/post/requestBody",  # not there: its parent's line
        "/components/schemas/X",
        "other.yaml#/components/schemas/X",  # another file: no line here
    ]
    walked = lines_in(doc.text, pointers, None, doc.node)
    assert walked == lines_in(doc.text, pointers)
    # the line where each value starts: a mapping at its first key, a sequence at its first item
    assert walked["/paths/~1a~0b~1{c}/get"] == 5
    assert walked["/paths/~1a~0b~1{c}/get/parameters/1/in"] == 9
    assert walked["/paths/~1a~0b~1{c}/get/parameters/01"] == 6
    assert walked["/paths/~1a~0b~1{c}/post/requestBody"] == 4
    assert walked["/components/schemas/X"] == 1
    assert (
        walked["other.yaml#/components/schemas/X"] == 1
    )  # the root's: a report shows no line for it


def test_a_document_with_yaml_aliases_names_the_alias_not_the_anchor(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\n"  # 1
        "components:\n"  # 2
        "  schemas:\n"  # 3
        "    A: &shared\n"  # 4
        "      type: object\n"  # 5
        "      properties:\n"  # 6
        "        id: {type: string}\n"  # 7
        "    B: *shared\n"  # 8
    )
    doc = load_document(spec, keep_node=True)
    pointers = ["/components/schemas/B", "/components/schemas/B/properties/id"]
    walked = lines_in(doc.text, pointers, None, doc.node)
    assert walked == lines_in(doc.text, pointers)
    assert walked == {
        "/components/schemas/B": 8,
        "/components/schemas/B/properties/id": 8,
    }
