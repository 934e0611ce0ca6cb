"""Exceptions raised by the client.

::

    OpenApiException                   base of everything below
    ├── ApiTypeError (TypeError)       an argument has the wrong type
    ├── ApiValueError (ValueError)     an argument is missing, empty or invalid
    ├── ApiKeyError (KeyError)         an unknown argument / key
    ├── ApiAttributeError (AttributeError)
    ├── ApiException                   the server answered with a non-2xx status
    │   ├── BadRequestException            400
    │   ├── UnauthorizedException          401
    │   ├── ForbiddenException             403
    │   ├── NotFoundException              404
    │   ├── ConflictException              409
    │   ├── UnprocessableEntityException   422
    │   ├── TooManyRequestsException       429
    │   └── ServiceException               5xx
    ├── ApiConnectionError             no usable HTTP response: refused, DNS, TLS, reset, protocol error
    │   ├── ApiTimeoutError            the call took longer than its timeout
    │   └── ResponseTooLargeError      a buffered body grew past max_response_bytes
    ├── ResponseValidationError        a 2xx body does not match its declared type
    └── PaginationError                a server repeats a page cursor, or an iteration passes max_pages

``InsecureRequestWarning`` (a ``UserWarning``) is what the asyncio client warns with for an https request
whose certificate is not verified (``verify_ssl=False``), as urllib3 does for the sync client.

Messages never include request headers, so credentials do not leak into logs, and an exception keeps
at most ``ERROR_BODY_LIMIT`` bytes of a response body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ERROR_BODY_LIMIT",
    "ApiAttributeError",
    "ApiConnectionError",
    "ApiException",
    "ApiKeyError",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "BadRequestException",
    "ConflictException",
    "ForbiddenException",
    "InsecureRequestWarning",
    "NotFoundException",
    "OpenApiException",
    "PaginationError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UnprocessableEntityException",
    "exception_for_status",
    "render_path",
]

_BODY_SNIPPET = 500
ERROR_BODY_LIMIT = 64 * 1024
"""Bytes of a response body an exception keeps (``ApiException.body``, ``ResponseValidationError.body``):
a server's megabytes of error page do not stay in memory with the exception."""


def render_path(path_to_item: Sequence[str | int] | None) -> str:
    """``["items", 0, "id"]`` -> ``"items[0].id"``."""
    out = ""
    for part in path_to_item or ():
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class OpenApiException(Exception):
    """Base class of every exception the client raises."""


class _ArgumentError(OpenApiException):
    def __init__(
        self, msg: str, path_to_item: Sequence[str | int] | None = None
    ) -> None:
        self.path_to_item = list(path_to_item) if path_to_item is not None else None
        where = render_path(path_to_item)
        super().__init__(f"{msg} at {where}" if where else msg)


class ApiTypeError(_ArgumentError, TypeError):
    """Raised when an argument has the wrong type."""

    def __init__(
        self,
        msg: str,
        path_to_item: Sequence[str | int] | None = None,
        valid_classes: tuple[type, ...] | None = None,
        key_type: bool | None = None,
    ) -> None:
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(msg, path_to_item)


class ApiValueError(_ArgumentError, ValueError):
    """Raised when a required argument is missing, a path parameter is empty, or a value is invalid."""


