"""iCalendar (RFC 5545) text: content lines (escaped, folded at 75 octets, CRLF), local and UTC date-times,
and VTIMEZONE components made from the IANA zone data, so a calendar app shows each event at its
location's wall time even where its own zone database differs.

A VTIMEZONE lists every offset change of the zone between two instants as its own STANDARD or DAYLIGHT
sub-component (no RRULE: the transitions are read from `zoneinfo`, which knows every historical and
announced rule, so nothing is guessed), and the offset in force before the first change.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CRLF = "\r\n"
_LINE_OCTETS = 75
_PROBE = timedelta(days=1)  # zones change offset at most once a day: a daily probe finds every change


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line, folded so that no physical line exceeds 75 octets (never inside a character)."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        octets = len(char.encode())
        if size + octets > _LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return CRLF.join(parts)


def document(lines: list[str]) -> str:
    return "".join(fold(line) + CRLF for line in lines)


def utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local_stamp(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def date_stamp(value: date) -> str:
    return value.strftime("%Y%m%d")


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> list[str]:
    """The zone's VTIMEZONE covering [first, last]: the offset at `first`, then each change up to `last`."""
    start = first.astimezone(UTC).replace(microsecond=0)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    before = start.astimezone(zone)
    lines += _observance(before, before, before.replace(tzinfo=None))
    for change in _changes(zone, start, last.astimezone(UTC)):
        earlier = (change - timedelta(seconds=1)).astimezone(zone)
        later = change.astimezone(zone)
        onset = change.astimezone(UTC).replace(tzinfo=None) + _offset(earlier)  # the wall time before it
        lines += _observance(earlier, later, onset)
    return [*lines, "END:VTIMEZONE"]


def _offset(value: datetime) -> timedelta:
    offset = value.utcoffset()
    assert offset is not None
    return offset


def _observance(earlier: datetime, later: datetime, onset: datetime) -> list[str]:
    kind = "DAYLIGHT" if later.dst() else "STANDARD"
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{onset.strftime('%Y%m%dT%H%M%S')}",
        f"TZOFFSETFROM:{_utc_offset(_offset(earlier))}",
        f"TZOFFSETTO:{_utc_offset(_offset(later))}",
        f"TZNAME:{escape(later.tzname() or '')}",
        f"END:{kind}",
    ]


def _utc_offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02}{minutes:02}" + (f"{seconds:02}" if seconds else "")


def _changes(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every instant in (start, end] at which the zone's offset (or its name) changes, to the second."""
    probe = start
    while probe < end:
        following = min(probe + _PROBE, end)
        if _state(probe, zone) != _state(following, zone):
            low, high = probe, following  # the change lies in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(middle, zone) == _state(low, zone):
                    low = middle
                else:
                    high = middle
            yield high
        probe = following


def _state(instant: datetime, zone: ZoneInfo) -> tuple[timedelta | None, str | None]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.tzname()
