"""Input models of bookings: POST, PUT and PATCH bodies (Hapio's BookingPost, BookingPut, BookingPatch).

Which fields a request *sent* matters (an absent price is computed, an explicit null is kept), so the
services look at `model_fields_set` rather than at values alone.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictBool, model_validator

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


class _BookingFields(BaseModel):
    """Every field a booking request may carry; subclasses say which are required."""

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
    is_canceled: StrictBool = False
    ignore_schedule: StrictBool = False
    ignore_fully_booked: StrictBool = False
    ignore_bookable_slots: StrictBool = False
    ignore_booking_window: StrictBool = False
    ignore_cancelation_threshold: StrictBool = False

    @model_validator(mode="after")
    def _ordered(self) -> "_BookingFields":
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
        return {name for name in IGNORE_FLAGS if getattr(self, name)}


def _require(model: BaseModel, names: tuple[str, ...], *, nullable: tuple[str, ...] = ()) -> None:
    missing = {
        name: [f"The {name} field is required."]
        for name in names
        if name not in model.model_fields_set or (getattr(model, name) is None and name not in nullable)
    }
    if missing:
        raise ValidationFailed(missing)


class BookingPost(_BookingFields):
    @model_validator(mode="after")
    def _required(self) -> "BookingPost":
        _require(self, ("service_id", "location_id", "starts_at", "ends_at"))
        if "is_canceled" in self.model_fields_set or "ignore_cancelation_threshold" in self.model_fields_set:
            raise ValidationFailed.field("is_canceled", "A booking cannot be created canceled.")
        return self


class BookingPut(_BookingFields):
    @model_validator(mode="after")
    def _required(self) -> "BookingPut":
        ids = ("resource_id", "service_id", "location_id")
        _require(self, (*ids, "starts_at", "ends_at"), nullable=ids)
        return self


class BookingPatch(_BookingFields):
    pass
