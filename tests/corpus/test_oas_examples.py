"""Real-world corpus: every OpenAPI 3.0/3.1 spec of the npm package @readme/oas-examples (JSON and YAML)
is generated (strict, else --lenient with the reason recorded), every file byte-compiles, the package
imports and ruff passes. A sample (sync and asyncio packages) is mypy --strict clean and makes one smoke
call per operation to a loopback RecordingServer: every required argument is synthesised from the
intermediate model, the reply fits the operation's success response, and the recorded method and path
must match the operation. The results table is tests/corpus/RESULTS.md (regenerate it with
``python -m tests.corpus.test_oas_examples``)."""

from __future__ import annotations

import asyncio
import base64
import compileall
import importlib
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote
from uuid import UUID

import pytest

from generator.build import load_api
from generator.cli import main
from generator.model.api import Api, Operation, Parameter
from generator.model.types import (
    AnyType,
    ArrayType,
    ConstType,
    EnumModel,
    LiteralType,
    MapType,
    ModelRef,
    Nullable,
    ObjectModel,
    Primitive,
    RootModel,
    SchemaType,
    UnionType,
    strip_nullable,
)
from tests.support.recording_server import RecordedRequest, RecordingServer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "node_modules" / "@readme" / "oas-examples"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# (spec, library): mypy --strict clean, and one smoke call per operation against a RecordingServer.
SAMPLE = (
    ("3.0/json/petstore.json", "sync"),
    ("3.1/yaml/train-travel.yaml", "sync"),
    ("3.0/yaml/schema-types.yaml", "sync"),
    ("3.0/json/security.json", "asyncio"),
    ("3.0/yaml/parameters-style.yaml", "asyncio"),
    ("3.1/json/readme.json", "asyncio"),
)


def corpus_specs() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p.relative_to(CORPUS).as_posix()
        for version in ("3.0", "3.1")
        for kind in ("json", "yaml")
        for p in (CORPUS / version / kind).glob(f"*.{kind}")
    )


def package_name(spec: str, library: str = "sync") -> str:
    return (
        "oas_"
        + "".join(c if c.isalnum() else "_" for c in spec.rsplit(".", 1)[0]).lower()
        + ("" if library == "sync" else f"_{library}")
    )


def generate(spec: str, out: Path, library: str = "sync") -> tuple[str, str, int]:
    """("strict" | "lenient" | "failed", first error line when strict failed, warnings printed by the
    run that generated: schema constructs the client degrades, and the flaws --lenient let through).
    """
    package = package_name(spec, library)
    reason = ""
    for mode in ([], ["--lenient"]):
        err = io.StringIO()
        with redirect_stdout(io.StringIO()), redirect_stderr(err):
            status = main(
                [
                    "generate",
                    str(CORPUS / spec),
                    "--output",
                    str(out / package),
                    "--package",
                    package,
                    "--library",
                    library,
                    *mode,
                ]
            )
        if status == 0:
            warnings = err.getvalue().count(" [warning]\n")
            return ("lenient" if mode else "strict"), reason, warnings
        lines = [line for line in err.getvalue().splitlines() if line.strip()]
        reason = lines[0].split(": ", 2)[-1] if lines else "unknown"
        reason += f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""
    return "failed", reason, 0


def check_package(spec: str, out: Path) -> list[str]:
    package = package_name(spec)
    project = out / package
    problems = []
    if not compileall.compile_dir(str(project / package), quiet=2):
        problems.append("does not byte-compile")
    sys.path.insert(0, str(project))
    try:
        for namespace in (package, f"{package}.models", f"{package}.api"):
            module = importlib.import_module(namespace)
            for name in module.__all__:
                getattr(module, name)
    except Exception as exc:  # reported in the table
        problems.append(f"import: {type(exc).__name__}: {exc}")
    finally:
        sys.path.remove(str(project))
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--quiet",
            "--config",
            str(ROOT / "pyproject.toml"),
            str(project / package),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if ruff.returncode != 0:
        problems.append("ruff: " + (ruff.stdout.strip().splitlines() or ["?"])[0])
    return problems


def results(out: Path) -> list[tuple[str, str, str, str, int]]:
    rows = []
    for spec in corpus_specs():
        mode, reason, warnings = generate(spec, out)
        checks = check_package(spec, out) if mode != "failed" else ["not generated"]
        rows.append(
            (spec, mode, "ok" if not checks else "; ".join(checks), reason, warnings)
        )
    return rows


