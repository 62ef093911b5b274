"""The slot engine's inputs and outputs. Every datetime here is timezone-aware; spans are half-open
[start, end). The engine never reads a clock or a table: the caller passes `now` and the data."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from kairos.values.formats import Duration

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, order=True)
class Span:
    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class WeeklyBlock:
    """A recurring block: local wall-clock times on a weekday; `end` None means 24:00:00."""

    weekday: Weekday
    start: time
    end: time | None


@dataclass(frozen=True)
class RecurringSchedule:
    """Active on local dates start_date..end_date (inclusive; None: open-ended), every `interval` weeks
    counted from the ISO week (Monday-based) that contains start_date."""

    start_date: date
    end_date: date | None
    interval: int
    blocks: tuple[WeeklyBlock, ...]


@dataclass(frozen=True)
class OneOffBlock:
    span: Span
    is_available: bool


@dataclass(frozen=True)
class FixedRules:
    duration: timedelta
    bookable_interval: timedelta | None  # None: duration + both buffers


@dataclass(frozen=True)
class FlexibleRules:
    min_duration: timedelta
    max_duration: timedelta | None  # None: no upper limit
    duration_step: timedelta
    bookable_interval: timedelta | None  # None: duration_step


@dataclass(frozen=True)
class DayRules:
    start_times: dict[Weekday, time]  # per weekday (the same time repeated when the service gives one)
    end_times: dict[Weekday, time]
    min_days: int
    max_days: int | None


Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")


@dataclass(frozen=True)
class Limits:
    """The service's `booking_limits.per_resource`: a maximum per period (None: no limit)."""

    day: int | None = None
    week: int | None = None
    month: int | None = None

    def of(self, period: Period) -> int | None:
        value: int | None = getattr(self, period)
        return value


@dataclass(frozen=True)
class ServiceRules:
    kind: FixedRules | FlexibleRules | DayRules
    buffer_before: timedelta
    buffer_after: timedelta
    booking_window_start: Duration  # minimum lead time from now to starts_at
    booking_window_end: Duration | None  # maximum distance from now to starts_at; None: no limit
    limits: Limits | None = None  # booking_limits.per_resource (scheduling/limits.py)


@dataclass(frozen=True)
class ResourceState:
    """One resource as the engine sees it: where it is available (at the requested location) and what
    already takes its capacity (the buffer spans of its bookings, at any location)."""

    resource_id: str
    available: tuple[Span, ...]
    busy: tuple[Span, ...]
    capacity: int | None  # max_simultaneous_bookings; None: unlimited
    counted: tuple[datetime, ...] = ()  # starts of its live bookings of the service, for its limits


@dataclass(frozen=True)
class Slot:
    buffer_starts_at: datetime
    starts_at: datetime
    ends_at: datetime
    buffer_ends_at: datetime
    min_ends_at: datetime | None = None  # flexible and day services
    min_buffer_ends_at: datetime | None = None
    resource_ids: tuple[str, ...] = field(default=())
