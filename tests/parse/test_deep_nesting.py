"""A document nested deeper than the parser can take is refused with a located message, never a crash.

libyaml's composer recurses in C: about 25,000 nested ``[`` (50 KB) overflowed the C stack and killed the
process (SIGSEGV, exit 139). Each case runs in a subprocess, so a crash fails the test instead of pytest.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import ROOT, clientgen

DEPTH = 25_000


def _flow_yaml() -> str:
    return (
        'openapi: 3.0.3\ninfo: {title: T, version: "1"}\nx: '
        + "[" * DEPTH
        + "]" * DEPTH
        + "\n"
    )


def _block_yaml() -> str:
    # Compact block sequences: "- - - … x" nests one level per two characters, on one line.
    return "- " * DEPTH + "x\n"


def _flow_mapping_yaml() -> str:
    return "x: " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n"


def _json() -> str:
    return '{"openapi": "3.0.3", "x": ' + "[" * DEPTH + "]" * DEPTH + "}"


def _unclosed_json() -> str:
    return '{"openapi": "3.0.3", "x": ' + "[" * DEPTH


CASES = {
    "yaml-flow-sequences": (_flow_yaml, ".yaml"),
    "yaml-block-sequences": (_block_yaml, ".yaml"),
    "yaml-flow-mappings": (_flow_mapping_yaml, ".yaml"),
    "json-arrays": (_json, ".json"),
    "json-unclosed": (_unclosed_json, ".json"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["validate", "generate"])
def test_a_too_deep_document_is_refused_with_its_place(
    case: str, command: str, tmp_path: Path
) -> None:
    make, suffix = CASES[case]
    spec = tmp_path / f"deep{suffix}"
    spec.write_text(make())
    argv = [str(spec)]
    if command == "generate":
        argv += ["--output", str(tmp_path / "out"), "--package", "p"]
    result = clientgen(command, *argv, cwd=tmp_path, timeout=300)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert re.match(
        rf"^deep{re.escape(suffix)}:\d+:\d+: /\S*: .*nests", lines[0]
    ), lines
    assert not (tmp_path / "out").exists()


def test_the_real_specs_nest_far_less_than_the_limit() -> None:
    """The limit is far above anything an API description needs."""
    from generator.parse.load import MAX_DEPTH, load_document

    def depth(value: object) -> int:
        if isinstance(value, dict):
            return 1 + max(map(depth, value.values()), default=0)
        if isinstance(value, list):
            return 1 + max(map(depth, value), default=0)
        return 0

    deepest = max(
        depth(load_document(ROOT / "specs" / name).data)
        for name in ("plane.yaml", "pieces_os.yaml", "asana.yaml")
    )
    assert deepest * 10 < MAX_DEPTH