class ApiKeyError(_ArgumentError, KeyError):
    """Raised for an unknown argument or key."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ApiAttributeError(_ArgumentError, AttributeError):
    """Raised for an unknown attribute."""


class ApiException(OpenApiException):
    """Raised when the server answers with a status outside 2xx.

    ``body`` is the response text (its first ``ERROR_BODY_LIMIT`` characters), ``data`` the parsed error
    model when the operation declares one for this status (else None).
    """

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        data: Any = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body[:ERROR_BODY_LIMIT] if body is not None else None
        self.data = data
        self.method = method
        self.url = url
        super().__init__(status, reason)

    def __str__(self) -> str:
        target = " ".join(p for p in (self.method, self.url) if p)
        status = " ".join(
            str(p) for p in (self.status, self.reason) if p is not None and p != ""
        )
        message = f"{target} -> {status}" if target else status or "HTTP error"
        if self.body:
            snippet = self.body.strip()
            if len(snippet) > _BODY_SNIPPET:
                snippet = snippet[:_BODY_SNIPPET] + "..."
            message += f": {snippet}"
        return message


class BadRequestException(ApiException):
    """Raised for HTTP 400 Bad Request."""


class UnauthorizedException(ApiException):
    """Raised for HTTP 401 Unauthorized (missing or wrong credentials)."""


class ForbiddenException(ApiException):
    """Raised for HTTP 403 Forbidden."""


class NotFoundException(ApiException):
    """Raised for HTTP 404 Not Found."""


class ConflictException(ApiException):
    """Raised for HTTP 409 Conflict."""


class UnprocessableEntityException(ApiException):
    """Raised for HTTP 422 Unprocessable Entity."""


class TooManyRequestsException(ApiException):
    """Raised for HTTP 429 Too Many Requests (after retries are exhausted)."""


class ServiceException(ApiException):
    """Raised for any HTTP 5xx status (after retries are exhausted, for idempotent requests)."""


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
    429: TooManyRequestsException,
}


def exception_for_status(status: int) -> type[ApiException]:
    """The ``ApiException`` subclass for an HTTP status (``ApiException`` itself when none is specific)."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if 500 <= status <= 599:
        return ServiceException
    return ApiException


class ApiConnectionError(OpenApiException):
    """Raised when no usable response arrived: connection refused, DNS failure, TLS error, connection reset
    or a protocol error. Chained (``from``) to the transport's own exception."""

    def __init__(
        self, message: str, *, method: str | None = None, url: str | None = None
    ) -> None:
        self.method = method
        self.url = url
        target = " ".join(p for p in (method, url) if p)
        super().__init__(f"{target}: {message}" if target else message)


class ApiTimeoutError(ApiConnectionError):
    """Raised when a call took longer than its timeout: connecting, sending, reading the headers or the
    whole body (a server dripping bytes cannot stretch it), redirects and retries included.
    """


class ResponseTooLargeError(ApiConnectionError):
    """Raised when a buffered response body (after decompression) is larger than the configuration's
    ``max_response_bytes``; nothing past the limit is read. ``<method>_without_preload_content`` (and
    WebSocket streams) are not subject to it."""


class ResponseValidationError(OpenApiException):
    """Raised when a response body does not match the type the operation declares.

    ``path`` is where in the body the mismatch is (``"items[0].id"``; empty for the whole body), ``body`` the
    raw bytes (the first ``ERROR_BODY_LIMIT`` of them) and ``status`` the HTTP status.
    """

    def __init__(
        self,
        operation_id: str,
        path: str,
        message: str,
        *,
        body: bytes = b"",
        status: int | None = None,
    ) -> None:
        self.operation_id = operation_id
        self.path = path
        self.message = message
        self.body = body[:ERROR_BODY_LIMIT]
        self.status = status
        where = f" at {path!r}" if path else ""
        super().__init__(
            f"{operation_id}: response {status} does not match its declared type{where}: {message}"
        )


class PaginationError(OpenApiException):
    """Raised by ``<method>_iter`` when the server hands out a next-page cursor it already returned
    (iterating on would request the same pages forever), or when the iteration would pass ``max_pages``.

    ``pages`` is the number of pages received; the items of those pages were already yielded.
    """

    def __init__(self, operation_id: str, message: str, *, pages: int) -> None:
        self.operation_id = operation_id
        self.pages = pages
        super().__init__(f"{operation_id}: {message}")


class InsecureRequestWarning(UserWarning):
    """Warned for each https request the asyncio client sends without verifying the server's
    certificate (``Configuration(verify_ssl=False)``), as urllib3's warning of the same name is for the
    sync client."""
