"""Pin the runtime names templates and other runtime modules rely on (modules may export more)."""

from __future__ import annotations

import importlib

import pytest

EXPORTS = {
    "endpoint": [
        "Body",
        "BodyKind",
        "Endpoint",
        "FormField",
        "Pagination",
        "Param",
        "ParamLocation",
    ],
    "auth": [
        "AuthKind",
        "AuthLocation",
        "AuthScheme",
        "AuthValues",
        "apply_auth",
        "select_alternative",
    ],
    "configuration": ["DEFAULT_TIMEOUT", "BaseConfiguration", "Timeout"],
    "models": ["ApiModel", "ApiRootModel", "to_jsonable"],
    "request": ["PreparedRequest", "build_request", "merge_headers", "resolve_host"],
    "response": [
        "ApiResponse",
        "NOT_DECLARED",
        "decode_response",
        "is_json_content_type",
        "response_type_for",
    ],
    "core": ["MAX_REDIRECTS", "BaseClient", "CallOptions", "Exchange"],
    "client_sync": ["SyncApiClient", "Urllib3Transport", "translate_error"],
    "client_async": ["AiohttpTransport", "AsyncApiClient", "translate_error"],
    "pagination": ["Pager", "apaginate", "paginate"],
    "websocket": ["Handshake", "StreamBase", "StreamOptions"],
}


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_pinned_exports(module: str) -> None:
    mod = importlib.import_module(f"generator.runtime.{module}")
    missing = set(EXPORTS[module]) - set(mod.__all__)
    assert not missing, f"{module} no longer exports {sorted(missing)}"


@pytest.mark.parametrize(
    "module",
    [
        "endpoint",
        "auth",
        "configuration",
        "exceptions",
        "models",
        "serialize",
        "multipart",
        "retry",
        "response",
        "request",
        "core",
        "client_sync",
        "client_async",
        "limits",
        "enums",
        "pagination",
        "watchdog",
        "websocket",
        "websocket_sync",
        "websocket_async",
    ],
)
def test_all_names_exist_and_imports_are_relative(module: str) -> None:
    mod = importlib.import_module(f"generator.runtime.{module}")
    for name in mod.__all__:
        assert hasattr(mod, name), name
    source = open(mod.__file__ or "", encoding="utf-8").read()
    assert "generator." not in source and "from generator" not in source
