"""Committing booking writes: every intent is checked by the slot engine for its exact interval, its
resource is chosen by the location's strategy when the request named none, and all of a request's
bookings are written in one transaction conditioned on the state the checks read (docs/bookings.md).

The plan is made from state read in a fixed order (ledger versions, then timelines), and the transaction
conditions on those versions: when another write got in between, the plan is made again. Holds that
expired take no place in a plan; the transaction releases those whose place it takes (`holds`).
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import reduce
from zoneinfo import ZoneInfo

from kairos.domain.bookings.availability import resource_state
from kairos.domain.bookings.holds import (
    HoldExpired,
    finalizes,
    refuse_change_of_expired,
    release_of,
    split_expired,
)
from kairos.domain.bookings.limits import counted_starts, limit_counters, limit_releases, limit_spans
from kairos.domain.bookings.views import location_zone
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.ports import BookingRepository, TimelineReader
from kairos.domain.shared.records import (
    NO_PREMISES,
    Booking,
    BookingChange,
    GroupChange,
    Hold,
    HoldGone,
    LedgerState,
    LostRace,
    Premises,
    Record,
    Release,
    StaleCatalogue,
    Timeline,
    TimelineBooking,
)
from kairos.errors import Conflict, Overloaded, Retryable, ValidationFailed
from kairos.observability import Metric, count
from kairos.parallel import parallel_map
from kairos.scheduling.engine import Violation, check_booking
from kairos.scheduling.model import FixedRules, ServiceRules, Span
from kairos.scheduling.rules import rules_from_service
from kairos.values.formats import Duration, zone

ATTEMPTS = 12
CATALOGUE_MOVED = "The booking's service or location changed while it was being written; try again."
DAY = timedelta(days=1)
VIOLATION_MESSAGES = {
    Violation.SCHEDULE: "The resource is not available at this time.",
    Violation.FULLY_BOOKED: "The resource is fully booked at this time.",
    Violation.BOOKABLE_SLOT: "The booking does not match a bookable slot.",
    Violation.BOOKING_WINDOW: "The booking is outside the service's booking window.",
    Violation.BOOKING_LIMIT: "The resource has reached the service's booking limit for this day, week or "
    "month.",
}


@dataclass
class Intent:
    """One booking a request wants written, before the checks pick its resource."""

    before: Booking | None
    proposal: Booking | None  # None: delete `before`
    service: Record | None = None
    location: Record | None = None
    candidates: list[Record] = field(default_factory=list)  # resources to check, in the order to try
    flags: set[str] = field(default_factory=set)
    checked: bool = False
    strategy: str = "randomize"
    prefix: str = ""  # error keys of a group's item: "bookings.2."
    remembered: bool = False  # planned from the instance's memory of the catalogue: checked on commit
    ledger: LedgerState | None = None  # ledger items read with the catalogue, for the first plan


@dataclass
class Plan:
    """What a plan writes: the changes, and the expired holds whose places they take."""

    changes: list[BookingChange]
    releases: list[Release]


@dataclass
class Timelines:
    """The timelines a plan checks against (without the holds expired when they were read), and those
    expired holds, by resource."""

    live: dict[str, Timeline]
    expired: dict[str, list[TimelineBooking]]


class BookingWriter:
    """Checks and writes the intents of one request together."""

    def __init__(
        self,
        store: BookingRepository,
        schedules: TimelineReader,
        clock: Callable[[], datetime],
        rng: random.Random,
    ) -> None:
        self._store = store
        self._schedules = schedules
        self._clock = clock
        self._rng = rng

    def commit(
        self, viewer: Principal, intents: list[Intent], group: GroupChange | None = None
    ) -> list[BookingChange]:
        """Checks and writes the intents together, planning again whenever another write got in first.
        Counts the bookings created and each new plan (the race retries) for the function's metrics."""
        delay = 0.01
        known: LedgerState | None = None  # the versions a lost race reported: no need to read them again
        prefetched = _prefetched(intents)
        for _ in range(ATTEMPTS):
            seen, timelines = self._read(viewer, intents, known, prefetched)
            prefetched = None  # good for the first plan only: a later one reads what moved since
            plan = self._plan(intents, seen, timelines)
            changes = plan.changes
            try:
                self._store.commit(
                    viewer.project_id, changes, seen, group, _premises(intents, changes), plan.releases
                )
            except HoldGone as gone:
                raise _expired(intents, gone.booking_id) from None
            except StaleCatalogue:
                # its service or location changed since it was read: a create plans again from fresh reads
                # (`Bookings.create`); a change of bookings or of a group reloads what it changes
                if any(i.before is not None for i in intents) or group is not None:
                    raise Conflict(CATALOGUE_MOVED) from None
                raise
            except Overloaded:
                raise  # planning again would only add to the load: the client tries later (503)
            except (Conflict, Retryable) as lost:
                if any(i.before is not None for i in intents) or (
                    group is not None and group.before is not None
                ):
                    raise Conflict("The booking changed while it was being written.") from None  # reload it
                known = seen.updated(lost.moved) if isinstance(lost, LostRace) else None
                count(Metric.BOOKING_RACE_RETRIES)
                time.sleep(self._rng.uniform(0, delay))
                delay = min(delay * 2, 0.2)
                continue
            count(
                Metric.BOOKINGS_CREATED, sum(1 for c in changes if c.before is None and c.after is not None)
            )
            return changes
        raise Retryable("The resource is busy with other bookings; try again.")

    def release(self, viewer: Principal, hold: Booking) -> bool:
        """Releases an expired hold before a refusal says it expired (so that no write can keep its place
        afterwards); False when the hold changed since it was read (read it again)."""
        found = release_of(hold)
        return found is None or self._store.release(viewer.project_id, found)

    def _read(
        self,
        viewer: Principal,
        intents: list[Intent],
        known: LedgerState | None,
        prefetched: LedgerState | None,
    ) -> tuple[LedgerState, Timelines]:
        """Ledger versions first, timelines second (with the holds expired by the clock read after them
        apart): a write that lands after the versions were read moves them, and then our transaction is
        refused (see docs/bookings.md). Only checked intents read any: the ledger items their candidates'
        spans lie in, whose bumps the transaction conditions (what an unchecked write bumps, it bumps
        unconditioned). `known`: versions a refused transaction reported, which it read after every
        other value we hold, so they stand in for a new read of the ledger. `prefetched`: versions read
        with the catalogue (before the timelines too), so only the rest is read."""
        holds, spans = plan_reads(intents)
        checked = {r.id for i in intents if i.checked for r in i.candidates}
        seen = (
            known
            if known is not None
            else self._store.read_ledgers(viewer.project_id, holds, checked, prefetched)
        )

        def timeline(resource_id: str) -> Timeline:
            needed = spans[resource_id]
            start, end = min(s.start for s in needed) - DAY, max(s.end for s in needed) + DAY
            head = seen.heads[resource_id]  # read with its schedule version, which the write checks
            return self._schedules.timeline(viewer.project_id, resource_id, start, end, head)

        resource_ids = sorted(spans.keys() & checked)  # only checks read a timeline
        read = parallel_map(timeline, resource_ids)
        now = self._clock()
        split = {r: split_expired(found, now) for r, found in zip(resource_ids, read, strict=True)}
        return seen, Timelines({r: s[0] for r, s in split.items()}, {r: s[1] for r, s in split.items()})

    def _plan(self, intents: list[Intent], seen: LedgerState, read: Timelines) -> Plan:
        """The changes, each checked intent with its resource; refused (422) when one fails its checks or
        changes a hold that expired by now (this plan's clock, read after its state)."""
        timelines = read.live
        replaced = {i.before.id for i in intents if i.before is not None}
        added: dict[str, list[Booking]] = {}
        booked: dict[str, list[tuple[datetime, datetime]]] = {}
        changes: list[BookingChange] = []
        releases: dict[str, Release] = {}
        now = self._clock()
        for intent in intents:
            proposal = intent.proposal
            if intent.before is not None and proposal is not None:
                refuse_change_of_expired(intent.before, proposal, now, intent.prefix)
            if proposal is None or not intent.checked:
                changes.append(BookingChange(intent.before, proposal, guarded=False))
                continue
            assert intent.location is not None
            where = zone(intent.location.doc["time_zone"])
            failures: dict[str, list[Violation]] = {}
            passing: list[Record] = []
            for resource in intent.candidates:
                violations = self._violations(
                    intent, resource, timelines[resource.id], replaced, added, where
                )
                if violations:
                    failures[resource.id] = violations
                else:
                    passing.append(resource)
            if not passing:
                raise _refusal(intent, failures)
            chosen = self._choose(intent, passing, timelines, replaced, booked, where)
            after = replace(proposal, resource_id=chosen.id)
            added.setdefault(chosen.id, []).append(after)
            booked.setdefault(chosen.id, []).append((after.starts_at, after.ends_at))
            counters = limit_counters(intent.service, intent.location, after.starts_at)
            changes.append(BookingChange(intent.before, after, guarded=True, limits=counters))
            live = [b for b in timelines[chosen.id].bookings if b.id not in replaced]
            expired = [h for h in read.expired.get(chosen.id, []) if h.id not in replaced]
            live_and_planned: list[Booking | TimelineBooking] = [*live, *added[chosen.id][:-1]]
            releases |= limit_releases(intent.service, intent.location, after, live_and_planned, expired)
            for hold in read.expired.get(chosen.id, []):
                overlaps = (
                    hold.buffer_starts_at < after.buffer_ends_at
                    and hold.buffer_ends_at > after.buffer_starts_at
                )
                if overlaps and hold.id not in replaced and (found := release_of(hold, chosen.id)):
                    releases[hold.id] = found
        return Plan(changes, list(releases.values()))

    def _violations(
        self,
        intent: Intent,
        resource: Record,
        timeline: Timeline,
        replaced: set[str],
        added: dict[str, list[Booking]],
        where: ZoneInfo,
    ) -> list[Violation]:
        proposal = intent.proposal
        assert proposal is not None and intent.location is not None
        others = replace(timeline, bookings=[b for b in timeline.bookings if b.id not in replaced])
        horizon = Span(proposal.buffer_starts_at - DAY, proposal.buffer_ends_at + DAY)
        service_id = intent.service.id if intent.service is not None else None
        state = resource_state(resource, others, intent.location.id, where, horizon, service_id)
        mine = added.get(resource.id, [])  # this request's bookings planned before this one
        state = replace(
            state,
            busy=tuple(sorted([*state.busy, *(Span(b.buffer_starts_at, b.buffer_ends_at) for b in mine)])),
            counted=(*state.counted, *counted_starts(mine, intent.service)),
        )
        flags = intent.flags
        rules = (
            rules_from_service(intent.service.doc) if intent.service is not None else _bare_rules(proposal)
        )
        return check_booking(
            rules,
            state,
            proposal.starts_at,
            proposal.ends_at,
            proposal.buffer_starts_at,
            proposal.buffer_ends_at,
            self._clock(),
            where,
            ignore_schedule="ignore_schedule" in flags,
            ignore_fully_booked="ignore_fully_booked" in flags,
            ignore_bookable_slots="ignore_bookable_slots" in flags or intent.service is None,
            ignore_booking_window="ignore_booking_window" in flags or intent.service is None,
        )

    def _choose(
        self,
        intent: Intent,
        passing: list[Record],
        timelines: dict[str, Timeline],
        replaced: set[str],
        booked: dict[str, list[tuple[datetime, datetime]]],
        where: ZoneInfo,
    ) -> Record:
        """The location's strategy, applied only when the request named no resource."""
        if len(passing) == 1 or intent.proposal is None:
            return passing[0]
        if intent.strategy == "prioritize":
            assert intent.location is not None
            priority = intent.location.doc.get("resource_selection_priority") or []
            rank = {resource_id: n for n, resource_id in enumerate(priority)}
            return min(passing, key=lambda r: (rank.get(r.id, len(rank)), r.id))
        if intent.strategy == "equalize":
            day = _local_day(intent.proposal, intent.location)

            def booked_time(resource: Record) -> timedelta:
                spans = [
                    (b.starts_at, b.ends_at) for b in timelines[resource.id].bookings if b.id not in replaced
                ]
                spans += booked.get(resource.id, [])
                return sum(
                    (max(timedelta(0), min(e, day.end) - max(s, day.start)) for s, e in spans), timedelta(0)
                )

            least = min(booked_time(r) for r in passing)
            passing = [r for r in passing if booked_time(r) == least]
        return self._rng.choice(passing)


