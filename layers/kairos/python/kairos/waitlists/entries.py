"""Waitlist entries (docs/waitlists.md): what a person waits for (a service at a location, a resource if they
care which, a window they would take) and where the wait stands. Pure: the statuses and their changes,
rendering, and the choice of what to offer (which entries, oldest first; which slots). The input model
(pydantic) is `kairos.waitlists.entry_input`, loaded by the create that parses a body, not by the offer
step, the store or the stream mapper.

An entry waits until the offer step (`kairos.waitlists.offers`) books a hold for it, then follows its hold:

    waiting --offer (a hold in the window)--> offered --hold finalized--> booked
                                                     --hold expired-----> expired
                                                     --hold canceled or deleted--> declined
    waiting --its window has begun to pass with nothing offered--> lapsed

Each change is a write conditioned on the status it leaves, so it happens once whatever runs twice.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kairos.domain.shared.records import Record
from kairos.values.formats import format_timestamp, parse_timestamp, stored_timestamp

KIND = "waitlist_entry"
WAITING, OFFERED, BOOKED, EXPIRED, DECLINED, LAPSED = (
    "waiting",
    "offered",
    "booked",
    "expired",
    "declined",
    "lapsed",
)
STATUSES = (WAITING, OFFERED, BOOKED, EXPIRED, DECLINED, LAPSED)
QUEUED = "queued_ns"  # the order of entries created in one second (timestamps are whole seconds)
# How long an offered hold lasts when the project has no default hold time (`kairos project hold-time`).
DEFAULT_OFFER_HOLD = "PT15M"


def render(record: Record) -> dict[str, Any]:
    doc = record.doc
    return {
        "id": record.id,
        "status": doc["status"],
        "service_id": doc["service_id"],
        "location_id": doc["location_id"],
        "resource_id": doc.get("resource_id"),
        "from": doc["from"],
        "to": doc["to"],
        "metadata": doc.get("metadata"),
        "booking_id": doc.get("booking_id"),
        "offered_at": doc.get("offered_at"),
        "created_at": format_timestamp(record.created_at),
        "updated_at": format_timestamp(record.updated_at),
    }


def changed(record: Record, now: datetime, **fields: Any) -> Record:
    """The entry with `fields` set, one version on."""
    return Record(
        record.kind, record.id, {**record.doc, **fields}, record.created_at, now, record.version + 1
    )


# --- choosing what to offer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def window_of(record: Record) -> Window:
    return Window(stored_timestamp(record.doc["from"]), stored_timestamp(record.doc["to"]))


def turn_of(entry: Record) -> tuple[datetime, int, str]:
    """When the entry joined: its creation time and, within that second, the nanosecond its creating
    instance read (`queued_ns`, kept in the document, not shown), then its id."""
    return (entry.created_at, int(entry.doc.get(QUEUED, 0)), entry.id)


def in_turn(entries: Sequence[Record], now: datetime) -> list[Record]:
    """The waiting entries whose window has not passed, oldest first: the order in which a place that frees
    up is offered."""
    waiting = [e for e in entries if e.doc["status"] == WAITING and window_of(e).end > now]
    return sorted(waiting, key=turn_of)


def lapsed(entries: Sequence[Record], now: datetime) -> list[Record]:
    """The waiting entries whose window has passed: nothing can be offered to them any more."""
    return [e for e in entries if e.doc["status"] == WAITING and window_of(e).end <= now]


Group = tuple[str, str | None]  # (service id, resource id or None): entries whose places one listing shows


@dataclass(frozen=True)
class Freed:
    """Whose places a change may have freed, as its vacancy signal names them: one service's (a service's
    rules changed), one resource's (its places or busy times; whatever service it performs), both (the
    resource now performs the service), or (None, None) anyone's at the location. An entry for another
    service, or naming another resource, can take none of them: the offer step leaves it waiting."""

    service_id: str | None = None
    resource_id: str | None = None

    def concerns(self, entry: Record) -> bool:
        doc = entry.doc
        service = self.service_id is None or doc["service_id"] == self.service_id
        return service and (self.resource_id is None or doc.get("resource_id") in (None, self.resource_id))


ANY_PLACE = Freed()


def group_of(entry: Record) -> Group:
    return (str(entry.doc["service_id"]), entry.doc.get("resource_id"))


def reach(entries: Sequence[Record], now: datetime, longest: timedelta) -> list[Window]:
    """The windows to list free places in for these entries (of one group): from the earliest start (not
    before now) to the latest end, cut in pieces no longer than one slot listing may ask for."""
    start = max(now, min(window_of(e).start for e in entries))
    end = max(window_of(e).end for e in entries)
    pieces = []
    while start < end:
        pieces.append(Window(start, min(end, start + longest)))
        start += longest
    return pieces


def fitting_slots(
    entry: Record, slots: Sequence[dict[str, Any]], used: Mapping[tuple[str, str], int]
) -> list[tuple[str, str]]:
    """(starts_at, ends_at) of the listed slots that lie inside the entry's window and still have a place
    (a slot has one per resource listed with it, less those `used` already), earliest first: a fixed slot
    as listed, a flexible one at its shortest (`min_ends_at`)."""
    window = window_of(entry)
    found = []
    for slot in slots:
        place = (slot["starts_at"], slot.get("min_ends_at") or slot["ends_at"])
        inside = window.start <= parse_timestamp(place[0]) and parse_timestamp(place[1]) <= window.end
        if inside and used.get(place, 0) < len(slot["resources"]):
            found.append(place)
    return sorted(found, key=lambda s: parse_timestamp(s[0]))
