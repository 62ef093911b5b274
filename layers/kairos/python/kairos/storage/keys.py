"""Every key of the single table is built here, and nowhere else (see docs/table.md for the patterns)."""

import zlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Final

PROJECTS: Final = "PROJECTS"


def project(project_id: str) -> dict[str, str]:
    return {"PK": f"PROJECT#{project_id}", "SK": "PROJECT"}


def project_listing(project_id: str) -> dict[str, str]:
    return {"GSI1PK": PROJECTS, "GSI1SK": f"PROJECT#{project_id}"}


def token(token_hash: str) -> dict[str, str]:
    return {"PK": f"TOKEN#{token_hash}", "SK": "TOKEN"}


def token_listing(project_id: str, token_id: str) -> dict[str, str]:
    return {"GSI1PK": f"PROJECT#{project_id}#TOKENS", "GSI1SK": f"TOKEN#{token_id}"}


def token_listing_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#TOKENS"


# A project whose per-minute limit is more than one item should take (RATE_SHARD_PER_MINUTE: 500 writes a
# second, half a partition's 1,000) counts in several items, its limits split between them
# (kairos/storage/rate_store.py); shard 0 is the one item every other counter has, so counters written
# before the split are its shard 0.

RATE_SHARD_PER_MINUTE: Final = 30_000
RATE_MAX_SHARDS: Final = 32


