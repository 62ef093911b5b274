"""Booking series (Kairos): the bodies of `/v1/booking-series` and how a series is shown
(docs/booking-series.md). A series is a record of kind `booking_series` in the project's partition; its
bookings are normal bookings whose document carries `booking_series_id`."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from kairos.domain.bookings.models import BookingPost
from kairos.domain.bookings.recurrence import MAX_LENGTH
from kairos.domain.bookings.views import Entities, render_booking
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.fields import Metadata, Required, Text, Timestamp
from kairos.domain.shared.ports import BookingRepository
from kairos.domain.shared.records import Booking, Record
from kairos.values.formats import format_timestamp

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


def render_series(
    viewer: Principal,
    series: Record,
    bookings: list[Booking] | None,
    entities: Entities | None = None,
) -> dict[str, Any]:
    """The series as the API shows it; `bookings` None: without them (lists show `booking_ids` only)."""
    doc = series.doc
    values: dict[str, Any] = {
        "id": series.id,
        "recurrence": doc["recurrence"],
        "mode": doc["mode"],
        "service_id": doc.get("service_id"),
        "location_id": doc.get("location_id"),
        "resource_id": doc.get("resource_id"),
        "starts_at": doc["starts_at"],
        "ends_at": doc["ends_at"],
        "metadata": doc.get("metadata"),
        "protected_metadata": doc.get("protected_metadata"),
        "booking_ids": list(doc.get("booking_ids", [])),
        "canceled_from": doc.get("canceled_from"),
        "created_at": format_timestamp(series.created_at),
        "updated_at": format_timestamp(series.updated_at),
    }
    if bookings is not None:
        assert entities is not None
        values["bookings"] = [render_booking(viewer, b, entities) for b in bookings]
    if not viewer.can("booking:protected_metadata"):
        values.pop("protected_metadata")
    return values


def series_bookings(store: BookingRepository, project_id: str, series: Record) -> list[Booking]:
    """The series' bookings still there, in its order (100 a round trip)."""
    ids = [str(i) for i in series.doc.get("booking_ids", [])]
    found = {b.id: b for n in range(0, len(ids), 100) for b in store.get_many(project_id, ids[n : n + 100])}
    return [found[i] for i in ids if i in found]
