"""The slot engine alone, in process: 50 resources on weekday 08:00-17:00 schedules (Europe/Stockholm),
2,000 seeded random bookings over a 31-day window that crosses the spring-forward night, then twice the
bookings over 62 days (the longest window a request may ask for by default), for a fixed PT30M service on
a PT15M grid. Prints the median of 5 runs of `bookable_slots`, the slots it lists, and the candidate
starts it checks per second.

First the P1 case (issue 13): the same 31 days and bookings for a PT15M service on the PT15M grid, its
median CPU time (goal: at most 40 ms) and the (resource, start) pairs it lists, with a digest of them so
that a change to the engine can show it lists exactly the same pairs; then what a request computes (issue
27): each resource's state built from its timeline as storage reads it (the recurring schedule's record,
its bookings' entries: `kairos.domain.bookings.availability.resource_state`) and the slots, with the same
digest.

    .venv/bin/python bench/slots_engine.py
"""

import hashlib
import random
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import perf_counter, process_time
from zoneinfo import ZoneInfo

from kairos.domain.bookings.availability import resource_state
from kairos.domain.catalogue.models import FixedServiceInput
from kairos.domain.shared.records import Record, Timeline, TimelineBooking
from kairos.scheduling.availability import availability
from kairos.scheduling.engine import bookable_slots
from kairos.scheduling.model import (
    WEEKDAYS,
    RecurringSchedule,
    ResourceState,
    ServiceRules,
    Slot,
    Span,
    WeeklyBlock,
)
from kairos.scheduling.rules import rules_from_service
from kairos.scheduling.shapes import slot_shape

ZONE = ZoneInfo("Europe/Stockholm")
LOCATION = "location"
RESOURCES = 50
BOOKINGS = 2_000
RUNS = 5
START = datetime(2026, 3, 16, tzinfo=ZONE)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=ZONE)
WEEKDAY_HOURS = RecurringSchedule(
    start_date=date(2026, 1, 5),
    end_date=None,
    interval=1,
    blocks=tuple(WeeklyBlock(day, time(8), time(17)) for day in WEEKDAYS[:5]),
)


def _service(duration: str = "PT30M") -> ServiceRules:
    doc = FixedServiceInput(
        name="Exam", type="fixed", duration=duration, bookable_interval="PT15M"
    ).document()
    return rules_from_service(doc)


def _resources(window: Span, bookings: int, seed: int = 7) -> list[ResourceState]:
    """Every resource on the same weekday hours, with bookings of 30 or 60 minutes on the 15-minute grid."""
    chooser = random.Random(seed)
    available = availability([WEEKDAY_HOURS], [], ZONE, window)
    busy: list[list[Span]] = [[] for _ in range(RESOURCES)]
    for _ in range(bookings):
        start = chooser.choice(available).start + timedelta(minutes=15 * chooser.randrange(0, 34))
        length = timedelta(minutes=chooser.choice((30, 60)))
        busy[chooser.randrange(RESOURCES)].append(Span(start, start + length))
    return [
        ResourceState(f"resource-{n:02}", available, tuple(busy[n]), capacity=1) for n in range(RESOURCES)
    ]


def _timelines(resources: list[ResourceState]) -> list[tuple[Record, Timeline]]:
    """Each resource as storage hands it to a request: its record, and its timeline holding the weekday
    schedule's record at LOCATION and an entry per booking."""
    blocks = {
        str(n): {"weekday": b.weekday, "start_time": b.start.isoformat(), "end_time": f"{b.end.isoformat()}"}
        for n, b in enumerate(WEEKDAY_HOURS.blocks)
        if b.end is not None
    }
    doc = {"location_id": LOCATION, "start_date": "2026-01-05", "interval": 1, "blocks": blocks}
    schedule = Record("recurring_schedule", "schedule", doc, NOW, NOW)
    found = []
    for state in resources:
        booked = [
            TimelineBooking(f"b{n}", LOCATION, s.start, s.end, s.start, s.end)
            for n, s in enumerate(state.busy)
        ]
        record = Record("resource", state.resource_id, {"max_simultaneous_bookings": 1}, NOW, NOW)
        found.append((record, Timeline([schedule], [], booked)))
    return found


