"""Shared helpers for running the Python examples in Markdown documents (generated docs and seeds)."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import re
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.prism import (  # noqa: E402
    PrismServer,
    require_prism,
    server_for,
    stop_shared,
)

GENERATED = ROOT / "generated"
# The seeds as the project keeps them (tests/docs/seeds is a committed copy of ../shared/seeds).
SEEDS = ROOT / "tests" / "docs" / "seeds"
SERVER_URLS = {
    "plane": "https://api.plane.so",
    "pieces_os_client": "http://localhost:1000",
    "asana_asyncio": "https://app.asana.com/api/1.0",
}
"""Each package's server URL (the spec's ``servers[0].url``), the string the examples' host swap replaces."""

_FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ENV = re.compile(r"""os\.environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]""")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file; ``heading`` is the file's first heading and the nearest
    one above the block."""

    path: Path
    line: int
    language: str
    heading: str
    code: str

    @property
    def id(self) -> str:
        heading = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.heading).strip("_")
        return f"{self.path.name}::{heading or 'top'}:L{self.line}"


def code_blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path`` with its language and headings (see ``Block``)."""
    blocks: list[Block] = []
    headings: dict[int, str] = {}
    fence: str | None = None
    language = ""
    start = 0
    lines: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if fence is None:
            match = _FENCE.match(line)
            if match:
                fence, language, start, lines = match[1], match[2], number, []
                continue
            heading = _HEADING.match(line)
            if heading:
                level = len(heading[1])
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = heading[2].strip("*` ")
        elif line.strip() == fence:
            titles = [headings[k] for k in sorted(headings)]
            title = " > ".join(dict.fromkeys(titles[:1] + titles[-1:]))
            code = "\n".join(lines) + "\n"
            blocks.append(Block(path, start, language.lower(), title, code))
            fence = None
        else:
            lines.append(line)
    return blocks


def env_vars(code: str) -> set[str]:
    """The environment variables an example reads with ``os.environ["..."]``."""
    return set(_ENV.findall(code))


def swap_host(code: str, package: str, url: str) -> str:
    """The example with its package's server URL replaced by ``url`` (the only change made to it)."""
    return code.replace(SERVER_URLS[package], url)


def run_block(code: str, filename: str, *, timeout: float = 60.0) -> str:
    """Run an example in a fresh namespace as ``__main__``, returning what it printed.

    Top-level ``await`` / ``async with`` is allowed (compiled with ``PyCF_ALLOW_TOP_LEVEL_AWAIT`` and
    awaited with ``asyncio.run``). Exceptions propagate; one still running after ``timeout`` seconds is
    interrupted with ``TimeoutError``.
    """
    compiled = compile(code, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    with _time_limit(timeout, filename):
        return _run(compiled, filename)


@contextlib.contextmanager
def _time_limit(seconds: float, filename: str) -> Iterator[None]:
    """Raise ``TimeoutError`` in the example if it runs longer than ``seconds`` (main thread, Unix)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"{filename}: still running after {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run(compiled: Any, filename: str) -> str:
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": filename}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        if compiled.co_flags & inspect.CO_COROUTINE:
            # The example under test, as a coroutine (it awaits at top level).
            asyncio.run(eval(compiled, namespace))
        else:
            exec(compiled, namespace)
    return output.getvalue()


@pytest.fixture(scope="session")
def prism_for(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``prism_for("plane")``: the running Prism for a generated package's spec (started once)."""
    request.addfinalizer(stop_shared)

    def get(package: str) -> PrismServer:
        require_prism()
        return server_for(package)

    yield get
