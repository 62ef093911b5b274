"""Booking limits: at most n bookings of a service per resource in a local day, ISO week or month
(docs/slots.md, "Booking limits").

A booking counts in the periods that contain its start, in the location's calendar (its zone's days, ISO
weeks Monday to Sunday, months). Pure code: the caller passes the starts of the bookings that count (the
resource's live bookings of the service: not canceled, not expired holds) and the zone.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kairos.scheduling.model import PERIODS, Limits, Period, Span
from kairos.scheduling.wall_time import local_date, local_midnight


@dataclass(frozen=True)
class LimitReached:
    """The first limit a booking would exceed: its period, the limit and the bookings already counted."""

    period: Period
    limit: int
    count: int


def limits_from_service(doc: Mapping[str, Any]) -> Limits | None:
    """The limits a service document stores (`booking_limits`), None when it has none."""
    per_resource = (doc.get("booking_limits") or {}).get("per_resource") or {}
    found = {p: int(per_resource[p]) for p in PERIODS if per_resource.get(p) is not None}
    return Limits(**found) if found else None


def period_span(period: Period, instant: datetime, zone: ZoneInfo) -> Span:
    """The local day, ISO week or month that contains `instant`, as UTC instants."""
    day = local_date(instant, zone)
    if period == "day":
        first, after = day, day + timedelta(days=1)
    elif period == "week":
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Span(local_midnight(first, zone), local_midnight(after, zone))


def period_key(period: Period, instant: datetime, zone: ZoneInfo) -> str:
    """A period's name, as its counter is kept: `D#2026-12-06`, `W#2026-W49` (ISO), `M#2026-12`."""
    day = local_date(instant, zone)
    if period == "day":
        return f"D#{day.isoformat()}"
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"W#{year}-W{week:02d}"
    return f"M#{day.year}-{day.month:02d}"


def limited_periods(limits: Limits | None) -> list[Period]:
    return [p for p in PERIODS if limits is not None and limits.of(p) is not None]


def reach(limits: Limits | None, window: Span, zone: ZoneInfo) -> Span:
    """The span whose bookings the limits of starts in `window` count: the window widened to the whole
    periods its first and last instants lie in."""
    periods = limited_periods(limits)
    if not periods:
        return window
    last = window.end - timedelta(microseconds=1)
    return Span(
        min([window.start, *(period_span(p, window.start, zone).start for p in periods)]),
        max([window.end, *(period_span(p, last, zone).end for p in periods)]),
    )


def reached(
    limits: Limits | None, counted: Iterable[datetime], starts_at: datetime, zone: ZoneInfo
) -> LimitReached | None:
    """The first limit (day, then week, then month) that one more booking starting at `starts_at` would
    exceed, given the starts of the bookings that already count."""
    starts = list(counted)
    for period in limited_periods(limits):
        assert limits is not None
        limit = limits.of(period)
        assert limit is not None
        span = period_span(period, starts_at, zone)
        count = sum(1 for s in starts if span.start <= s < span.end)
        if count >= limit:
            return LimitReached(period, limit, count)
    return None
