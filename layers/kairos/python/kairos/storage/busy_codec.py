"""How a calendar subscription's busy times are kept in its resource's timeline head: one attribute per
subscription (`busy_<id>`), so a sync replaces the whole set in one write, and compact, as every booking
check and slot listing of the resource reads the head (about 8 bytes a busy time: a year of a busy
calendar, 2,000 events, is some 16 KB).

Spans are whole seconds since the epoch, dates day numbers (`date.toordinal`); each entry is
`<gap since the previous entry's end>.<length>` in base 36, entries joined by commas (the first gap counts
from 0). Entries are sorted and do not overlap, so every gap and length is positive or zero.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from kairos.domain.shared.records import CalendarBusy

ENTITY = "calendar_busy"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def calendar_copy(busy: CalendarBusy) -> dict[str, Any]:
    """The head's attribute of a subscription's busy times."""
    spans = [(int(s.timestamp()), int(e.timestamp())) for s, e in busy.spans]
    days = [(d.toordinal(), a.toordinal()) for d, a in busy.days]
    return {
        "entity": ENTITY,
        "id": busy.subscription_id,
        "name": busy.name,
        "spans": _encode(spans),
        "days": _encode(days),
    }


def calendar_of(copy: Mapping[str, Any]) -> CalendarBusy:
    spans = tuple(
        (datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC)) for s, e in _decode(copy["spans"])
    )
    days = tuple((date.fromordinal(d), date.fromordinal(a)) for d, a in _decode(copy["days"]))
    return CalendarBusy(str(copy["id"]), str(copy.get("name") or ""), spans, days)


def _encode(entries: Sequence[tuple[int, int]]) -> str:
    out, previous = [], 0
    for start, end in entries:
        out.append(f"{_base36(start - previous)}.{_base36(end - start)}")
        previous = end
    return ",".join(out)


def _decode(text: str) -> list[tuple[int, int]]:
    entries, previous = [], 0
    for entry in filter(None, text.split(",")):
        gap, length = entry.split(".")
        start = previous + int(gap, 36)
        previous = start + int(length, 36)
        entries.append((start, previous))
    return entries


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if not number:
            return digits
