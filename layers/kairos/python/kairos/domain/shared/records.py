"""What the storage layer keeps and returns: entities as documents with their bookkeeping fields."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kairos.domain.shared.plans import plan_of
from kairos.errors import Conflict


@dataclass(frozen=True)
class Record:
    """A catalogue entity: `doc` holds the validated fields as the API renders them."""

    kind: str
    id: str
    doc: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    version: int = 1


@dataclass(frozen=True)
class Association:
    service_id: str
    resource_id: str
    created_at: datetime


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    enabled: bool
    plan: str
    rate_limit_per_minute: int
    created_at: datetime
    updated_at: datetime
    default_hold_time: str | None = None  # ISO 8601: how long a temporary booking holds its place

    @property
    def limits(self) -> "Limits":
        return Limits(self.rate_limit_per_minute, plan_of(self.plan).requests_per_month, self.plan)


@dataclass(frozen=True)
class Limits:
    """What the API enforces on a subject's requests: per minute, per month (None: no monthly limit), and
    for a project the plan they come from (named when the month's quota is used up)."""

    per_minute: int
    per_month: int | None = None
    plan: str = ""


@dataclass(frozen=True)
class Token:
    id: str
    project_id: str
    name: str
    abilities: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None = None
    token_hash: str = field(default="", repr=False)


@dataclass(frozen=True)
class Admission:
    """What counting one request left: the subject's admitted requests this minute and this month, the
    limit that refused it (`minute` or `month`; `closed`: the project was disabled; None: admitted and
    counted), and the limits applied."""

    minute: int
    month: int
    limits: Limits
    refused: str | None = None


@dataclass(frozen=True)
class TimelineBlock:
    """A one-off schedule block as the timeline holds it (enough to compute availability)."""

    id: str
    location_id: str
    starts_at: datetime
    ends_at: datetime
    is_available: bool


@dataclass(frozen=True)
class CalendarBusy:
    """A calendar subscription's busy times as its resource's timeline head holds them (the last good
    sync of its feed): instant spans (UTC, half-open, sorted) and all-day ranges of local dates (first, day
    after the last), which the slot engine resolves in the zone of the location being booked."""

    subscription_id: str
    name: str
    spans: tuple[tuple[datetime, datetime], ...] = ()
    days: tuple[tuple[date, date], ...] = ()


@dataclass(frozen=True)
class TimelineBooking:
    """A booking's hold on its resource's capacity: its buffer span (canceled bookings have none), and its
    own span (for `equalize`, which compares booked time without buffers)."""

    id: str
    location_id: str | None
    buffer_starts_at: datetime
    buffer_ends_at: datetime
    starts_at: datetime
    ends_at: datetime
    expires_at: datetime | None = None  # a temporary booking's: from then on it holds nothing
    service_id: str | None = None  # for the service's booking limits (None: written before they existed)


@dataclass(frozen=True)
class Release:
    """A hold that expired, given up for good: its timeline entry (on `resource_id`, keyed by the end of
    its buffer span) is marked released, if it is still the hold that expired at `expires_at`. A write
    that takes the place of an expired hold releases it in its own transaction; a write that keeps a
    hold's place is refused once it is released (docs/bookings.md, "The race")."""

    resource_id: str
    booking_id: str
    buffer_ends_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Timeline:
    """A resource's recurring schedules, and its blocks and holds overlapping a window (or, as the head of
    its timeline, all its long ones)."""

    recurring: list[Record]
    blocks: list[TimelineBlock]
    bookings: list[TimelineBooking]
    # Of a head: long entries that ended before this instant may have been pruned from it (they keep their
    # timeline items, which a window reaching back before it reads: storage/timeline_head.py).
    pruned_before: datetime | None = None
    # The busy times of the resource's calendar subscriptions (only in its head, each set whole).
    calendars: tuple[CalendarBusy, ...] = ()

    def merged(self, other: "Timeline") -> "Timeline":
        """These entries and `other`'s together (entries of the same window read in two parts)."""
        return Timeline(
            [*self.recurring, *other.recurring],
            self.blocks + other.blocks,
            self.bookings + other.bookings,
            self.pruned_before,
            self.calendars + other.calendars,
        )

    def misses(self, start: datetime) -> bool:
        """Whether a window from `start` needs long entries this head may have pruned."""
        return self.pruned_before is not None and start < self.pruned_before

    def joined(self, head: "Timeline", start: datetime, end: datetime) -> "Timeline":
        """These entries of a window [start, end) (a bounded read of the short ones), with the head's
        recurring schedules, its long entries overlapping the window and its calendars' busy times."""
        return Timeline(
            [*self.recurring, *head.recurring],
            self.blocks + [b for b in head.blocks if b.starts_at < end and b.ends_at > start],
            self.bookings
            + [b for b in head.bookings if b.buffer_starts_at < end and b.buffer_ends_at > start],
            calendars=self.calendars + head.calendars,
        )


@dataclass(frozen=True)
class Booking:
    id: str
    resource_id: str | None
    service_id: str | None
    location_id: str | None
    starts_at: datetime
    ends_at: datetime
    buffer_starts_at: datetime
    buffer_ends_at: datetime
    doc: dict[str, Any]  # the other API fields: price, metadata, flags, group, timestamps
    created_at: datetime
    updated_at: datetime
    is_canceled: bool = False
    version: int = 1

    @property
    def holds_capacity(self) -> bool:
        return self.resource_id is not None and not self.is_canceled


@dataclass(frozen=True)
class BookingChange:
    """One booking written (`after`), replaced (both) or deleted (`before` only), in one transaction with
    the others of its request. `guarded`: the checks ran, so the write must see the state they saw."""

    before: Booking | None
    after: Booking | None
    guarded: bool
    limits: tuple[str, ...] = ()  # the booking-limit counters `after` counts in (Hold.limits), when guarded
    # `before` is stored exactly as this code writes it (a series' hold, written by the same request): the
    # store may send only the attributes that change, in a write conditioned as the whole one would be.
    as_written: bool = False


@dataclass(frozen=True)
class GroupChange:
    """A booking group's own item, written in the same transaction as its bookings."""

    before: Record | None
    after: Record | None
    # When the store may remove the item written (the table's TTL): a series left pending by a writer that
    # died goes away by itself. None: it stays (a write without it removes an earlier one).
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Hold:
    """Capacity a check looks at or a write takes: a resource and a span."""

    resource_id: str
    start: datetime
    end: datetime
    # The counters of the service's booking limits the hold counts in (`L#<service>#D#2026-12-06`...): a
    # checked write conditions them as it conditions the ledger, a write that takes the place bumps them.
    limits: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerState:
    """What the store read before a check, to condition the write on: for each ledger item (by the
    store's own key) its counters, and each checked resource's schedule version (opaque to the domain),
    with the head of its timeline that the version guards (its recurring schedules and long entries: what
    the check passes to its timeline read)."""

    ledgers: dict[tuple[str, str], dict[str, int]]
    schedules: dict[str, int | None]
    heads: dict[str, Timeline] = field(default_factory=dict)

    def updated(self, newer: "LedgerState") -> "LedgerState":
        """These values, with those `newer` holds in their place."""
        return LedgerState(
            {**self.ledgers, **newer.ledgers},
            {**self.schedules, **newer.schedules},
            {**self.heads, **newer.heads},
        )


@dataclass(frozen=True)
class Premises:
    """Catalogue state a write was planned from, that its transaction checks still holds (refused with
    `StaleCatalogue` when one does not). From a warm instance's memory of the catalogue (docs/bookings.md,
    "The catalogue a warm instance remembers"): the records it used and the association of the resource it
    chose, each checked on its own item. For every checked booking, remembered or read: the service and
    location its resource was checked with, checked on that resource's own items (`catalogue`), so that
    bookings of different resources share no item."""

    records: frozenset[tuple[str, str, int]] = frozenset()  # (kind, id, version)
    associations: frozenset[tuple[str, str]] = frozenset()  # (service_id, resource_id)
    # (resource_id, kind, id, version, remembered): the service or location a booking of the resource used
    catalogue: frozenset[tuple[str, str, str, int, bool]] = frozenset()

    def __or__(self, other: "Premises") -> "Premises":
        return Premises(
            self.records | other.records,
            self.associations | other.associations,
            self.catalogue | other.catalogue,
        )

    def __len__(self) -> int:
        """How many items checking them adds to a transaction (the catalogue's ride on the resources')."""
        return len(self.records) + len(self.associations)


NO_PREMISES = Premises()


class StaleCatalogue(Exception):
    """A write was refused because one of its `Premises` no longer holds (or they would not fit its
    transaction): plan it again from fresh reads. Never leaves the booking service
    (`kairos.domain.bookings.bookings`, `kairos.domain.bookings.commit`)."""


class HoldGone(Exception):
    """A write that keeps a hold's place was refused on the hold's timeline entry: the hold expired by the
    commit's clock, or its place was released. Never leaves the booking service: it answers that the hold
    expired (`kairos.domain.bookings.holds.HoldExpired`)."""

    def __init__(self, booking_id: str) -> None:
        super().__init__(booking_id)
        self.booking_id = booking_id


class LostRace(Conflict):
    """A checked booking write refused because counters it conditioned on had moved: another write got
    in first. `moved` holds their values as the refusal reported them (read by the refused transaction
    itself), so the next plan reads the timelines again but not the ledger."""

    def __init__(self, moved: LedgerState) -> None:
        super().__init__("The booking's resource changed while it was being written.")
        self.moved = moved
