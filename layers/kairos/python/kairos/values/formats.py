"""Wire formats of the Hapio API: timestamps, dates, times, ISO 8601 durations and prices.

Each parser raises `ValueError` with a message fit for a 422; each formatter gives the exact text Hapio
uses (`2023-08-28T08:00:00+02:00`, `PT50M`, `149.000`).

Every instant a client sends must lie from FIRST_INSTANT to LAST_INSTANT, and every date in the years
FIRST_YEAR to LAST_YEAR: moved by any offset, zone or duration Kairos allows, such a value stays far from
the ends of Python's calendar (years 1 and 9999), so nothing accepted can fail to compute or to render
later. The bound is on the instant, so a timestamp Kairos rendered (in any zone) is accepted back. Values
Kairos stored itself are read with `stored_timestamp` and `stored_date`, which check no range (a booking's
buffer may start before 1970).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Whitespace as Python's str.strip() and str.isspace() see it, spelled out for patterns: JSON Schema's
# `\s` (ECMA 262's) is another set, without \x1c-\x1f and \x85.
SPACE = (
    "\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f"
    "\\u205f\\u3000"
)
# What pydantic's `strip_whitespace` trims: Unicode's White_Space, which is SPACE without \x1c-\x1f.
TRIMMED = SPACE.replace("\\u001c-\\u001f", "")
# Matched with fullmatch and re.ASCII: no trailing newline, no non-ASCII digits.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})", re.ASCII)
_PRICE = re.compile(r"\d{1,12}\.\d{3}", re.ASCII)
_DURATION = re.compile(
    r"P(?!$)(?:(?P<years>\d{1,4})Y)?(?:(?P<months>\d{1,4})M)?(?:(?P<weeks>\d{1,4})W)?(?:(?P<days>\d{1,4})D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d{1,4})H)?(?:(?P<minutes>\d{1,4})M)?(?:(?P<seconds>\d{1,4})S)?)?",
    re.ASCII,
)
_WEEKS = re.compile(r"P\d{1,4}W", re.ASCII)
FIRST_YEAR, LAST_YEAR = 1970, 2200
FIRST_INSTANT = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)


def parse_timestamp(value: str) -> datetime:
    """`YYYY-MM-DDThh:mm:ss±hh:mm` only (Hapio answers 422 to `...000Z`, seen live, and so do we), from
    FIRST_INSTANT to LAST_INSTANT."""
    parsed = stored_timestamp(value)
    if not FIRST_INSTANT <= parsed <= LAST_INSTANT:
        first, last = FIRST_INSTANT.isoformat(), LAST_INSTANT.isoformat()
        raise ValueError(f"must be a timestamp from {first} to {last}")
    return parsed


def stored_timestamp(value: str) -> datetime:
    """A timestamp in the wire format, in any year: how Kairos reads back what it wrote itself (a UTC
    rendering of an accepted instant may lie just outside the accepted years)."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise ValueError("must be a timestamp of the form YYYY-MM-DDThh:mm:ss+hh:mm")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a valid timestamp") from None


def stored_date(value: str) -> date:
    """A date Kairos stored itself (checked when it was sent), in any year, so older data stays readable."""
    return date.fromisoformat(value)


def format_timestamp(value: datetime, zone: tzinfo | None = None) -> str:
    """Renders in `zone` (UTC by default) with a `±hh:mm` offset and whole seconds."""
    local = value.astimezone(zone or UTC)
    return (local.replace(microsecond=0) if local.microsecond else local).isoformat()


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def parse_date(value: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("must be a date of the form YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a valid date") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(f"must be a date in the years {FIRST_YEAR} to {LAST_YEAR}")
    return parsed


def parse_time(value: str, *, allow_end_of_day: bool = False) -> time | None:
    """`hh:mm:ss`; `24:00:00` (returned as None, meaning the end of the day) only where allowed."""
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValueError("must be a time of the form hh:mm:ss")
    if value == "24:00:00":
        if allow_end_of_day:
            return None
        raise ValueError("must be a time between 00:00:00 and 23:59:59")
    hours, minutes, seconds = (int(g) for g in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError("must be a valid time")
    return time(hours, minutes, seconds)


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration as written. Years, months, weeks and days are calendar units; the time part
    is elapsed time. `nominal()` gives a timedelta for comparisons (a year as 365 days, a month as 30)."""

    text: str
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @property
    def time_part(self) -> timedelta:
        return timedelta(hours=self.hours, minutes=self.minutes, seconds=self.seconds)

    def nominal(self) -> timedelta:
        calendar_days = self.years * 365 + self.months * 30 + self.weeks * 7 + self.days
        return timedelta(days=calendar_days) + self.time_part

    @property
    def is_zero(self) -> bool:
        return self.nominal() == timedelta(0)


def parse_duration(value: str) -> Duration:
    """A duration in Hapio's grammar: `P[n]Y[n]M[n]DT[n]H[n]M[n]S`, or `P[n]W` alone (`P1W2D` is refused)."""
    duration = stored_duration(value)
    if "W" in value and not _WEEKS.fullmatch(value):
        raise ValueError("must not mix weeks with other parts: use P[n]W alone, or days (P9D)")
    return duration


def stored_duration(value: str) -> Duration:
    """A duration as stored. Weeks mixed with other parts were accepted before the grammar was enforced,
    so a stored `P1W2D` is still read (as 9 days) rather than making its service unreadable."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValueError("must be an ISO 8601 duration such as PT30M, with at most 4 digits per part")
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    return Duration(text=value, **parts)


def parse_price(value: str) -> Decimal:
    if not isinstance(value, str) or not _PRICE.fullmatch(value):
        raise ValueError("must be a string with exactly three decimals, such as 149.000")
    return Decimal(value)


def format_price(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.001')):f}"


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    """The zones a location may name (the IANA database Kairos carries: `tzdata`)."""
    return frozenset(available_timezones())


def parse_time_zone(value: str) -> ZoneInfo:
    if not isinstance(value, str) or value not in time_zone_names():
        raise ValueError("must be a valid IANA time zone, such as Europe/Stockholm")
    try:
        return zone(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be a valid IANA time zone, such as Europe/Stockholm") from None


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
