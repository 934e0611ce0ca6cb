"""Every string in a spec is attacker-controlled: property-based specs full of quotes, triple quotes,
backslashes, newlines, template syntax, Markdown/HTML, NUL, bidi and control characters, long strings and
Python payloads. For every case the generated ``.py`` files parse, importing the package (and every model
and API module) creates no file and runs nothing from the spec, and the Markdown cannot leave its code
fences or break its tables."""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main

EXAMPLES = 200
CANARY_NAME = "CANARY_CLIENTGEN_FUZZ"
_counter = itertools.count()
REASONS: list[str] = []
STATS = {"cases": 0, "generated": 0, "refused": 0}


def _payloads(canary: Path) -> list[str]:
    touch = f"__import__('pathlib').Path({str(canary)!r}).write_text('pwned')"
    return [
        touch,
        f'"""; {touch}; """',
        f"'''; {touch}; '''",
        f"\\n{touch}\\n",
        f"\n{touch}\n#",
        f"{{{{ {touch} }}}}",
        "{% for x in range(3) %}{{ x }}{% endfor %}",
        "{{ self.__init__.__globals__ }}",
        '"\'\\"',
        '"""',
        "'''",
        "\\",
        "\\x00\\N{BULLET}\\u202e",
        "\x00",
        "\u202e\u2066evil\u2069\u202c",
        "\r\n\x0b\x0c\x1c\x85\u2028\u2029",
        "\x07\x1b[31m",
        "```\n# escaped fence\n```",
        "| a | b |\n|---|---|",
        "<script>alert(1)</script>",
        "</code></pre><img src=x onerror=alert(1)>",
        "[link](javascript:alert(1))",
        "`code` *em* _u_ <!-- c -->",
        "x" * 3000,
        "é" * 50 + "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "class",
        "self",
        "__init__",
        "None",
        "",
        " ",
    ]


def hostile(canary: Path) -> st.SearchStrategy[str]:
    pieces = st.sampled_from(_payloads(canary)) | st.text(max_size=20)
    return st.lists(pieces, min_size=1, max_size=3).map("".join)


def json_values(canary: Path) -> st.SearchStrategy[Any]:
    scalar = (
        hostile(canary)
        | st.integers()
        | st.booleans()
        | st.none()
        | st.floats(allow_nan=False)
    )
    return st.recursive(
        scalar,
        lambda inner: st.lists(inner, max_size=3)
        | st.dictionaries(hostile(canary), inner, max_size=3),
        max_leaves=6,
    )


@st.composite
def specs(draw: st.DrawFn, canary: Path) -> dict[str, Any]:
    text = hostile(canary)
    prop_names = draw(st.lists(text, min_size=1, max_size=4, unique=True))
    enum_values = draw(st.lists(text, min_size=1, max_size=4, unique=True))
    properties: dict[str, Any] = {}
    for name in prop_names:
        properties[name] = {
            "type": "string",
            "description": draw(text),
            "default": draw(text),
            "example": draw(json_values(canary)),
            "title": draw(text),
        }
    properties[draw(text) + "_e"] = {
        "type": "string",
        "enum": enum_values,
        "description": draw(text),
    }
    parameter = {
        "name": draw(text) or "p",
        "in": draw(st.sampled_from(["query", "header", "cookie"])),
        "description": draw(text),
        "schema": {
            "type": "string",
            "default": draw(st.sampled_from(enum_values)),
            "enum": enum_values,
        },
        "example": draw(json_values(canary)),
    }
    tag = draw(text)
    return {
        "openapi": draw(st.sampled_from(["3.0.3", "3.1.0"])),
        "info": {
            "title": draw(text),
            "description": draw(text),
            "version": draw(text),
            "x-evil": draw(json_values(canary)),
        },
        "servers": [{"url": draw(text), "description": draw(text)}],
        "tags": [{"name": tag, "description": draw(text)}],
        "paths": {
            "/items": {
                "post": {
                    "operationId": draw(text),
                    "summary": draw(text),
                    "description": draw(text),
                    "tags": [tag],
                    "x-vendor": draw(json_values(canary)),
                    "parameters": [parameter],
                    "requestBody": {
                        "description": draw(text),
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": draw(text),
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"},
                                    "example": draw(json_values(canary)),
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "title": draw(text),
                    "description": draw(text),
                    "properties": properties,
                    "x-evil": draw(text),
                }
            }
        },
    }


_OPEN_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def check_markdown(path: Path) -> None:
    """Every fenced block that opens closes (CommonMark: a closing fence is only the fence characters, at
    least as many), and every row of a table has as many cells as its header."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fence: str | None = None
    table: list[str] = []
    for number, line in enumerate(lines + [""], start=1):
        if fence is not None:
            if (
                line.strip()
                and set(line.strip()) == {fence[0]}
                and len(line.strip()) >= len(fence)
            ):
                fence = None
            continue
        opening = _OPEN_FENCE.match(line)
        if opening:
            fence = opening.group(1)
            continue
        if line.startswith("|") or (table and "|" in line and line.strip()):
            table.append(line)
            continue
        if table:
            cells = {
                len(
                    _UNESCAPED_PIPE.findall(
                        re.sub(r"`[^`]*`", "", row.strip().strip("|"))
                    )
                )
                for row in table
            }
            assert (
                len(cells) == 1
            ), f"{path}:{number}: a table row has a different number of cells: {table}"
            table = []
    assert fence is None, f"{path}: a code fence is never closed"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _listing(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if "__pycache__" not in p.parts
    }


CANARY_DIR = Path(__file__).resolve().parent / ".canary"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@given(data=st.data())
def test_hostile_specs_generate_inert_code(
    data: st.DataObject, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canary = workspace / CANARY_NAME
    spec = data.draw(specs(canary))
    n = next(_counter)
    STATS["cases"] += 1
    case = workspace / f"case{n}"
    case.mkdir()
    spec_path = case / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    package = f"fuzz_pkg{n}"
    output = case / "out"
    status = main(
        ["generate", str(spec_path), "--output", str(output), "--package", package]
    )
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if (
        status != 0
    ):  # a spec the validator refuses is fine, as long as it is refused cleanly
        assert status == 1 and captured.err.strip(), captured.err
        assert (
            "error:" not in captured.err
        ), captured.err  # an output problem is a generator bug
        STATS["refused"] += 1
        REASONS.append(captured.err.strip().splitlines()[0][-160:])
        return
    STATS["generated"] += 1
    for source in output.rglob("*.py"):
        ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    for doc in output.rglob("*.md"):
        check_markdown(doc)

    before = _listing(workspace)
    sys.path.insert(0, str(output))
    try:
        for namespace in (package, f"{package}.models", f"{package}.api"):
            module = importlib.import_module(namespace)
            for name in module.__all__:
                getattr(module, name)
        models = importlib.import_module(f"{package}.models")
        thing = models.Thing
        thing.model_json_schema()
    finally:
        sys.path.remove(str(output))
        for name in [
            m for m in sys.modules if m == package or m.startswith(package + ".")
        ]:
            del sys.modules[name]
    assert not canary.exists(), "a payload from the spec ran"
    assert _listing(workspace) == before, "importing the package created files"


def test_report_fuzz_counts() -> None:
    print("\n".join(REASONS))
    print(
        f"hostile fuzz: {STATS['cases']} cases, {STATS['generated']} generated, {STATS['refused']} refused cleanly"
    )
    assert STATS["cases"] in (0, EXAMPLES)
    assert STATS["cases"] == 0 or STATS["generated"] >= STATS["cases"] // 2
