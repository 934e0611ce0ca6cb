"""Slightly invalid specs: strict by default (exit 1, the precise located error, nothing written), and with
``--lenient`` generated anyway, every problem printed as a warning with file:line:col and pointer.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from generator.cli import main

from .test_bad_inputs import CASES, OK_OP, spec

FLAWED = {
    "empty-responses",
    "integer-response-code",
    "ref-trailing-slash",
    "missing-description",
    "undefined-security-scheme",
    "duplicate-operation-id",
    "path-param-not-in-template",
    "template-param-undeclared",
    "invalid-enum-default",
    "bad-pagination",
}
EXTRA = {
    "unknown-security-scheme-type": (
        spec(
            extra="components:\n  securitySchemes:\n    weird:\n      type: carrier-pigeon\n"
        ),
        "carrier-pigeon",
        "/components/securitySchemes/weird",
    ),
    "several-flaws": (
        spec(
            "  /a/{id}:\n    get:\n      operationId: a\n      responses: {}\n"
            "  /b:\n    get:\n      operationId: a\n      responses:\n        200:\n          description: ok\n"
        ),
        "should be non-empty",
        "/paths/~1a~1{id}/get/responses",
    ),
}
WARNING = re.compile(r"^\S+:\d+:\d+: /\S*: .+ \[warning\]$")


def _flawed() -> list[tuple[str, str, str, str]]:
    rows = [
        (c.name, str(c.content), c.expect, c.pointer or "")
        for c in CASES
        if c.name in FLAWED
    ]
    assert {r[0] for r in rows} == FLAWED
    return rows + [(name, *row) for name, row in EXTRA.items()]


@pytest.mark.parametrize(
    ("name", "content", "expect", "pointer"), _flawed(), ids=lambda v: str(v)[:40]
)
def test_strict_fails_lenient_generates(
    name: str,
    content: str,
    expect: str,
    pointer: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(content)
    output = tmp_path / "out"
    package = "flawed_" + name.replace("-", "_")

    assert (
        main(
            ["generate", str(spec_path), "--output", str(output), "--package", package]
        )
        == 1
    )
    strict = capsys.readouterr().err
    assert expect in strict and f": {pointer}: " in strict, strict
    assert re.search(r":\d+:\d+: /", strict), strict
    assert not output.exists()

    assert (
        main(
            [
                "generate",
                str(spec_path),
                "--output",
                str(output),
                "--package",
                package,
                "--lenient",
            ]
        )
        == 0
    )
    lenient = capsys.readouterr().err
    warnings = [line for line in lenient.splitlines() if line.strip()]
    assert warnings and all(WARNING.match(line) for line in warnings), warnings
    assert any(
        expect in line and f": {pointer}: " in line for line in warnings
    ), warnings
    assert "Traceback" not in lenient

    assert main(["validate", str(spec_path), "--lenient"]) == 0
    assert "valid (" in capsys.readouterr().out

    sys.path.insert(0, str(output))
    try:
        module = importlib.import_module(package)
        client = module.ApiClient()
        assert client is not None
        api_module = importlib.import_module(f"{package}.api")
        assert api_module.__all__, "every operation is kept"
    finally:
        sys.path.remove(str(output))


def test_lenient_still_fails_when_no_model_can_be_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(
        spec(
            "  /a:\n    get:\n      operationId: a\n      parameters:\n        - $ref: '#/nope'\n"
            + OK_OP
        )
    )
    assert (
        main(
            [
                "generate",
                str(spec_path),
                "--output",
                str(tmp_path / "out"),
                "--package",
                "p",
                "--lenient",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "points at nothing" in err and "Traceback" not in err


def test_swagger_2_says_how_to_convert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path = tmp_path / "swagger.json"
    spec_path.write_text(
        '{"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}'
    )
    for lenient in ([], ["--lenient"]):
        assert main(["validate", str(spec_path), *lenient]) == 1
        err = capsys.readouterr().err
        assert (
            "Swagger 2.0 document, not OpenAPI 3" in err and "swagger2openapi" in err
        ), err
