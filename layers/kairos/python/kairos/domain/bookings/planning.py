"""Planning a booking write: every checked intent is checked by the slot engine for its exact interval
against the timelines read, and its resource chosen by the location's strategy when the request named
none (docs/bookings.md). The plan says what the transaction writes; the writer conditions it on the state
the checks read."""

import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kairos.domain.bookings.availability import recurring_schedules, resource_state
from kairos.domain.bookings.holds import refuse_change_of_expired, release_of
from kairos.domain.bookings.intents import DAY, Intent, local_day
from kairos.domain.bookings.limits import counted_starts, limit_counters, limit_releases
from kairos.domain.shared.records import (
    Booking,
    BookingChange,
    LedgerState,
    Record,
    Release,
    Timeline,
    TimelineBooking,
)
from kairos.errors import ValidationFailed
from kairos.scheduling.engine import Violation, check_booking
from kairos.scheduling.model import FixedRules, RecurringSchedule, ServiceRules, Span
from kairos.scheduling.rules import rules_from_service
from kairos.scheduling.spans import in_utc
from kairos.values.formats import Duration, zone

VIOLATION_MESSAGES = {
    Violation.SCHEDULE: "The resource is not available at this time.",
    Violation.FULLY_BOOKED: "The resource is fully booked at this time.",
    Violation.BOOKABLE_SLOT: "The booking does not match a bookable slot.",
    Violation.BOOKING_WINDOW: "The booking is outside the service's booking window.",
    Violation.BOOKING_LIMIT: "The resource has reached the service's booking limit for this day, week or "
    "month.",
}


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


@dataclass
class _Around:
    """A resource's timeline as a plan checks it for many bookings (a series: up to a hundred): its other
    bookings (less those the request replaces, plus those the request planned on it so far) sorted by
    buffer start, in UTC, so that each check takes only those near its booking; its schedules at a
    location and the starts a service's limits count, made once. Each check then costs what a single
    booking's does, whatever the timeline's length or the request's number of bookings."""

    timeline: Timeline
    others: list[TimelineBooking]
    starts: list[datetime]
    longest: timedelta
    schedules_at: dict[str, list[RecurringSchedule]] = field(default_factory=dict)
    counted_for: dict[str, list[datetime]] = field(default_factory=dict)

    @classmethod
    def of(cls, timeline: Timeline, replaced: set[str]) -> "_Around":
        others = sorted(
            (b for b in timeline.bookings if b.id not in replaced), key=lambda b: b.buffer_starts_at
        )
        longest = max((b.buffer_ends_at - b.buffer_starts_at for b in others), default=timedelta(0))
        return cls(timeline, others, [b.buffer_starts_at.astimezone(UTC) for b in others], longest)

    def near(self, span: Span) -> list[TimelineBooking]:
        """The other bookings whose buffer span overlaps `span` (compared in UTC: a comparison of two
        zones' datetimes costs several times one of the same zone's)."""
        span = in_utc(span)
        first = bisect_left(self.starts, span.start - self.longest)
        last = bisect_left(self.starts, span.end)
        return [b for b in self.others[first:last] if b.buffer_ends_at > span.start]

    def add(self, booking: Booking) -> None:
        """A booking the request planned on this resource: the later checks of the plan count it as one
        of the timeline's (its capacity, the service's limits, `equalize`'s booked time)."""
        held = TimelineBooking(
            booking.id,
            booking.location_id,
            booking.buffer_starts_at.astimezone(UTC),
            booking.buffer_ends_at.astimezone(UTC),
            booking.starts_at.astimezone(UTC),
            booking.ends_at.astimezone(UTC),
            service_id=booking.service_id,
        )
        at = bisect_right(self.starts, held.buffer_starts_at)
        self.starts.insert(at, held.buffer_starts_at)
        self.others.insert(at, held)
        self.longest = max(self.longest, held.buffer_ends_at - held.buffer_starts_at)
        if held.service_id in self.counted_for:
            self.counted_for[held.service_id].append(held.starts_at)

    def schedules(self, location_id: str) -> list[RecurringSchedule]:
        if location_id not in self.schedules_at:
            self.schedules_at[location_id] = recurring_schedules(self.timeline.recurring, location_id)
        return self.schedules_at[location_id]

    def counted(self, service: Record | None) -> tuple[datetime, ...]:
        """The starts of the other bookings that count for `service`'s limits."""
        if service is None:
            return ()
        if service.id not in self.counted_for:
            self.counted_for[service.id] = counted_starts(self.others, service)
        return tuple(self.counted_for[service.id])


