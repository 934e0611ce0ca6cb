"""Hooks on ``Configuration``: ``before_send`` (may change headers) runs before each request,
``after_response`` for each answer, ``on_error`` for a request without an answer and for the
``ApiException`` a call ends with. Every test runs against both twins (``twin``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

RECEIPT = {"ok": True, "token": "t"}


def _api(payments: Any, twin: Twin, host: str, events: list[Any], **config: Any) -> Any:
    def before_send(request: Any) -> None:
        request.headers["X-Trace"] = f"{request.operation_id}/{request.attempt}"
        request.state["sent"] = True
        events.append(("send", request.method, request.url, request.attempt))

    def after_response(request: Any, response: Any) -> None:
        assert request.state["sent"] and response.elapsed >= 0
        events.append(("response", response.status, request.attempt))

    def on_error(request: Any, error: BaseException) -> None:
        events.append(("error", type(error).__name__, request.attempt))

    configuration = payments.Configuration(
        host=host,
        access_token="static-token",
        before_send=[before_send],
        after_response=[after_response],
        on_error=[on_error],
        **config,
    )
    client = twin.client(payments, configuration)
    client.sleep = lambda seconds: None
    return client, twin.api(payments, "PaymentsApi", client)


def test_hooks_see_each_attempt_and_change_headers(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(200, json=RECEIPT)
    events: list[Any] = []
    client, api = _api(payments, twin, server.url, events)
    with client:
        assert api.get_balance().ok is True
    url = server.url + "/balance"
    assert events == [
        ("send", "GET", url, 0),
        ("response", 503, 0),
        ("send", "GET", url, 1),
        ("response", 200, 1),
    ]
    assert [r.header("X-Trace") for r in server.requests] == [
        "getBalance/0",
        "getBalance/1",
    ]


def test_on_error_for_the_status_exception(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(404, json={"error": "gone"})
    events: list[Any] = []
    client, api = _api(payments, twin, server.url, events)
    with client, pytest.raises(payments.exceptions.NotFoundException):
        api.get_balance()
    assert events[1:] == [("response", 404, 0), ("error", "NotFoundException", 0)]


def test_on_error_for_a_request_without_answer(
    payments: Any, twin: Twin, unused_port: int
) -> None:
    events: list[Any] = []
    client, api = _api(
        payments, twin, f"http://127.0.0.1:{unused_port}", events, retries=1
    )
    with client, pytest.raises(payments.ApiConnectionError):
        api.get_balance()
    assert [e[0] for e in events] == ["send", "error", "send", "error"]
    assert {e[1] for e in events if e[0] == "error"} == {"ApiConnectionError"}


def test_a_header_a_hook_breaks_is_refused_before_sending(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    def inject(request: Any) -> None:
        request.headers["X-Trace"] = "a\r\nX-Evil: 1"

    configuration = payments.Configuration(host=server.url, before_send=[inject])
    client = twin.client(payments, configuration)
    api = twin.api(payments, "PaymentsApi", client)
    with client, pytest.raises(payments.exceptions.ApiValueError):
        api.get_balance()
    assert server.requests == []


def test_no_hooks_no_hook_work(
    payments: Any,
    server: RecordingServer,
    twin: Twin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    core = importlib.import_module("payments._runtime.core")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("hook machinery ran without hooks")

    monkeypatch.setattr(core, "RequestInfo", refuse)
    monkeypatch.setattr(core, "ResponseInfo", refuse)
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(404, json={"error": "gone"})
    configuration = payments.Configuration(host=server.url)
    client = twin.client(payments, configuration)
    client.sleep = lambda seconds: None
    api = twin.api(payments, "PaymentsApi", client)
    with client, pytest.raises(payments.exceptions.NotFoundException):
        api.get_balance()
    assert len(server.requests) == 2