_STAMP = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
_UUID = UUID("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
_DEPTH = 8  # recursive models: past this, arrays and maps are empty and nullables None
_PATH_TEXT = "x y"  # a path string that has to be percent-encoded
# what may stay literal in a sent path: unreserved, sub-delims, ":", "@", "/" and escapes
_PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~%/;=,:@!$&'()*+]*")


def synthesise(api: Api, t: SchemaType, wire: bool, depth: int = 0) -> Any:
    """A valid value of ``t``: the Python argument (``wire=False``) or its JSON form (``wire=True``)."""
    if isinstance(t, Nullable):
        return None if depth > _DEPTH else synthesise(api, t.inner, wire, depth)
    if isinstance(t, Primitive):
        if t.python == "datetime":
            return "2024-01-02T03:04:05Z" if wire else _STAMP
        if t.python == "date":
            return "2024-01-02" if wire else date(2024, 1, 2)
        if t.python == "bytes":
            if not wire:
                return b"data"
            return base64.b64encode(b"data").decode() if t.format == "byte" else "data"
        if t.python == "Decimal":
            return 1.5 if wire else Decimal("1.5")
        if t.python == "UUID":
            return str(_UUID) if wire else _UUID
        return {"str": "x", "int": 1, "float": 1.5, "bool": True}[t.python]
    if isinstance(t, AnyType):
        return "x"
    if isinstance(t, ConstType):
        return t.value
    if isinstance(t, LiteralType):
        return t.values[0]
    if isinstance(t, ArrayType):
        return [] if depth > _DEPTH else [synthesise(api, t.item, wire, depth + 1)]
    if isinstance(t, MapType):
        return (
            {} if depth > _DEPTH else {"k": synthesise(api, t.value, wire, depth + 1)}
        )
    if isinstance(t, UnionType):
        variant = t.variants[0]
        value = synthesise(api, variant, wire, depth)
        if (
            t.discriminator
            and isinstance(variant, ModelRef)
            and isinstance(value, dict)
        ):
            tag = next((v for v, name in t.tags if name == variant.name), None)
            if tag is not None:
                value[t.discriminator] = tag
        return value
    assert isinstance(t, ModelRef), t
    model = api.model(t.name)
    if isinstance(model, EnumModel):
        return model.members[0].value
    if isinstance(model, RootModel):
        return synthesise(api, model.type, wire, depth)
    assert isinstance(model, ObjectModel)
    return {
        f.wire_name: synthesise(api, f.type, wire, depth + 1)
        for f in model.required_fields
    }


def argument(api: Api, arg: Parameter) -> Any:
    if arg.is_file:
        return b"data"
    if arg.location == "path" and arg.type == Primitive("str"):
        return _PATH_TEXT
    if arg.location == "path" and isinstance(arg.type, ModelRef):
        model = api.model(arg.type.name)
        if isinstance(
            model, ObjectModel
        ):  # a path parameter must not be empty: every field
            return {f.wire_name: synthesise(api, f.type, False) for f in model.fields}
    return synthesise(api, arg.type, wire=False)


def _path_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def expected_path(api: Api, op: Operation, args: dict[str, Any]) -> str:
    """The op's path template with each path argument expanded by its OpenAPI style (RFC 6570); a
    ``#fragment`` some specs add to tell apart operations on one path is never sent."""
    path = op.path.split("#", 1)[0]
    for param in op.params:
        if param.location != "path":
            continue
        value = args.get(param.py_name)
        if value is None:
            value = synthesise(api, param.type, wire=True)
        if isinstance(value, (datetime, date, UUID)):
            value = synthesise(api, strip_nullable(param.type), wire=True)
        style = param.style or "simple"
        explode = bool(param.explode)
        safe = ":/?#[]@!$&'()*+,;=" if param.allow_reserved else ""

        def enc(text: str, safe: str = safe) -> str:
            return quote(text, safe=safe)

        name = enc(param.wire_name)
        if isinstance(value, dict):
            pairs = [(enc(k), enc(_path_text(v))) for k, v in value.items()]
            pieces = (
                [f"{k}={v}" for k, v in pairs]
                if explode
                else [x for pair in pairs for x in pair]
            )
        elif isinstance(value, list):
            pieces = [enc(_path_text(v)) for v in value]
        else:
            pieces = [enc(_path_text(value))]
        if style == "label":
            text = "." + ("." if explode else ",").join(pieces)
        elif style == "matrix":
            if isinstance(value, dict) and explode:
                text = "".join(f";{p}" for p in pieces)
            elif isinstance(value, list) and explode:
                text = "".join(f";{name}={p}" for p in pieces)
            else:
                text = f";{name}=" + ",".join(pieces)
        else:
            text = ",".join(pieces)
        path = path.replace("{" + param.wire_name + "}", text)
    return path


def reply(api: Api, op: Operation) -> tuple[int, bytes, dict[str, str]]:
    """A reply that fits the op's success response: its status, a body built from its type."""
    success = op.success
    if success is None:
        return 200, b"", {}
    status = int(success.status) if success.status.isdigit() else 200
    if success.type is None or status == 204 or not success.content_types:
        return status, b"", {}
    content_type = next(
        (ct for ct in success.content_types if "json" in ct), success.content_types[0]
    )
    headers = {"Content-Type": content_type}
    if "json" in content_type:
        body = json.dumps(synthesise(api, success.type, wire=True)).encode()
    elif content_type.startswith("text/"):
        body = _path_text(synthesise(api, success.type, wire=True)).encode()
    else:
        body = b"data"
    return status, body, headers


def credential_sent(api: Api, op: Operation, seen: RecordedRequest) -> bool:
    """Whether the request carries the credentials of one of the op's security alternatives."""
    if not op.security or () in op.security:
        return True
    schemes = {scheme.name: scheme for scheme in api.security_schemes}

    def sent(name: str) -> bool:
        scheme = schemes.get(name)
        if scheme is None:
            return False
        if scheme.kind == "api_key":
            if scheme.location == "query":
                return (scheme.param_name, "key") in seen.query_params
            if scheme.location == "cookie":
                return f"{scheme.param_name}=key" in (seen.header("Cookie") or "")
            return seen.header(scheme.param_name) == "key"
        if scheme.kind == "basic":
            token = base64.b64encode(b"user:pass").decode()
            return seen.header("Authorization") == f"Basic {token}"
        return seen.header("Authorization") == "Bearer token"

    return any(all(sent(name) for name in names) for names in op.security)


@dataclass
class Smoke:
    operations: int = 0
    called: int = 0
    passed: int = 0
    invalid_reply: int = 0  # ResponseValidationError: the synthesised reply did not fit
    failures: list[str] = field(default_factory=list)


def configure(pkg: ModuleType, api: Api, host: str) -> Any:
    config = pkg.Configuration(host=host, retries=0, timeout=10.0)
    for scheme in api.security_schemes:
        if scheme.kind == "api_key":
            config.api_key[scheme.name] = "key"
        elif scheme.kind == "basic":
            config.username, config.password = "user", "pass"
        else:
            config.access_token = "token"
    return config


def smoke_calls(spec: str, library: str, out: Path) -> Smoke:
    """Call every operation of the generated package once against a RecordingServer."""
    package = package_name(spec, library)
    try:
        api = load_api(CORPUS / spec)
    except Exception:
        api = load_api(CORPUS / spec, lenient=True)
    result = Smoke()
    sys.path.insert(0, str(out / package))
    try:
        pkg = importlib.import_module(package)
        validation_error = importlib.import_module(
            f"{package}.exceptions"
        ).ResponseValidationError
        with RecordingServer() as server:
            plan = []
            for tag in api.tags:
                for op in tag.operations:
                    if op.websocket:
                        continue
                    args = {a.py_name: argument(api, a) for a in op.required_args}
                    plan.append((tag.class_name, op, args))
            result.operations = len(plan)
            config = configure(pkg, api, server.url)

            def check(
                op: Operation, args: dict[str, Any], outcome: str, before: int
            ) -> None:
                result.called += 1
                if outcome and outcome != "invalid reply":
                    result.failures.append(f"{op.method_name}: {outcome}")
                    return
                if len(server.requests) != before + 1:
                    result.failures.append(
                        f"{op.method_name}: {len(server.requests) - before} requests"
                    )
                    return
                seen = server.requests[before]
                want = expected_path(api, op, args)
                if seen.method != op.http_method or seen.path != want:
                    result.failures.append(
                        f"{op.method_name}: sent {seen.method} {seen.path}, "
                        f"expected {op.http_method} {want}"
                    )
                elif not _PATH_CHARS.fullmatch(seen.path):
                    result.failures.append(f"{op.method_name}: unencoded {seen.path}")
                elif not credential_sent(api, op, seen):
                    result.failures.append(f"{op.method_name}: no credentials sent")
                elif outcome:
                    result.invalid_reply += 1
                else:
                    result.passed += 1

            def prepare(op: Operation, args: dict[str, Any]) -> dict[str, Any]:
                status, body, headers = reply(api, op)
                server.enqueue(status, body, headers)
                return {**args, "_host": server.url} if op.servers else dict(args)

            def outcome_of(exc: BaseException) -> str:
                if isinstance(exc, validation_error):
                    return "invalid reply"
                return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"

            if library == "sync":
                with pkg.ApiClient(config) as client:
                    for class_name, op, args in plan:
                        method = getattr(
                            getattr(pkg, class_name)(client), op.method_name
                        )
                        before = len(server.requests)
                        try:
                            method(**prepare(op, args))
                            outcome = ""
                        except Exception as exc:
                            outcome = outcome_of(exc)
                        check(op, args, outcome, before)
            else:

                async def run() -> None:
                    async with pkg.ApiClient(config) as client:
                        for class_name, op, args in plan:
                            api_class = getattr(pkg, class_name)
                            method = getattr(api_class(client), op.method_name)
                            before = len(server.requests)
                            try:
                                await method(**prepare(op, args))
                                outcome = ""
                            except Exception as exc:
                                outcome = outcome_of(exc)
                            check(op, args, outcome, before)

                asyncio.run(run())
    except Exception as exc:  # reported in the table
        result.failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        sys.path.remove(str(out / package))
    return result


def smoke_results(out: Path) -> list[tuple[str, str, Smoke]]:
    rows = []
    for spec, library in SAMPLE:
        if not (out / package_name(spec, library)).is_dir():
            generate(spec, out, library)
        rows.append((spec, library, smoke_calls(spec, library, out)))
    return rows


def table(
    rows: list[tuple[str, str, str, str, int]], smoke: list[tuple[str, str, Smoke]]
) -> str:
    strict = sum(r[1] == "strict" for r in rows)
    lenient = sum(r[1] == "lenient" for r in rows)
    imported = sum(r[2] == "ok" for r in rows)
    warned = sum(r[4] for r in rows)
    lines = [
        "# @readme/oas-examples corpus",
        "",
        "Regenerated by `python -m tests.corpus.test_oas_examples`; checked by `tests/corpus/test_oas_examples.py`.",
        "",
        f"{len(rows)} specs: {strict} generate strictly, {lenient} only with `--lenient` (the spec is invalid; the "
        f"first strict error is recorded), {len(rows) - strict - lenient} fail; {imported} byte-compile, import and "
        "pass ruff.",
        "",
        f"Warnings: {warned} in all, each located (`FILE:LINE:COL: /pointer: what the client does instead "
        "[warning]`): schema constructs the generated types do not express, and the spec flaws `--lenient` "
        "let through. A change in a count is a change in what the generator degrades.",
        "",
        "| spec | generate | warnings | byte-compile + import + ruff | strict error (why --lenient was needed) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for spec, mode, checks, reason, warnings in rows:
        cell = reason.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {spec} | {mode} | {warnings} | {checks} | {cell} |")
    operations = sum(r.operations for _, _, r in smoke)
    passed = sum(r.passed for _, _, r in smoke)
    lines += [
        "",
        "## Sample: mypy --strict and one smoke call per operation",
        "",
        f"{len(smoke)} packages are `mypy --strict` clean and call every operation once against a loopback "
        "`RecordingServer` (required arguments synthesised from the intermediate model, a reply built from "
        "the success response): a call passes when it returns and the recorded method and path (path "
        "arguments expanded by style and percent-encoded) match the operation and the credentials of one of "
        f"its security alternatives are sent. {passed} of {operations} calls pass.",
        "",
        "| spec | library | operations | called | passed | reply rejected (ResponseValidationError) | failures |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for spec, library, r in smoke:
        failures = "; ".join(r.failures).replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {spec} | {library} | {r.operations} | {r.called} | {r.passed} | "
            f"{r.invalid_reply} | {failures} |"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="npm ci installs @readme/oas-examples")
def test_corpus_generates_imports_and_matches_the_results_table(tmp_path: Path) -> None:
    rows = results(tmp_path)
    assert all(r[1] != "failed" and r[2] == "ok" for r in rows), [
        r for r in rows if r[1] == "failed" or r[2] != "ok"
    ]
    smoke = smoke_results(tmp_path)
    assert all(
        r.failures == [] and r.invalid_reply == 0 and r.passed == r.operations > 0
        for _, _, r in smoke
    ), [(spec, library, r) for spec, library, r in smoke]
    assert RESULTS.read_text(encoding="utf-8") == table(
        rows, smoke
    ), "run `python -m tests.corpus.test_oas_examples`"
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy"),
            *(
                str(
                    tmp_path / package_name(spec, library) / package_name(spec, library)
                )
                for spec, library in SAMPLE
            ),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        rows = results(Path(folder))
        RESULTS.write_text(table(rows, smoke_results(Path(folder))), encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))
