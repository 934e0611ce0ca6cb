"""OpenAPI Generator's own Python petstore tests, run unchanged against its client and ours (issue 17).

    python benchmarks/oag_suite.py --suite DIR [--python PY] [--oag-cli CLI] [--json OUT]

``DIR`` holds what OpenAPI Generator's repository has (none of it is in this repository, and nothing is
fetched here):

    DIR/spec.yaml   modules/openapi-generator/src/test/resources/3_0/python/
                    petstore-with-fake-endpoints-models-for-testing.yaml
    DIR/tests/      samples/openapi3/client/petstore/python/tests/
    DIR/testfiles/  samples/openapi3/client/petstore/python/testfiles/

Both clients are generated from ``spec.yaml`` into ``DIR/clients``: OpenAPI Generator's with
``openapi-generator-cli generate -g python`` and the options of its own sample
(``bin/configs/python.yaml``), ours with ``clientgen generate --lenient`` (package ``petstore_api``). The tests
run once per client with ``PY`` (a Python with pytest, pydantic, urllib3, aiohttp, python-dateutil, pem and
pycryptodome, which the tests and OpenAPI Generator's client import), offline.

A test counts when it needs neither a live server nor OpenAPI Generator's private internals:

- skipped by the suite itself: left out;
- needs a live server: it fails on OpenAPI Generator's own client with a connection error (the suite's
  README starts a petstore server in docker for those);
- reaches into the client's internals: its body, its class's ``setUp``, or its module's imports or helper
  classes patch ``ApiClient.call_api`` or urllib3's ``urlopen``, use ``rest.RESTClientObject``, replace
  ``rest_client``/``pool_manager``, or call
  underscore methods (``_get_pet_by_id_serialize``) or the request-building helpers (``param_serialize``,
  ``update_params_for_auth``, ``parameters_to_url_query``, ``select_header_*``): it checks how OpenAPI
  Generator's client is built inside, not what its users see.

It prints both counts over the tests that count, and each of those either client fails, with the reason.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRIVATE = re.compile(
    r"call_api|urlopen|rest_client|pool_manager|RESTClientObject|\._\w+_serialize\b|"
    r"param_serialize|update_params_for_auth|parameters_to_url_query|select_header_|\._pool\b"
)
CONNECTION = re.compile(
    r"MaxRetryError|NewConnectionError|ConnectionRefused|Failed to establish"
)
# The options of OpenAPI Generator's own python sample (bin/configs/python.yaml in its repository).
OAG_OPTIONS = [
    "--additional-properties",
    "packageName=petstore_api,useOneOfDiscriminatorLookup=true,"
    "disallowAdditionalPropertiesIfNotPresent=false,mapNumberTo=StrictFloat",
    "--name-mappings",
    "_type=underscore_type,type_=type_with_underscore",
    "--model-name-mappings",
    "ApiResponse=ModelApiResponse",
    "--openapi-normalizer",
    "SIMPLIFY_ONEOF_ANYOF_ENUM=false",
]


def generate(suite: Path, oag_cli: str) -> dict[str, Path]:
    clients = suite / "clients"
    shutil.rmtree(clients, ignore_errors=True)
    spec = suite / "spec.yaml"
    oag, ours = clients / "oag", clients / "ours"
    subprocess.run(
        [oag_cli, "generate", "-i", str(spec), "-g", "python", "-o", str(oag)]
        + OAG_OPTIONS,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(spec),
            "--output",
            str(ours),
        ]
        + ["--package", "petstore_api", "--lenient"],
        check=True,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    return {"oag": oag, "ours": ours}


def run_tests(python: str, suite: Path, client: Path) -> dict[str, dict[str, str]]:
    """Each test's outcome (passed/failure/error/skipped) and message, the tests run unchanged."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(suite / "tests", work / "tests")
        shutil.copytree(suite / "testfiles", work / "testfiles")
        shutil.copytree(client / "petstore_api", work / "petstore_api")
        junit = work / "junit.xml"
        subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            + ["--continue-on-collection-errors", f"--junitxml={junit}", "tests"],
            cwd=work,
            env=dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=1800,
        )
        results = {}
        for case in ET.parse(junit).iter("testcase"):
            outcome, message = "passed", ""
            for child in case:
                if child.tag in ("failure", "error", "skipped"):
                    outcome = child.tag
                    message = (child.get("message") or "").replace("\n", " ")[:300]
            results[f'{case.get("classname")}::{case.get("name")}'] = {
                "outcome": outcome,
                "message": message,
            }
        return results


def select(tests: Path, oag: dict[str, dict[str, str]]) -> dict[str, str | None]:
    """Every test of OpenAPI Generator's run: None when it counts, else why it does not."""
    reasons: dict[str, str | None] = {}
    for path in sorted(tests.glob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        module = f"tests.{path.stem}"
        # What every test of the module relies on: its imports and its helper classes.
        helpers = "".join(
            ast.get_source_segment(source, node) or ""
            for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            or (
                isinstance(node, ast.ClassDef)
                and not any(
                    isinstance(n, ast.FunctionDef) and n.name.startswith("test")
                    for n in node.body
                )
            )
        )
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                setup = helpers + "".join(
                    ast.get_source_segment(source, n) or ""
                    for n in node.body
                    if isinstance(n, ast.FunctionDef) and not n.name.startswith("test")
                )
                owner = f"{module}.{node.name}"
                functions = [
                    n
                    for n in node.body
                    if isinstance(n, ast.FunctionDef) and n.name.startswith("test")
                ]
            elif isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                setup, owner, functions = helpers, module, [node]
            else:
                continue
            for fn in functions:
                body = ast.get_source_segment(source, fn) or ""
                for name, result in oag.items():
                    cls, _, test = name.partition("::")
                    if cls != owner or test.partition("[")[0] != fn.name:
                        continue
                    private = PRIVATE.search(body) or PRIVATE.search(setup)
                    if result["outcome"] == "skipped":
                        reasons[name] = "skipped by the suite"
                    elif private:
                        reasons[name] = f"private internals ({private.group(0)})"
                    elif CONNECTION.search(result["message"]):
                        reasons[name] = "live server"
                    else:
                        reasons[name] = None
    return reasons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", type=Path, required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument(
        "--oag-cli", default=str(ROOT / ".bench/venv/bin/openapi-generator-cli")
    )
    parser.add_argument("--json", type=Path, help="write every outcome here")
    args = parser.parse_args(argv)
    clients = generate(args.suite, args.oag_cli)
    results = {
        name: run_tests(args.python, args.suite, c) for name, c in clients.items()
    }
    reasons = select(args.suite / "tests", results["oag"])
    counted = sorted(name for name, why in reasons.items() if why is None)
    for name in ("oag", "ours"):
        passed = sum(
            results[name].get(t, {}).get("outcome") == "passed" for t in counted
        )
        print(f"{name}: {passed} of {len(counted)} tests pass")
    for test in counted:
        outcome = {
            n: results[n].get(test, {"outcome": "missing", "message": ""})
            for n in results
        }
        if any(o["outcome"] != "passed" for o in outcome.values()):
            print(f"  {test}")
            for n, o in outcome.items():
                print(f"    {n}: {o['outcome']} {o['message'][:200]}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"results": results, "excluded": reasons}, indent=1, sort_keys=True
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
