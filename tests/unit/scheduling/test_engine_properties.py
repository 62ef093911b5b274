"""Property tests of the slot engine.

1. `bookable_slots` equals a brute-force reference written here from the rules alone: it walks the
   minutes of the data horizon (which minutes are available, how many bookings cover each), finds the
   uninterrupted runs of availability, restarts each run's grid at the first minute of every local date,
   and applies the fit, capacity, flexible-end, booking-window, range and resource rules minute by minute.
2. `check_booking` agrees with `bookable_slots` (fixed, flexible and day services): every listed slot
   books cleanly on each of its resources, the same booking one minute off the grid or with other
   buffers is refused as `bookable_slot`, and an interval books cleanly exactly when the listing offers it.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import accumulate
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.scheduling.availability import availability
from kairos.scheduling.engine import Violation, bookable_slots, check_booking
from kairos.scheduling.model import (
    OneOffBlock,
    RecurringSchedule,
    ResourceState,
    ServiceRules,
    Slot,
    Span,
    WeeklyBlock,
)
from tests.unit.scheduling.builders import (
    ALL_WEEKDAYS,
    KOLKATA,
    MINUTE,
    NEW_YORK,
    STOCKHOLM,
    SYDNEY,
    day_service,
    fixed,
    flexible,
)

ZONES = (STOCKHOLM, NEW_YORK, SYDNEY, KOLKATA)
# Days just before a DST change in one of the zones (and one ordinary day), so windows cross transitions.
FIRST_DAYS = (
    date(2026, 3, 7),
    date(2026, 3, 28),
    date(2026, 4, 4),
    date(2026, 10, 3),
    date(2026, 10, 24),
    date(2026, 10, 31),
    date(2026, 6, 10),
)
DAY_MINUTES = 24 * 60
PROPERTY_SETTINGS = settings(deadline=None, max_examples=150, derandomize=True, database=None)

SlotRow = tuple[datetime, datetime, datetime, datetime, datetime | None, datetime | None, tuple[str, ...]]


def wall(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The spec's wall-time rule (zoneinfo, fold=0), with minute 1440 as the next date's midnight."""
    day, minute = (day + timedelta(days=1), 0) if minute == DAY_MINUTES else (day, minute)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


# --- the generated cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """A service in plain minutes: the reference reads these, the engine reads the stored document."""

    kind: str  # fixed, flexible or day
    length: int  # fixed: the duration; flexible: min_duration (minutes)
    longest: int | None  # flexible max_duration
    step: int  # flexible duration_step
    interval: int | None
    before: int
    after: int
    lead: int  # booking_window_start, minutes
    horizon: tuple[str, int] | None  # booking_window_end: ("D", days) or ("M", minutes)
    day_times: tuple[int, int] = (0, 0)  # day services: start and end minute of the day
    day_counts: tuple[int, int | None] = (1, None)

    @cached_property
    def rules(self) -> ServiceRules:
        common: dict[str, Any] = {
            "buffer_time_before": f"PT{self.before}M",
            "buffer_time_after": f"PT{self.after}M",
            "booking_window_start": f"PT{self.lead}M",
            "booking_window_end": self._horizon_text(),
        }
        interval = {"bookable_interval": f"PT{self.interval}M" if self.interval else None}
        if self.kind == "fixed":
            return fixed(f"PT{self.length}M", **common, **interval)
        if self.kind == "flexible":
            longest = f"PT{self.longest}M" if self.longest else None
            return flexible(f"PT{self.length}M", longest, f"PT{self.step}M", **common, **interval)
        start, end = (f"{minute // 60:02}:{minute % 60:02}:00" for minute in self.day_times)
        return day_service(start, end, *self.day_counts, **common)

    def _horizon_text(self) -> str | None:
        if self.horizon is None:
            return None
        unit, amount = self.horizon
        return f"P{amount}D" if unit == "D" else f"PT{amount}M"


@dataclass(frozen=True)
class Resource:
    resource_id: str
    schedules: tuple[RecurringSchedule, ...]
    blocks: tuple[OneOffBlock, ...]
    busy: tuple[Span, ...]
    capacity: int | None


