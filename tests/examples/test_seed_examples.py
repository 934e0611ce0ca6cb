"""The seed documents' own Python examples (/work/shared/seeds/000, 003 and 004: 26 blocks) run against
the generated clients, changed only by the host swap.

Each example talks to a loopback ``RecordingServer`` that answers with a schema-valid body for the
operation's first success response (the spec's example, else a minimal valid instance; text for
``text/plain``, nothing for a 204). The spec's server URL in the block is replaced by the server's URL, and
``Configuration.default_host`` points there too (a seed 004 example builds a second ``Configuration``
without a host).

Every example that is valid Python with valid values must run unchanged: it raises nothing, does not take
its ``except`` branch, and sends exactly one request, to the operation's method and path. The examples
that cannot are listed in ``SEED_FAULTS`` with the fault that stops them, and must fail in exactly that way
(so the list cannot go stale).
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.prism import SPECS, load_document, operations, success_example
from tests.support.recording_server import RecordingServer

from .conftest import SEEDS, Block, code_blocks, env_vars, run_block, swap_host

SEED_PACKAGES = {
    "000_0d5c5985ca6c410e.txt": "plane",
    "003_4bf9ae9c756035d8.txt": "pieces_os_client",
    "004_e9e4a6d5fa7ebc4c.txt": "asana_asyncio",
}
EXPECTED_BLOCKS = {"000": 6, "003": 16, "004": 4}

_TRUE_NAME = (NameError, r"^name 'true' is not defined$")


@dataclass(frozen=True)
class Fault:
    """Why a seed example cannot run: the exception it must raise (type, message regex) and the fault."""

    exception: type[BaseException] | str
    message: str
    why: str


SEED_FAULTS: dict[str, Fault] = {
    "000/update_generic_asset": Fault(
        *_TRUE_NAME,
        'JSON inside Python: patched_generic_asset_update_request = {"is_uploaded":true}',
    ),
    "003/assets_create_new_asset": Fault(
        "ValidationError",
        r"1 validation error for Seed\ntype\n  Field required",
        "pieces_os_client.Seed() without the required field `type`",
    ),
    "003/assets_draft": Fault(
        "ValidationError",
        r"1 validation error for Seed\ntype\n  Field required",
        "pieces_os_client.Seed() without the required field `type`",
    ),
    "003/assets_get_recommended_assets": Fault(
        "ValidationError",
        r"2 validation errors for SeededAssetsRecommendation\nassets\n  Field required"
        r"[\s\S]*\ninteractions\n  Field required",
        "pieces_os_client.SeededAssetsRecommendation() without the required `assets`, `interactions`",
    ),
    "003/assets_get_related_assets": Fault(
        "ValidationError",
        r"1 validation error for Assets\niterable\n  Field required",
        "pieces_os_client.Assets() without the required field `iterable`",
    ),
    # 004: every example first assigns `opt_pretty = true` (JSON, not Python). Behind it, never reached:
    # opt_fields as a list holding one JSON string (a valid list[str], it would still be sent), and in
    # create_attachment_for_object resource_subtype = 'resource_subtype_example' (not one of the enum
    # values) with parent = 'parent_example' and file = None.
    "004/create_attachment_for_object": Fault(
        *_TRUE_NAME, "opt_pretty = true (also: resource_subtype not a valid enum value)"
    ),
    "004/delete_attachment": Fault(*_TRUE_NAME, "opt_pretty = true"),
    "004/get_attachment": Fault(
        *_TRUE_NAME, "opt_pretty = true (also: opt_fields JSON string)"
    ),
    "004/get_attachments_for_object": Fault(
        *_TRUE_NAME, "opt_pretty = true (also: opt_fields JSON string)"
    ),
}

_CALL = re.compile(r"api_instance\.(\w+)\(")


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_id).lower()


def _seed_blocks() -> list[tuple[str, str, Block, str]]:
    """``(id, package, block, method name)`` for every Python block of the seeds."""
    found = []
    for name, package in SEED_PACKAGES.items():
        for block in code_blocks(SEEDS / name):
            if block.language != "python":
                continue
            call = _CALL.search(block.code)
            assert call, f"{name}:{block.line}: no api_instance call"
            found.append((f"{name[:3]}/{call[1]}", package, block, call[1]))
    return found


BLOCKS = _seed_blocks() if SEEDS.is_dir() else []
DOCUMENTS = {
    package: load_document(SPECS[package]) for package in SEED_PACKAGES.values()
}


def _operation(package: str, method: str) -> tuple[str, str, dict[str, Any]]:
    for http_method, path, operation in operations(DOCUMENTS[package]):
        if _snake(operation["operationId"]) == method:
            return http_method, path, operation
    raise LookupError(f"{package}: no operation for {method}")


def _enqueue_success(
    server: RecordingServer, package: str, operation: dict[str, Any]
) -> None:
    status, content_type, body = success_example(DOCUMENTS[package], operation)
    if content_type is None:
        server.enqueue(status)
    elif "json" in content_type:
        server.enqueue(status, json.dumps(body), {"Content-Type": content_type})
    else:
        server.enqueue(status, str(body), {"Content-Type": content_type})


def test_every_seed_block_is_collected() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not available")
    counts = {
        key: sum(1 for b in BLOCKS if b[0].startswith(key + "/"))
        for key in EXPECTED_BLOCKS
    }
    assert counts == EXPECTED_BLOCKS
    assert set(SEED_FAULTS) <= {b[0] for b in BLOCKS}


@pytest.mark.parametrize(
    ("package", "block", "method"),
    [pytest.param(p, b, m, id=i) for i, p, b, m in BLOCKS],
)
def test_seed_example(
    request: pytest.FixtureRequest,
    package: str,
    block: Block,
    method: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    block_id = request.node.callspec.id
    http_method, path, operation = _operation(package, method)
    for name in env_vars(block.code):
        monkeypatch.setenv(name, f"test-{name.lower()}")
    with RecordingServer() as server:
        _enqueue_success(server, package, operation)
        module = importlib.import_module(package)
        monkeypatch.setattr(module.Configuration, "default_host", server.url)
        code = swap_host(block.code, package, server.url)
        filename = f"{block.path.name}:{block.line}"
        fault = SEED_FAULTS.get(block_id)
        if fault is not None:
            with pytest.raises(Exception) as caught:
                run_block(code, filename)
            expected = fault.exception
            name = expected if isinstance(expected, str) else expected.__name__
            assert type(caught.value).__name__ == name, (fault.why, caught.value)
            assert re.search(fault.message, str(caught.value)), (
                fault.why,
                str(caught.value),
            )
            # A faulty example fails before it sends anything.
            assert server.requests == []
            return
        output = run_block(code, filename)
        assert "Exception when calling" not in output, output
        assert len(server.requests) == 1, server.requests
        sent = server.requests[0]
        assert sent.method == http_method
        assert re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), sent.path), sent.path
