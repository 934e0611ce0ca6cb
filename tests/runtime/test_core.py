"""The I/O-free core both clients send with (``runtime/core.py``): time limits per request, what a
response or a failure means, and what a call returns. No server: the decisions are checked directly.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.core import MAX_REDIRECTS, BaseClient, Exchange
from generator.runtime.endpoint import Body, Endpoint, Param
from generator.runtime.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    NotFoundException,
)
from generator.runtime.models import ApiModel


class Asset(ApiModel):
    id: int


class Configuration(BaseConfiguration):
    default_host = "https://api.example.com"
    auth_schemes = (AuthScheme("Key", "api_key", "header", "X-Key"),)


def _types() -> dict[str, Any]:
    return {"200": Asset, "404": Asset}


GET = Endpoint(
    "getAsset",
    "GET",
    "/assets/{id}",
    params=(Param("id", "id", "path", required=True),),
    auth=(("Key",),),
    response_types=_types,
)
POST = Endpoint(
    "createAsset",
    "POST",
    "/assets",
    body=Body("json", "application/json", param="body"),
    response_types=_types,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _exchange(
    endpoint: Endpoint = GET,
    args: dict[str, Any] | None = None,
    *,
    preload: bool = True,
    **options: Any,
) -> Exchange:
    client = BaseClient(Configuration(api_key={"Key": "s3cr3t"}))
    return client.exchange(endpoint, args or {"id": 1}, options, preload=preload)


def test_the_first_request_has_the_whole_budget_later_ones_what_is_left() -> None:
    assert _exchange(request_timeout=2.0).limits == (2.0, 2.0, 2.0)
    assert _exchange(request_timeout=(1.0, 5.0)).limits == (1.0, 5.0, 6.0)
    assert _exchange(request_timeout=None).limits == (60.0, 60.0, 60.0)
    # a response handed over unread: no limit on the whole call
    assert _exchange(request_timeout=(1.0, 5.0), preload=False).limits == (
        1.0,
        5.0,
        None,
    )
    exchange = _exchange(request_timeout=(1.0, 5.0))
    clock = FakeClock()
    exchange.deadline.clock = clock
    exchange.deadline.end = clock.now + 6.0
    clock.now += 4.0  # 2 s left of 6
    assert not exchange.after_response(301, {"Location": "/elsewhere"})
    assert exchange.limits == (1.0, 2.0, 2.0)


def test_a_redirect_on_the_origin_keeps_credentials_elsewhere_drops_them() -> None:
    exchange = _exchange()
    assert exchange.request.headers["X-Key"] == "s3cr3t"
    assert not exchange.after_response(302, {"Location": "/assets/2"})
    assert exchange.retry_delay is None  # a redirect is followed at once
    assert exchange.request.url == "https://api.example.com/assets/2"
    assert exchange.request.headers["X-Key"] == "s3cr3t"
    assert not exchange.after_response(307, {"Location": "https://cdn.example.net/a"})
    assert "X-Key" not in exchange.request.headers
    # back on the first origin: the credential is not restored from a hop elsewhere
    assert not exchange.after_response(307, {"Location": "https://api.example.com/b"})
    assert "X-Key" not in exchange.request.headers


def test_redirects_stop_at_the_limit_and_leaving_tls_is_refused() -> None:
    exchange = _exchange()
    for _ in range(MAX_REDIRECTS):
        assert not exchange.after_response(302, {"Location": "/again"})
    assert exchange.after_response(302, {"Location": "/again"})  # the answer as it is
    with pytest.raises(ApiConnectionError, match="https to http"):
        _exchange().after_response(302, {"Location": "http://api.example.com/"})
    assert _exchange().after_response(302, {})  # no Location: the answer


def test_retried_statuses_wait_and_count(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="generator.runtime.core")
    exchange = _exchange(retries=2)
    assert not exchange.after_response(503, {"Retry-After": "3"})
    assert exchange.retry_delay == 3.0 and exchange.attempt == 1
    assert not exchange.after_response(429, {"Retry-After": "0"})
    assert exchange.retry_delay == 0.0 and exchange.attempt == 2
    assert exchange.after_response(503, {})  # out of retries: this is the answer
    assert [r.getMessage() for r in caplog.records] == [
        "retry 1/2 of GET https://api.example.com/assets/1 in 3.00s after HTTP 503",
        "retry 2/2 of GET https://api.example.com/assets/1 in 0.00s after HTTP 429",
    ]
    assert _exchange(POST, {"body": {}}).after_response(503, {})  # not idempotent
    assert _exchange().after_response(404, {})
    assert _exchange().after_response(200, {})


def test_a_retry_wait_past_the_deadline_is_not_taken() -> None:
    exchange = _exchange(request_timeout=2.0)
    assert exchange.after_response(503, {"Retry-After": "30"})
    # a response handed over unread has no deadline for the call
    assert not _exchange(request_timeout=2.0, preload=False).after_response(
        503, {"Retry-After": "30"}
    )


def test_failures_retried_by_kind_and_method() -> None:
    cause = OSError("reset")
    exchange = _exchange(POST, {"body": {}})
    error = ApiConnectionError("cannot connect", method="POST", url="u")
    exchange.after_error(error, "connect", cause)  # nothing was sent: any method
    assert exchange.retry_delay is not None and exchange.attempt == 1
    with pytest.raises(ApiConnectionError) as raised:
        exchange.after_error(
            error, "read", cause
        )  # may have been sent: POST is not retried
    assert raised.value is error and raised.value.__cause__ is cause
    get = _exchange()
    get.after_error(error, "read", cause)
    assert get.attempt == 1
    with pytest.raises(ApiConnectionError):
        get.after_error(error, None, cause)  # not worth retrying (TLS)


def test_a_call_cut_off_at_its_deadline_is_a_timeout() -> None:
    exchange = _exchange(request_timeout=1.5)
    clock = FakeClock()
    exchange.deadline.clock = clock
    exchange.deadline.end = clock.now + 1.5
    error = ApiConnectionError("connection reset", method="GET", url="u")
    clock.now += (
        1.4  # the transport's watchdog fired a little early: still the deadline
    )
    with pytest.raises(ApiTimeoutError, match="within the timeout of 1.5 s"):
        exchange.after_error(error, "read", OSError(), timed_out=True)
    clock.now += 0.2  # a reset noticed after the deadline
    with pytest.raises(ApiTimeoutError, match="within the timeout of 1.5 s"):
        exchange.after_error(error, "read", OSError())


def test_result_decodes_or_raises_for_the_status() -> None:
    exchange = _exchange()
    response = exchange.result(
        200, "OK", {"Content-Type": "application/json"}, b'{"id": 7}'
    )
    assert response.data == Asset(id=7) and response.status_code == 200
    with pytest.raises(NotFoundException) as raised:
        exchange.result(
            404, "Not Found", {"Content-Type": "application/json"}, b'{"id": 1}'
        )
    assert raised.value.data == Asset(id=1)
    assert raised.value.url == "https://api.example.com/assets/1"
    assert "the client was closed during the call" in str(exchange.closed())
    assert exchange.body_limit().limit == Configuration().max_response_bytes


def test_per_call_options_reach_the_request() -> None:
    exchange = _exchange(headers={"X-Trace": "t"}, host="http://other:8080/")
    assert exchange.request.url == "http://other:8080/assets/1"
    assert exchange.request.headers["X-Trace"] == "t"


def test_endpoint_data_is_made_once_and_kept_on_the_endpoint() -> None:
    calls: list[int] = []

    def types() -> dict[str, Any]:
        calls.append(1)
        return {"2XX": Asset, "default": None}

    endpoint = Endpoint("op", "GET", "/x/{a}", response_types=types)
    assert endpoint.response_type(201) is Asset
    assert endpoint.response_type(500) is None
    assert endpoint.response_type(204) is Asset and calls == [1]
    assert endpoint.layout is endpoint.layout
    assert endpoint == Endpoint("op", "GET", "/x/{a}", response_types=types)