@dataclass(frozen=True)
class Case:
    zone: ZoneInfo
    first_day: date  # the local date before the window's first: where recurring expansion begins
    last_day: date  # the local date after the window's last
    window: Span
    now: datetime
    service: Service
    resources: tuple[Resource, ...]
    duration: int | None  # the flexible `duration` filter, minutes
    num_resources: int

    def states(self) -> list[ResourceState]:
        return [
            ResourceState(
                r.resource_id, availability(r.schedules, r.blocks, self.zone, self.window), r.busy, r.capacity
            )
            for r in self.resources
        ]

    def engine_slots(self, *, any_resource: bool = False) -> list[Slot]:
        """The engine's slots for this case; with `any_resource`, every slot at least one resource offers."""
        duration = self.duration * MINUTE if self.duration is not None else None
        return bookable_slots(
            self.service.rules,
            self.states(),
            self.window,
            self.now,
            self.zone,
            duration=duration,
            num_resources=1 if any_resource else self.num_resources,
        )


def multiples(unit: int, low: int, high: int) -> st.SearchStrategy[int]:
    """Multiples of `unit` between low and high (both rounded up to the unit)."""
    return st.integers(-(-low // unit), max(-(-low // unit), high // unit)).map(lambda n: n * unit)


@st.composite
def services(draw: st.DrawFn, unit: int, kinds: tuple[str, ...]) -> Service:
    kind = draw(st.sampled_from(kinds))  # the first kind is drawn most often: put the richest first
    horizon = draw(
        st.one_of(
            st.none(),
            st.tuples(st.just("D"), st.integers(2, 6)),
            st.tuples(st.just("M"), st.integers(1440, 8000)),
        )
    )
    base = Service(
        kind,
        length=0,
        longest=None,
        step=0,
        interval=draw(st.none() | multiples(unit, 5, 120)) if kind != "day" else None,
        before=draw(multiples(unit, 0, 30)),
        after=draw(multiples(unit, 0, 30)),
        lead=draw(st.integers(0, 300)),
        horizon=horizon,
    )
    if kind == "fixed":
        return replace(base, length=draw(multiples(unit, 5, 120)))
    if kind == "flexible":
        shortest, step = draw(multiples(unit, 5, 120)), draw(multiples(unit, 5, 60))
        longest = draw(st.none() | st.integers(0, 6).map(lambda n: shortest + n * step))
        return replace(base, length=shortest, longest=longest, step=step)
    min_days = draw(st.integers(1, 2))
    max_days = draw(st.none() | st.integers(min_days, min_days + 2))
    times = (draw(multiples(unit, 0, DAY_MINUTES - unit)), draw(multiples(unit, 0, DAY_MINUTES - unit)))
    return replace(base, day_times=times, day_counts=(min_days, max_days))


@st.composite
def schedules(draw: st.DrawFn, unit: int, first_day: date, all_day: bool) -> RecurringSchedule:
    """Either all day every day (long spans across midnights and DST changes; always so for `all_day`)
    or one or two daily blocks on at least three weekdays."""
    start_date = first_day - timedelta(days=draw(st.integers(0, 14)))
    end_date = draw(st.none() | st.integers(1, 5).map(lambda n: first_day + timedelta(days=n)))
    if all_day or draw(st.booleans()):
        times = [(0, DAY_MINUTES)]
        days = set(ALL_WEEKDAYS)
    else:
        times = draw(st.lists(block_times(unit), min_size=1, max_size=2))
        days = draw(st.sets(st.sampled_from(ALL_WEEKDAYS), min_size=3))
    blocks = tuple(
        WeeklyBlock(day, _time(start), None if end == DAY_MINUTES else _time(end))
        for day in sorted(days)
        for start, end in times
    )
    return RecurringSchedule(start_date, end_date, draw(st.sampled_from((1, 1, 2, 3))), blocks)


@st.composite
def block_times(draw: st.DrawFn, unit: int) -> tuple[int, int]:
    start = draw(multiples(unit, 0, DAY_MINUTES - unit))
    return start, draw(multiples(unit, start + unit, DAY_MINUTES))


def _maybe(strategy: st.SearchStrategy[int] | None) -> st.SearchStrategy[int | None]:
    return st.none() if strategy is None else strategy


def _time(minute: int) -> time:
    return time(minute // 60, minute % 60)


@st.composite
def spans_in(draw: st.DrawFn, unit: int, origin: datetime, minutes: int, longest: int) -> Span:
    start = origin + draw(multiples(unit, 0, minutes)) * MINUTE
    return Span(start, start + draw(multiples(unit, unit, longest)) * MINUTE)


@st.composite
def resources(
    draw: st.DrawFn, unit: int, number: int, first_day: date, origin: datetime, minutes: int, all_day: bool
) -> Resource:
    """A resource with its own schedules, one-off blocks (either kind) and bookings over `minutes` from
    `origin` (the data horizon); `all_day` (for day services) keeps its schedules open around the clock."""
    blocks = st.lists(st.tuples(spans_in(unit, origin, minutes - 600, 600), st.booleans()), max_size=3)
    return Resource(
        resource_id=f"r{number}",
        schedules=tuple(draw(st.lists(schedules(unit, first_day, all_day), min_size=1, max_size=2))),
        blocks=tuple(OneOffBlock(span, available) for span, available in draw(blocks)),
        busy=tuple(draw(st.lists(spans_in(unit, origin, minutes - 240, 240), max_size=8))),
        capacity=draw(st.sampled_from((None, 1, 1, 2))),
    )


@st.composite
def cases(draw: st.DrawFn, unit: int = 1, kinds: tuple[str, ...] = ("flexible", "fixed")) -> Case:
    """A window of three hours to two days (at least a day for day services) starting the day after one of
    FIRST_DAYS, one to three resources, a service, and `now` up to a day before the window."""
    service = draw(services(unit, kinds))
    zone = draw(st.sampled_from(ZONES))
    first_day = draw(st.sampled_from(FIRST_DAYS))
    window_start = wall(first_day + timedelta(days=1), draw(multiples(unit, 0, DAY_MINUTES - unit)), zone)
    shortest_window = DAY_MINUTES if service.kind == "day" else 180
    window = Span(
        window_start, window_start + draw(multiples(unit, shortest_window, 2 * DAY_MINUTES)) * MINUTE
    )
    last_day = window.end.astimezone(zone).date() + timedelta(days=1)
    origin = wall(first_day, 0, zone)
    minutes = int((wall(last_day, DAY_MINUTES, zone) - origin) / MINUTE)
    all_day, count = service.kind == "day", draw(st.integers(1, 3))
    members = tuple(draw(resources(unit, n, first_day, origin, minutes, all_day)) for n in range(count))
    duration = None
    if service.kind == "flexible":  # no filter, a length the service allows, or any length at all
        valid = st.integers(0, 3).map(lambda n: service.length + n * service.step)
        duration = draw(st.sampled_from((None, valid, None, valid, multiples(unit, 5, 240))).flatmap(_maybe))
    now = window.start - draw(st.integers(0, DAY_MINUTES)) * MINUTE
    num_resources = min(len(members), draw(st.sampled_from((1, 1, 2))))
    return Case(zone, first_day, last_day, window, now, service, members, duration, num_resources)


# --- the brute-force reference ----------------------------------------------------------------------------


class MinuteReference:
    """The rules applied minute by minute over the data horizon (local midnight of `first_day` to the end
    of `last_day`); minute i is the instant origin + i minutes."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.origin = wall(case.first_day, 0, case.zone)
        self.size = self._minute(wall(case.last_day, DAY_MINUTES, case.zone))
        dates = [(self.origin + i * MINUTE).astimezone(case.zone).date() for i in range(self.size)]
        self.new_date = [i == 0 or dates[i] != dates[i - 1] for i in range(self.size)]

    def slots(self) -> list[SlotRow]:
        offers: dict[tuple[int, int, int], list[str]] = {}
        for resource in self.case.resources:
            for key in self._resource_slots(resource):
                offers.setdefault(key, []).append(resource.resource_id)
        service = self.case.service
        rows = [
            (
                self._instant(start - service.before),
                self._instant(start),
                self._instant(latest),
                self._instant(latest + service.after),
                self._instant(earliest) if service.kind != "fixed" else None,
                self._instant(earliest + service.after) if service.kind != "fixed" else None,
                tuple(ids),
            )
            for (start, earliest, latest), ids in offers.items()
            if len(ids) >= self.case.num_resources
        ]
        return sorted(rows, key=lambda row: (row[1], row[2]))

    def _resource_slots(self, resource: Resource) -> Iterator[tuple[int, int, int]]:
        available, full = self._available(resource), self._full(resource)
        blocked = list(accumulate((1 if f else 0 for f in full), initial=0))  # full minutes before i
        lengths = self._lengths()
        for run_start, run_end in self._runs(available):
            for point in self._grid(run_start, run_end):
                start = point + self.case.service.before
                if not self._listable(start):
                    continue
                ends = [start + length for length in lengths]
                valid = [
                    end
                    for end in ends
                    if (after := end + self.case.service.after) <= run_end
                    and blocked[after] == blocked[point]
                ]
                assert valid == ends[: len(valid)]  # the spec's claim: valid ends form a prefix
                if valid:
                    yield start, valid[0], valid[-1]

    def _lengths(self) -> list[int]:
        """The lengths the service allows (minutes), the shortest first, up to the data horizon."""
        service, requested = self.case.service, self.case.duration
        if service.kind == "fixed":
            return [service.length]
        longest = self.size if service.longest is None else service.longest
        lengths = list(range(service.length, longest + 1, service.step))
        return lengths if requested is None else [n for n in lengths if n == requested]

    def _available(self, resource: Resource) -> list[bool]:
        available = [False] * self.size
        day = self.case.first_day
        while day <= self.case.last_day:
            for block in (b for s in resource.schedules if self._active(s, day) for b in s.blocks):
                if block.weekday == day.strftime("%A").lower():
                    end = DAY_MINUTES if block.end is None else block.end.hour * 60 + block.end.minute
                    start = block.start.hour * 60 + block.start.minute
                    self._paint(
                        available, wall(day, start, self.case.zone), wall(day, end, self.case.zone), True
                    )
            day += timedelta(days=1)
        for wanted in (True, False):  # additions first, then every removal
            for one_off in resource.blocks:
                if one_off.is_available is wanted:
                    self._paint(available, one_off.span.start, one_off.span.end, wanted)
        return available

    @staticmethod
    def _active(schedule: RecurringSchedule, day: date) -> bool:
        if day < schedule.start_date or (schedule.end_date is not None and day > schedule.end_date):
            return False
        first_monday = schedule.start_date.toordinal() - schedule.start_date.weekday()
        return ((day.toordinal() - first_monday) // 7) % schedule.interval == 0

    def _full(self, resource: Resource) -> list[bool]:
        counts = [0] * self.size
        for span in resource.busy:
            for i in range(max(0, self._minute(span.start)), min(self.size, self._minute(span.end))):
                counts[i] += 1
        return [resource.capacity is not None and count >= resource.capacity for count in counts]

    def _runs(self, available: list[bool]) -> Iterator[tuple[int, int]]:
        i = 0
        while i < self.size:
            if available[i]:
                j = i
                while j < self.size and available[j]:
                    j += 1
                yield i, j
                i = j
            else:
                i += 1

    def _grid(self, run_start: int, run_end: int) -> Iterator[int]:
        """Every `interval` minutes from the run's first minute, again from each local date's first minute."""
        service = self.case.service
        interval = service.interval or (
            service.length + service.before + service.after if service.kind == "fixed" else service.step
        )
        anchor = run_start
        for minute in range(run_start, run_end):
            if self.new_date[minute]:
                anchor = minute
            if (minute - anchor) % interval == 0:
                yield minute

    def _listable(self, start: int) -> bool:
        instant, case = self._instant(start), self.case
        if not case.window.start <= instant < case.window.end:
            return False
        if instant < case.now + case.service.lead * MINUTE:
            return False
        if case.service.horizon is None:
            return True
        unit, amount = case.service.horizon
        if unit == "M":
            return instant <= case.now + amount * MINUTE
        local = case.now.astimezone(case.zone).replace(tzinfo=None) + timedelta(days=amount)
        return instant <= local.replace(tzinfo=case.zone).astimezone(UTC)

    def _paint(self, minutes: list[bool], start: datetime, end: datetime, value: bool) -> None:
        for i in range(max(0, self._minute(start)), min(self.size, self._minute(end))):
            minutes[i] = value

    def _minute(self, instant: datetime) -> int:
        return int((instant - self.origin) / MINUTE)

    def _instant(self, minute: int) -> datetime:
        return self.origin + minute * MINUTE


def rows(slots: list[Slot]) -> list[SlotRow]:
    return [
        (
            s.buffer_starts_at,
            s.starts_at,
            s.ends_at,
            s.buffer_ends_at,
            s.min_ends_at,
            s.min_buffer_ends_at,
            s.resource_ids,
        )
        for s in slots
    ]


# --- the properties ---------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(cases())
def test_bookable_slots_match_the_minute_by_minute_reference(case: Case) -> None:
    assert rows(case.engine_slots()) == MinuteReference(case).slots()


# --- the booking check agrees with the listing ------------------------------------------------------------

# Every time in these cases is a multiple of five minutes (block times, one-off blocks, buffers, intervals,
# lengths; zone offsets are whole half hours), so a start one minute later is never on any grid.
AGREEMENT_CASES = cases(unit=5, kinds=("flexible", "fixed", "day"))


def book(
    case: Case,
    state: ResourceState,
    starts_at: datetime,
    ends_at: datetime,
    shift: timedelta,
    extra_buffer: int = 0,
) -> list[Violation]:
    """check_booking for [starts_at, ends_at) with the service's buffers (the buffer after lengthened by
    `extra_buffer` minutes), everything moved by `shift`."""
    service = case.service
    return check_booking(
        service.rules,
        state,
        starts_at + shift,
        ends_at + shift,
        starts_at - service.before * MINUTE + shift,
        ends_at + (service.after + extra_buffer) * MINUTE + shift,
        case.now,
        case.zone,
    )


def listed(
    case: Case, by_start: dict[datetime, list[Slot]], resource_id: str, starts_at: datetime, ends_at: datetime
) -> bool:
    """Whether the listing offers [starts_at, ends_at) on this resource: a slot with that start lists the
    resource and ends_at is one of the slot's valid ends."""
    return any(
        resource_id in slot.resource_ids and valid_end(case, slot, ends_at)
        for slot in by_start.get(starts_at, [])
    )


def valid_end(case: Case, slot: Slot, ends_at: datetime) -> bool:
    service = case.service
    if slot.min_ends_at is None:
        return ends_at == slot.ends_at
    if not slot.min_ends_at <= ends_at <= slot.ends_at:
        return False
    if service.kind == "flexible":
        return (ends_at - slot.min_ends_at) % (service.step * MINUTE) == timedelta(0)
    local_day = ends_at.astimezone(case.zone).date()
    return ends_at == wall(local_day, service.day_times[1], case.zone)


def candidate_ends(case: Case, slot: Slot) -> list[datetime]:
    """Ends worth probing for a listed start: its valid extremes and their neighbours."""
    step = (case.service.step or 5) * MINUTE
    ends = {slot.ends_at, slot.ends_at + step, slot.ends_at - 5 * MINUTE, slot.ends_at + timedelta(days=1)}
    if slot.min_ends_at is not None:
        ends |= {slot.min_ends_at, slot.min_ends_at + step, slot.min_ends_at - step}
    return sorted(end for end in ends if end > slot.starts_at)


@PROPERTY_SETTINGS
@given(AGREEMENT_CASES)
def test_every_listed_slot_books_cleanly_but_not_one_minute_later_or_with_other_buffers(case: Case) -> None:
    states = {state.resource_id: state for state in case.states()}

    for slot in case.engine_slots(any_resource=True):
        for state in (states[resource_id] for resource_id in slot.resource_ids):
            for ends_at in {slot.ends_at, slot.min_ends_at or slot.ends_at}:
                assert book(case, state, slot.starts_at, ends_at, timedelta(0)) == []
            assert Violation.BOOKABLE_SLOT in book(case, state, slot.starts_at, slot.ends_at, MINUTE)
            other_buffer = book(case, state, slot.starts_at, slot.ends_at, timedelta(0), extra_buffer=5)
            assert Violation.BOOKABLE_SLOT in other_buffer


@PROPERTY_SETTINGS
@given(AGREEMENT_CASES, st.randoms(use_true_random=False))
def test_an_interval_books_cleanly_exactly_when_the_listing_offers_it(case: Case, chooser: Random) -> None:
    states = case.states()
    slots = bookable_slots(case.service.rules, states, case.window, case.now, case.zone)
    by_start: dict[datetime, list[Slot]] = {}
    for slot in slots:
        by_start.setdefault(slot.starts_at, []).append(slot)
    sampled = chooser.sample(slots, min(len(slots), 30))
    probes = [(slot.starts_at, end) for slot in sampled for end in candidate_ends(case, slot)]
    probes += [
        (slot.starts_at + nudge, slot.ends_at) for slot in sampled for nudge in (5 * MINUTE, -5 * MINUTE)
    ]
    window_steps = int(case.window.length / (5 * MINUTE))
    for _ in range(20):  # and arbitrary five-minute starts and lengths inside the window
        starts_at = case.window.start + chooser.randrange(window_steps) * 5 * MINUTE
        probes.append((starts_at, starts_at + chooser.randrange(1, 600) * 5 * MINUTE))

    inside = [
        (starts_at, ends_at)
        for starts_at, ends_at in probes
        if case.window.start <= starts_at < case.window.end
    ]
    for state in states:
        for starts_at, ends_at in inside:  # outside the window nothing is listed, whatever the check says
            clean = book(case, state, starts_at, ends_at, timedelta(0)) == []
            offered = listed(case, by_start, state.resource_id, starts_at, ends_at)
            assert clean == offered, (state.resource_id, starts_at, ends_at)
