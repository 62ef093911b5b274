"""From DynamoDB stream records (NEW_AND_OLD_IMAGES, typed images) to domain event envelopes.

Only a booking's item (`PROJECT#<p>#BOOKING#<id>` / `BOOKING`, or its legacy key `PROJECT#<p>` /
`BOOKING#<id>`), a booking group's item (`BOOKING_GROUP#<id>`) and a waitlist entry's
(`PROJECT#<p>#WAITLIST` / `ENTRY#<id>`: created, deleted, and one event per status it reaches,
`waitlist_entry.offered`..., docs/waitlists.md) make events; timeline holds, ledgers, rate windows and every
other item are bookkeeping and are skipped, as is a booking's move from its legacy key to its own partition
(the backfill `bookings`).

- INSERT is `*.created`, REMOVE is `*.deleted` (the object rendered from the old image), except the
  removal of a temporary booking past its `expires_at` (the hold sweep's), which is `booking.expired`.
- MODIFY of a booking is `booking.canceled` when `is_canceled` went false -> true, `booking.finalized` when
  `is_temporary` went true -> false, else `booking.updated`; when no rendered field differs (only the
  version moved), nothing.
- A booking series' item makes `booking_series.created` once shown, `booking_series.canceled` when canceled
  from a date on (`kairos.stream.series_events`).
- MODIFY of a group is `booking_group.updated`. A group has no flag of its own, so `booking_group.finalized`
  and `booking_group.canceled` are never emitted in version 1: each member booking emits its own
  `booking.finalized` / `booking.canceled` (docs/events.md).

Objects are rendered by the API's own code (`render_booking`, `BookingGroups.render`) for a principal with
every ability, so `data` is exactly what `GET` returns. The referenced resource, service, location and group
are read from the table when the record is mapped (their state then, not at the write). A group's members
are taken from the same batch's images when the batch holds them (a group and its bookings are written in
one transaction, so their records usually arrive together), else read from the table.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kairos.container import Container
from kairos.domain.bookings.bookings import Bookings
from kairos.domain.bookings.groups import BookingGroups
from kairos.domain.bookings.holds import is_expired
from kairos.domain.bookings.views import render_booking
from kairos.domain.projects.auth import Principal, system_principal
from kairos.domain.shared.ports import BookingRepository
from kairos.domain.shared.records import Booking, Record
from kairos.events.contract import EventEnvelope, checked, event_id, event_time
from kairos.storage import keys
from kairos.storage.booking_items import booking_from
from kairos.storage.dynamodb import record_from
from kairos.stream.changes import (
    BOOKING,
    BOOKING_GROUP,
    BOOKING_SERIES,
    WAITLIST_ENTRY,
    BatchBookings,
    ItemChange,
)


def principal(project_id: str) -> Principal:
    """A principal with every ability on the project, so objects render with every field."""
    return system_principal(project_id, "event-mapper")


class EventMapper:
    def __init__(self, bookings: Bookings, groups: BookingGroups, store: BookingRepository) -> None:
        self._bookings = bookings
        self._groups = groups
        self._store = store

    @classmethod
    def from_container(cls, container: Container) -> "EventMapper":
        return cls(container.bookings, container.booking_groups, container.booking_store)

    def map_change(self, change: ItemChange, batch: BatchBookings) -> EventEnvelope | None:
        if change.entity == BOOKING:
            return self._booking_event(change)
        if change.entity == WAITLIST_ENTRY:
            return _entry_event(change)
        if change.entity == BOOKING_SERIES:
            from kairos.stream.series_events import series_event  # the series' models: with its first change

            found = series_event(
                principal(change.project_id), change.old, change.new, self._bookings, self._store
            )
            return _envelope(change, found[0], found[1], found[2]) if found else None
        return self._group_event(change, batch)

    def _booking_event(self, change: ItemChange) -> EventEnvelope | None:
        if self._moved(change):
            return None
        viewer = principal(change.project_id)
        old = booking_from(change.old) if change.old else None
        new = booking_from(change.new) if change.new else None
        entities = self._bookings.entities(viewer, [b for b in (old, new) if b is not None])
        before = render_booking(viewer, old, entities) if old else None
        after = render_booking(viewer, new, entities) if new else None
        classified = _classify(BOOKING, before, after)
        if classified is None:
            return None
        event_type, changed = classified
        if (
            new is None
            and old is not None
            and is_expired(old, datetime.fromtimestamp(change.epoch_seconds, UTC))
        ):
            event_type = "booking.expired"
        if changed is not None and before and after:
            if not before["is_canceled"] and after["is_canceled"]:
                event_type = "booking.canceled"
            elif before["is_temporary"] and not after["is_temporary"]:
                event_type = "booking.finalized"
        return _envelope(change, event_type, after or before, changed)

    def _moved(self, change: ItemChange) -> bool:
        """Whether a booking item's removal is its move to its own partition by the backfill `bookings`
        (the legacy item removed, the booking there under its key): no event. Its insertion there is
        none either (`kairos.stream.changes`)."""
        old = change.old
        if change.new is not None or old is None or not keys.is_legacy_booking_key(old):
            return False
        return self._store.get(change.project_id, str(old["id"])) is not None

    def _group_event(self, change: ItemChange, batch: BatchBookings) -> EventEnvelope | None:
        viewer = principal(change.project_id)
        before = self._render_group(viewer, record_from(change.old), batch.before) if change.old else None
        after = self._render_group(viewer, record_from(change.new), batch.after) if change.new else None
        classified = _classify(BOOKING_GROUP, before, after)
        if classified is None:
            return None
        event_type, changed = classified
        return _envelope(change, event_type, after or before, changed)

    def _render_group(
        self, viewer: Principal, group: Record, in_batch: Mapping[tuple[str, str], Booking | None]
    ) -> dict[str, Any]:
        ids = [str(i) for i in group.doc.get("booking_ids", [])]
        missing = [i for i in ids if (viewer.project_id, i) not in in_batch]
        stored = {b.id: b for b in self._store.get_many(viewer.project_id, missing)} if missing else {}
        members = [in_batch.get((viewer.project_id, i)) or stored.get(i) for i in ids]
        return self._groups.render(viewer, group, [m for m in members if m is not None])


def _entry_event(change: ItemChange) -> EventEnvelope | None:
    """`waitlist_entry.created` / `.deleted`, and for a change the status it reached (`.offered`...). The
    entries' module is loaded by the first entry's change (it loads no pydantic: its input model is apart)."""
    from kairos.waitlists.entries import render as render_entry

    before = render_entry(record_from(change.old)) if change.old else None
    after = render_entry(record_from(change.new)) if change.new else None
    classified = _classify(WAITLIST_ENTRY, before, after)
    if classified is None:
        return None
    event_type, changed = classified
    if before and after:
        if before["status"] == after["status"]:
            return None
        event_type = f"{WAITLIST_ENTRY}.{after['status']}"
    return _envelope(change, event_type, after or before, changed)


def _envelope(
    change: ItemChange, event_type: str, data: dict[str, Any] | None, changed: list[str] | None
) -> EventEnvelope:
    """Checked against the family's published schema: an object that does not match the contract fails
    here (`kairos.events.contract`)."""
    return checked(
        change.entity,
        {
            "id": event_id(change.record_id, event_type),
            "type": event_type,
            "project_id": change.project_id,
            "time": event_time(change.epoch_seconds),
            "data": data,
            "changes": changed,
        },
    )


def _classify(
    entity: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[str, list[str] | None] | None:
    """The event type and changed fields that the rendered old and new objects make: created, deleted or
    updated; None when nothing a client sees changed."""
    if before is None:
        return f"{entity}.created", None
    if after is None:
        return f"{entity}.deleted", None
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return (f"{entity}.updated", changed) if changed else None
