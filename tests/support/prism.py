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
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

__all__ = [
    "PRISM_BIN",
    "SPECS",
    "PrismError",
    "PrismServer",
    "free_port",
    "prism_available",
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
            start_new_session=True,  # its own process group, so stop() reaches node's children too
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
        """Terminate Prism (its whole process group), killing it if it does not exit in time."""
        process = self._process
        _RUNNING.discard(self)
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=_STOP_GRACE)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
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


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(
            process.pid, sig
        )  # the group Popen(start_new_session=True) created for it
    except (ProcessLookupError, PermissionError):
        try:
            process.send_signal(sig)
        except ProcessLookupError:
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


def shared_server(spec: str | os.PathLike[str]) -> PrismServer:
    """The running Prism for ``spec``, started on first use and reused until ``stop_shared()``."""
    path = Path(spec).resolve()
    server = _SHARED.get(path)
    if server is None:
        server = PrismServer(path).start()
        _SHARED[path] = server
    return server


def stop_shared() -> None:
    """Stop every server ``shared_server()`` started."""
    while _SHARED:
        _, server = _SHARED.popitem()
        server.stop()
