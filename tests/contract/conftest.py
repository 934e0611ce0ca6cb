"""Session-wide Prism mock servers (one per spec) and the helpers the contract tests share.

Prism runs with ``--errors``: it answers a request that breaks the OpenAPI document with an error status
(and lists the violations in an ``sl-violations`` header), so a clean 2xx answer means the generated client
sent what the document asks for.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.support.prism import (  # noqa: E402
    PrismServer,
    require_prism,
    server_for,
    stop_shared,
)


@pytest.fixture(scope="session")
def prism_for(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``prism_for("plane")``: the running Prism for a generated package's spec (started once)."""
    request.addfinalizer(stop_shared)

    def get(package: str) -> PrismServer:
        require_prism()
        return server_for(package)

    yield get


@pytest.fixture(scope="session")
def plane_prism(prism_for: Any) -> PrismServer:
    return prism_for("plane")


@pytest.fixture(scope="session")
def pieces_prism(prism_for: Any) -> PrismServer:
    return prism_for("pieces_os_client")


@pytest.fixture(scope="session")
def asana_prism(prism_for: Any) -> PrismServer:
    return prism_for("asana_asyncio")


def snake(operation_id: str) -> str:
    """The generated method name of an operationId (``getAttachment`` -> ``get_attachment``)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_id).lower()


def endpoints(module: Any) -> dict[str, Any]:
    """Method name -> ``Endpoint`` for every operation a generated ``<tag>_api`` module defines."""
    found = {}
    for value in vars(module).values():
        if type(value).__name__ == "Endpoint" and hasattr(value, "operation_id"):
            found[snake(value.operation_id)] = value
    return found


def argument_names(endpoint: Any) -> set[str]:
    """Every argument an operation takes: parameters, the body argument and form fields."""
    names = {param.name for param in endpoint.params}
    if endpoint.body is not None:
        if endpoint.body.param:
            names.add(endpoint.body.param)
        names.update(field.name for field in endpoint.body.fields)
    return names


def assert_conforms(response: Any, status: int = 200) -> None:
    """The response is the expected status and Prism found no violation in the request."""
    violations = {k.lower(): v for k, v in response.headers.items()}.get(
        "sl-violations"
    )
    assert violations is None, f"Prism reported violations: {violations}"
    assert response.status_code == status, (response.status_code, response.raw_data)
