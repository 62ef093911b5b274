"""The changes a DynamoDB stream batch carries (`kairos.stream.mapper` maps them to envelopes): which
records are of items that make events, and the bookings the batch shows before and after. Kept apart from
the mapper, so the stream function reads its batch without loading the booking services and the event
models, which the first batch that makes an event loads."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kairos.domain.shared.records import Booking
from kairos.storage import keys
from kairos.storage.booking_items import booking_from
from kairos.storage.dynamodb import from_item

BOOKING = "booking"
BOOKING_GROUP = "booking_group"
WAITLIST_ENTRY = "waitlist_entry"
BOOKING_SERIES = "booking_series"
EVENT_ENTITIES = (BOOKING, BOOKING_GROUP, BOOKING_SERIES, WAITLIST_ENTRY)

Image = dict[str, Any]


@dataclass(frozen=True)
class ItemChange:
    """One stream record of an item that makes events, with its images deserialized."""

    record_id: str
    entity: str
    project_id: str
    old: Image | None
    new: Image | None
    epoch_seconds: float


def item_change(record: Mapping[str, Any]) -> ItemChange | None:
    """The change a Lambda-shaped DynamoDB stream record carries, or None for items that make no event."""
    stream = record["dynamodb"]
    old = from_item(stream["OldImage"]) if "OldImage" in stream else None
    new = from_item(stream["NewImage"]) if "NewImage" in stream else None
    image = new or old
    if image is None:
        return None
    entity = image.get("entity")
    if entity not in EVENT_ENTITIES or "project_id" not in image:
        return None
    project_id = str(image["project_id"])
    if entity == WAITLIST_ENTRY:
        if image.get("PK") != keys.waitlist_partition(project_id) or not str(image.get("SK", "")).startswith(
            keys.WAITLIST_ENTRY_PREFIX
        ):
            return None
    elif entity in (BOOKING_GROUP, BOOKING_SERIES):  # the listed item, not a group's copy read by key
        group = keys.entity(project_id, entity, str(image.get("id")))
        if (image.get("PK"), image.get("SK")) != (group["PK"], group["SK"]):
            return None
    elif not keys.is_booking_key(project_id, image) or (
        old is None and new is not None and keys.BOOKING_MOVED in new
    ):
        return None
    return ItemChange(
        record["eventID"], entity, project_id, old, new, float(stream["ApproximateCreationDateTime"])
    )


@dataclass(frozen=True)
class BatchBookings:
    """The bookings a batch of records shows before and after their change, by (project, booking id)."""

    before: dict[tuple[str, str], Booking | None]
    after: dict[tuple[str, str], Booking | None]

    @classmethod
    def of(cls, changes: Sequence[ItemChange]) -> "BatchBookings":
        before: dict[tuple[str, str], Booking | None] = {}
        after: dict[tuple[str, str], Booking | None] = {}
        for change in changes:
            if change.entity != BOOKING:
                continue
            key = (change.project_id, str((change.new or change.old or {})["id"]))
            before.setdefault(key, booking_from(change.old) if change.old else None)
            after[key] = booking_from(change.new) if change.new else None
        return cls(before, after)
