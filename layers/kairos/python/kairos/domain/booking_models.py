"""Input models of bookings: POST, PUT and PATCH bodies (Hapio's BookingPost, BookingPut, BookingPatch).

Which fields a request *sent* matters (an absent price is computed, an explicit null is kept), so the
services look at `model_fields_set` rather than at values alone. A field that is not part of a body (such
as `is_canceled` on POST) is ignored like any unknown field, so it has no model field there.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictBool, field_validator, model_validator

from kairos.domain.errors import ValidationFailed
from kairos.domain.fields import Metadata, Price, Text, Uuid
from kairos.domain.formats import parse_timestamp

_INPUT = ConfigDict(extra="ignore", frozen=True)


def _timestamp(value: str) -> str:
    parse_timestamp(value)
    return value


Timestamp = Annotated[Text, AfterValidator(_timestamp)]
IGNORE_FLAGS = (
    "ignore_schedule",
    "ignore_fully_booked",
    "ignore_bookable_slots",
    "ignore_booking_window",
    "ignore_cancelation_threshold",
)


class BookingFields(BaseModel):
    """The fields of every booking body (Hapio's BookingPost); subclasses say which are required."""

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

    def sent(self) -> dict[str, Any]:
        """The fields the request carried, with their (validated) values."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    def flags(self) -> set[str]:
        return {name for name in IGNORE_FLAGS if getattr(self, name, False)}


def _require(model: BaseModel, names: tuple[str, ...], *, nullable: tuple[str, ...] = ()) -> None:
    missing = {
        name: [f"The {name} field is required."]
        for name in names
        if name not in model.model_fields_set or (getattr(model, name) is None and name not in nullable)
    }
    if missing:
        raise ValidationFailed(missing)


class BookingPost(BookingFields):
    @model_validator(mode="after")
    def _required(self) -> "BookingPost":
        _require(self, ("service_id", "location_id", "starts_at", "ends_at"))
        return self


class BookingUpdate(BookingFields):
    """PUT and PATCH bodies: they may also cancel (and un-cancel) the booking."""

    is_canceled: StrictBool = False
    ignore_cancelation_threshold: StrictBool = False


ID_FIELDS = ("resource_id", "service_id", "location_id")


class BookingPut(BookingUpdate):
    """The three ids are required; each may be null only when it already is (its entity was deleted),
    which only the stored booking can tell (`Bookings.intent_for_update`)."""

    @model_validator(mode="after")
    def _required(self) -> "BookingPut":
        _require(self, (*ID_FIELDS, "starts_at", "ends_at"), nullable=ID_FIELDS)
        return self


class BookingPatch(BookingUpdate):
    """Every field optional; the ids are non-nullable strings in Hapio's BookingPatch."""

    @field_validator(*ID_FIELDS, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must be a string")
        return value
