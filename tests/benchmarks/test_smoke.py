"""The `make bench` code at tiny sizes, our generator and clients only (no peers, no Java, no network).

Checks that every measurement still runs and produces numbers, so the benchmarks cannot rot; it asserts
nothing about speed (that is `make bench`'s job, with results in BENCHMARKS.md).
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", ROOT / "benchmarks" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_synthetic_spec_has_the_requested_size(tmp_path: Path) -> None:
    synthetic = _load("synthetic")
    spec = synthetic.make_spec(25)
    ops = [op for item in spec["paths"].values() for op in item.values()]
    assert len(ops) == 25
    assert len(spec["components"]["schemas"]) == 1 + 4 * 5
    path = synthetic.write_spec(10, tmp_path / "s.yaml")
    assert yaml.safe_load(path.read_text())["openapi"] == "3.0.3"


def test_loopback_server_answers_keepalive_and_chunked_requests() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "loopback.py"), "--lifetime", "30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().split()[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /assets/x HTTP/1.1\r\nHost: a\r\n\r\n")
            sock.sendall(
                b"POST /attachments HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            )
            data = b""
            while data.count(b"HTTP/1.1 200 OK") < 2 or not data.rstrip().endswith(
                b"}"
            ):
                data += sock.recv(65536)
        assert b'"mechanism"' in data and b'"attachment"' in data
    finally:
        proc.terminate()
        proc.wait(10)


def test_benchmarks_run_end_to_end_at_tiny_sizes(tmp_path: Path) -> None:
    run = _load("run")
    settings = run.smoke_settings(tmp_path)
    results = run.run_all(settings)
    assert results["generation"]["asana_asyncio"]["clientgen"]["wall_s"] > 0, results[
        "generation"
    ]
    assert results["scaling"]["10"]["clientgen"]["peak_rss"] > 0
    assert (
        0
        < results["scaling"]["10"]["clientgen"]["peak_pss"]
        <= results["scaling"]["10"]["clientgen"]["memory_run_peak_rss"]
    )
    for group in ("sync", "asyncio", "asyncio-100"):
        for kind, value in results["overhead"][group].items():
            assert value.get("get", 0) > 0 and value.get("post", 0) > 0, (
                group,
                kind,
                value,
            )
    assert results["models"]["ours"]["parse_s"] > 0, results["models"]
    assert results["import"]["ours"]["median_s"] > 0
    assert results["upload"]["file_bytes"] == 2 * 2**20, results["upload"]
    markdown = run.render_markdown(json.loads(json.dumps(results, default=str)))
    assert markdown.startswith(run.MARK_BEGIN) and markdown.endswith(run.MARK_END)
