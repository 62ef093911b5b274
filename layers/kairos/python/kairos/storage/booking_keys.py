"""Keys of bookings and what a booking write touches (docs/table.md): a resource's schedules, timeline,
ledger and schedule version, the booking items, their listings on GSI1-4, and the listings of expiring
holds."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from kairos.storage.key_parts import entity_partition, owned_partition, shard_of, utc_key

# --- a resource's schedules and timeline ----------------------------------------------------------------
# A resource's partition (`owned_partition(p, "resource", r)`) holds its associations, its schedules and a
# timeline: items sorted by the instant they end, so a window's short entries are one bounded key range
# (storage/timeline_head.py). Recurring schedules sit after every time (`TL#~#...`); they and the long
# entries are copied into the schedule-version item, the timeline's head, which windows read by key.

TIMELINE_PREFIX = "TL#"


def recurring_schedule(project_id: str, resource_id: str, schedule_id: str) -> dict[str, str]:
    return {"PK": owned_partition(project_id, "resource", resource_id), "SK": f"TL#~#RSCHED#{schedule_id}"}


RECURRING_SCHEDULE_PREFIX = "TL#~#RSCHED#"


def schedule_block(project_id: str, resource_id: str, block_id: str) -> dict[str, str]:
    return {"PK": owned_partition(project_id, "resource", resource_id), "SK": f"SBLOCK#{block_id}"}


SCHEDULE_BLOCK_PREFIX = "SBLOCK#"


def timeline_entry(
    project_id: str, resource_id: str, ends_at: datetime, kind: str, item_id: str
) -> dict[str, str]:
    """The timeline copy of a one-off block or a booking, keyed by when it ends."""
    return {
        "PK": owned_partition(project_id, "resource", resource_id),
        "SK": f"{TIMELINE_PREFIX}{utc_key(ends_at)}#{kind.upper()}#{item_id}",
    }


def timeline_from(instant: datetime) -> str:
    return f"{TIMELINE_PREFIX}{utc_key(instant)}"


# A booking item is alone in a partition of its own, so that a get is one GetItem and a booking write
# touches no partition another booking's write does. Items written before sit in the project's entity
# partition (`legacy_booking`) until the backfill `bookings` moves them (kairos/storage/booking_moves.py);
# until then readers look for a booking under its key, then under its legacy key.

BOOKING_SORT_KEY: Final = "BOOKING"
LEGACY_BOOKING_PREFIX: Final = "BOOKING#"
# What the backfill marks the item it moves with: its insertion there is no event (kairos.stream.changes).
BOOKING_MOVED: Final = "moved"


def booking(project_id: str, booking_id: str) -> dict[str, str]:
    return {"PK": owned_partition(project_id, "booking", booking_id), "SK": BOOKING_SORT_KEY}


def legacy_booking(project_id: str, booking_id: str) -> dict[str, str]:
    """Where a booking item was before it had its own partition (the project's entity partition)."""
    return {"PK": entity_partition(project_id), "SK": f"{LEGACY_BOOKING_PREFIX}{booking_id}"}


def is_booking_key(project_id: str, key: Mapping[str, object]) -> bool:
    """Whether a key is a booking item's of the project, in either layout."""
    partition, sort_key = str(key.get("PK", "")), str(key.get("SK", ""))
    if sort_key == BOOKING_SORT_KEY:
        return partition.startswith(owned_partition(project_id, "booking", ""))
    return partition == entity_partition(project_id) and sort_key.startswith(LEGACY_BOOKING_PREFIX)


def is_legacy_booking_key(key: Mapping[str, object]) -> bool:
    return str(key.get("SK", "")).startswith(LEGACY_BOOKING_PREFIX)


LEDGER_PREFIX = "LEDGER#"


def ledger(project_id: str, resource_id: str, node: str) -> dict[str, str]:
    """A resource's capacity ledger item for one UTC hour (`H#2026-11-25T14`) or day (`D#2026-11-25`):
    counters booking writes bump and checked booking writes condition on (see storage/ledger.py)."""
    return {"PK": owned_partition(project_id, "resource", resource_id), "SK": f"{LEDGER_PREFIX}{node}"}


def resource_of(partition: str) -> str | None:
    """The resource id of a resource's partition (`owned_partition(p, "resource", r)`), else None."""
    head, separator, resource_id = partition.rpartition("#RESOURCE#")
    return resource_id if separator and head.startswith("PROJECT#") else None


def schedule_version(project_id: str, resource_id: str) -> dict[str, str]:
    """A version every schedule change of the resource bumps, so a booking checked against a schedule is
    written only if the schedule did not change in between."""
    return {"PK": owned_partition(project_id, "resource", resource_id), "SK": "SCHEDVER"}


def schedule_version_owner(item: Mapping[str, Any]) -> tuple[str, str] | None:
    """(project id, resource id) of a resource's schedule-version item (its timeline head), read from its
    key; None for any other item."""
    head, separator, resource_id = str(item.get("PK", "")).rpartition("#RESOURCE#")
    project_id = head.removeprefix("PROJECT#")
    key = schedule_version(project_id, resource_id)
    found = separator and (item.get("PK"), item.get("SK")) == (key["PK"], key["SK"])
    return (project_id, resource_id) if found else None


# --- booking lists ----------------------------------------------------------------------------------------
# A booking item is listed in four indexes at once, each sparse and written by the booking's own Put (no
# extra item in its transaction): the project's bookings (GSI1) and those of its resource (GSI2), location
# (GSI3) and service (GSI4), each sorted by when the booking ends. A sort key starts with the booking's
# length class (`LENGTH_CLASSES`), so that a window [from, to) is one key range per class that reads what
# it needs: bookings of a class ending after `from` and less than the class's longest after `to` (the
# longest class is bounded by `from` alone). An owner's listing is spread over a fixed number of partitions
# (`BOOKING_LISTING_SHARDS`, the shard by booking id), so that one project's 1,000 booking writes a second
# stay far under a partition's 1,000 write units; a list reads every shard at once and merges them by sort
# key. docs/table.md, "booking lists".

BOOKING_LISTING_INDEXES: Final = {
    "project": "GSI1",
    "resource": "GSI2",
    "location": "GSI3",
    "service": "GSI4",
}
# A resource takes a few bookings a second at most (its own ledger and timeline head are written by each),
# so its listing stays whole; a project, a location or a service may take all of a project's bookings.
BOOKING_LISTING_SHARDS: Final = {"project": 8, "resource": 1, "location": 8, "service": 8}
LENGTH_CLASSES: Final[tuple[tuple[str, timedelta | None], ...]] = (
    ("H", timedelta(hours=2)),
    ("D", timedelta(days=1)),
    ("W", timedelta(days=7)),
    ("L", None),
)


def length_class(starts_at: datetime, ends_at: datetime) -> str:
    return next(name for name, longest in LENGTH_CLASSES if longest is None or ends_at - starts_at <= longest)


def booking_listing_partition(project_id: str, kind: str = "project", entity_id: str = "") -> str:
    """The index partition of a project's bookings, or of those of one resource, location or service, as
    it was before the listings were sharded (a resource's is still this one: its listing has one shard)."""
    if kind == "project":
        return f"PROJECT#{project_id}#BOOKINGS"
    return f"{owned_partition(project_id, kind, entity_id)}#BOOKINGS"


def booking_listing_shards(project_id: str, kind: str = "project", entity_id: str = "") -> list[str]:
    """Every partition of an owner's listing (of the project when `kind` is "project")."""
    return [_listing_shard(project_id, kind, entity_id, n) for n in range(BOOKING_LISTING_SHARDS[kind])]


def _listing_shard(project_id: str, kind: str, entity_id: str, shard: int) -> str:
    """One partition of an owner's listing (the whole listing's when it has one shard)."""
    whole = booking_listing_partition(project_id, kind, entity_id)
    return whole if BOOKING_LISTING_SHARDS[kind] == 1 else f"{whole}#{shard}"


def booking_listings(
    project_id: str,
    booking_id: str,
    starts_at: datetime,
    ends_at: datetime,
    owners: Mapping[str, str | None],
) -> dict[str, str]:
    """The index keys of a booking item: the project's listing, and one per owner (`resource`, `location`,
    `service`) the booking names, each in the shard of the booking's id."""
    sort_key = f"{length_class(starts_at, ends_at)}#{utc_key(ends_at)}#{booking_id}"
    found: dict[str, str] = {}
    for kind, index in BOOKING_LISTING_INDEXES.items():
        owner = "" if kind == "project" else owners.get(kind)
        if owner is not None:
            shard = shard_of(booking_id, BOOKING_LISTING_SHARDS[kind])  # only that shard's name is built
            found[f"{index}PK"] = _listing_shard(project_id, kind, owner, shard)
            found[f"{index}SK"] = sort_key
    return found


def booking_listing_ranges(start: datetime | None, end: datetime | None) -> list[tuple[str, str]]:
    """The sort-key ranges (inclusive bounds) holding every booking that ends after `start` and starts
    before `end` (either may be absent): one per length class, a booking of a class ending before `end`
    plus the class's longest; with neither, the classes' ranges meet, and one range holds them all (a
    quarter of the Queries of a list of everything)."""
    if start is None and end is None:
        names = sorted(name for name, _ in LENGTH_CLASSES)
        return [(f"{names[0]}#", f"{names[-1]}#~")]
    after = f"{utc_key(start)}#~" if start else ""
    return [
        (f"{name}#{after}", f"{name}#{utc_key(end + longest)}" if end and longest else f"{name}#~")
        for name, longest in LENGTH_CLASSES
    ]


# --- holds that expire ----------------------------------------------------------------------------------
# A temporary booking with `expires_at` lists its timeline hold in GSI1 by when it expires, in a partition
# of its resource's (so no partition is written by two projects, nor by more than one resource's booking
# writes); a timer names that partition when the hold expires (docs/bookings.md, "Removed at expiry").
# Holds written before that were listed in partitions projects shared (`HOLDEXPIRY#<0-7>`, then `<0-31>`):
# the scheduled sweep reads those until they are empty, and nothing writes them any more.

HOLD_EXPIRY_SUFFIX = "#HOLDEXPIRY"
LEGACY_HOLD_EXPIRY_SHARDS = 32
LEGACY_HOLD_EXPIRY_PREFIX = "HOLDEXPIRY#"


def hold_expiry_partition(project_id: str, resource_id: str) -> str:
    return f"{owned_partition(project_id, 'resource', resource_id)}{HOLD_EXPIRY_SUFFIX}"


def legacy_hold_expiry_partition(shard: int) -> str:
    return f"{LEGACY_HOLD_EXPIRY_PREFIX}{shard}"


def hold_expiry_listing(
    project_id: str, resource_id: str, booking_id: str, expires_at: datetime
) -> dict[str, str]:
    return {
        "GSI1PK": hold_expiry_partition(project_id, resource_id),
        "GSI1SK": f"{utc_key(expires_at)}#{booking_id}",
    }


def hold_expiry_before(instant: datetime) -> str:
    """The GSI1 sort key past every hold that expires before `instant` (second precision: at or before)."""
    return f"{utc_key(instant)}#~"
