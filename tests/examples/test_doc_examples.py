"""Every Python example in the generated docs (``generated/<pkg>/docs/**/*.md`` and ``README.md``) runs
against Prism mocking the package's spec, changed only by swapping the spec's server URL for Prism's.

An example passes when it raises nothing and does not take its ``except`` branch (its output never says
"Exception when calling"). The environment variables the examples read are set to test values. Blocks in
other languages (bash, javascript, json) are not collected.

A pagination example (``<method>_iter``) would never end against Prism, whose static page always carries a
next cursor; it runs against a ``RecordingServer`` serving two pages of the spec's example instead (the
second without a next cursor), and must request the second page with the first page's cursor. Likewise a
WebSocket example (``<method>_ws``) runs against a loopback WebSocket server that sends the spec's example
message for the operation once and closes normally; the example must print it.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from typing import Any

import pytest

from tests.support.prism import SPECS, load_document, operations, success_example
from tests.support.recording_server import RecordingServer

from .conftest import (
    GENERATED,
    SERVER_URLS,
    Block,
    code_blocks,
    env_vars,
    run_block,
    swap_host,
)

NO_HOST = "http://127.0.0.1:9"
"""``Configuration.default_host`` while an example runs: one that relies on the default host fails to
connect (instead of reaching the real API)."""


def _collect() -> list[Any]:
    params = []
    for package in SERVER_URLS:
        root = GENERATED / package
        files = (
            sorted((root / "docs").rglob("*.md")) if (root / "docs").is_dir() else []
        )
        if (root / "README.md").is_file():
            files.append(root / "README.md")
        blocks = [
            b for f in files for b in code_blocks(f) if b.language in ("python", "py")
        ]
        for block in blocks:
            rel = block.path.relative_to(root)
            params.append(
                pytest.param(package, block, id=f"{package}/{rel.parent}/{block.id}")
            )
        if not blocks:
            params.append(
                pytest.param(
                    package,
                    None,
                    id=f"{package}-no-docs",
                    marks=pytest.mark.skip(
                        reason=f"generated/{package} has no Markdown docs yet"
                    ),
                )
            )
    return params


def _needs_server(package: str, code: str) -> bool:
    return SERVER_URLS[package] in code or "ApiClient(" in code


_ITER = re.compile(r"\.(\w+)_iter\(")


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_id).lower()


def _run_pagination_example(package: str, code: str, method: str) -> str:
    document = load_document(SPECS[package])
    operation = next(
        op for _m, _p, op in operations(document) if _snake(op["operationId"]) == method
    )
    paging = operation["x-pagination"]
    status, _content_type, first = success_example(document, operation)
    *parents, key = paging["next-cursor"].split(".")
    cursor: Any = first
    for part in [*parents, key]:
        cursor = cursor[part]
    assert isinstance(cursor, str) and cursor, "the example page needs a next cursor"
    last = copy.deepcopy(first)
    holder = last
    for part in parents[:-1]:
        holder = holder[part]
    holder[parents[-1] if parents else key] = None
    with RecordingServer() as server:
        for page in (first, last):
            server.enqueue(
                status, json.dumps(page), {"Content-Type": "application/json"}
            )
        output = run_block(swap_host(code, package, server.url), f"{package} README")
        assert len(server.requests) == 2, [r.target for r in server.requests]
        assert (paging["cursor-param"], cursor) in server.requests[1].query_params
    return output


_WS = re.compile(r"\.(\w+)_ws\(")


def _run_websocket_example(package: str, code: str, method: str) -> str:
    import threading

    from websockets.sync.server import serve

    document = load_document(SPECS[package])
    path, operation = next(
        (p, op)
        for _m, p, op in operations(document)
        if _snake(op["operationId"]) == method
    )
    _status, _content_type, message = success_example(document, operation)
    seen: list[str] = []

    def handler(connection: Any) -> None:
        seen.append(connection.request.path)
        connection.send(json.dumps(message))
        connection.close()

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
        try:
            output = run_block(swap_host(code, package, url), f"{package} README")
        finally:
            server.shutdown()
            thread.join(5)
    assert seen == [path]
    assert output.strip(), "the example printed no message"
    return output


@pytest.mark.parametrize(("package", "block"), _collect())
def test_doc_example_runs(
    package: str, block: Block, prism_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = block.code
    if "import requests" in code:
        pytest.importorskip(
            "requests", reason="the reference page examples use requests"
        )
    for name in env_vars(code):
        monkeypatch.setenv(name, f"test-{name.lower()}")
    module = importlib.import_module(package)
    monkeypatch.setattr(module.Configuration, "default_host", NO_HOST)
    websocket = _WS.search(code)
    if websocket:
        output = _run_websocket_example(package, code, websocket[1])
        assert "Exception when calling" not in output, output
        return
    paginated = _ITER.search(code)
    if paginated:
        output = _run_pagination_example(package, code, paginated[1])
        assert "Exception when calling" not in output, output
        return
    if _needs_server(package, code):
        code = swap_host(code, package, prism_for(package).url)
    output = run_block(code, f"{block.path}:{block.line}")
    assert "Exception when calling" not in output, output
