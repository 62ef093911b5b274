"""Domain errors. They say what went wrong in domain terms; `kairos.api.errors` maps each to HTTP once."""

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error a client may cause; anything else is a bug."""


class NotFound(DomainError):
    def __init__(self, entity: str) -> None:
        super().__init__(f"The {entity} was not found.")
        self.entity = entity


class ValidationFailed(DomainError):
    """Input that breaks a rule; `errors` maps each field to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("The given data was invalid.")
        self.errors = {k: list(v) for k, v in errors.items()}

    @classmethod
    def field(cls, name: str, message: str) -> "ValidationFailed":
        return cls({name: [message]})


TOO_LARGE_WRITE = "These bookings touch too many days and resources to be written together."


class GroupValidationFailed(DomainError):
    """A booking group's 422 about its bookings, in Hapio's BookingGroupError shape: one message per
    failing booking, keyed by its place in the array (`bookings.0`). Errors in the body itself are a
    plain `ValidationFailed`, as Hapio answers them."""

    def __init__(self, messages: Mapping[str, str]) -> None:
        super().__init__("The given data was invalid.")
        self.messages = dict(messages)


class Unauthenticated(DomainError):
    def __init__(self, message: str = "Unauthenticated.") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    def __init__(self, message: str = "This action is unauthorized.") -> None:
        super().__init__(message)


class RateLimited(DomainError):
    def __init__(self, retry_after: int, limit: int, message: str = "Too Many Attempts.") -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit


class QuotaExceeded(RateLimited):
    """A 429 like the per-minute one, with a message that names the plan and its monthly quota."""


class Conflict(DomainError):
    """A conditional write lost: the state changed under us. Callers retry or report it."""


class BadRequest(DomainError):
    """A request that cannot even be read (malformed JSON, a body that is not an object)."""


class PayloadTooLarge(DomainError):
    """A request body over Kairos' size limit: refused before it is read."""


class UnsupportedMediaType(DomainError):
    """A request body that is not sent as JSON."""


class Retryable(DomainError):
    """The store asked us to slow down, or a transaction collided: the same request may simply be retried."""


class Overloaded(Retryable):
    """The store is over its throughput even after the retries it allows: the request is answered at once
    (503, `Retry-After`), never planned again in a loop that would only add to the load."""


class StoreFull(DomainError):
    """The store took nothing: it has no room to keep a write (the local store's data folder is on a full
    disk). Nothing was changed; the same request succeeds once there is room. Reads go on."""

    RETRY_AFTER_SECONDS = 30
