"""Fixtures for the SDK feature tests (issue 19): idempotency keys, transport injection, hooks and
OAuth2 token management, each run against both twins of a package generated with ``library = both``.

The package (``payments``) comes from a focused spec of our own (``payments_spec``): the three real
specs declare no idempotency header, and only Plane declares a client-credentials flow. Its OAuth2
``tokenUrl`` is a token server on 127.0.0.1 that lives for the whole session (``token_server``, reset for
each test), so the generated configuration fetches tokens from the URL the spec names.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.features.conftest import generate  # noqa: E402
from tests.sdk.servers import BearerApi, TokenServer  # noqa: E402
from tests.support.recording_server import RecordingServer  # noqa: E402
from tests.support.twins import TWINS, Twin  # noqa: E402

_OK = {
    "200": {
        "description": "done",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}
        },
    }
}


def payments_spec(token_url: str) -> dict[str, Any]:
    """A small payments API: POSTs with idempotency headers declared three ways, and OAuth2 with a
    client-credentials flow (``Machine``) and an authorization-code flow (``User``)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Payments", "version": "1.0"},
        "servers": [{"url": "https://payments.example.com/v1"}],
        "x-idempotency-header": "X-Request-Key",
        "components": {
            "securitySchemes": {
                "Machine": {
                    "type": "oauth2",
                    "description": "Tokens for a service (client credentials).",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": token_url,
                            "scopes": {"charges:write": "Create charges"},
                        }
                    },
                },
                "User": {
                    "type": "oauth2",
                    "description": "Tokens for a user (authorization code).",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": "https://payments.example.com/authorize",
                            "tokenUrl": token_url,
                            "scopes": {"profile": "Read the profile"},
                        }
                    },
                },
            },
            "schemas": {
                "Receipt": {
                    "type": "object",
                    "properties": {
                        "ok": {"type": "boolean"},
                        "token": {"type": "string"},
                    },
                },
                "Charge": {
                    "type": "object",
                    "required": ["amount"],
                    "properties": {"amount": {"type": "integer"}},
                },
            },
        },
        "tags": [{"name": "Payments"}],
        "paths": {
            "/charges": {
                "post": {
                    "operationId": "createCharge",
                    "tags": ["Payments"],
                    "summary": "Create a charge (the document's idempotency header)",
                    "security": [{"Machine": ["charges:write"]}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Charge"}
                            }
                        },
                    },
                    "responses": _OK,
                }
            },
            "/refunds": {
                "post": {
                    "operationId": "createRefund",
                    "tags": ["Payments"],
                    "summary": "Refund (an Idempotency-Key header parameter)",
                    "security": [{"Machine": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": _OK,
                }
            },
            "/payouts": {
                "post": {
                    "operationId": "createPayout",
                    "tags": ["Payments"],
                    "summary": "Payout (its own idempotency header)",
                    "x-idempotency-header": "Payout-Key",
                    "security": [{"Machine": []}],
                    "responses": _OK,
                }
            },
            "/notes": {
                "post": {
                    "operationId": "createNote",
                    "tags": ["Payments"],
                    "summary": "A note (opts out of the document's idempotency header)",
                    "x-idempotency-header": False,
                    "security": [{"Machine": []}],
                    "responses": _OK,
                }
            },
            "/balance": {
                "get": {
                    "operationId": "getBalance",
                    "tags": ["Payments"],
                    "summary": "The balance (client credentials)",
                    "security": [{"Machine": []}],
                    "responses": _OK,
                }
            },
            "/me": {
                "get": {
                    "operationId": "getMe",
                    "tags": ["Payments"],
                    "summary": "The user (authorization code)",
                    "security": [{"User": ["profile"]}],
                    "responses": _OK,
                }
            },
        },
    }


@pytest.fixture(scope="session")
def _token_server() -> Iterator[TokenServer]:
    with TokenServer() as server:
        yield server


@pytest.fixture
def token_server(_token_server: TokenServer) -> TokenServer:
    _token_server.reset()
    return _token_server


@pytest.fixture
def bearer_api(token_server: TokenServer) -> Iterator[BearerApi]:
    with BearerApi(token_server) as api:
        yield api


@pytest.fixture(scope="session")
def payments(
    tmp_path_factory: pytest.TempPathFactory, _token_server: TokenServer
) -> Any:
    """The ``payments`` package (sync ``ApiClient`` and ``AsyncApiClient``), generated once."""
    root = tmp_path_factory.mktemp("sdk-generated")
    spec = root / "payments.json"
    spec.write_text(
        json.dumps(payments_spec(_token_server.url + "/token")), encoding="utf-8"
    )
    project = generate(spec, root / "payments", "payments", "both")
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    import payments

    return payments


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


@pytest.fixture(params=TWINS)
def twin(request: pytest.FixtureRequest) -> Iterator[Twin]:
    """Each test once with the sync client and once with its asyncio twin."""
    twin = Twin(request.param)
    yield twin
    twin.close()


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
