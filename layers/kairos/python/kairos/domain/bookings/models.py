"""Input models of bookings: POST, PUT and PATCH bodies (Hapio's BookingPost, BookingPut, BookingPatch).

Which fields a request *sent* matters (an absent price is computed, an explicit null is kept), so the
services look at `model_fields_set` rather than at values alone. A field that is not part of a body (such
as `is_canceled` on POST) is ignored like any unknown field, so it has no model field there.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from kairos.domain.bookings.views import ID_FIELDS
from kairos.domain.shared.fields import UUID_SCHEMA, Metadata, Price, Required, Timestamp, Uuid
from kairos.errors import ValidationFailed
from kairos.values.formats import parse_timestamp

# defer_build: a model's validator is built when it first validates, not at import: a cold start builds
# only the ones its first request uses (docs/infrastructure.md, cold starts).
_INPUT = ConfigDict(extra="ignore", frozen=True, defer_build=True)
IGNORE_FLAGS = (
    "ignore_schedule",
    "ignore_fully_booked",
    "ignore_bookable_slots",
    "ignore_booking_window",
    "ignore_cancelation_threshold",
)


class BookingFields(BaseModel):
    """The fields of every booking body (Hapio's BookingPost); subclasses say which are required (declared
    as fields, so a missing field is reported together with every other failing one)."""

    model_config = _INPUT

    resource_id: Uuid | None = None
    service_id: Uuid | None = None
    location_id: Uuid | None = None
    booking_group_id: Uuid | None = None
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    buffer_starts_at: Timestamp | None = None
    buffer_ends_at: Timestamp | None = None
    price: Price | None = None
    metadata: Metadata = None
    protected_metadata: Metadata = None
    is_temporary: StrictBool = False
    expires_at: Timestamp | None = None  # Kairos: when a temporary booking gives its place back
    ignore_schedule: StrictBool = False
    ignore_fully_booked: StrictBool = False
    ignore_bookable_slots: StrictBool = False
    ignore_booking_window: StrictBool = False

    @model_validator(mode="after")
    def _ordered(self) -> "BookingFields":
        starts = parse_timestamp(self.starts_at) if self.starts_at else None
        ends = parse_timestamp(self.ends_at) if self.ends_at else None
        if starts and ends and ends <= starts:
            raise ValidationFailed.field("ends_at", "The ends_at must be a date after starts_at.")
        if starts and self.buffer_starts_at and parse_timestamp(self.buffer_starts_at) > starts:
            raise ValidationFailed.field(
                "buffer_starts_at", "The buffer_starts_at must not be after starts_at."
            )
        if ends and self.buffer_ends_at and parse_timestamp(self.buffer_ends_at) < ends:
            raise ValidationFailed.field("buffer_ends_at", "The buffer_ends_at must not be before ends_at.")
        return self

    def span(self) -> tuple[datetime, datetime] | None:
        """From the earliest to the latest instant the body gives (buffers included): the least the
        booking will cover, known before anything is read. None when it gives none."""
        given = [
            parse_timestamp(text)
            for text in (self.buffer_starts_at, self.starts_at, self.ends_at, self.buffer_ends_at)
            if text
        ]
        return (min(given), max(given)) if given else None

    def sent(self) -> dict[str, Any]:
        """The fields the request carried, with their (validated) values."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    def flags(self) -> set[str]:
        return {name for name in IGNORE_FLAGS if getattr(self, name, False)}


class BookingPost(BookingFields):
    service_id: Annotated[Uuid, Required]
    location_id: Annotated[Uuid, Required]
    starts_at: Annotated[Timestamp, Required]
    ends_at: Annotated[Timestamp, Required]


class BookingUpdate(BookingFields):
    """PUT and PATCH bodies: they may also cancel (and un-cancel) the booking."""

    is_canceled: StrictBool = False
    ignore_cancelation_threshold: StrictBool = False


class BookingPut(BookingUpdate):
    """The three ids are required; each may be null only when it already is (its entity was deleted),
    which only the stored booking can tell (`Bookings.intent_for_update`)."""

    resource_id: Uuid | None
    service_id: Uuid | None
    location_id: Uuid | None
    starts_at: Annotated[Timestamp, Required]
    ends_at: Annotated[Timestamp, Required]


def _ids_not_null(schema: dict[str, Any]) -> None:
    """The OpenAPI schema says what `_not_null` checks: the ids may be left out, never sent as null."""
    for name in ID_FIELDS:
        schema["properties"][name] = dict(UUID_SCHEMA)


class BookingPatch(BookingUpdate):
    """Every field optional; the ids are non-nullable strings in Hapio's BookingPatch."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True, json_schema_extra=_ids_not_null)

    @field_validator(*ID_FIELDS, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must be a string")
        return value


MAX_BOOKINGS = 40  # a group is written in one transaction of at most 100 items (docs/api.md, "limits")


class GroupInput(BaseModel):
    """A booking group's POST, PUT and PATCH body; its bookings are parsed one by one as the models above."""

    model_config = _INPUT

    bookings: Annotated[list[dict[str, Any]], Field(max_length=MAX_BOOKINGS)] | None = None
    metadata: Metadata = None
    protected_metadata: Metadata = None
