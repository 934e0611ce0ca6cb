"""Idempotency keys on the wire: a POST whose spec names an idempotency header sends one generated key,
the same key on its retry, and is retried at all only because of it; a key the caller gives wins. Each
test runs against the sync client and the asyncio twin (``twin``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.support.recording_server import RecordingServer
from tests.support.twins import Twin

RECEIPT = {"ok": True, "token": "t"}


def _api(payments: Any, server: RecordingServer, twin: Twin, **config: Any) -> Any:
    configuration = payments.Configuration(
        host=server.url,
        access_token="static-token",
        backoff_initial=0.01,
        backoff_max=0.02,
        **config,
    )
    client = twin.client(payments, configuration)
    client.sleep = lambda seconds: None
    return client, twin.api(payments, "PaymentsApi", client)


def _uuid4(text: str | None) -> UUID:
    assert text is not None
    value = UUID(text)
    assert value.version == 4 and str(value) == text
    return value


def test_document_header_same_key_on_retry(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(200, json=RECEIPT)
    client, api = _api(payments, server, twin)
    with client:
        receipt = api.create_charge(payments.Charge(amount=5))
    assert receipt.ok is True
    assert [r.method for r in server.requests] == ["POST", "POST"]
    first, second = (r.header("X-Request-Key") for r in server.requests)
    _uuid4(first)
    assert (
        first == second
    )  # the retry repeats the key: the server can drop the duplicate
    assert server.requests[0].body == server.requests[1].body == b'{"amount":5}'


def test_each_call_has_its_own_key(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(200, json=RECEIPT)
    server.enqueue(200, json=RECEIPT)
    client, api = _api(payments, server, twin)
    with client:
        api.create_charge(payments.Charge(amount=1))
        api.create_charge(payments.Charge(amount=1))
    keys = [_uuid4(r.header("X-Request-Key")) for r in server.requests]
    assert keys[0] != keys[1]


def test_caller_key_wins_and_is_reused(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(500, json={"error": "oops"})
    server.enqueue(200, json=RECEIPT)
    server.enqueue(200, json=RECEIPT)
    client, api = _api(payments, server, twin)
    with client:
        api.create_charge(
            payments.Charge(amount=2), _headers={"x-request-key": "order-42"}
        )
        api.create_refund(idempotency_key="refund-7")
    keys = [r.header("X-Request-Key") for r in server.requests[:2]]
    assert keys == ["order-42", "order-42"]
    assert all(
        k.lower() != "x-request-key" or v == "order-42"
        for r in server.requests[:2]
        for k, v in r.headers
    )  # one header, never a generated second one
    assert server.requests[2].header("Idempotency-Key") == "refund-7"


def test_idempotency_key_parameter_generated_when_omitted(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(502, json={"error": "gateway"})
    server.enqueue(200, json=RECEIPT)
    client, api = _api(payments, server, twin)
    with client:
        api.create_refund()
    first, second = (r.header("Idempotency-Key") for r in server.requests)
    _uuid4(first)
    assert first == second
    assert server.requests[0].header("X-Request-Key") is None  # its own header only


def test_operation_header_custom_name_is_retryable(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(429, json={"error": "slow down"})
    server.enqueue(200, json=RECEIPT)
    client, api = _api(payments, server, twin)
    with client:
        api.create_payout()
    keys = {r.header("Payout-Key") for r in server.requests}
    assert len(server.requests) == 3 and len(keys) == 1
    _uuid4(keys.pop())


def test_opted_out_post_has_no_key_and_is_not_retried(
    payments: Any, server: RecordingServer, twin: Twin
) -> None:
    server.enqueue(503, json={"error": "busy"})
    server.enqueue(200, json=RECEIPT)
    client, api = _api(payments, server, twin)
    with client:
        try:
            api.create_note()
        except payments.ApiException as exc:
            assert exc.status == 503
        else:
            raise AssertionError("a POST without a key must not be retried")
    assert len(server.requests) == 1
    assert not {"x-request-key", "idempotency-key"} & server.requests[0].header_names()
