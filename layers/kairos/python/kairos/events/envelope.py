"""The versioned envelope of a domain event, and the objects it carries, as pydantic models.

These models are the one source of the event contract: the JSON Schema files in docs/events/schemas/ are
generated from them (`json_schemas`; a test keeps the files equal), and the mapper checks every envelope
against the same schemas (`kairos.events.contract`, without loading pydantic), so an object the API
renders differently from the contract fails at the mapper, not at a consumer. The data models forbid
unknown fields: a field added to the API is a contract change to make here.
"""

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from kairos.events.definitions import (
    BookingEventType,
    BookingGroupEventType,
    BookingSeriesEventType,
    WaitlistEntryEventType,
    schema_file,
)

SCHEMA_BASE_URI = "https://kairos.dev/schemas/events"

Id = Annotated[str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Timestamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")]
UtcTimestamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")]
Price = Annotated[str, Field(pattern=r"^-?\d+\.\d{3}$")]
Metadata = dict[str, Any] | None
Embedded = dict[str, Any] | None  # a resource, service or location as its own GET renders it


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BookingGroupSummary(_Contract):
    id: Id
    metadata: Metadata
    protected_metadata: Metadata
    created_at: UtcTimestamp
    updated_at: UtcTimestamp


class EmbeddedBooking(_Contract):
    """A booking as a booking group renders its members (without the group fields)."""

    id: Id
    resource_id: Id | None
    resource: Embedded
    service_id: Id | None
    service: Embedded
    location_id: Id | None
    location: Embedded
    price: Price | None
    metadata: Metadata
    protected_metadata: Metadata
    is_temporary: bool
    is_canceled: bool
    starts_at: Timestamp
    ends_at: Timestamp
    buffer_starts_at: Timestamp
    buffer_ends_at: Timestamp
    created_at: UtcTimestamp
    updated_at: UtcTimestamp
    finalized_at: Timestamp | None
    canceled_at: Timestamp | None
    expires_at: Timestamp | None = None  # added in version 1: when a temporary booking gives its place back
    booking_series_id: Id | None = None  # added in version 1: the booking series it is an occurrence of


class BookingData(EmbeddedBooking):
    """A booking as `GET /v1/bookings/{id}` renders it for a token with every ability."""

    booking_group_id: Id | None
    booking_group: BookingGroupSummary | None


class BookingGroupData(_Contract):
    """A booking group as `GET /v1/booking-groups/{id}` renders it for a token with every ability."""

    id: Id
    bookings: list[EmbeddedBooking]
    metadata: Metadata
    protected_metadata: Metadata
    created_at: UtcTimestamp
    updated_at: UtcTimestamp


class BookingSeriesData(_Contract):
    """A booking series as `GET /v1/booking-series/{id}` renders it for a token with every ability."""

    id: Id
    recurrence: str
    mode: Literal["all_or_nothing", "available_only"]
    service_id: Id | None
    location_id: Id | None
    resource_id: Id | None
    starts_at: Timestamp
    ends_at: Timestamp
    metadata: Metadata
    protected_metadata: Metadata
    booking_ids: list[Id]
    canceled_from: UtcTimestamp | None
    created_at: UtcTimestamp
    updated_at: UtcTimestamp
    bookings: list[BookingData]


class WaitlistEntryData(_Contract):
    """A waitlist entry as `GET /v1/waitlist-entries/{id}` renders it (docs/waitlists.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)  # `from`, a keyword
    id: Id
    status: Literal["waiting", "offered", "booked", "expired", "declined", "lapsed"]
    service_id: Id
    location_id: Id
    resource_id: Id | None
    from_: Timestamp = Field(alias="from")
    to: Timestamp
    metadata: Metadata
    booking_id: Id | None
    offered_at: UtcTimestamp | None
    created_at: UtcTimestamp
    updated_at: UtcTimestamp


DataT = TypeVar("DataT", bound=_Contract)


class _Envelope(_Contract, Generic[DataT]):
    id: Id = Field(description="Stable per stream record and type: a consumer drops duplicates by it.")
    type: str
    version: Literal["1"] = Field("1", description="The schema version; a breaking change gets a new one.")
    project_id: Id
    time: UtcTimestamp = Field(description="When the change was committed (the stream record's time).")
    data: DataT = Field(description="The object as the API renders it; for *.deleted, as it was.")
    changes: list[str] | None = Field(
        description="For *.updated, *.finalized and *.canceled: the API fields that differ, sorted; "
        "null otherwise."
    )


class BookingEvent(_Envelope[BookingData]):
    type: BookingEventType


class BookingGroupEvent(_Envelope[BookingGroupData]):
    type: BookingGroupEventType


class BookingSeriesEvent(_Envelope[BookingSeriesData]):
    type: BookingSeriesEventType


class WaitlistEntryEvent(_Envelope[WaitlistEntryData]):
    type: WaitlistEntryEventType


Envelope = BookingEvent | BookingGroupEvent | BookingSeriesEvent | WaitlistEntryEvent
FAMILIES: dict[
    str, type[BookingEvent] | type[BookingGroupEvent] | type[BookingSeriesEvent] | type[WaitlistEntryEvent]
] = {
    "booking": BookingEvent,
    "booking_group": BookingGroupEvent,
    "booking_series": BookingSeriesEvent,
    "waitlist_entry": WaitlistEntryEvent,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """The published JSON Schema (draft 2020-12) of each event family, by file name. Serialization mode:
    what a consumer receives, where fields with a default (the version) are always present."""
    return {
        schema_file(family): {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE_URI}/{schema_file(family)}",
            **model.model_json_schema(mode="serialization"),
        }
        for family, model in FAMILIES.items()
    }