def slot_pairs(slots: list[Slot]) -> list[tuple[str, str]]:
    """The (resource, start) pairs the slots list, the start in UTC as ISO text: what two engines (or two
    versions of one) must agree on."""
    return [(resource_id, slot.starts_at.isoformat()) for slot in slots for resource_id in slot.resource_ids]


def pairs_digest(pairs: list[tuple[str, str]]) -> str:
    return hashlib.sha256(repr(sorted(pairs)).encode()).hexdigest()[:16]


def _pairs_line(slots: list[Slot]) -> str:
    pairs = slot_pairs(slots)
    return f"  (resource, start)   {len(pairs):9d}  pairs, sha256 {pairs_digest(pairs)}"


@dataclass(frozen=True)
class P1:
    """The P1 input: the window, a PT15M service on the PT15M grid, the resources' states, and the same
    resources as storage hands them to a request."""

    window: Span
    rules: ServiceRules
    resources: list[ResourceState]
    timelines: list[tuple[Record, Timeline]]


def p1_input() -> P1:
    window = Span(START, START + timedelta(days=31))
    resources = _resources(window, BOOKINGS)
    return P1(window, _service("PT15M"), resources, _timelines(resources))


def states_and_slots(p1: P1) -> list[Slot]:
    """What a request computes on P1: each resource's state built from its timeline, then the slots."""
    states = [
        resource_state(record, timeline, LOCATION, ZONE, p1.window) for record, timeline in p1.timelines
    ]
    return bookable_slots(p1.rules, states, p1.window, NOW, ZONE)


def p1_figures() -> list[str]:
    """The P1 case: median CPU time of `bookable_slots` and the pairs it lists; then of the resources'
    states built from their timelines and the slots."""
    p1 = p1_input()
    timings: list[float] = []
    built: list[float] = []
    for _ in range(RUNS):
        started = process_time()
        slots = bookable_slots(p1.rules, p1.resources, p1.window, NOW, ZONE)
        timings.append(process_time() - started)
        started = process_time()
        from_timelines = states_and_slots(p1)
        built.append(process_time() - started)
    return [
        f"P1: {RESOURCES} resources x 31 days, PT15M service on a PT15M grid, {BOOKINGS} bookings"
        f" ({RUNS} runs)",
        f"  bookable_slots CPU  {statistics.median(timings) * 1000:9.1f} ms   (goal <= 40 ms)",
        _pairs_line(slots),
        f"  states + slots CPU  {statistics.median(built) * 1000:9.1f} ms   (from the timelines)",
        _pairs_line(from_timelines),
    ]


def engine_figures() -> list[str]:
    """The engine's figures as lines to print (another bench can include them)."""
    lines = p1_figures()
    for days in (31, 62):
        window, bookings = Span(START, START + timedelta(days=days)), BOOKINGS * days // 31
        rules, resources = _service(), _resources(window, bookings)
        shape = slot_shape(rules, ZONE)
        assert shape is not None
        candidates = sum(
            len(list(shape.starts(state.available, window.start, window.end))) for state in resources
        )
        timings: list[float] = []
        for _ in range(RUNS):
            started = perf_counter()
            slots = bookable_slots(rules, resources, window, NOW, ZONE)
            timings.append(perf_counter() - started)
        median = statistics.median(timings)
        lines += [
            f"Slot engine: {RESOURCES} resources x {days} days, PT15M grid, {bookings} bookings"
            f" ({RUNS} runs)",
            f"  bookable_slots      {median * 1000:9.1f} ms",
            f"  slots listed        {len(slots):9d}",
            f"  candidates checked  {candidates:9d}  ({candidates / median:,.0f} per second)",
        ]
    return lines


if __name__ == "__main__":
    print("\n".join(engine_figures()))
