"""Booking series (Kairos): the bodies of `/v1/booking-series` (docs/booking-series.md; how a series is
shown: `series_reads`). A series is a record of kind `booking_series` in the project's partition; its
bookings are normal bookings whose document carries `booking_series_id`."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from kairos.domain.bookings.models import BookingPost
from kairos.domain.bookings.recurrence import MAX_LENGTH
from kairos.domain.shared.fields import Metadata, Required, Text, Timestamp

MODES = ("all_or_nothing", "available_only")
# Fields of a booking body a series does not take: its bookings are confirmed ones of no group.
_NOT_TAKEN = ("booking_group_id", "is_temporary", "expires_at")
_RECURRENCE_DESCRIPTION = (
    "An RFC 5545 RRULE: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, and COUNT (at most 104) or UNTIL"
)


def _series_schema(schema: dict[str, Any]) -> None:
    for name in _NOT_TAKEN:
        schema["properties"].pop(name, None)


class SeriesInput(BookingPost):
    """POST: the fields of a booking (its times are the first occurrence's) and the rule."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True, json_schema_extra=_series_schema)

    recurrence: Annotated[Text, Required, Field(max_length=MAX_LENGTH, description=_RECURRENCE_DESCRIPTION)]
    mode: Literal["all_or_nothing", "available_only"] = "all_or_nothing"

    def booking_body(self) -> BookingPost:
        """The first occurrence as a booking body: the fields sent, but those a series does not take."""
        sent = {k: v for k, v in self.sent().items() if k not in (*_NOT_TAKEN, "recurrence", "mode")}
        return BookingPost.model_validate(sent)


class CancelFrom(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    from_: Annotated[Timestamp, Required] = Field(alias="from")


class SeriesPatch(BaseModel):
    """PATCH: the series' metadata, and/or `cancel` (this and the following occurrences)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    metadata: Metadata = None
    protected_metadata: Metadata = None
    cancel: CancelFrom | None = None
    ignore_cancelation_threshold: StrictBool = False