def rate_counter_shards(per_minute: int) -> int:
    """How many items a project's counter spreads over at this per-minute limit."""
    return max(1, min(RATE_MAX_SHARDS, -(-per_minute // RATE_SHARD_PER_MINUTE)))


def rate_counter(subject: str, month: str, shard: int = 0) -> dict[str, str]:
    """The request counter of a project (its id) or of a source address without a token, for one UTC
    month (`YYYY-MM`): its admitted requests that month and in its latest minute (in this shard)."""
    return {"PK": f"RATE#{subject}" + (f"#{shard}" if shard else ""), "SK": f"MONTH#{month}"}


def entity_prefix(kind: str) -> str:
    """Sort-key prefix of a catalogue entity kind (`location` -> `LOCATION#`)."""
    return f"{kind.upper()}#"


def entity(project_id: str, kind: str, entity_id: str) -> dict[str, str]:
    return {"PK": f"PROJECT#{project_id}", "SK": f"{entity_prefix(kind)}{entity_id}"}


def entity_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def owned_partition(project_id: str, kind: str, entity_id: str) -> str:
    """The partition of what belongs to one entity: a service's resources, a resource's services (and,
    later, its schedules and bookings)."""
    return f"PROJECT#{project_id}#{kind.upper()}#{entity_id}"


def association(
    project_id: str, owner_kind: str, owner_id: str, other_kind: str, other_id: str
) -> dict[str, str]:
    return {
        "PK": owned_partition(project_id, owner_kind, owner_id),
        "SK": f"{entity_prefix(other_kind)}{other_id}",
    }


# --- a resource's schedules and timeline ----------------------------------------------------------------
# A resource's partition (`owned_partition(p, "resource", r)`) holds its associations, its schedules and a
# timeline: items sorted by the instant they end, so a window's short entries are one bounded key range
# (storage/timeline_head.py). Recurring schedules sit after every time (`TL#~#...`); they and the long
# entries are copied into the schedule-version item, the timeline's head, which windows read by key.

TIMELINE_PREFIX = "TL#"


def utc_key(instant: datetime) -> str:
    """A fixed-width UTC text that sorts as time does."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def booking(project_id: str, booking_id: str) -> dict[str, str]:
    return {"PK": entity_partition(project_id), "SK": f"BOOKING#{booking_id}"}


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


def shard_of(identifier: str, shards: int) -> int:
    """A stable shard in `range(shards)` for an id or any text (the same on every instance and every run: a
    CRC, not Python's salted hash): how a hot family of keys spreads over several partitions by something
    each write already knows."""
    return zlib.crc32(identifier.encode()) % shards


def booking_listing_partition(project_id: str, kind: str = "project", entity_id: str = "") -> str:
    """The index partition of a project's bookings, or of those of one resource, location or service, as
    it was before the listings were sharded (a resource's is still this one: its listing has one shard)."""
    if kind == "project":
        return f"PROJECT#{project_id}#BOOKINGS"
    return f"{owned_partition(project_id, kind, entity_id)}#BOOKINGS"


def booking_listing_shards(project_id: str, kind: str = "project", entity_id: str = "") -> list[str]:
    """Every partition of an owner's listing (of the project when `kind` is "project")."""
    whole = booking_listing_partition(project_id, kind, entity_id)
    shards = BOOKING_LISTING_SHARDS[kind]
    return [whole] if shards == 1 else [f"{whole}#{n}" for n in range(shards)]


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
            shards = booking_listing_shards(project_id, kind, owner)
            found[f"{index}PK"] = shards[shard_of(booking_id, len(shards))]
            found[f"{index}SK"] = sort_key
    return found


def booking_listing_ranges(start: datetime | None, end: datetime | None) -> list[tuple[str, str]]:
    """The sort-key ranges (inclusive bounds, one per length class) holding every booking that ends after
    `start` and starts before `end` (either may be absent): a booking of a class ends before `end` plus
    the class's longest."""
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


# --- calendar feeds ---------------------------------------------------------------------------------------
# A secret feed URL is a project entity (`entity(p, "calendar_feed", f)`) and a lookup item keyed by the
# hash of its secret, which is how an unauthenticated feed request finds its project.


def calendar_feed_key(key_hash: str) -> dict[str, str]:
    return {"PK": f"CALFEEDKEY#{key_hash}", "SK": "CALFEEDKEY"}


# --- webhooks and usage ---------------------------------------------------------------------------------
# A webhook subscription is a project entity (`entity(p, "webhook", w)`); its delivery log is the partition
# it owns (`owned_partition(p, "webhook", w)`), so deleting the subscription sweeps its deliveries too.

DELIVERY_PREFIX = "DELIVERY#"


def webhook_delivery(project_id: str, webhook_id: str, delivery_id: str) -> dict[str, str]:
    return {"PK": owned_partition(project_id, "webhook", webhook_id), "SK": f"{DELIVERY_PREFIX}{delivery_id}"}


def webhook_lane(project_id: str, webhook_id: str, lane: int) -> dict[str, str]:
    """One of a subscription's delivery lanes (`kairos.webhooks.lanes`), in the partition its log is in."""
    return {"PK": owned_partition(project_id, "webhook", webhook_id), "SK": f"LANE#{lane}"}


# A project's usage of a day is the sum of its day items, one per writer (a counting slot of one process,
# `kairos.storage.usage_store.usage_writer`, used by one transaction at a time): no two transactions ever
# update the same counter item at once, so none conflicts. The items spread over USAGE_SHARDS partitions by
# writer; a reader queries them all (and the legacy partition, of the items written before: one per day).

USAGE_SHARDS: Final = 8


def usage_partition(project_id: str) -> str:
    """The legacy partition of a project's usage (one item per day, before the counters were split)."""
    return f"USAGE#{project_id}"


def usage_shard(project_id: str, shard: int | str) -> str:
    return f"{usage_partition(project_id)}#{shard}"


def usage_partitions(project_id: str) -> list[str]:
    return [*(usage_shard(project_id, s) for s in range(USAGE_SHARDS)), usage_partition(project_id)]


def usage_day(project_id: str, day: str, writer: str) -> dict[str, str]:
    """One writer's usage counters of a project for one UTC day (`YYYY-MM-DD`)."""
    return {
        "PK": usage_shard(project_id, shard_of(writer, USAGE_SHARDS)),
        "SK": f"{usage_day_sort_key(day)}#{writer}",
    }


def usage_day_sort_key(day: str) -> str:
    """Where a day's items begin in a usage partition (the legacy item's whole key)."""
    return f"DAY#{day}"


def usage_days_end(day: str) -> str:
    """Past every item of `day` in a usage partition: a range of days is one key range."""
    return f"DAY#{day}~"


# A project's request log is spread over REQUEST_LOG_SHARDS partitions by event id (every request writes
# one entry, in a transaction: 2 write units), each sorted by time; a reader merges them. Entries written
# before the spread sit in the legacy partition `REQLOG#<p>` until they expire (30 days), read beside.

REQUEST_LOG_SHARDS: Final = (
    63  # with the legacy partition, 64 Queries: one wave at the client's 64 connections
)


def request_log_partition(project_id: str) -> str:
    """The legacy partition of a project's log (one for all its entries, before the spread)."""
    return f"REQLOG#{project_id}"


def request_log_shard(project_id: str, shard: int | str) -> str:
    return f"{request_log_partition(project_id)}#{shard}"


def request_log_partitions(project_id: str) -> list[str]:
    """Every partition a project's log may have entries in: its shards, and the legacy one."""
    return [
        *(request_log_shard(project_id, s) for s in range(REQUEST_LOG_SHARDS)),
        request_log_partition(project_id),
    ]


def request_log_position(epoch_ms: int, event_id: str) -> str:
    """A log entry's sort key: the time to the millisecond, fixed width, so a time range is a key range
    (in every shard), and the event id, so that positions are unique and ordered across shards."""
    return f"{epoch_ms:015d}#{event_id}"


def request_log(project_id: str, epoch_ms: int, event_id: str) -> dict[str, str]:
    """A project's request log entry (expires after 30 days), in the shard of its event id. It also marks
    its usage event as counted: a redelivered event has the same key, finds it and is not counted twice."""
    return {
        "PK": request_log_shard(project_id, shard_of(event_id, REQUEST_LOG_SHARDS)),
        "SK": request_log_position(epoch_ms, event_id),
    }


def request_log_bodies(project_id: str, event_id: str) -> dict[str, str]:
    """The request's and the answer's bodies of one log entry, apart from it (a few KB: in the entry they
    would make every log write several units), each entry's in a partition of its own, read by key."""
    return {"PK": f"{request_log_partition(project_id)}#BODY#{event_id}", "SK": "BODIES"}


def token_use_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#TOKENUSE"


def token_use(project_id: str, token_id: str) -> dict[str, str]:
    """When a token was last used (written by the metering consumer, never by the API request)."""
    return {"PK": token_use_partition(project_id), "SK": f"TOKEN#{token_id}"}


# --- idempotency ------------------------------------------------------------------------------------------
# Powertools' idempotency records (kairos/api/idempotency.py) sit in their project's partitions, spread over
# IDEMPOTENCY_SHARDS by the record's key (a hash of project, operation and Idempotency-Key, so a key always
# finds its record), and expire through the table's TTL. Records written before this layout, all under
# `LEGACY_IDEMPOTENCY`, are no longer read: they expire within 24 hours.

IDEMPOTENCY_PREFIX: Final = "IDEMPOTENCY#"
IDEMPOTENCY_SHARDS: Final = 16
LEGACY_IDEMPOTENCY: Final = "IDEMPOTENCY"


def idempotency_partition(project_id: str, shard: int | str) -> str:
    return f"{IDEMPOTENCY_PREFIX}{project_id}#{shard}"


def idempotency_record(project_id: str, record_key: str) -> dict[str, str]:
    """A project's idempotency record by Powertools' key for it (`<function>#<hash>`)."""
    shard = shard_of(record_key, IDEMPOTENCY_SHARDS)
    return {"PK": idempotency_partition(project_id, shard), "SK": record_key}


# --- the Portal: people, memberships, invitations, mailed secrets, audit -------------------------------


def one_time(secret_hash: str) -> dict[str, str]:
    """A mailed secret (verification, password reset, invitation) by its hash; it expires (TTL)."""
    return {"PK": f"ONETIME#{secret_hash}", "SK": "ONETIME"}


def account(account_id: str) -> dict[str, str]:
    """A person's profile, by Cognito's `sub`."""
    return {"PK": f"ACCOUNT#{account_id}", "SK": "ACCOUNT"}


def owned_projects(account_id: str) -> dict[str, str]:
    """How many live projects a person owns (`owned`), counted by conditioned updates."""
    return {"PK": f"ACCOUNT#{account_id}", "SK": "OWNED"}


def address_record(email: str, kind: str) -> dict[str, str]:
    """What Kairos keeps per email address to guard its account flows (`kairos.storage.account_guard_store`):
    `REGISTRATION` (who is writing the account now), `LOG_IN_GUARD` (log-ins since the last success),
    `RESETS` (reset links issued and used)."""
    return {"PK": f"ADDRESS#{email}", "SK": kind}


def session_cut_off(account_id: str) -> dict[str, str]:
    """A person's log-out time: sessions begun before it are refused (`cut_off`, epoch seconds)."""
    return {"PK": f"ACCOUNT#{account_id}", "SK": "SESSIONS"}


def members_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#MEMBERS"


def membership(project_id: str, account_id: str) -> dict[str, str]:
    return {"PK": members_partition(project_id), "SK": f"MEMBER#{account_id}"}


def memberships_of_partition(account_id: str) -> str:
    return f"ACCOUNT#{account_id}#PROJECTS"


def membership_listing(project_id: str, account_id: str) -> dict[str, str]:
    """GSI1: the projects a person belongs to."""
    return {"GSI1PK": memberships_of_partition(account_id), "GSI1SK": f"PROJECT#{project_id}"}


def invitations_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#INVITES"


def invitation(project_id: str, invitation_id: str) -> dict[str, str]:
    return {"PK": invitations_partition(project_id), "SK": f"INVITE#{invitation_id}"}


def audit_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#AUDIT"


def audit_entry(project_id: str, at: datetime, written_ns: int, entry_id: str) -> dict[str, str]:
    """Sorted by time, then by when it was written (ns): entries of one second keep their order."""
    return {"PK": audit_partition(project_id), "SK": f"{utc_key(at)}#{written_ns:020d}#{entry_id}"}


# --- calendar subscriptions (docs/calendar-subscriptions.md) ------------------------------------------------

CALENDAR_SUBSCRIPTION_PREFIX = "CALSUB#"
# GSI1: every subscription, which the poller reads, spread over a few partitions by the subscription's id, so
# the syncs' rewrites of the listed items (and the API's creations) spread. A subscription listed before in
# the one partition `CALSUBS` moves to its shard when it is next written (by its next sync).
CALENDAR_SUBSCRIPTION_SHARDS = 16
CALENDAR_SUBSCRIPTIONS = "CALSUBS"


def calendar_subscription(project_id: str, resource_id: str, subscription_id: str) -> dict[str, str]:
    return {
        "PK": owned_partition(project_id, "resource", resource_id),
        "SK": f"{CALENDAR_SUBSCRIPTION_PREFIX}{subscription_id}",
    }


def calendar_subscriptions_shard(shard: str) -> str:
    return f"{CALENDAR_SUBSCRIPTIONS}#{shard}"


def calendar_subscription_partitions() -> list[str]:
    """Every GSI1 partition the poller reads: the shards, and the one of before (until it is empty)."""
    shards = [calendar_subscriptions_shard(str(n)) for n in range(CALENDAR_SUBSCRIPTION_SHARDS)]
    return [*shards, CALENDAR_SUBSCRIPTIONS]


def calendar_subscription_listing(project_id: str, resource_id: str, subscription_id: str) -> dict[str, str]:
    shard = int(subscription_id.replace("-", "")[-4:], 16) % CALENDAR_SUBSCRIPTION_SHARDS
    return {
        "GSI1PK": calendar_subscriptions_shard(str(shard)),
        "GSI1SK": f"{project_id}#{resource_id}#{subscription_id}",
    }


# --- waitlists (docs/waitlists.md) --------------------------------------------------------------------------
# A project's waitlist entries share one partition (entries are few beside bookings), beside the link of each
# offered hold to its entry (`OFFER#<booking id>`). A waiting entry is also listed in GSI1 by its location,
# oldest first, which the offer step reads; the listing keys leave the item when the entry stops waiting.

WAITLIST_ENTRY_PREFIX = "ENTRY#"


def waitlist_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#WAITLIST"


def waitlist_entry(project_id: str, entry_id: str) -> dict[str, str]:
    return {"PK": waitlist_partition(project_id), "SK": f"{WAITLIST_ENTRY_PREFIX}{entry_id}"}


def waiting_listing_partition(project_id: str, location_id: str) -> str:
    return f"{owned_partition(project_id, 'location', location_id)}#WAITLIST"


def waiting_listing(project_id: str, location_id: str, turn: tuple[datetime, int, str]) -> dict[str, str]:
    """Sorted by when the entry joined (its creation second, then the nanosecond read, then its id)."""
    created_at, queued_ns, entry_id = turn
    return {
        "GSI1PK": waiting_listing_partition(project_id, location_id),
        "GSI1SK": f"{utc_key(created_at)}#{queued_ns:020d}#{entry_id}",
    }


def waitlist_offer(project_id: str, booking_id: str) -> dict[str, str]:
    """The link from an offered hold to its entry, read when the hold is finalized, canceled or removed."""
    return {"PK": waitlist_partition(project_id), "SK": f"OFFER#{booking_id}"}
