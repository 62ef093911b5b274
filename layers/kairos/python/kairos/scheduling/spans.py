"""Operations on spans: half-open [start, end) intervals of aware datetimes.

Span lists handed out here are sorted and disjoint, and touching spans are merged (08:00-10:00 and
10:00-12:00 make 08:00-12:00), so "inside one span" means "inside one uninterrupted stretch".
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from operator import attrgetter

from kairos.scheduling.model import Span

_BOUNDS = attrgetter("start", "end")


def in_utc(span: Span) -> Span:
    """The same span with UTC datetimes, so that arithmetic on it is elapsed time (see `wall_time`). A span
    already in UTC (the availability's, storage's) is returned as it is: no new dataclass to build."""
    if span.start.tzinfo is UTC and span.end.tzinfo is UTC:
        return span
    return Span(span.start.astimezone(UTC), span.end.astimezone(UTC))


def in_order(spans: Iterable[Span]) -> list[Span]:
    """Sorted as Span's own order (by start, then end), by a key made in C: the dataclass's `__lt__` is
    Python, called n log n times (a month of a resource's bookings, for every resource of a listing)."""
    return sorted(spans, key=_BOUNDS)


def merge(spans: Iterable[Span]) -> tuple[Span, ...]:
    """The union, sorted; empty spans vanish and touching or overlapping spans become one."""
    merged: list[Span] = []
    for span in in_order(span for span in spans if span.start < span.end):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return tuple(merged)


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> tuple[Span, ...]:
    """What remains of `spans` once every instant of `holes` is taken out."""
    cuts = merge(holes)
    if not cuts:  # nothing to take out (a resource without unavailable blocks or busy calendars)
        return merge(spans)
    remaining: list[Span] = []
    for span in merge(spans):
        start = span.start
        for hole in ending_after(cuts, start):
            if hole.start >= span.end:
                break
            if hole.start > start:
                remaining.append(Span(start, hole.start))
            start = hole.end
        if start < span.end:
            remaining.append(Span(start, span.end))
    return tuple(remaining)


def intersect(spans: Iterable[Span], window: Span) -> tuple[Span, ...]:
    """The parts of `spans` inside `window`."""
    clipped = (Span(max(span.start, window.start), min(span.end, window.end)) for span in spans)
    return merge(clipped)


def full_ranges(busy: Sequence[Span], capacity: int | None) -> tuple[Span, ...]:
    """The ranges where at least `capacity` busy spans overlap (None: unlimited, never full).

    A sweep over the instants where the count changes, O(n log n): every start adds one and every end
    takes one away at the same instant, so a booking ending at 10:00 and another starting at 10:00 never
    count together (half-open spans)."""
    if capacity is None:
        return ()
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    changes: dict[datetime, int] = {}
    for span in busy:
        if span.start < span.end:
            changes[span.start] = changes.get(span.start, 0) + 1
            changes[span.end] = changes.get(span.end, 0) - 1
    ranges: list[Span] = []
    count = 0
    opened: datetime | None = None
    for instant in sorted(changes):
        count += changes[instant]
        if count >= capacity and opened is None:
            opened = instant
        elif count < capacity and opened is not None:
            ranges.append(Span(opened, instant))
            opened = None
    return tuple(ranges)


def free_until(full: Sequence[Span], instant: datetime, limit: datetime) -> datetime:
    """How far the free stretch from `instant` reaches, at most `limit` (which must not precede it):
    [instant, result) overlaps no full range. `instant` itself when it lies in a full range.

    One bisect over the sorted full ranges, so a candidate slot costs O(log n) whatever the bookings."""
    index = bisect_right(full, instant, key=_end)
    if index == len(full):
        return limit
    return max(instant, min(limit, full[index].start))


def is_free(full: Sequence[Span], span: Span) -> bool:
    """True when `span` overlaps no full range (touching one is fine: spans are half-open)."""
    return free_until(full, span.start, span.end) == span.end


def ending_after(spans: Sequence[Span], instant: datetime) -> Sequence[Span]:
    """The spans of a sorted disjoint list that end after `instant`: the only ones that can meet it."""
    return spans[bisect_right(spans, instant, key=_end) :]


def holder(spans: Sequence[Span], instant: datetime) -> Span | None:
    """The span of a sorted disjoint list that contains `instant`, if any."""
    index = bisect_right(spans, instant, key=_start) - 1
    if index >= 0 and instant < spans[index].end:
        return spans[index]
    return None


def _start(span: Span) -> datetime:
    return span.start


def _end(span: Span) -> datetime:
    return span.end
