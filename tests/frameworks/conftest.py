"""Live round trips against services written with real web frameworks (issue 15).

Each test module starts one service (FastAPI, Litestar, Django REST framework, NestJS) on 127.0.0.1, reads
the OpenAPI document the framework itself serves, generates a sync and an asyncio client from it with
``clientgen generate`` (strict), and calls every operation with both. The services run in their own
environments, installed by the Makefile and pinned: ``.frameworks/venv`` (tests/frameworks/requirements.txt)
for the Python frameworks and ``tests/frameworks/nestjs/node_modules`` (its package-lock.json) for NestJS.
The generated clients run here, in the project's ``.venv``.

``Client`` hides the sync/asyncio difference from the tests: ``client.api("ItemsApi").create_item(...)``
returns the result either way (the asyncio client's coroutines run on one event loop per module), and
every operation id the client sends is recorded, so each module can check that it called them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.cli import main  # noqa: E402

HERE = Path(__file__).resolve().parent
SERVICES = HERE / "services"
PYTHON = ROOT / ".frameworks" / "venv" / "bin" / "python"
NESTJS = HERE / "nestjs"
LIBRARIES = ("sync", "asyncio")
_START_TIMEOUT = (
    90.0  # seconds for a service to answer its first request (a loaded CI machine)
)


def require(path: Path) -> None:
    """Fail (not skip) when a framework environment is missing: `make test` installs it."""
    if not path.exists():
        pytest.fail(
            f"{path.relative_to(ROOT)} is missing: `make test` (or `make frameworks`) installs "
            "the framework environments",
            pytrace=False,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(
    argv: list[str],
    *,
    cwd: Path,
    log: Path,
    probe: str,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Start ``argv + [port]`` and yield its base URL once ``GET probe`` answers (any status)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*argv, str(port)],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"{argv} exited with {process.returncode}:\n{log.read_text()}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(url + probe, timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"{argv} did not answer in {_START_TIMEOUT:.0f} s:\n{log.read_text()}",
                        pytrace=False,
                    )
                time.sleep(0.05)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def run_generate(
    spec: Path, out: Path, package: str, library: str, *, lenient: bool = False
) -> tuple[int, list[str]]:
    """``clientgen generate`` (strict unless ``lenient``): its exit status and the lines it printed on
    stderr, each without the file name (``/pointer: message``, `` [warning]`` on warnings).
    """
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(
            [
                "generate",
                str(spec),
                "--output",
                str(out / package),
                "--package",
                package,
                "--library",
                library,
                *(["--lenient"] if lenient else []),
            ]
        )
    return status, [line.split(": ", 1)[1] for line in err.getvalue().splitlines()]


def generate(
    spec: Path, out: Path, package: str, library: str, *, lenient: bool = False
) -> list[str]:
    """Generate a client; the warnings printed."""
    status, lines = run_generate(spec, out, package, library, lenient=lenient)
    assert status == 0, lines
    return lines


@dataclass
class Live:
    """A running service, its spec as the framework serves it, and the clients generated from it."""

    url: str
    spec_file: Path
    spec: dict[str, Any]
    packages: dict[str, ModuleType]
    warnings: list[str]
    called: dict[str, set[str]] = field(default_factory=dict)

    @property
    def operation_ids(self) -> set[str]:
        return {
            op["operationId"]
            for item in self.spec["paths"].values()
            for method, op in item.items()
            if method in ("get", "put", "post", "delete", "patch", "head", "options")
        }


@contextlib.contextmanager
def live_service(
    name: str,
    tmp: Path,
    start: Callable[[Path], contextlib.AbstractContextManager[str]],
    spec_path: str,
    *,
    lenient: bool = False,
) -> Iterator[Live]:
    """Start a service, fetch its spec from ``spec_path``, generate both clients and import them."""
    with start(tmp / f"{name}.log") as url:
        raw = fetch(url + spec_path)
        spec_file = tmp / f"{name}-openapi.json"
        spec_file.write_bytes(raw)
        packages: dict[str, ModuleType] = {}
        warnings: list[str] = []
        for library in LIBRARIES:
            package = f"fw_{name}_{library}"
            warnings = generate(spec_file, tmp, package, library, lenient=lenient)
            sys.path.insert(0, str(tmp / package))
            packages[library] = importlib.import_module(package)
        try:
            yield Live(url, spec_file, json.loads(raw), packages, warnings)
        finally:
            for library in LIBRARIES:
                package = f"fw_{name}_{library}"
                sys.path.remove(str(tmp / package))
                for module in [m for m in sys.modules if m.split(".")[0] == package]:
                    del sys.modules[module]


class _Calls:
    """An API class instance whose methods return results for sync and asyncio clients alike."""

    def __init__(self, api: Any, run: Callable[[Any], Any]) -> None:
        self._api = api
        self._run = run

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._api, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(method(*args, **kwargs))

        return call


class Client:
    """One generated client (sync or asyncio) of a live service."""

    def __init__(self, live: Live, library: str, **settings: Any) -> None:
        self.library = library
        self.pkg = live.packages[library]
        self.config = self.pkg.Configuration(host=live.url, retries=0, **settings)
        self.api_client = self.pkg.ApiClient(self.config)
        self._loop = asyncio.new_event_loop() if library == "asyncio" else None
        called = live.called.setdefault(library, set())
        original = self.api_client.call

        def recording(endpoint: Any, *args: Any, **kwargs: Any) -> Any:
            called.add(endpoint.operation_id)
            return original(endpoint, *args, **kwargs)

        self.api_client.call = recording

    def run(self, value: Any) -> Any:
        """The result of a call: awaited on this client's loop for asyncio."""
        return self._loop.run_until_complete(value) if self._loop else value

    def api(self, name: str) -> Any:
        return _Calls(getattr(self.pkg, name)(self.api_client), self.run)

    def model(self, name: str) -> Any:
        return getattr(self.pkg, name)

    @property
    def exceptions(self) -> ModuleType:
        return importlib.import_module(f"{self.pkg.__name__}.exceptions")

    def close(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self.api_client.close())
            self._loop.close()
        else:
            self.api_client.close()


@pytest.fixture(scope="module", params=LIBRARIES)
def library(request: pytest.FixtureRequest) -> str:
    return str(request.param)
