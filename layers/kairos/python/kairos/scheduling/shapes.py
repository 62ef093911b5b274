"""Where a service's slots may start and end, independent of bookings: the grid and the valid ends.

Both the listing and the booking check ask these same questions (is this a start? which ends are valid
up to a limit?), which is what makes "bookable" mean the same thing in both places.

A fixed service is a timed shape whose shortest and longest length are both its duration; a flexible
service runs from min_duration in duration_step increments up to max_duration; a day service starts at
a local date's start time and ends at a later (or the same) date's end time.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from kairos.scheduling.model import WEEKDAYS, DayRules, FixedRules, FlexibleRules, ServiceRules, Span, Weekday
from kairos.scheduling.spans import ending_after, holder
from kairos.scheduling.wall_time import ONE_DAY, local_date, local_midnight, to_instant

_ZERO = timedelta(0)


class Shape(Protocol):
    @property
    def reports_min_end(self) -> bool:
        """Whether slots carry min_ends_at (flexible and day services)."""

    def starts(
        self, available: Sequence[Span], first: datetime, stop: datetime
    ) -> Iterator[tuple[datetime, Span]]:
        """Every start in [first, stop) whose buffer start lies in an availability span, with that span."""

    def is_start(self, starts_at: datetime, available: Sequence[Span]) -> bool:
        """Whether `starts` would give `starts_at` (for a window that holds it)."""

    def ends(self, starts_at: datetime, limit: datetime) -> tuple[datetime, datetime] | None:
        """The earliest and the latest valid end not after `limit`; None when there is none."""


@dataclass(frozen=True)
class TimedShape:
    """Fixed and flexible services: buffer starts on a grid of `interval` elapsed time, anchored at the
    start of each availability span and again at each local midnight inside it (so the grid of a 24/7
    resource does not depend on the `from` a client asks for); lengths shortest + k·step ≤ longest."""

    zone: ZoneInfo
    buffer_before: timedelta
    interval: timedelta
    shortest: timedelta
    longest: timedelta | None
    step: timedelta
    reports_min_end: bool

    def starts(
        self, available: Sequence[Span], first: datetime, stop: datetime
    ) -> Iterator[tuple[datetime, Span]]:
        low, high = first - self.buffer_before, stop - self.buffer_before
        for span in ending_after(available, low):
            if span.start >= high:
                break
            for point in self._grid(span, max(low, span.start), min(high, span.end)):
                yield point + self.buffer_before, span

    def is_start(self, starts_at: datetime, available: Sequence[Span]) -> bool:
        point = starts_at - self.buffer_before
        span = holder(available, point)
        return span is not None and (point - self._anchor(point, span)) % self.interval == _ZERO

    def ends(self, starts_at: datetime, limit: datetime) -> tuple[datetime, datetime] | None:
        earliest = starts_at + self.shortest
        latest = limit if self.longest is None else min(limit, starts_at + self.longest)
        if latest < earliest:
            return None
        return earliest, earliest + (latest - earliest) // self.step * self.step

    def _grid(self, span: Span, low: datetime, high: datetime) -> Iterator[datetime]:
        """The grid points of `span` in [low, high): each anchor's grid runs until the next anchor."""
        anchor = self._anchor(low, span)
        day = local_date(low, self.zone)
        while anchor < high:
            day += ONE_DAY
            next_anchor = min(high, local_midnight(day, self.zone))
            point = anchor + _steps_to_reach(low - anchor, self.interval) * self.interval
            while point < next_anchor:
                yield point
                point += self.interval
            anchor = next_anchor

    def _anchor(self, point: datetime, span: Span) -> datetime:
        """The anchor whose grid `point` belongs to: the later of the span's start and local midnight."""
        return max(span.start, local_midnight(local_date(point, self.zone), self.zone))


