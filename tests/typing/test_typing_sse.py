"""``mypy --strict`` over a generated package with server-sent events operations (the test spec
tests/features/specs/events.yaml, ``library = both``), and over user code streaming with both twins: the
events are typed with the operation's item type, and misuse is caught."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests/features/specs/events.yaml"
_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")
_EXPECT = re.compile(r"#\s*E:\s*([a-z-]+)")


def _errors(output: str, filename: str) -> set[tuple[int, str]]:
    """``(line, error code)`` of every mypy error in ``filename``."""
    matches = (_ERROR.match(line.strip()) for line in output.splitlines())
    return {
        (int(m["line"]), m["code"])
        for m in matches
        if m is not None and Path(m["file"]).name == filename
    }


def _expected(source: str) -> set[tuple[int, str]]:
    """``(line, error code)`` of every ``# E: code`` mark in ``source``."""
    return {
        (number, m.group(1))
        for number, line in enumerate(source.splitlines(), start=1)
        if (m := _EXPECT.search(line))
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sse-typing") / "events_client"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(SPEC),
            "--output",
            str(out),
            "--package",
            "events_client",
            "--library",
            "both",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def _mypy(
    project: Path, workdir: Path, *targets: str
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPYPATH=str(project))
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(workdir / ".mypy_cache"),
            "--no-color-output",
            "--no-error-summary",
            "--show-error-codes",
            *targets,
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


USER_CODE = """
    from __future__ import annotations

    import asyncio

    from events_client import (
        ApiClient,
        AsyncApiClient,
        AsyncStreamsApi,
        Completion,
        Configuration,
        StreamsApi,
        Tick,
    )


    def sync_streams() -> None:
        with ApiClient(Configuration(host="http://127.0.0.1:1")) as client:
            api = StreamsApi(client)
            with api.stream_ticks("XNAS", symbols=["A"], _request_timeout=(1.0, 30.0)) as stream:
                for event in stream:
                    tick: Tick = event.data
                    name: str = event.event
                    last: str | None = event.id
                    retry: int | None = event.retry
                    print(tick.price, name, last, retry)
            with api.stream_completion({"prompt": "hi"}, _reconnect=True) as chunks:
                text: str = "".join(c.data.text for c in chunks)
                print(text)
            for line in api.follow_logs(_last_event_id="7"):
                length: int = len(line.data)
                print(length)
            wrong: Completion = next(api.stream_ticks("XNAS")).data  # E: assignment
            api.stream_ticks("XNAS", _reconnect="yes")  # E: arg-type
            print(wrong)


    async def async_streams() -> None:
        async with AsyncApiClient(Configuration()) as client:
            api = AsyncStreamsApi(client)
            async with api.stream_ticks("XNAS") as stream:
                async for event in stream:
                    tick: Tick = event.data
                    print(tick.symbol)
            opened = await api.stream_completion({"prompt": "hi"})
            async for chunk in opened:
                print(chunk.data.text)
            await opened.close()
            for _ in api.follow_logs():  # E: attr-defined
                pass


    asyncio.run(async_streams())
"""


def test_package_and_user_code_are_mypy_strict(project: Path, tmp_path: Path) -> None:
    source = textwrap.dedent(USER_CODE)
    (tmp_path / "user.py").write_text(source, encoding="utf-8")
    package = _mypy(project, tmp_path, "-p", "events_client")
    assert package.returncode == 0, package.stdout + package.stderr
    assert package.stdout.strip() == ""
    result = _mypy(project, tmp_path, "user.py")
    output = result.stdout + result.stderr
    # The user code fails exactly where marked, and nowhere else.
    assert [line for line in output.splitlines() if "user.py" not in line] == []
    assert _errors(output, "user.py") == _expected(source), output
