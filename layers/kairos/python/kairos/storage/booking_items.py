"""How a booking is stored: its item (keyed by id in a partition of its own, with its listing keys) and
its hold on its resource's timeline. The store writes them in its transactions; the stream's readers and
the benches that load data directly read and build them here."""

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

from kairos.domain.shared.records import Booking
from kairos.storage import keys
from kairos.storage.dynamodb import dump_document, load_document
from kairos.storage.hold_store import hold_expiry_attributes


def booking_item(project_id: str, booking: Booking) -> dict[str, Any]:
    """A booking's item: its key, its listing keys and its attributes (the transaction puts it; the lists
    bench loads it directly)."""
    return {
        **keys.booking(project_id, booking.id),
        **listing_keys(project_id, booking),
        "entity": "booking",
        "project_id": project_id,
        "id": booking.id,
        "resource_id": booking.resource_id,
        "service_id": booking.service_id,
        "location_id": booking.location_id,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "buffer_starts_at": booking.buffer_starts_at.isoformat(),
        "buffer_ends_at": booking.buffer_ends_at.isoformat(),
        "created_at": booking.created_at.isoformat(),
        **own_attributes(booking),
    }


# The attributes of a booking's item that its document, cancelation, update time and version alone decide,
# with the field each comes from; every other attribute (its keys, listings, times) and its hold's come from
# the rest of its fields (where and when it is) and its document's expiry.
OWN_ATTRIBUTES = {
    "is_canceled": "is_canceled",
    "data": "doc",
    "updated_at": "updated_at",
    "version": "version",
}


_PLACE_FIELDS = tuple(f.name for f in fields(Booking) if f.name not in OWN_ATTRIBUTES.values())


def own_attributes(booking: Booking) -> dict[str, Any]:
    return {
        "is_canceled": booking.is_canceled,
        "data": dump_document(booking.doc),
        "updated_at": booking.updated_at.isoformat(),
        "version": booking.version,
    }


def same_place(before: Booking, after: Booking) -> bool:
    """Whether the two bookings' items differ at most in their own attributes (`OWN_ATTRIBUTES`), and their
    holds (if both hold capacity) at most in their expiry (`hold_expiry_attributes`)."""
    return all(getattr(before, name) == getattr(after, name) for name in _PLACE_FIELDS)


def own_changes(before: Booking, after: Booking) -> dict[str, Any]:
    """The own attributes of `after`'s item that differ from `before`'s (its document dumped only)."""
    own = own_attributes(after)
    return {
        name: own[name]
        for name, field in OWN_ATTRIBUTES.items()
        if getattr(before, field) != getattr(after, field)
    }


def hold_item(project_id: str, booking: Booking) -> dict[str, Any]:
    """A booking's hold on its resource's timeline (the transaction puts it; the timelines bench loads it
    directly)."""
    return {
        **hold_key(project_id, booking),
        "entity": "timeline_booking",
        "id": booking.id,
        "location_id": booking.location_id,
        "service_id": booking.service_id,  # its service's booking limits count it
        "starts_at": keys.utc_key(booking.buffer_starts_at),
        "ends_at": keys.utc_key(booking.buffer_ends_at),
        "core_starts_at": keys.utc_key(booking.starts_at),
        "core_ends_at": keys.utc_key(booking.ends_at),
        **hold_expiry_attributes(project_id, booking),
    }


def hold_key(project_id: str, booking: Booking) -> dict[str, str]:
    assert booking.resource_id is not None
    return keys.timeline_entry(project_id, booking.resource_id, booking.buffer_ends_at, "booking", booking.id)


def listing_keys(project_id: str, booking: Booking) -> dict[str, str]:
    """The index keys that list the booking (keys.booking_listings)."""
    owners = {"resource": booking.resource_id, "location": booking.location_id, "service": booking.service_id}
    return keys.booking_listings(project_id, booking.id, booking.starts_at, booking.ends_at, owners)


def booking_from(item: Mapping[str, Any]) -> Booking:
    """A booking from its stored item (a read, or a stream image deserialized)."""
    return Booking(
        id=item["id"],
        resource_id=item.get("resource_id"),
        service_id=item.get("service_id"),
        location_id=item.get("location_id"),
        starts_at=datetime.fromisoformat(item["starts_at"]),
        ends_at=datetime.fromisoformat(item["ends_at"]),
        buffer_starts_at=datetime.fromisoformat(item["buffer_starts_at"]),
        buffer_ends_at=datetime.fromisoformat(item["buffer_ends_at"]),
        doc=load_document(item["data"]),
        created_at=datetime.fromisoformat(item["created_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        is_canceled=bool(item.get("is_canceled", False)),
        version=int(item["version"]),
    )