@dataclass(frozen=True)
class DayShape:
    """Day services: a slot starts on a local date d at start_time(d) and ends on a local date e at
    end_time(e), lasting (e - d) days plus one when end_time(e) > start_time(d)."""

    zone: ZoneInfo
    buffer_before: timedelta
    start_times: dict[Weekday, time]
    end_times: dict[Weekday, time]
    min_days: int
    max_days: int | None
    exact: bool  # a number of days was asked for: min_ends_at = ends_at
    reports_min_end: bool = True

    def starts(
        self, available: Sequence[Span], first: datetime, stop: datetime
    ) -> Iterator[tuple[datetime, Span]]:
        day, last = local_date(first, self.zone) - ONE_DAY, local_date(stop, self.zone)
        while day <= last:
            starts_at = self._start_on(day)
            span = holder(available, starts_at - self.buffer_before) if first <= starts_at < stop else None
            if span is not None:
                yield starts_at, span
            day += ONE_DAY

    def is_start(self, starts_at: datetime, available: Sequence[Span]) -> bool:
        return starts_at == self._start_on(local_date(starts_at, self.zone))

    def ends(self, starts_at: datetime, limit: datetime) -> tuple[datetime, datetime] | None:
        start_day = local_date(starts_at, self.zone)
        earliest: datetime | None = None
        latest: datetime | None = None
        day = start_day + (self.min_days - 1) * ONE_DAY
        while (end := to_instant(day, self.end_times[_weekday(day)], self.zone)) <= limit:
            days = self._days(start_day, day)
            if self.max_days is not None and days > self.max_days:
                break
            if days >= self.min_days and end > starts_at:
                earliest = end if earliest is None else earliest
                latest = end
            day += ONE_DAY
        if earliest is None or latest is None:
            return None
        return (latest, latest) if self.exact else (earliest, latest)

    def _days(self, start_day: date, end_day: date) -> int:
        """The days a booking from `start_day` to `end_day` counts: a same-date booking is one day."""
        overlap = self.end_times[_weekday(end_day)] > self.start_times[_weekday(start_day)]
        return (end_day - start_day).days + (1 if overlap else 0)

    def _start_on(self, day: date) -> datetime:
        return to_instant(day, self.start_times[_weekday(day)], self.zone)


def slot_shape(
    rules: ServiceRules, zone: ZoneInfo, *, duration: timedelta | None = None, days: int | None = None
) -> Shape | None:
    """The service's shape, narrowed to the `duration` (flexible) or number of `days` (day) a client
    asked for; None when no booking of the service can have it. Each filter is ignored by other types."""
    kind = rules.kind
    if isinstance(kind, FixedRules):
        interval = kind.bookable_interval or kind.duration + rules.buffer_before + rules.buffer_after
        length = kind.duration
        return TimedShape(zone, rules.buffer_before, interval, length, length, length, reports_min_end=False)
    if isinstance(kind, FlexibleRules):
        return _flexible_shape(rules, kind, zone, duration)
    return _day_shape(rules, kind, zone, days)


def _flexible_shape(
    rules: ServiceRules, kind: FlexibleRules, zone: ZoneInfo, duration: timedelta | None
) -> TimedShape | None:
    interval = kind.bookable_interval or kind.duration_step
    shortest, longest = kind.min_duration, kind.max_duration
    if duration is not None:
        fits = duration >= shortest and (longest is None or duration <= longest)
        if not fits or (duration - shortest) % kind.duration_step != _ZERO:
            return None
        shortest = longest = duration
    return TimedShape(
        zone, rules.buffer_before, interval, shortest, longest, kind.duration_step, reports_min_end=True
    )


def _day_shape(rules: ServiceRules, kind: DayRules, zone: ZoneInfo, days: int | None) -> DayShape | None:
    low, high = max(1, kind.min_days), kind.max_days
    if days is not None:
        if days < low or (high is not None and days > high):
            return None
        low = high = days
    return DayShape(
        zone, rules.buffer_before, kind.start_times, kind.end_times, low, high, exact=days is not None
    )


def _steps_to_reach(distance: timedelta, interval: timedelta) -> int:
    """How many intervals it takes to cover `distance` (none for a distance of zero or less)."""
    return max(0, -(-distance // interval))


def _weekday(day: date) -> Weekday:
    return WEEKDAYS[day.weekday()]