def plan_reads(intents: list[Intent]) -> tuple[list[Hold], dict[str, list[Span]]]:
    """What a plan of the checked intents reads: each candidate's ledger holds, each resource's spans."""
    holds: list[Hold] = []
    spans: dict[str, list[Span]] = {}
    for intent in intents:
        if intent.proposal is None or not intent.checked:
            continue
        buffer = Span(intent.proposal.buffer_starts_at, intent.proposal.buffer_ends_at)
        starts_at = intent.proposal.starts_at
        counters = limit_counters(intent.service, intent.location, starts_at)
        for resource in intent.candidates:
            holds.append(Hold(resource.id, buffer.start, buffer.end, counters))
            periods = limit_spans(intent.service, intent.location, starts_at)
            spans.setdefault(resource.id, []).extend(
                [buffer, _local_day(intent.proposal, intent.location), *periods]
            )
    return holds, spans


def _expired(intents: list[Intent], booking_id: str) -> HoldExpired:
    """The refusal of the intent whose hold a transaction found expired or released."""
    for intent in intents:
        if intent.before is not None and intent.before.id == booking_id and intent.proposal is not None:
            return HoldExpired(intent.before, finalizes(intent.before, intent.proposal), intent.prefix)
    raise AssertionError(f"no intent changes the hold {booking_id}")


