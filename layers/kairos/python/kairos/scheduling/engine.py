"""The slot engine: bookable slots for a service over resources, and the same rules for one booking.

Pure code: the caller passes the rules, each resource's availability and busy spans, the window and
`now`; nothing here reads a clock or a table. Every instant returned is UTC (render it in the location's
zone with `format_timestamp(value, zone)`); inputs may carry any offset.

A slot is offered by a resource when its start is on the shape's grid, its buffer span lies inside one
availability span and overlaps no fully booked range, and its start is inside the booking window. The
booking check asks the same questions of one interval and reports each failure as a `Violation`.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kairos.scheduling.limits import reached
from kairos.scheduling.model import ResourceState, ServiceRules, Slot, Span
from kairos.scheduling.rules import add_duration
from kairos.scheduling.shapes import Shape, TimedShape, slot_shape
from kairos.scheduling.spans import free_until, full_ranges, holder, in_utc, is_free, merge
from kairos.scheduling.sweep import Bounds, TimedSweep, micros

_MICROSECOND = timedelta(microseconds=1)


class Violation(StrEnum):
    SCHEDULE = "schedule"  # the buffer span is not inside one availability span
    FULLY_BOOKED = "fully_booked"  # the buffer span overlaps a range where the resource is at capacity
    BOOKABLE_SLOT = "bookable_slot"  # not a start on the grid, a valid end and the service's buffers
    BOOKING_WINDOW = "booking_window"  # starts before now + booking_window_start or after now + end
    BOOKING_LIMIT = "booking_limit"  # one more booking of the service would exceed a per-resource limit


@dataclass(frozen=True)
class BookingWindow:
    """Starts a booking may have as seen from `now`: earliest ≤ starts_at ≤ latest (None: no bound)."""

    earliest: datetime | None
    latest: datetime | None

    @classmethod
    def of(
        cls, rules: ServiceRules, now: datetime, zone: ZoneInfo, *, ignore: bool = False
    ) -> "BookingWindow":
        if ignore:
            return cls(None, None)
        end = rules.booking_window_end
        latest = add_duration(now, end, zone) if end is not None else None
        return cls(add_duration(now, rules.booking_window_start, zone), latest)

    def admits(self, starts_at: datetime) -> bool:
        after_earliest = self.earliest is None or self.earliest <= starts_at
        return after_earliest and (self.latest is None or starts_at <= self.latest)


@dataclass(frozen=True)
class _Resource:
    """A resource made ready for many questions: UTC spans, merged availability, full ranges once."""

    resource_id: str
    available: tuple[Span, ...]
    full: tuple[Span, ...]

    @classmethod
    def of(cls, state: ResourceState) -> "_Resource":
        busy = [in_utc(span) for span in state.busy]
        return cls(state.resource_id, merge(map(in_utc, state.available)), full_ranges(busy, state.capacity))


def bookable_slots(
    rules: ServiceRules,
    resources: Sequence[ResourceState],
    window: Span,
    now: datetime,
    zone: ZoneInfo,
    *,
    duration: timedelta | None = None,
    days: int | None = None,
    num_resources: int = 1,
    ignore_booking_window: bool = False,
) -> list[Slot]:
    """The slots starting in [window.start, window.end), each with every resource that offers exactly
    it (resource ids in the order given), those with fewer than `num_resources` dropped, sorted by start
    then end. `duration` narrows a flexible service and `days` a day service to that length."""
    shape = slot_shape(rules, zone, duration=duration, days=days)
    if shape is None:
        return []
    starts = in_utc(window)
    booking_window = BookingWindow.of(rules, now, zone, ignore=ignore_booking_window)
    offers: dict[Bounds, list[str]]
    if isinstance(shape, TimedShape):
        offers = _swept_offers(rules, shape, resources, starts, booking_window)
    else:
        offers = {}
        for state in resources:
            for bounds in _offers(rules, shape, _Resource.of(state), starts, booking_window):
                offers.setdefault(bounds, []).append(state.resource_id)
    if rules.limits is not None:
        counted = {state.resource_id: state.counted for state in resources}
        offers = {
            bounds: [i for i in ids if reached(rules.limits, counted[i], bounds[0], zone) is None]
            for bounds, ids in offers.items()
        }
    slots = [_slot(rules, shape, bounds, ids) for bounds, ids in offers.items() if len(ids) >= num_resources]
    return sorted(slots, key=lambda slot: (slot.starts_at, slot.ends_at))


def check_booking(
    rules: ServiceRules,
    resource: ResourceState,
    starts_at: datetime,
    ends_at: datetime,
    buffer_starts_at: datetime,
    buffer_ends_at: datetime,
    now: datetime,
    zone: ZoneInfo,
    *,
    ignore_schedule: bool = False,
    ignore_fully_booked: bool = False,
    ignore_bookable_slots: bool = False,
    ignore_booking_window: bool = False,
) -> list[Violation]:
    """What stops this booking on this resource, by the rules `bookable_slots` lists with; empty when
    nothing does, so the write may go ahead. Expects starts_at < ends_at (the caller validates that), and
    `resource.busy` without the booking itself (leave it out when moving one). Ignoring the schedule also
    ignores the bookable-slot rule: without a schedule there is no grid to be on."""
    prepared = _Resource.of(resource)
    booking = in_utc(Span(starts_at, ends_at))
    buffer = in_utc(Span(buffer_starts_at, buffer_ends_at))
    found: list[Violation] = []
    if not ignore_schedule and not _inside_one_span(prepared.available, buffer):
        found.append(Violation.SCHEDULE)
    if not ignore_fully_booked and not is_free(prepared.full, buffer):
        found.append(Violation.FULLY_BOOKED)
    if not (ignore_schedule or ignore_bookable_slots) and not _is_bookable(
        rules, zone, prepared, booking, buffer
    ):
        found.append(Violation.BOOKABLE_SLOT)
    if not BookingWindow.of(rules, now, zone, ignore=ignore_booking_window).admits(booking.start):
        found.append(Violation.BOOKING_WINDOW)
    if not ignore_fully_booked and reached(rules.limits, resource.counted, booking.start, zone) is not None:
        found.append(Violation.BOOKING_LIMIT)
    return found


def _swept_offers(
    rules: ServiceRules,
    shape: TimedShape,
    resources: Sequence[ResourceState],
    starts: Span,
    booking_window: BookingWindow,
) -> dict[Bounds, list[str]]:
    """Fixed and flexible services: every resource swept once against the grid (see `sweep`)."""
    first = max(starts.start, booking_window.earliest or starts.start)
    latest = booking_window.latest
    stop = starts.end if latest is None else min(starts.end, latest + _MICROSECOND)
    sweep = TimedSweep(shape, rules.buffer_after, first, stop)
    if first < stop:
        for state in resources:
            resource = _Resource.of(state)
            sweep.add(
                state.resource_id,
                [(micros(span.start), micros(span.end)) for span in resource.available],
                [(micros(span.start), micros(span.end)) for span in resource.full],
            )
    return sweep.offers()


def _offers(
    rules: ServiceRules, shape: Shape, resource: _Resource, starts: Span, booking_window: BookingWindow
) -> Iterator[Bounds]:
    """The slots one resource offers, candidate by candidate (day services: one start a day): for each
    start, the ends its buffer span leaves room for, up to the end of its availability span or the next
    fully booked range, whichever comes first."""
    for starts_at, span in shape.starts(resource.available, starts.start, starts.end):
        if not booking_window.admits(starts_at):
            continue
        horizon = free_until(resource.full, starts_at - rules.buffer_before, span.end)
        ends = shape.ends(starts_at, horizon - rules.buffer_after)
        if ends is not None:
            yield starts_at, *ends


def _slot(rules: ServiceRules, shape: Shape, bounds: Bounds, resource_ids: list[str]) -> Slot:
    """The slot of (starts_at, earliest end, latest end) and the resources that offer exactly it."""
    starts_at, earliest, latest = bounds
    return Slot(
        buffer_starts_at=starts_at - rules.buffer_before,
        starts_at=starts_at,
        ends_at=latest,
        buffer_ends_at=latest + rules.buffer_after,
        min_ends_at=earliest if shape.reports_min_end else None,
        min_buffer_ends_at=earliest + rules.buffer_after if shape.reports_min_end else None,
        resource_ids=tuple(resource_ids),
    )


def _inside_one_span(available: Sequence[Span], span: Span) -> bool:
    container = holder(available, span.start)
    return container is not None and span.end <= container.end


def _is_bookable(
    rules: ServiceRules, zone: ZoneInfo, resource: _Resource, booking: Span, buffer: Span
) -> bool:
    """A start on the grid, an end among the valid ones and exactly the service's buffers."""
    shape = slot_shape(rules, zone)
    assert shape is not None  # only a duration or a number of days can rule every slot out
    buffers = Span(booking.start - rules.buffer_before, booking.end + rules.buffer_after)
    if buffer != buffers or not shape.is_start(booking.start, resource.available):
        return False
    ends = shape.ends(booking.start, booking.end)
    return ends is not None and ends[1] == booking.end
