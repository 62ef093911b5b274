"""Errors as exceptions: an answer that is not a success raises `ApiError` (or its subclass for the
status), carrying the status, the message, the per-field `errors` of a 422 (Laravel's shape:
`{"field": ["message", ...]}`) and a booking group's per-booking `messages`."""

from typing import Any


class KairosClientError(Exception):
    """Anything this client raises."""


class ApiError(KairosClientError):
    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = headers
        data = body if isinstance(body, dict) else {}
        self.message: str = str(data.get("message") or body or f"HTTP {status}")
        self.errors: dict[str, list[str]] = data.get("errors") or {}
        self.messages: dict[str, str] = data.get("messages") or {}  # a group's, per booking
        super().__init__(f"{status}: {self.message}")


class BadRequestError(ApiError):  # 400, 413, 415: the body could not be read
    pass


class AuthenticationError(ApiError):  # 401
    pass


class PermissionDeniedError(ApiError):  # 403
    pass


class NotFoundError(ApiError):  # 404
    pass


class ConflictError(ApiError):  # 409
    pass


class ValidationError(ApiError):  # 422
    pass


class RateLimitedError(ApiError):  # 429, after the client's retries
    @property
    def retry_after(self) -> float | None:
        return retry_after(self.headers)


class ServerError(ApiError):  # 5xx, after the client's retries (503)
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    415: BadRequestError,
    422: ValidationError,
    429: RateLimitedError,
}


def api_error(status: int, body: Any, headers: dict[str, str]) -> ApiError:
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return kind(status, body, headers)


def retry_after(headers: dict[str, str]) -> float | None:
    """`Retry-After` in seconds (an HTTP date is not used by Kairos or Hapio: treated as absent)."""
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
