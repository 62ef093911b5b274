"""Why a booking of one interval on one resource is (not) possible: the booking check's own verdict, with
what a developer needs to fix the request.

The verdict is `check_booking`'s list of violations, unchanged, so an explanation can never disagree with
a booking attempt: each `Finding` is one violation the check returned, in its order, with details found
around the interval (the nearest availability spans, the fully booked ranges in the way, the nearest grid
starts, the booking window). Pure code, like the rest of the engine: no clock, no table.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kairos.scheduling.engine import BookingWindow, Violation, check_booking
from kairos.scheduling.limits import LimitReached, reached
from kairos.scheduling.model import ResourceState, ServiceRules, Span
from kairos.scheduling.shapes import slot_shape
from kairos.scheduling.spans import full_ranges, holder, in_order, in_utc, merge

NEAREST = 2  # spans and starts shown on each side of the asked interval
SEARCH = timedelta(days=7)  # how far from the interval the nearest starts are looked for


@dataclass(frozen=True)
class Finding:
    """One violation of the booking check, with the details that explain it. `buffers_only`: the booking
    itself would fit (the schedule, or the free capacity); only its buffers do not."""

    violation: Violation
    buffers_only: bool = False
    nearest_spans: tuple[Span, ...] = ()
    full_spans: tuple[Span, ...] = ()
    nearest_starts: tuple[datetime, ...] = ()
    window: BookingWindow | None = None
    starts_on_grid: bool = False
    limit: LimitReached | None = None


def explain_booking(
    rules: ServiceRules,
    verdict_state: ResourceState,
    context_state: ResourceState,
    booking: Span,
    buffer: Span,
    now: datetime,
    zone: ZoneInfo,
) -> list[Finding]:
    """The findings for booking `booking` (with buffer span `buffer`) on one resource: `verdict_state` is
    the resource as the booking check reads it, `context_state` the same over a wider horizon (for the
    nearest spans and starts). Empty exactly when the booking check passes."""
    violations = check_booking(
        rules, verdict_state, booking.start, booking.end, buffer.start, buffer.end, now, zone
    )
    available = merge(map(in_utc, context_state.available))
    full = full_ranges(in_order(in_utc(s) for s in context_state.busy), context_state.capacity)
    booking, buffer = in_utc(booking), in_utc(buffer)
    findings = []
    for violation in violations:
        if violation is Violation.SCHEDULE:
            inside = holder(available, booking.start)
            findings.append(
                Finding(
                    violation,
                    buffers_only=inside is not None and booking.end <= inside.end,
                    nearest_spans=_nearest_spans(available, buffer),
                )
            )
        elif violation is Violation.FULLY_BOOKED:
            in_the_way = tuple(s for s in full if s.start < buffer.end and buffer.start < s.end)
            core_free = all(not (s.start < booking.end and booking.start < s.end) for s in in_the_way)
            findings.append(Finding(violation, buffers_only=core_free, full_spans=in_the_way))
        elif violation is Violation.BOOKABLE_SLOT:
            starts, on_grid = _nearest_starts(rules, zone, available, booking.start)
            findings.append(Finding(violation, nearest_starts=starts, starts_on_grid=on_grid))
        elif violation is Violation.BOOKING_LIMIT:
            findings.append(
                Finding(violation, limit=reached(rules.limits, verdict_state.counted, booking.start, zone))
            )
        else:
            findings.append(Finding(violation, window=BookingWindow.of(rules, now, zone)))
    return findings


def _nearest_spans(available: tuple[Span, ...], buffer: Span) -> tuple[Span, ...]:
    """Up to NEAREST availability spans that end at or before the buffer's end and NEAREST after it."""
    before = [s for s in available if s.start < buffer.end][-NEAREST:]
    after = [s for s in available if s.start >= buffer.end][:NEAREST]
    return (*before, *after)


def _nearest_starts(
    rules: ServiceRules, zone: ZoneInfo, available: tuple[Span, ...], starts_at: datetime
) -> tuple[tuple[datetime, ...], bool]:
    """The grid's starts nearest to `starts_at` (NEAREST each side, within SEARCH), and whether
    `starts_at` is itself one (then it is the end that is not valid)."""
    shape = slot_shape(rules, zone)
    if shape is None:
        return (), False
    grid = [s for s, _ in shape.starts(available, starts_at - SEARCH, starts_at + SEARCH)]
    before = [s for s in grid if s < starts_at][-NEAREST:]
    after = [s for s in grid if s > starts_at][:NEAREST]
    return (*before, *after), starts_at in grid
