"""Local wall-clock time in a location's zone, turned into instants by one rule used everywhere.

A wall time is resolved with `zoneinfo` and fold=0: a time that does not exist (the spring-forward gap)
takes the offset from before the transition, so it lands the length of the gap later (02:30 becomes 03:30
in Stockholm); a time that happens twice (fall-back) is its first occurrence. Every instant the
scheduling code computes is returned in UTC: Python compares and subtracts two datetimes that share a
`ZoneInfo` by their wall clocks, which is wrong across a DST change, and UTC has no such trap.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDNIGHT = time(0)
ONE_DAY = timedelta(days=1)


def to_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of the wall time `at` on the local date `day`."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the local date `day` begins."""
    return to_instant(day, MIDNIGHT, zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()