class Planner:
    """Plans the intents of one request against the state read for them."""

    def __init__(self, clock: Callable[[], datetime], rng: random.Random) -> None:
        self._clock = clock
        self._rng = rng

    def plan(self, intents: list[Intent], seen: LedgerState, read: Timelines) -> Plan:
        """The changes, each checked intent with its resource; refused (422) when one fails its checks or
        changes a hold that expired by now (this plan's clock, read after its state)."""
        replaced = {i.before.id for i in intents if i.before is not None}
        around = {r: _Around.of(timeline, replaced) for r, timeline in read.live.items()}
        rules: dict[tuple[str, int], ServiceRules] = {}  # by service: parsed once a plan
        changes: list[BookingChange] = []
        releases: dict[str, Release] = {}
        now = self._clock()
        for intent in intents:
            proposal = intent.proposal
            if intent.before is not None and proposal is not None:
                refuse_change_of_expired(intent.before, proposal, now, intent.prefix)
            if proposal is None or not intent.checked:
                changes.append(BookingChange(intent.before, proposal, False, as_written=intent.as_written))
                continue
            assert intent.location is not None
            where = zone(intent.location.doc["time_zone"])
            failures: dict[str, list[Violation]] = {}
            chosen: Record | None = None
            for resource in self._preferred(intent, around):
                violations = self._violations(intent, resource, around[resource.id], where, rules)
                if not violations:
                    chosen = resource
                    break
                failures[resource.id] = violations
            if chosen is None:
                raise _refusal(intent, failures)
            # a booking is immutable: the proposal itself when it named the resource chosen (a named series)
            after = (
                proposal if proposal.resource_id == chosen.id else replace(proposal, resource_id=chosen.id)
            )
            counters = limit_counters(intent.service, intent.location, after.starts_at)
            changes.append(BookingChange(intent.before, after, guarded=True, limits=counters))
            expired = [h for h in read.expired.get(chosen.id, []) if h.id not in replaced]
            if expired:  # only expired holds are released (the live ones only count)
                live = around[chosen.id].others  # this request's planned ones among them
                releases |= limit_releases(intent.service, intent.location, after, live, expired)
            around[chosen.id].add(after)
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
        around: _Around,
        where: ZoneInfo,
        parsed: dict[tuple[str, int], ServiceRules],
    ) -> list[Violation]:
        """The checks of one intent on one resource: against its bookings within a day of it (all that the
        checks look at), this request's bookings planned before it among them, and, for the service's
        limits, every booking the timeline holds."""
        proposal = intent.proposal
        assert proposal is not None and intent.location is not None
        buffer = in_utc(Span(proposal.buffer_starts_at, proposal.buffer_ends_at))
        horizon = Span(buffer.start - DAY, buffer.end + DAY)
        location_id = intent.location.id
        state = resource_state(
            resource,
            around.timeline,
            location_id,
            where,
            horizon,
            schedules=around.schedules(location_id),
            near=(around.near(horizon), around.counted(intent.service)),
        )
        flags = intent.flags
        return check_booking(
            _rules(intent.service, proposal, parsed),
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

    def _preferred(self, intent: Intent, around: dict[str, _Around]) -> list[Record]:
        """The candidates in the order the location's strategy prefers them (applied only when the request
        named no resource), ties in random order: the first that passes its checks is the one the strategy
        picks among those that pass, with the same chances, so the candidates after it need no checks (a
        series of 52 occurrences among 3 doctors checks about 52, not 156)."""
        candidates = intent.candidates
        if len(candidates) <= 1 or intent.proposal is None:
            return candidates
        if intent.strategy == "prioritize":
            assert intent.location is not None
            priority = intent.location.doc.get("resource_selection_priority") or []
            rank = {resource_id: n for n, resource_id in enumerate(priority)}
            return sorted(candidates, key=lambda r: (rank.get(r.id, len(rank)), r.id))
        shuffled = self._rng.sample(candidates, len(candidates))
        if intent.strategy == "equalize":
            day = local_day(intent.proposal, intent.location)

            def booked_time(resource: Record) -> timedelta:
                """Its bookings' time in the day (this request's planned ones among them), in UTC."""
                spans = [(b.starts_at, b.ends_at) for b in around[resource.id].near(day)]
                return sum(
                    (max(timedelta(0), min(e, day.end) - max(s, day.start)) for s, e in spans), timedelta(0)
                )

            return sorted(shuffled, key=booked_time)  # the least booked first; a stable sort: ties shuffled
        return shuffled


def _rules(
    service: Record | None, booking: Booking, parsed: dict[tuple[str, int], ServiceRules]
) -> ServiceRules:
    """The service's rules, parsed once a plan (`parsed`, by service and version)."""
    if service is None:
        return _bare_rules(booking)
    key = (service.id, service.version)
    if key not in parsed:
        parsed[key] = rules_from_service(service.doc)
    return parsed[key]


def _bare_rules(booking: Booking) -> ServiceRules:
    """Rules for a booking whose service was deleted: only schedule and capacity can still be checked."""
    zero = Duration("PT0S")
    return ServiceRules(
        FixedRules(booking.ends_at - booking.starts_at, None), timedelta(0), timedelta(0), zero, None
    )


def _refusal(intent: Intent, failures: dict[str, list[Violation]]) -> ValidationFailed:
    field_name = f"{intent.prefix}starts_at"
    if intent.proposal is not None and intent.proposal.resource_id is not None:
        reasons = failures.get(intent.proposal.resource_id, [])
        return ValidationFailed({field_name: [VIOLATION_MESSAGES[v] for v in reasons]})
    seen = sorted({v for found in failures.values() for v in found}, key=list(Violation).index)
    return ValidationFailed(
        {field_name: ["No resource is available for this booking.", *(VIOLATION_MESSAGES[v] for v in seen)]}
    )
