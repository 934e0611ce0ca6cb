"""Run Stoplight Prism (``node_modules/.bin/prism``) as a validating mock server for one OpenAPI document.

::

    with PrismServer(ROOT / "specs" / "plane.yaml") as prism:
        ...  # send requests to prism.url

Prism is started with ``--errors``: a request that violates the document (a missing or malformed parameter,
an invalid body, a wrong content type, missing credentials) is answered with an error status instead of a
best-effort mock, so a 2xx answer means the request conformed. Each violation Prism finds is also reported
in an ``sl-violations`` response header.

The server is always stopped: ``stop()`` (and leaving the ``with`` block) terminates it, then kills it
after a grace period; an ``atexit`` hook does the same for servers a crashed test run left behind.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "PRISM_BIN",
    "SPECS",
    "PrismError",
    "PrismServer",
    "free_port",
    "prism_available",
    "require_prism",
    "server_for",
    "shared_server",
    "stop_shared",
]

ROOT = Path(__file__).resolve().parent.parent.parent
PRISM_BIN = ROOT / "node_modules" / ".bin" / "prism"

_STARTUP_TIMEOUT = 60.0
_STOP_GRACE = 5.0
_RUNNING: set[PrismServer] = set()


class PrismError(RuntimeError):
    """Prism could not be started (the message includes what it printed)."""


def prism_available() -> bool:
    """Whether the pinned Prism CLI is installed (``npm ci`` in the repository root) and node is on PATH."""
    return PRISM_BIN.exists() and shutil.which("node") is not None


def require_prism() -> None:
    """For fixtures: skip the test when Prism is not installed, except in CI (``CI`` set), where a missing
    Prism fails it instead."""
    import pytest

    if prism_available():
        return
    reason = (
        f"Prism is not installed ({PRISM_BIN} or node missing); "
        "run `npm ci` in the repository root"
    )
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI is set: contract tests must run)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrismServer:
    """One ``prism mock <spec> --errors`` process listening on 127.0.0.1."""

    def __init__(
        self,
        spec: str | os.PathLike[str],
        *,
        port: int | None = None,
        startup_timeout: float = _STARTUP_TIMEOUT,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.spec = Path(spec)
        self.port = port if port is not None else free_port()
        self.startup_timeout = startup_timeout
        self.extra_args = extra_args
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``"""
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        return [
            str(PRISM_BIN),
            "mock",
            str(self.spec),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--errors",
            *self.extra_args,
        ]

    def output(self) -> str:
        """Everything Prism has printed so far (stdout and stderr interleaved)."""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def start(self) -> PrismServer:
        """Start Prism and wait until it answers HTTP, or raise ``PrismError`` with its output."""
        if not PRISM_BIN.exists():
            raise PrismError(f"{PRISM_BIN} is missing; run `npm ci` in {ROOT}")
        self._process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        _RUNNING.add(self)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._process.poll() is not None:
                output = self.output()
                self.stop()
                raise PrismError(
                    f"prism exited with status {self._process.returncode} before answering "
                    f"({' '.join(self.command)}):\n{output}"
                )
            if self._answers():
                return self
            if time.monotonic() > deadline:
                output = self.output()
                self.stop()
                raise PrismError(
                    f"prism did not answer on {self.url} within {self.startup_timeout:.0f}s "
                    f"({' '.join(self.command)}):\n{output}"
                )
            time.sleep(0.1)

    def _answers(self) -> bool:
        # Any HTTP answer (Prism says 404 for "/": no path matched) means it is listening.
        try:
            with urllib.request.urlopen(self.url + "/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except (OSError, ValueError):
            return False

    def stop(self) -> None:
        """Terminate Prism, killing it if it does not exit in time."""
        process = self._process
        _RUNNING.discard(self)
        if process is None:
            return
        if process.poll() is None:
            _signal(process, signal.SIGTERM)
            try:
                process.wait(timeout=_STOP_GRACE)
            except subprocess.TimeoutExpired:
                _signal(process, signal.SIGKILL)
                process.wait(timeout=_STOP_GRACE)
        self._process = None

    def __enter__(self) -> PrismServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _signal(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        process.send_signal(sig)
    except ProcessLookupError:
        pass


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM it when the test process dies, even by SIGKILL, so a
    killed test run leaves no Prism behind. Prism stays in the test run's process group, so signals
    sent to the whole group (Ctrl-C) reach it too."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


# -- one server per document for the whole test session ------------------------------------------------

SPECS: dict[str, Path] = {
    "plane": ROOT / "specs" / "plane.yaml",
    "pieces_os_client": ROOT / "specs" / "pieces_os.yaml",
    "asana_asyncio": ROOT / "specs" / "asana.yaml",
}
"""The document each generated package was built from (``[tool.clientgen]`` in pyproject.toml)."""

_SHARED: dict[Path, PrismServer] = {}


FILL_EXAMPLES: frozenset[str] = frozenset({"pieces_os_client"})
"""Packages whose spec Prism cannot mock responses for as is (recursive schemas): served through
``with_response_examples``."""


def shared_server(
    spec: str | os.PathLike[str], *, fill_examples: bool = False
) -> PrismServer:
    """The running Prism for ``spec``, started on first use and reused until ``stop_shared()``.

    With ``fill_examples`` it serves ``with_response_examples(spec)``: same requests, example responses.
    """
    path = Path(spec).resolve()
    server = _SHARED.get(path)
    if server is None:
        served = path
        if fill_examples:
            directory = Path(tempfile.mkdtemp(prefix="prism-spec-"))
            served = with_response_examples(path, directory)
        server = PrismServer(served).start()
        _SHARED[path] = server
    return server


def server_for(package: str) -> PrismServer:
    """The shared Prism for a generated package's spec."""
    return shared_server(SPECS[package], fill_examples=package in FILL_EXAMPLES)


def stop_shared() -> None:
    """Stop every server ``shared_server()`` started."""
    while _SHARED:
        _, server = _SHARED.popitem()
        server.stop()


# -- schema-valid example bodies ------------------------------------------------------------------------
#
# Prism cannot generate a response for a recursive schema ("SCHEMA_TOO_COMPLEX"): Pieces OS's models refer to
# each other in cycles. For such a document the tests serve a copy in which every JSON success response
# without an example gets one built here; requests are validated against the unchanged schemas.

_FORMAT_VALUES: dict[str, Any] = {
    "uuid": "2254f2c8-5797-40e8-ac56-41166dc0e159",
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "byte": "aGVsbG8=",
    "uri": "https://example.com/",
    "email": "user@example.com",
}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a local ``$ref`` (``#/...``) followed, repeatedly."""
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def example_instance(
    document: dict[str, Any],
    schema: dict[str, Any],
    *,
    optional_depth: int = 2,
    _path: tuple[int, ...] = (),
) -> Any:
    """A value valid for ``schema`` (OpenAPI 3.0): required properties always, optional ones up to
    ``optional_depth`` levels deep and never through a schema already being built (so cycles end).
    Values are the schema's ``example`` when it has one, else the first enum value, else one per type/format.
    """
    target = resolve(document, schema)
    if id(target) in _path:
        raise ValueError("required properties form a cycle: no finite instance")
    path = (*_path, id(target))
    if "allOf" in target:
        merged: dict[str, Any] = {}
        for part in target["allOf"]:
            merged.update(resolve(document, part))
        merged.update({k: v for k, v in target.items() if k != "allOf"})
        target = merged
    for key in ("oneOf", "anyOf"):
        if key in target:
            return example_instance(
                document, target[key][0], optional_depth=optional_depth, _path=path
            )
    if "example" in target:
        return target["example"]
    if "enum" in target:
        return target["enum"][0]
    kind = target.get("type", "object" if "properties" in target else None)
    if kind == "object":
        result: dict[str, Any] = {}
        required = set(target.get("required", ()))
        for name, sub in target.get("properties", {}).items():
            sub_target = resolve(document, sub)
            if name not in required:
                if optional_depth <= 0 or id(sub_target) in path:
                    continue
                if sub_target.get("writeOnly"):
                    continue
            try:
                result[name] = example_instance(
                    document,
                    sub,
                    optional_depth=optional_depth - 1,
                    _path=path,
                )
            except ValueError:
                if name in required:
                    raise
        return result
    if kind == "array":
        items = resolve(document, target.get("items", {}))
        if id(items) in path and not target.get("minItems"):
            return []
        return [
            example_instance(
                document, items, optional_depth=optional_depth - 1, _path=path
            )
        ]
    if kind == "string":
        return _FORMAT_VALUES.get(target.get("format", ""), "string")
    if kind == "integer":
        return max(int(target.get("minimum", 1)), 1)
    if kind == "number":
        return float(target.get("minimum", 1.5))
    if kind == "boolean":
        return True
    return {}


def success_example(
    document: dict[str, Any], operation: dict[str, Any]
) -> tuple[int, str | None, Any]:
    """``(status, content type, body)`` of an operation's first declared 2xx response: its media type's
    ``example`` (or first ``examples`` value) when there is one, else ``example_instance`` of its schema;
    ``(204, None, None)``-like when the response has no content."""
    responses = operation.get("responses", {})
    for code in sorted(responses):
        if not code.startswith("2"):
            continue
        response = resolve(document, responses[code])
        content = response.get("content") or {}
        if not content:
            return int(code.replace("XX", "00")), None, None
        media_type, media = next(iter(content.items()))
        if "example" in media:
            return int(code), media_type, media["example"]
        if media.get("examples"):
            first = next(iter(media["examples"].values()))
            return int(code), media_type, resolve(document, first).get("value")
        return (
            int(code),
            media_type,
            example_instance(document, media.get("schema", {})),
        )
    raise ValueError(f"{operation.get('operationId')}: no 2xx response declared")


def load_document(spec: str | os.PathLike[str]) -> dict[str, Any]:
    import yaml

    with open(spec, encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(method, path, operation)`` for every operation of the document."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "options", "head", "patch"):
                yield method.upper(), path, operation


def injected_examples(
    document: dict[str, Any],
) -> Iterator[tuple[dict[str, Any], str, dict[str, Any]]]:
    """Adds ``example`` to every 2xx JSON media type of ``document`` that has none (in place), yielding
    ``(operation, status, media)`` for each, before anything else is changed."""
    for _method, _path, operation in operations(document):
        for code, response in operation.get("responses", {}).items():
            if not code.startswith("2") or "$ref" in response:
                continue
            for media_type, media in (response.get("content") or {}).items():
                if "json" in media_type and "example" not in media:
                    if not media.get("examples") and "schema" in media:
                        media["example"] = example_instance(document, media["schema"])
                        yield operation, code, media


def with_response_examples(spec: str | os.PathLike[str], directory: Path) -> Path:
    """A copy of ``spec`` in ``directory`` where every 2xx JSON response without an example has one
    (``example_instance`` of its schema) instead of its schema.

    The schema is dropped because Prism would otherwise validate its own answer against it, compiling the
    recursive schema for seconds per operation; ``injected_examples`` lets a test check the examples
    against the schemas instead. Request schemas are left exactly as they are.
    """
    import json

    document = load_document(spec)
    for _operation, _code, media in injected_examples(document):
        media.pop("schema", None)
    target = directory / (Path(spec).stem + ".examples.json")
    target.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return target
