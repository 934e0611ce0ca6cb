"""The exception tree: class per status, messages, and no credentials in messages."""

from __future__ import annotations

import pytest

from generator.runtime import exceptions as exc


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, exc.BadRequestException),
        (401, exc.UnauthorizedException),
        (403, exc.ForbiddenException),
        (404, exc.NotFoundException),
        (409, exc.ConflictException),
        (422, exc.UnprocessableEntityException),
        (429, exc.TooManyRequestsException),
        (500, exc.ServiceException),
        (503, exc.ServiceException),
        (599, exc.ServiceException),
        (418, exc.ApiException),
        (302, exc.ApiException),
    ],
)
def test_exception_for_status(status: int, cls: type[exc.ApiException]) -> None:
    assert exc.exception_for_status(status) is cls
    assert issubclass(cls, exc.OpenApiException)


def test_api_exception_message() -> None:
    error = exc.NotFoundException(
        404,
        "Not Found",
        headers={"Content-Type": "text/plain"},
        body='{"detail": "no such asset"}\n',
        method="GET",
        url="https://host/path",
    )
    assert (
        str(error)
        == 'GET https://host/path -> 404 Not Found: {"detail": "no such asset"}'
    )
    assert error.status == 404 and error.reason == "Not Found" and error.data is None


def test_api_exception_truncates_long_bodies() -> None:
    error = exc.ServiceException(
        500, "Internal Server Error", body="x" * 5000, method="GET", url="u"
    )
    assert len(str(error)) < 600 and str(error).endswith("...")


def test_api_exception_minimal() -> None:
    assert str(exc.ApiException(500)) == "500"
    assert str(exc.ApiException()) == "HTTP error"


def test_argument_errors_are_builtin_errors_too() -> None:
    assert isinstance(exc.ApiTypeError("bad"), TypeError)
    assert isinstance(exc.ApiValueError("bad"), ValueError)
    assert isinstance(exc.ApiKeyError("bad"), KeyError)
    assert str(exc.ApiKeyError("unknown key")) == "unknown key"
    assert (
        str(exc.ApiValueError("bad value", ["items", 0, "id"]))
        == "bad value at items[0].id"
    )


def test_connection_errors() -> None:
    error = exc.ApiTimeoutError("timed out", method="GET", url="http://h/x")
    assert isinstance(error, exc.ApiConnectionError)
    assert (error.method, error.url) == ("GET", "http://h/x")
    assert str(error) == "GET http://h/x: timed out"


def test_response_validation_error() -> None:
    error = exc.ResponseValidationError(
        "getAsset", "items[0].id", "bad int", body=b"{}", status=200
    )
    assert "getAsset" in str(error) and "items[0].id" in str(error)
    assert error.body == b"{}" and error.status == 200


def test_docstring_draws_every_class() -> None:
    assert exc.__doc__ is not None
    for name in exc.__all__:
        if name[0].isupper():
            assert name in exc.__doc__, name
