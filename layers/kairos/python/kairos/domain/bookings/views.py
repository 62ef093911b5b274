"""How a booking is shown and listed: its fields in Hapio's order, what lists filter and sort on, and its
rendering. Kept apart from the writing rules because the API, booking groups and the event mapper all show
bookings the same way, through this module."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE, EntityKind, render
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import FieldType, ListSpec
from kairos.domain.shared.records import Booking, Record
from kairos.values.formats import format_timestamp, stored_timestamp, zone
from kairos.values.ids import is_uuid, normal_id

UTC_ZONE = ZoneInfo("UTC")
BOOKING_FIELDS = (
    "id",
    "resource_id",
    "resource",
    "service_id",
    "service",
    "location_id",
    "location",
    "booking_group_id",
    "booking_group",
    "booking_series_id",  # Kairos: the series the booking is an occurrence of (docs/booking-series.md)
    "price",
    "metadata",
    "protected_metadata",
    "is_temporary",
    "is_canceled",
    "starts_at",
    "ends_at",
    "buffer_starts_at",
    "buffer_ends_at",
    "created_at",
    "updated_at",
    "finalized_at",
    "canceled_at",
    "expires_at",
)
_TIMES = ("starts_at", "ends_at", "buffer_starts_at", "buffer_ends_at", "created_at", "updated_at")
BOOKING_SORT_KEYS = _TIMES
BOOKING_LIST = ListSpec(
    bracket_fields={
        "price": FieldType.PRICE,
        **{name: FieldType.TIMESTAMP for name in (*_TIMES, "finalized_at", "canceled_at")},
        "metadata": FieldType.JSON,
        "protected_metadata": FieldType.JSON,
    },
    sort_keys=BOOKING_SORT_KEYS,
    plain_filters={
        "resource": lambda item, value: item["resource_id"] == normal_id(value),
        "service": lambda item, value: item["service_id"] == normal_id(value),
        "location": lambda item, value: item["location_id"] == normal_id(value),
        "booking_series_id": lambda item, value: item.get("booking_series_id") == normal_id(value),
    },
    tri_state={
        "temporary": lambda item: bool(item["is_temporary"]),
        "canceled": lambda item: bool(item["is_canceled"]),
    },
    default_sort=(("starts_at", False), ("id", False)),
)

ID_FIELDS = ("resource_id", "service_id", "location_id")  # what a booking names, each may be null


# The owners a list can be read by (each has its listing index), narrowest first: a query naming several
# reads the first one's bookings and filters the rest in memory.
LISTING_OWNERS = ("resource", "service", "location")


def listing_owner(query: Mapping[str, str]) -> tuple[str, str] | None:
    """The owner whose bookings hold every booking the query's plain filters can match, or None (the
    project's). A value that is no id matches no booking, so it names no owner to read by."""
    for kind in LISTING_OWNERS:
        value = query.get(kind)
        if value is not None and is_uuid(value):
            return kind, normal_id(value)
    return None


@dataclass(frozen=True)
class Entities:
    """Everything a booking renders with, read in one round trip; and each entity as rendered (for a
    viewer who may or may not see its protected metadata), since the bookings of a list or a series (up to
    104) show the same few entities again and again."""

    records: dict[tuple[str, str], Record]
    _shown: dict[tuple[str, str, bool], dict[str, Any]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def get(self, kind: str, entity_id: str | None) -> Record | None:
        return self.records.get((kind, entity_id)) if entity_id else None

    def shown(self, kind: EntityKind, record: Record, viewer: Principal) -> dict[str, Any]:
        """`render(kind, record, viewer)`, rendered once: each booking gets its own copy of it."""
        key = (kind.name, record.id, viewer.can(kind.protected_ability))
        if key not in self._shown:
            self._shown[key] = render(kind, record, viewer)
        return dict(self._shown[key])


def location_zone(location: Record | None) -> ZoneInfo:
    """Where a booking's local times are read and shown: its location's zone, UTC once it is deleted."""
    return zone(location.doc["time_zone"]) if location else UTC_ZONE


def flat(booking: Booking) -> dict[str, Any]:
    """The fields lists filter and sort on (instants as UTC text; the order of time is kept)."""
    return {
        **booking.doc,
        "id": booking.id,
        "resource_id": booking.resource_id,
        "service_id": booking.service_id,
        "location_id": booking.location_id,
        "starts_at": format_timestamp(booking.starts_at),
        "ends_at": format_timestamp(booking.ends_at),
        "buffer_starts_at": format_timestamp(booking.buffer_starts_at),
        "buffer_ends_at": format_timestamp(booking.buffer_ends_at),
        "created_at": format_timestamp(booking.created_at),
        "updated_at": format_timestamp(booking.updated_at),
        "is_canceled": booking.is_canceled,
    }


def render_booking(
    viewer: Principal, booking: Booking, entities: Entities, *, embedded: bool = False
) -> dict[str, Any]:
    """The booking as the API shows it; ids of deleted entities, and their objects, are null."""
    resource = entities.get("resource", booking.resource_id)
    service = entities.get("service", booking.service_id)
    location = entities.get("location", booking.location_id)
    where = location_zone(location)
    group = entities.get("booking_group", booking.doc.get("booking_group_id"))
    doc = booking.doc
    values: dict[str, Any] = {
        "id": booking.id,
        "resource_id": resource.id if resource else None,
        "resource": entities.shown(RESOURCE, resource, viewer) if resource else None,
        "service_id": service.id if service else None,
        "service": entities.shown(SERVICE, service, viewer) if service else None,
        "location_id": location.id if location else None,
        "location": entities.shown(LOCATION, location, viewer) if location else None,
        "price": doc.get("price"),
        "metadata": doc.get("metadata"),
        "protected_metadata": doc.get("protected_metadata"),
        "is_temporary": bool(doc.get("is_temporary")),
        "is_canceled": booking.is_canceled,
        "starts_at": format_timestamp(booking.starts_at, where),
        "ends_at": format_timestamp(booking.ends_at, where),
        "buffer_starts_at": format_timestamp(booking.buffer_starts_at, where),
        "buffer_ends_at": format_timestamp(booking.buffer_ends_at, where),
        "created_at": format_timestamp(booking.created_at),
        "updated_at": format_timestamp(booking.updated_at),
        "finalized_at": doc.get("finalized_at"),
        "canceled_at": doc.get("canceled_at"),
        "expires_at": _local(doc.get("expires_at"), where),
        "booking_series_id": doc.get("booking_series_id"),
    }
    if not embedded:
        values["booking_group_id"] = group.id if group else None
        values["booking_group"] = _group_summary(group, viewer) if group else None
    if not viewer.can("booking:protected_metadata"):
        values.pop("protected_metadata")
    return {f: values[f] for f in BOOKING_FIELDS if f in values}


def _local(text: str | None, where: ZoneInfo) -> str | None:
    """A stored UTC timestamp shown in the location's zone, as the booking's own times are."""
    return format_timestamp(stored_timestamp(text), where) if text else None


def _group_summary(group: Record, viewer: Principal) -> dict[str, Any]:
    values = {
        "id": group.id,
        "metadata": group.doc.get("metadata"),
        "protected_metadata": group.doc.get("protected_metadata"),
        "created_at": format_timestamp(group.created_at),
        "updated_at": format_timestamp(group.updated_at),
    }
    if not viewer.can("booking_group:protected_metadata") and not viewer.can(
        "booking_group:read_protected_metadata"
    ):
        values.pop("protected_metadata")
    return values
