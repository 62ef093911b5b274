"""A stored service document turned into the rules the slot engine applies, and calendar-aware
duration arithmetic for the booking window.

Durations that shape a slot (duration, steps, buffers, intervals) are elapsed time: a calendar part is
taken at its nominal length (P1D = 24 h), so a PT1H slot lasts one hour even across a DST change. The
booking window keeps its calendar parts: "P14D from now" is the same wall time fourteen local dates on.
"""

import calendar
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kairos.scheduling.limits import limits_from_service
from kairos.scheduling.model import WEEKDAYS, DayRules, FixedRules, FlexibleRules, ServiceRules, Weekday
from kairos.scheduling.wall_time import to_instant
from kairos.values.formats import Duration, parse_time, stored_duration

_MONTHS = 12


def rules_from_service(doc: Mapping[str, Any]) -> ServiceRules:
    """The rules of a service document as `FixedServiceInput(...).document()` and its siblings store it."""
    kinds: dict[str, Callable[[Mapping[str, Any]], FixedRules | FlexibleRules | DayRules]] = {
        "fixed": _fixed_rules,
        "flexible": _flexible_rules,
        "day": _day_rules,
    }
    if doc.get("type") not in kinds:
        raise ValueError(f"unknown service type: {doc.get('type')!r}")
    window_end = doc.get("booking_window_end")
    return ServiceRules(
        kind=kinds[doc["type"]](doc),
        buffer_before=_length(doc.get("buffer_time_before", "PT0S")),
        buffer_after=_length(doc.get("buffer_time_after", "PT0S")),
        booking_window_start=stored_duration(doc.get("booking_window_start", "PT0S")),
        booking_window_end=stored_duration(window_end) if window_end is not None else None,
        limits=limits_from_service(doc),
    )


def add_duration(instant: datetime, duration: Duration, zone: ZoneInfo) -> datetime:
    """`instant` + `duration` (UTC): years, months, weeks and days move the local date in `zone` (the
    day of month clamped to the month's end: Jan 31 + P1M = Feb 28), the wall time is resolved again on
    that date (fold=0), then hours, minutes and seconds are added as elapsed time.

    Without a calendar part the wall clock is never consulted, so an instant in a repeated fall-back
    hour is not moved to the hour's first occurrence."""
    if (duration.years, duration.months, duration.weeks, duration.days) != (0, 0, 0, 0):
        local = instant.astimezone(zone)
        day = _add_months(local.date(), duration.years * _MONTHS + duration.months)
        day += timedelta(weeks=duration.weeks, days=duration.days)
        instant = to_instant(day, local.time(), zone)
    return instant.astimezone(UTC) + duration.time_part


def _fixed_rules(doc: Mapping[str, Any]) -> FixedRules:
    return FixedRules(
        duration=_length(doc["duration"]), bookable_interval=_optional_length(doc, "bookable_interval")
    )


def _flexible_rules(doc: Mapping[str, Any]) -> FlexibleRules:
    return FlexibleRules(
        min_duration=_length(doc["min_duration"]),
        max_duration=_optional_length(doc, "max_duration"),
        duration_step=_length(doc["duration_step"]),
        bookable_interval=_optional_length(doc, "bookable_interval"),
    )


def _day_rules(doc: Mapping[str, Any]) -> DayRules:
    return DayRules(
        start_times=_times_per_weekday(doc["start_time"]),
        end_times=_times_per_weekday(doc["end_time"]),
        min_days=doc["min_days"],
        max_days=doc.get("max_days"),
    )


def _times_per_weekday(value: str | Mapping[str, str]) -> dict[Weekday, time]:
    """A day service's time: one `hh:mm:ss` for every weekday, or an object with one per weekday."""
    return {day: _time_of_day(value if isinstance(value, str) else value[day]) for day in WEEKDAYS}


def _time_of_day(text: str) -> time:
    parsed = parse_time(text)
    assert parsed is not None  # only allow_end_of_day=True can yield None (24:00:00)
    return parsed


def _length(text: str) -> timedelta:
    return stored_duration(text).nominal()


def _optional_length(doc: Mapping[str, Any], key: str) -> timedelta | None:
    text = doc.get(key)
    return _length(text) if text is not None else None


def _add_months(day: date, months: int) -> date:
    index = day.year * _MONTHS + day.month - 1 + months
    year, month = divmod(index, _MONTHS)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))
