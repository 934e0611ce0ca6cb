"""Broken inputs, one row each: one clear message (located where there is a place), exit status 1, no
traceback, and the previous output left byte-for-byte intact.

The CLI runs in-process (``generator.cli.main``), so an uncaught exception fails the test with its traceback
and cases that need an unreadable file or a read-only folder (we run as root in CI) can simulate them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.cli import main

HEAD = 'openapi: 3.0.3\ninfo:\n  title: T\n  version: "1"\n'
OK_OP = "      responses:\n        '200':\n          description: ok\n"


def spec(
    paths: str = "  /a:\n    get:\n      operationId: a\n" + OK_OP, extra: str = ""
) -> str:
    return HEAD + "paths:\n" + paths + extra


@dataclass(frozen=True)
class Case:
    name: str
    content: str | bytes | None  # None: ``setup`` makes the input
    expect: str  # a fragment of the one message
    pointer: str | None = None  # the JSON pointer the message names (None: not checked)
    located: bool = True  # whether the message carries :line:col
    suffix: str = ".yaml"
    setup: Callable[[Path], Path] | None = None  # returns the spec path
    files: dict[str, str] = field(default_factory=dict)  # other files beside the spec


def _big(tmp: Path) -> Path:
    path = tmp / "big.yaml"
    with path.open("wb") as f:
        f.write(HEAD.encode())
        f.truncate(50 * 1024 * 1024)
    return path


def _directory(tmp: Path) -> Path:
    path = tmp / "spec.yaml"
    path.mkdir()
    return path


def _missing(tmp: Path) -> Path:
    return tmp / "nowhere.yaml"


def _dangling_symlink(tmp: Path) -> Path:
    path = tmp / "link.yaml"
    path.symlink_to(tmp / "gone.yaml")
    return path


def _deep(depth: int) -> str:
    return "openapi: 3.0.3\nx: " + "[" * depth + "]" * depth + "\n"


def _ref_leaving_the_folder(ref: Callable[[Path], str]) -> Callable[[Path], Path]:
    """A spec in ``tmp/api/`` whose ``$ref`` (``ref(tmp)``) names a real YAML file in ``tmp``, outside it."""

    def setup(tmp: Path) -> Path:
        (tmp / "outside.yaml").write_text("Thing:\n  type: string\n")
        (tmp / "api").mkdir()
        path = tmp / "api" / "spec.yaml"
        path.write_text(
            spec(
                "  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n"
                "          description: ok\n          content:\n            application/json:\n"
                f"              schema:\n                $ref: '{ref(tmp)}'\n"
            )
        )
        return path

    return setup


_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)

CASES = [
    Case("not-yaml", "openapi: 3.0.3\ninfo: {title: [\n", "not valid YAML"),
    Case("not-json", '{"openapi": "3.0.3", "info": {,}}', "not valid", suffix=".json"),
    Case("json-unterminated", '{"openapi": "3.0.3', "not valid", suffix=".json"),
    Case("empty-file", "", "the document is empty"),
    Case("comments-only", "# nothing here\n\n", "the document is empty"),
    Case(
        "top-level-list",
        "- openapi\n- 3.0.3\n",
        "the top level must be a mapping",
        pointer="/",
    ),
    Case(
        "top-level-string",
        "just some text\n",
        "the top level must be a mapping",
        pointer="/",
    ),
    Case(
        "unknown-version",
        HEAD.replace("3.0.3", "4.0.0") + "paths: {}\n",
        "unsupported OpenAPI version '4.0.0'",
        pointer="/openapi",
    ),
    Case(
        "version-number",
        HEAD.replace('"3.0.3"', "3.0").replace("3.0.3", "3.0") + "paths: {}\n",
        "unsupported OpenAPI version 3.0",
        pointer="/openapi",
    ),
    Case(
        "no-openapi-field",
        'info:\n  title: T\n  version: "1"\npaths: {}\n',
        "missing the `openapi` field",
    ),
    Case(
        "swagger-2",
        'swagger: "2.0"\ninfo:\n  title: T\n  version: "1"\npaths: {}\n',
        "Swagger 2.0 document, not OpenAPI 3",
        pointer="/swagger",
    ),
    Case(
        "dangling-ref",
        spec(
            "  /a:\n    get:\n      operationId: a\n      parameters:\n        - $ref: "
            "'#/components/parameters/Nope'\n" + OK_OP
        ),
        "points at nothing",
        pointer="/paths/~1a/get/parameters/0/$ref",
    ),
    Case(
        "ref-missing-file",
        spec("  /a:\n    $ref: 'other.yaml#/x'\n"),
        "not found",
        pointer="/paths/~1a/$ref",
    ),
    Case(
        "ref-not-pointer",
        spec(
            "  /a:\n    get:\n      operationId: a\n      parameters:\n        - $ref: "
            "'#components'\n" + OK_OP
        ),
        "must be a JSON pointer",
    ),
    Case(
        "ref-remote",
        spec("  /a:\n    $ref: 'https://example.com/x.yaml#/a'\n"),
        "remote $ref",
    ),
    Case(
        "ref-climbs-out",
        None,
        "leaves the spec's folder",
        pointer="/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
        setup=_ref_leaving_the_folder(lambda tmp: "../outside.yaml#/Thing"),
    ),
    Case(
        "ref-absolute-path",
        None,
        "absolute",
        pointer="/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
        setup=_ref_leaving_the_folder(lambda tmp: f"{tmp}/outside.yaml#/Thing"),
    ),
    Case(
        "ref-system-file",
        None,
        "absolute",
        pointer="/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
        setup=_ref_leaving_the_folder(lambda tmp: "/etc/passwd"),
    ),
    Case(
        "ref-cycle-parameters",
        spec(
            "  /a:\n    get:\n      operationId: a\n      parameters:\n        - $ref: "
            "'#/components/parameters/P'\n" + OK_OP,
            "components:\n  parameters:\n    P:\n      $ref: '#/components/parameters/Q'\n"
            "    Q:\n      $ref: '#/components/parameters/P'\n",
        ),
        "$ref cycle",
    ),
    Case(
        "ref-cycle-path-item",
        spec("  /a:\n    $ref: '#/paths/~1b'\n  /b:\n    $ref: '#/paths/~1a'\n"),
        "$ref cycle",
    ),
    Case(
        "duplicate-operation-id",
        spec(
            "  /a:\n    get:\n      operationId: same\n"
            + OK_OP
            + "  /b:\n    get:\n      operationId: same\n"
            + OK_OP
        ),
        "duplicate operationId 'same'",
        pointer="/paths/~1b/get/operationId",
    ),
    Case(
        "path-param-not-in-template",
        spec(
            "  /a:\n    get:\n      operationId: a\n      parameters:\n"
            "        - {name: id, in: path, required: true, schema: {type: string}}\n"
            + OK_OP
        ),
        "path parameter 'id' is declared but is not in the path '/a'",
        pointer="/paths/~1a/get",
    ),
    Case(
        "template-param-undeclared",
        spec("  /a/{id}:\n    get:\n      operationId: a\n" + OK_OP),
        "path parameter 'id' of '/a/{id}' is not declared",
        pointer="/paths/~1a~1{id}/get",
    ),
    Case(
        "invalid-enum-default",
        spec(
            extra="components:\n  schemas:\n    Color:\n      type: string\n"
            "      enum: [red, green]\n      default: blue\n"
        ),
        "the default value does not match its schema: 'blue' is not one of ['red', 'green']",
        pointer="/components/schemas/Color/default",
    ),
    Case(
        "binary-file",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "binary file",
        located=False,
    ),
    Case(
        "not-utf8",
        ("openapi: 3.0.3\ninfo:\n  title: Caf\xe9\n").encode("latin-1"),
        "not UTF-8",
        located=False,
    ),
    Case(
        "50mb-spec",
        None,
        "documents over 32 MiB are refused",
        located=False,
        setup=_big,
    ),
    Case("directory", None, "is a directory", located=False, setup=_directory),
    Case("missing-file", None, "cannot read the file", located=False, setup=_missing),
    Case(
        "dangling-symlink",
        None,
        "cannot read the file",
        located=False,
        setup=_dangling_symlink,
    ),
    Case(
        "duplicate-yaml-key",
        HEAD + "paths: {}\npaths: {}\n",
        "duplicate key 'paths'",
        pointer="/paths",
    ),
    Case(
        "paths-is-a-list",
        HEAD + "paths:\n  - /a\n",
        "is not of type 'object'",
        pointer="/paths",
    ),
    Case(
        "operation-is-a-list",
        spec("  /a:\n    get: [1, 2]\n"),
        "is not of type 'object'",
        pointer="/paths/~1a/get",
    ),
    Case(
        "parameter-without-in",
        spec(
            "  /a:\n    get:\n      operationId: a\n      parameters:\n"
            "        - {name: q, schema: {type: string}}\n" + OK_OP
        ),
        "'in' is a required",
        pointer="/paths/~1a/get/parameters/0",
    ),
    Case(
        "bad-response-code",
        spec(
            "  /a:\n    get:\n      operationId: a\n      responses:\n        '20x':\n"
            "          description: ok\n"
        ),
        "'20x'",
        pointer="/paths/~1a/get/responses",
    ),
    Case(
        "ref-not-a-string",
        spec(
            "  /a:\n    get:\n      operationId: a\n      parameters:\n        - $ref: 5\n"
            + OK_OP
        ),
        "$ref must be a string",
        pointer="/paths/~1a/get/parameters/0/$ref",
    ),
    Case(
        "undefined-security-scheme",
        spec(
            "  /a:\n    get:\n      operationId: a\n      security:\n"
            "        - nope: []\n" + OK_OP
        ),
        "undefined scheme 'nope'",
        pointer="/paths/~1a/get",
    ),
    Case(
        "unknown-schema-type",
        spec(extra="components:\n  schemas:\n    A:\n      type: strin\n"),
        "'strin' is not one of",
        pointer="/components/schemas/A/type",
    ),
    Case("tab-indentation", HEAD + "paths:\n\t/a: {}\n", "not valid YAML"),
    Case("yaml-alias-bomb", _BOMB, "too many nodes"),
    Case("deep-nesting", _deep(5000), "nests too deeply"),
    Case(
        "empty-responses",
        spec("  /a:\n    get:\n      operationId: a\n      responses: {}\n"),
        "should be non-empty",
        pointer="/paths/~1a/get/responses",
    ),
    Case(
        "integer-response-code",
        spec(
            "  /a:\n    get:\n      operationId: a\n      responses:\n        200:\n"
            "          description: ok\n"
        ),
        "key 200 is a int, not a string",
        pointer="/paths/~1a/get/responses/200",
    ),
    Case(
        "ref-trailing-slash",
        spec(
            "  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n"
            "          $ref: '#/components/responses/Ok/'\n",
            "components:\n  responses:\n    Ok:\n      description: ok\n",
        ),
        "trailing '/'",
        pointer="/paths/~1a/get/responses/200/$ref",
    ),
    Case(
        "missing-description",
        spec(
            "  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {}\n"
        ),
        "'description' is a required property",
        pointer="/paths/~1a/get/responses/200",
    ),
    Case(
        "bad-pagination",
        spec("  /a:\n    get:\n      operationId: a\n      x-pagination: 5\n" + OK_OP),
        "x-pagination must be a mapping",
        pointer="/paths/~1a/get/x-pagination",
    ),
    Case(
        "multi-file-dangling",
        spec("  /a:\n    $ref: 'paths.yaml#/a'\n"),
        "points at nothing",
        files={
            "paths.yaml": "b:\n  get:\n    responses:\n      '200': {description: ok}\n"
        },
    ),
]


def _previous_output(folder: Path) -> dict[str, bytes]:
    (folder / "p").mkdir(parents=True)
    (folder / "p" / "__init__.py").write_text("# previous run\n")
    (folder / "README.md").write_text("previous\n")
    (folder / ".clientgen.json").write_text('{"inputs": "old"}\n')
    return _snapshot(folder)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _write_case(case: Case, tmp: Path) -> Path:
    for name, text in case.files.items():
        (tmp / name).write_text(text)
    if case.setup is not None:
        return case.setup(tmp)
    path = tmp / f"spec{case.suffix}"
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content or "", encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return status, [line for line in captured.err.splitlines() if line.strip()]


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path = _write_case(case, tmp_path)
    output = tmp_path / "out"
    before = _previous_output(output)

    status, lines = _run(
        ["generate", str(spec_path), "--output", str(output), "--package", "p"], capsys
    )
    assert status == 1
    assert len(lines) == 1, lines
    message = lines[0]
    assert case.expect in message
    assert message.startswith((str(tmp_path), os.path.relpath(tmp_path))), message
    if case.located:
        assert re.match(r"^[^:]+:\d+:\d+: /", message), message
    if case.pointer is not None:
        assert f": {case.pointer}: " in message, message
    assert _snapshot(output) == before

    status, validate_lines = _run(["validate", str(spec_path)], capsys)
    assert status == 1
    assert validate_lines == lines


def test_output_parent_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec())
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    status, lines = _run(
        [
            "generate",
            str(spec_path),
            "--output",
            str(blocker / "out"),
            "--package",
            "p",
        ],
        capsys,
    )
    assert status == 1
    assert len(lines) == 1 and "error:" in lines[0] and str(blocker) in lines[0], lines
    assert blocker.read_text() == "not a folder\n"


def test_output_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec())
    blocker = tmp_path / "out"
    blocker.write_text("keep me\n")
    status, lines = _run(
        ["generate", str(spec_path), "--output", str(blocker), "--package", "p"], capsys
    )
    assert status == 1
    assert len(lines) == 1 and "error:" in lines[0], lines
    assert blocker.read_text() == "keep me\n"


def test_output_folder_not_writable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec())
    parent = tmp_path / "readonly"
    output = parent / "out"
    before = _previous_output(output)
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, **kw: (
            False if Path(p) == parent and mode & os.W_OK else real_access(p, mode)
        ),
    )
    status, lines = _run(
        ["generate", str(spec_path), "--output", str(output), "--package", "p"], capsys
    )
    assert status == 1
    assert len(lines) == 1 and "is not writable" in lines[0], lines
    assert _snapshot(output) == before


def test_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec())
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == spec_path:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    status, lines = _run(["validate", str(spec_path)], capsys)
    assert status == 1
    assert len(lines) == 1 and lines[0].endswith(
        "spec.yaml: /: cannot read the file: Permission denied"
    ), lines
