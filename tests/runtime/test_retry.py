"""Retry policy arithmetic with a frozen clock and a fixed random source."""

from __future__ import annotations

import email.utils

import pytest

from generator.runtime.retry import RetryPolicy, parse_retry_after

NOW = 1_700_000_000.0


def policy(**kwargs: object) -> RetryPolicy:
    return RetryPolicy(clock=lambda: NOW, rng=lambda: 0.0, **kwargs)  # type: ignore[arg-type]


def test_exponential_backoff_capped() -> None:
    p = policy()
    assert [p.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_takes_off_up_to_a_quarter() -> None:
    p = policy()
    assert p.delay(1, rng=lambda: 1.0) == pytest.approx(0.375)
    assert p.delay(3, rng=lambda: 0.5) == pytest.approx(2.0 * 0.875)
    assert RetryPolicy(clock=lambda: NOW, rng=lambda: 1.0).delay(2) == pytest.approx(
        0.75
    )


def test_retry_after_seconds_and_cap() -> None:
    p = policy()
    assert p.delay(1, "3") == 3.0
    assert p.delay(1, "0.25") == 0.25
    assert p.delay(1, "3600") == 60.0
    assert policy(retry_after_max=10.0).delay(1, "30") == 10.0
    assert p.delay(1, "garbage") == 0.5
    assert p.delay(1, "-5") == 0.0


def test_retry_after_http_date() -> None:
    p = policy()
    assert p.delay(1, email.utils.formatdate(NOW + 12, usegmt=True)) == pytest.approx(
        12.0
    )
    assert p.delay(1, email.utils.formatdate(NOW - 100, usegmt=True)) == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW) == 0.0
    assert parse_retry_after(None, NOW) is None


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_for_idempotent_methods(status: int) -> None:
    p = policy()
    for method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"):
        assert p.should_retry(1, method=method, status=status)
    assert not p.should_retry(1, method="POST", status=status)
    assert not p.should_retry(1, method="PATCH", status=status)


@pytest.mark.parametrize("status", [200, 201, 301, 400, 401, 404, 409, 422])
def test_non_retryable_statuses(status: int) -> None:
    assert not policy().should_retry(1, method="GET", status=status)


def test_idempotency_key_makes_post_retryable() -> None:
    p = policy()
    assert p.should_retry(
        1, method="POST", headers={"Idempotency-Key": "abc"}, status=503
    )
    assert p.should_retry(
        1, method="post", headers={"idempotency-key": "abc"}, status=503
    )


def test_attempts_are_bounded() -> None:
    p = policy(max_retries=2)
    assert p.should_retry(2, method="GET", status=503)
    assert not p.should_retry(3, method="GET", status=503)
    assert not policy(max_retries=0).should_retry(1, method="GET", status=503)


def test_connection_errors() -> None:
    p = policy()
    assert p.should_retry(1, method="POST", error="connect")
    assert p.should_retry(1, method="GET", error="read")
    assert not p.should_retry(1, method="POST", error="read")


def test_non_replayable_body_is_never_retried() -> None:
    p = policy()
    assert not p.should_retry(1, method="PUT", replayable=False, status=503)
    assert not p.should_retry(1, method="POST", replayable=False, error="connect")


def test_policy_is_immutable() -> None:
    p = policy()
    with pytest.raises(AttributeError):
        p.max_retries = 5  # type: ignore[misc]


def test_operation_idempotency_header_makes_post_retryable() -> None:
    policy = RetryPolicy()
    headers = {"X-Request-Key": "k1"}
    assert not policy.should_retry(1, method="POST", headers=headers, status=503)
    assert policy.should_retry(
        1,
        method="POST",
        headers=headers,
        status=503,
        idempotency_header="x-request-KEY",
    )
    # named but absent: not retried
    assert not policy.should_retry(
        1, method="POST", headers={}, status=503, idempotency_header="X-Request-Key"
    )