def _prefetched(intents: list[Intent]) -> LedgerState | None:
    """The ledger versions the intents' reads brought along, together."""
    found = [i.ledger for i in intents if i.ledger is not None]
    return reduce(LedgerState.updated, found) if found else None


def _premises(intents: list[Intent], changes: list[BookingChange]) -> Premises:
    """What the transaction must check of the catalogue: of each checked booking, the service and location
    its resource was checked with; of each intent planned from memory, also the chosen resource it used,
    and that the resource performs the service."""
    premises = NO_PREMISES
    for intent, change in zip(intents, changes, strict=True):
        chosen = change.after.resource_id if change.after is not None else None
        if not change.guarded or chosen is None:
            continue
        used = [r for r in (intent.service, intent.location) if r is not None]
        catalogue = frozenset((chosen, r.kind, r.id, r.version, intent.remembered) for r in used)
        premises |= Premises(catalogue=catalogue)
        if intent.remembered:
            resources = frozenset((r.kind, r.id, r.version) for r in intent.candidates if r.id == chosen)
            performs = {(intent.service.id, chosen)} if intent.service is not None else set()
            premises |= Premises(resources, frozenset(performs))
    return premises


def _bare_rules(booking: Booking) -> ServiceRules:
    """Rules for a booking whose service was deleted: only schedule and capacity can still be checked."""
    zero = Duration("PT0S")
    return ServiceRules(
        FixedRules(booking.ends_at - booking.starts_at, None), timedelta(0), timedelta(0), zero, None
    )


def _local_day(booking: Booking, location: Record | None) -> Span:
    where = location_zone(location)
    local = booking.starts_at.astimezone(where)
    start = datetime(local.year, local.month, local.day, tzinfo=where)
    end = start.date() + DAY
    return Span(start, datetime(end.year, end.month, end.day, tzinfo=where))


def _refusal(intent: Intent, failures: dict[str, list[Violation]]) -> ValidationFailed:
    field_name = f"{intent.prefix}starts_at"
    if intent.proposal is not None and intent.proposal.resource_id is not None:
        reasons = failures.get(intent.proposal.resource_id, [])
        return ValidationFailed({field_name: [VIOLATION_MESSAGES[v] for v in reasons]})
    seen = sorted({v for found in failures.values() for v in found}, key=list(Violation).index)
    return ValidationFailed(
        {field_name: ["No resource is available for this booking.", *(VIOLATION_MESSAGES[v] for v in seen)]}
    )
