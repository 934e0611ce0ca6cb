"""The examples of the README's "Idempotency keys, hooks, your own connections, OAuth2 tokens" section
run, each against a server on 127.0.0.1. The only change made to an example is swapping its host for
the local server's (and, for the error path of the OpenTelemetry example, ``retries=0``); the
OpenTelemetry example runs with a stand-in for the ``opentelemetry`` package
(clientgen does not depend on it), which records the spans it is given."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sdk.servers import PlaneLike
from tests.support.recording_server import RecordingServer

README = Path(__file__).resolve().parents[2] / "README.md"
ASSET = {
    "asset_id": "550e8400-e29b-41d4-a716-446655440000",
    "asset_url": "https://uploads.example.com/a.pdf",
}


def example(name: str) -> str:
    """The Python block after ``<!-- example: NAME -->`` in the README."""
    match = re.search(
        rf"<!-- example: {re.escape(name)} -->\n```python\n(.*?)\n```",
        README.read_text(),
        re.S,
    )
    assert match, f"no example {name!r} in README.md"
    return match.group(1)


def run(code: str, swaps: dict[str, str]) -> dict[str, Any]:
    for old, new in swaps.items():
        assert old in code, old
        code = code.replace(old, new)
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, str(README), "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture
def plane_server() -> Iterator[PlaneLike]:
    with PlaneLike(ASSET) as server:
        yield server


def test_idempotency_example(payments: Any, server: RecordingServer) -> None:
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(200, json={"ok": True})
    server.enqueue(200, json={"ok": True})
    run(example("idempotency"), {"https://payments.example.com/v1": server.url})
    keys = [r.header("X-Request-Key") for r in server.requests]
    assert (
        keys[0] == keys[1] and len(keys[0] or "") == 36
    )  # a uuid4, repeated on the retry
    assert keys[2] == "order-1234"


class FakeSpan:
    def __init__(self, name: str, kind: Any, attributes: dict[str, Any]) -> None:
        self.name, self.kind, self.attributes = name, kind, dict(attributes)
        self.status: Any = None
        self.exceptions: list[BaseException] = []
        self.ended = False

    def set_attribute(self, key: str, value: Any) -> None:
        self.attributes[key] = value

    def set_status(self, status: Any) -> None:
        self.status = status

    def record_exception(self, error: BaseException) -> None:
        self.exceptions.append(error)

    def end(self) -> None:
        assert not self.ended, "a span ended twice"
        self.ended = True


@pytest.fixture
def fake_opentelemetry(monkeypatch: pytest.MonkeyPatch) -> list[FakeSpan]:
    """``opentelemetry.trace`` and ``opentelemetry.propagate`` as far as the example uses them."""
    spans: list[FakeSpan] = []

    class Tracer:
        def start_span(
            self, name: str, kind: Any = None, attributes: Any = None
        ) -> FakeSpan:
            span = FakeSpan(name, kind, attributes or {})
            spans.append(span)
            return span

    trace = types.ModuleType("opentelemetry.trace")
    trace.get_tracer = lambda name: Tracer()  # type: ignore[attr-defined]
    trace.set_span_in_context = lambda span: {"span": span}  # type: ignore[attr-defined]
    trace.SpanKind = types.SimpleNamespace(CLIENT="CLIENT")  # type: ignore[attr-defined]
    trace.StatusCode = types.SimpleNamespace(ERROR="ERROR")  # type: ignore[attr-defined]
    trace.Status = lambda code: ("status", code)  # type: ignore[attr-defined]
    propagate = types.ModuleType("opentelemetry.propagate")

    def inject(carrier: dict[str, str], context: Any = None) -> None:
        index = spans.index(context["span"])
        carrier["traceparent"] = f"00-{index:032x}-{index + 1:016x}-01"

    propagate.inject = inject  # type: ignore[attr-defined]
    package = types.ModuleType("opentelemetry")
    package.trace, package.propagate = trace, propagate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "opentelemetry", package)
    monkeypatch.setitem(sys.modules, "opentelemetry.trace", trace)
    monkeypatch.setitem(sys.modules, "opentelemetry.propagate", propagate)
    return spans


def test_opentelemetry_example(
    fake_opentelemetry: list[FakeSpan], server: RecordingServer
) -> None:
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(200, json=ASSET)
    run(example("opentelemetry"), {"https://api.plane.so": server.url})
    first, second = fake_opentelemetry
    assert first.name == second.name == "GET getGenericAsset"
    assert first.attributes["http.response.status_code"] == 503
    assert first.status == ("status", "ERROR")
    assert second.attributes["http.request.resend_count"] == 1
    assert second.attributes["http.response.status_code"] == 200
    assert first.ended and second.ended
    assert [r.header("traceparent") for r in server.requests] == [
        f"00-{0:032x}-{1:016x}-01",
        f"00-{1:032x}-{2:016x}-01",
    ]


def test_opentelemetry_example_error_path(
    fake_opentelemetry: list[FakeSpan], unused_port: int
) -> None:
    from plane.exceptions import ApiConnectionError

    with pytest.raises(ApiConnectionError):
        run(
            example("opentelemetry").replace(
                "before_send=[start_span],", "before_send=[start_span], retries=0,"
            ),
            {"https://api.plane.so": f"http://127.0.0.1:{unused_port}"},
        )
    [span] = fake_opentelemetry
    assert span.ended and isinstance(span.exceptions[0], ApiConnectionError)


def test_pool_manager_example(plane_server: PlaneLike) -> None:
    namespace = run(example("pool-manager"), {"https://api.plane.so": plane_server.url})
    assert len(plane_server.requests) == 1
    assert namespace["pool"].pools  # still open
    namespace["pool"].clear()


def test_session_example(plane_server: PlaneLike) -> None:
    run(example("session"), {"https://api.plane.so": plane_server.url})
    assert [r.headers.get("X-API-Key") for r in plane_server.requests] == [
        "plane-api-key"
    ]


def test_oauth2_example(
    plane_server: PlaneLike, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANE_CLIENT_SECRET", "bot-secret")
    run(example("oauth2"), {"https://plane.example.com": plane_server.url})
    token_requests = [r for r in plane_server.requests if r.path == "/auth/o/token/"]
    calls = [r for r in plane_server.requests if r.path != "/auth/o/token/"]
    assert len(token_requests) == 1 and len(calls) == 3
    assert token_requests[0].form == {
        "grant_type": "client_credentials",
        "scope": "assets:read",
    }
    assert {r.headers["Authorization"] for r in calls} == {"Bearer tok-1"}
    assert all(b"bot-secret" not in r.raw for r in calls)
