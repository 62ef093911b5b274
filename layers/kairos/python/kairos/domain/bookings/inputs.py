"""What planning a new booking reads of what was asked for (`Bookings.intent_for_create`): the fields
given, the ignore flags, the metadata and whether it is a hold. A request's body parsed by its input model
(pydantic, `kairos.domain.bookings.models.BookingFields`) is one such input; `GivenBooking` is another, for
a booking Kairos writes for itself from values it has checked already (the waitlist offer step's hold: a
stored entry's ids and metadata, a slot the engine listed). Such a write is no request: there is no body to
validate, and it loads no pydantic (about a third of its function's cold start, docs/infrastructure.md)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class BookingInput(Protocol):
    @property
    def metadata(self) -> dict[str, Any] | None: ...

    @property
    def protected_metadata(self) -> dict[str, Any] | None: ...

    @property
    def is_temporary(self) -> bool: ...

    def sent(self) -> dict[str, Any]:
        """The fields given (an absent one is computed, or left as it is), with their values."""
        ...

    def flags(self) -> set[str]:
        """The checks the input asks to skip (`ignore_*`), each needing its ability."""
        ...


@dataclass(frozen=True)
class GivenBooking:
    """A booking's fields as a validated body would give them (ids in lower case, timestamps in Hapio's
    format, `ends_at` after `starts_at`), asking to skip no check."""

    fields: Mapping[str, Any]

    @property
    def metadata(self) -> dict[str, Any] | None:
        return self.fields.get("metadata")

    @property
    def protected_metadata(self) -> dict[str, Any] | None:
        return self.fields.get("protected_metadata")

    @property
    def is_temporary(self) -> bool:
        return bool(self.fields.get("is_temporary", False))

    def sent(self) -> dict[str, Any]:
        return dict(self.fields)

    def flags(self) -> set[str]:
        return set()
