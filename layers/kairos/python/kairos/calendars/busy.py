"""The busy times of an iCalendar feed (RFC 5545), as a resource's calendar subscription takes them.

Parsing and recurrence are left to well-kept libraries: `icalendar` reads the document (VTIMEZONE, and
Windows zone names as Outlook writes them) and `recurring-ical-events` expands RRULE, RDATE, EXDATE and
RECURRENCE-ID overrides (and Google's X-WR-TIMEZONE) over a bounded horizon. What is kept:

- an occurrence is busy unless it is cancelled (STATUS:CANCELLED) or transparent (TRANSP:TRANSPARENT,
  "show as free"), decided per occurrence, so an override can cancel one occurrence of a series;
- a timed event is an instant span (UTC); a floating time (no zone, no Z) is read as UTC;
- an all-day event (VALUE=DATE) is kept as local dates: the slot engine resolves them in the zone of the
  location being booked, so "away on Monday" is Monday at whichever location the resource is booked;
- spans and dates are merged (touching ones join) and sorted; at most MAX_BUSY_TIMES of them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

MAX_BUSY_TIMES = 5000  # spans and date ranges of one subscription (they live in the resource's timeline head)
PAST = timedelta(days=1)  # how far back a sync keeps busy times
HORIZON = timedelta(days=366)  # how far ahead a sync expands the feed
When = TypeVar("When", datetime, date)


class FeedUnreadable(ValueError):
    """The document is no iCalendar feed Kairos can read, or it holds too many busy times."""


@dataclass(frozen=True)
class BusyTimes:
    """A feed's busy times: instant spans (UTC, half-open) and all-day ranges of local dates (first
    date, day after the last), each merged and sorted."""

    spans: tuple[tuple[datetime, datetime], ...]
    days: tuple[tuple[date, date], ...]


def busy_times(document: bytes, now: datetime) -> BusyTimes:
    """The busy times of `document` from `now - PAST` to `now + HORIZON`. The parser is imported here, by
    the first feed body read: a poll whose feeds are unchanged (304) or fail loads none of it (about half
    a bare `import boto3`; docs/infrastructure.md, "Cold starts")."""
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(document)
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(
            now - PAST, now + HORIZON
        )
    except Exception as error:
        raise FeedUnreadable(
            f"the feed is not a readable iCalendar document ({type(error).__name__})"
        ) from None
    spans: list[tuple[datetime, datetime]] = []
    days: list[tuple[date, date]] = []
    for event in occurrences:
        if not _is_busy(event):
            continue
        start, end = event.get("DTSTART"), event.get("DTEND")
        if start is None:
            continue
        first = start.dt
        last = end.dt if end is not None else _default_end(first)
        if isinstance(first, datetime):
            span = (_instant(first), _instant(last if isinstance(last, datetime) else first))
            if span[0] < span[1]:
                spans.append(span)
        elif first < last:
            days.append((first, last if not isinstance(last, datetime) else last.date()))
    merged = BusyTimes(tuple(_merge(spans)), tuple(_merge(days)))
    if len(merged.spans) + len(merged.days) > MAX_BUSY_TIMES:
        raise FeedUnreadable(f"the feed has more than {MAX_BUSY_TIMES} busy times in the next year")
    return merged


def _is_busy(event: Any) -> bool:
    status = str(event.get("STATUS", "")).upper()
    transparency = str(event.get("TRANSP", "OPAQUE")).upper()
    return status != "CANCELLED" and transparency != "TRANSPARENT"


def _default_end(start: date) -> date:
    """RFC 5545 3.6.1: without DTEND or DURATION an all-day event lasts its day, a timed one no time
    (recurring-ical-events already applies DURATION)."""
    return start if isinstance(start, datetime) else start + timedelta(days=1)


def _instant(value: datetime) -> datetime:
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(UTC)


def _merge(spans: Iterable[tuple[When, When]]) -> list[tuple[When, When]]:
    merged: list[tuple[When, When]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
