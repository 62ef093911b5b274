"""The recurrence of a booking series: the subset of an RFC 5545 RRULE a clinic needs, parsed strictly and
expanded in the location's wall time (docs/booking-series.md).

Kept by hand rather than with a general RRULE library: the subset is small (FREQ DAILY, WEEKLY or MONTHLY;
INTERVAL; BYDAY; COUNT or UNTIL), every other part must be refused with a field error, the first
occurrence must be the series' own start, and occurrences are dates to which the first start's wall time
is applied in the location's zone. That last step is where the rules are:

- a wall time repeats across DST: a weekly 10:00 stays 10:00 (the instant moves by the offset change);
- a wall time that does not exist on a spring-forward day (02:30 in Europe/Paris on 29 March 2026) is read
  with the offset before the gap, as RFC 5545 (3.3.5) says: it becomes 03:30 local, the same instant as
  02:30 would have been in winter; a time that occurs twice is its first occurrence;
- MONTHLY without BYDAY repeats the first date's day of the month, and skips the months that lack it (a
  series starting on the 31st has no occurrence in April), as RFC 5545 does; COUNT counts occurrences made.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kairos.errors import ValidationFailed

FIELD = "recurrence"
MAX_OCCURRENCES = 104  # two years of a weekly appointment
MAX_INTERVAL = 99
MAX_LENGTH = 200
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PERIODS_LIMIT = 10_000  # periods looked at before giving up: far beyond any series that can be made
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(T\d{6}Z)?$")


@dataclass(frozen=True)
class Recurrence:
    """A parsed rule. `by_day`: (ordinal or None, weekday 0-6); ordinals only for MONTHLY."""

    text: str
    freq: str
    interval: int
    by_day: tuple[tuple[int | None, int], ...]
    count: int | None
    until: datetime | date | None  # an instant (UTC) or a local date, both inclusive


def parse_recurrence(text: object) -> Recurrence:
    """The rule, or a 422 on `recurrence` saying what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise _invalid("The recurrence field is required (an RRULE such as FREQ=WEEKLY;COUNT=10).")
    if len(text) > MAX_LENGTH:
        raise _invalid(f"The recurrence may not be greater than {MAX_LENGTH} characters.")
    body = text.strip().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for part in body.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not value:
            raise _invalid(f"The recurrence part '{part}' is not NAME=VALUE.")
        if name in parts:
            raise _invalid(f"The recurrence gives {name} twice.")
        parts[name] = value
    unknown = sorted(set(parts) - {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL"})
    if unknown:
        raise _invalid(
            f"The recurrence part {unknown[0]} is not supported: only FREQ, INTERVAL, BYDAY, COUNT and UNTIL."
        )
    freq = parts.get("FREQ")
    if freq not in ("DAILY", "WEEKLY", "MONTHLY"):
        raise _invalid("The recurrence's FREQ must be DAILY, WEEKLY or MONTHLY.")
    interval = _number(parts.get("INTERVAL", "1"), "INTERVAL", MAX_INTERVAL)
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise _invalid("The recurrence must give exactly one of COUNT and UNTIL.")
    count = _number(parts["COUNT"], "COUNT", MAX_OCCURRENCES) if "COUNT" in parts else None
    until = _until(parts["UNTIL"]) if "UNTIL" in parts else None
    by_day = _by_day(parts["BYDAY"], freq) if "BYDAY" in parts else ()
    return Recurrence(text.strip(), freq, interval, by_day, count, until)


def occurrences(rule: Recurrence, first: datetime, where: ZoneInfo) -> list[datetime]:
    """The starts of the series (UTC), the first one included: the rule's dates at the first start's wall
    time in `where`. A 422 when the first start is not an occurrence of the rule, when UNTIL lies before
    it, or when the rule makes more than MAX_OCCURRENCES."""
    local = first.astimezone(where)
    wall = local.time().replace(tzinfo=None)
    if (isinstance(rule.until, datetime) and rule.until < first) or (
        isinstance(rule.until, date) and not isinstance(rule.until, datetime) and rule.until < local.date()
    ):
        raise _invalid("The recurrence's UNTIL lies before starts_at.")
    dates = _dates(rule, local.date())
    if not dates or dates[0] != local.date():
        raise ValidationFailed.field(
            "starts_at", "The starts_at must be the first occurrence of the recurrence (its BYDAY)."
        )
    starts = []
    for day in dates:
        start = datetime.combine(day, wall).replace(tzinfo=where)  # fold=0: RFC 5545's reading of gaps
        start = start.astimezone(UTC)
        if isinstance(rule.until, datetime) and start > rule.until:
            break
        starts.append(start)
    if len(starts) > MAX_OCCURRENCES:
        raise _invalid(f"The recurrence makes more than {MAX_OCCURRENCES} occurrences.")
    return starts


def _dates(rule: Recurrence, first: date) -> list[date]:
    """The local dates of the rule from `first` on, at most MAX_OCCURRENCES + 1 (enough to tell too many)."""
    wanted = MAX_OCCURRENCES + 1 if rule.count is None else rule.count
    last = _last_date(rule.until)
    found: list[date] = []
    for n in range(_PERIODS_LIMIT):
        period = _period(rule, first, n)
        if last is not None and period[0] > last:
            break
        for day in _in_period(rule, first, period):
            if day < first or (last is not None and day > last):
                continue
            found.append(day)
            if len(found) == wanted:
                return found
    return found


def _period(rule: Recurrence, first: date, n: int) -> tuple[date, date]:
    """The n-th period of the rule (first and last date): a day, a Monday-to-Sunday week, a month."""
    if rule.freq == "DAILY":
        day = first + timedelta(days=n * rule.interval)
        return day, day
    if rule.freq == "WEEKLY":
        monday = first - timedelta(days=first.weekday()) + timedelta(weeks=n * rule.interval)
        return monday, monday + timedelta(days=6)
    months = first.month - 1 + n * rule.interval
    start = date(first.year + months // 12, months % 12 + 1, 1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _in_period(rule: Recurrence, first: date, period: tuple[date, date]) -> list[date]:
    start, end = period
    days = [start + timedelta(days=d) for d in range((end - start).days + 1)]
    if not rule.by_day:
        if rule.freq == "WEEKLY":
            return [d for d in days if d.weekday() == first.weekday()]
        if rule.freq == "MONTHLY":
            return [d for d in days if d.day == first.day]  # none in a month without that day
        return days
    picked: set[date] = set()
    for ordinal, weekday in rule.by_day:
        matching = [d for d in days if d.weekday() == weekday]
        if ordinal is None:
            picked.update(matching)
        elif -len(matching) <= ordinal <= len(matching):
            picked.add(matching[ordinal - 1 if ordinal > 0 else ordinal])
    return sorted(picked)


def _last_date(until: datetime | date | None) -> date | None:
    """The last local date UNTIL can let in (an instant's UTC date plus a day: zones reach UTC+14)."""
    if isinstance(until, datetime):
        return until.date() + timedelta(days=1)
    return until


def _number(value: str, name: str, most: int) -> int:
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise _invalid(f"The recurrence's {name} must be a whole number from 1 to {most}.")
    return int(value)


def _until(value: str) -> datetime | date:
    match = _UNTIL.match(value)
    try:
        if match is None:
            raise ValueError(value)
        if match[2]:
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise _invalid(
            "The recurrence's UNTIL must be a date (20270101) or a UTC time (20270101T120000Z)."
        ) from None


def _by_day(value: str, freq: str) -> tuple[tuple[int | None, int], ...]:
    found: list[tuple[int | None, int]] = []
    for item in value.split(","):
        match = _BYDAY.match(item)
        if match is None:
            raise _invalid(f"The recurrence's BYDAY item '{item}' is not a weekday (MO, TU, ... SU).")
        if match[1] and freq != "MONTHLY":
            raise _invalid("The recurrence's BYDAY may number its weekdays (2TU, -1FR) only when MONTHLY.")
        found.append((int(match[1]) if match[1] else None, WEEKDAYS.index(match[2])))
    return tuple(found)


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed.field(FIELD, message)
