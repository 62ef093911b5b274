"""Domain errors to HTTP responses, in one place, in Hapio's shapes."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.http import json_response
from kairos.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    GroupValidationFailed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Retryable,
    StoreFull,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
)


def error_response(error: DomainError) -> Response[str]:
    if isinstance(error, GroupValidationFailed):
        return json_response(422, {"messages": error.messages})
    if isinstance(error, ValidationFailed):
        return json_response(422, {"message": str(error), "errors": error.errors})
    if isinstance(error, RateLimited):
        headers = {
            "retry-after": str(error.retry_after),
            "x-ratelimit-limit": str(error.limit),
            "x-ratelimit-remaining": "0",
        }
        return json_response(429, {"message": str(error)}, headers)
    if isinstance(error, StoreFull):
        return json_response(503, {"message": str(error)}, {"retry-after": str(error.RETRY_AFTER_SECONDS)})
    if isinstance(error, Retryable):
        return json_response(503, {"message": str(error)}, {"retry-after": "1"})
    status = {
        NotFound: 404,
        Unauthenticated: 401,
        Forbidden: 403,
        Conflict: 409,
        BadRequest: 400,
        PayloadTooLarge: 413,
        UnsupportedMediaType: 415,
    }.get(type(error), 400)
    return json_response(status, {"message": str(error)})
