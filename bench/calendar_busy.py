"""What a busy calendar costs: reading a year of it (icalendar and recurring-ical-events) and the size of
its busy set on the resource's timeline head, which every booking check and slot listing of the resource
reads (docs/calendar-subscriptions.md).

The feed: 20 weekly series (RRULE with an EXDATE and a moved occurrence each), 1,000 single events and 20
all-day events, about 2,000 busy times in the year ahead.

    .venv/bin/python -m bench.calendar_busy
"""

import time
from datetime import UTC, datetime, timedelta

from kairos.calendars.busy import busy_times
from kairos.domain.shared.records import CalendarBusy
from kairos.storage.busy_codec import calendar_copy

NOW = datetime(2027, 1, 4, tzinfo=UTC)


def feed() -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for n in range(20):
        start = NOW + timedelta(days=n % 5, hours=7 + n % 9)
        stamp = f"{start:%Y%m%dT%H%M%S}"
        moved = start + timedelta(weeks=3)
        lines += [
            "BEGIN:VEVENT", f"UID:series-{n}", f"DTSTART;TZID=Europe/Stockholm:{stamp}",
            f"DTEND;TZID=Europe/Stockholm:{start + timedelta(minutes=45):%Y%m%dT%H%M%S}",
            "RRULE:FREQ=WEEKLY", f"EXDATE;TZID=Europe/Stockholm:{start + timedelta(weeks=2):%Y%m%dT%H%M%S}",
            "END:VEVENT", "BEGIN:VEVENT", f"UID:series-{n}",
            f"RECURRENCE-ID;TZID=Europe/Stockholm:{moved:%Y%m%dT%H%M%S}",
            f"DTSTART;TZID=Europe/Stockholm:{moved + timedelta(hours=1):%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Stockholm:{moved + timedelta(hours=2):%Y%m%dT%H%M%S}", "END:VEVENT",
        ]  # fmt: skip
    for n in range(1000):
        start = NOW + timedelta(hours=7 + 8.77 * n)
        lines += [
            "BEGIN:VEVENT", f"UID:single-{n}", f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}", "END:VEVENT",
        ]  # fmt: skip
    for n in range(20):
        day = (NOW + timedelta(days=17 * n)).date()
        lines += [
            "BEGIN:VEVENT", f"UID:away-{n}", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=2):%Y%m%d}", "END:VEVENT",
        ]  # fmt: skip
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


def main() -> None:
    document = feed()
    timings = []
    for _ in range(3):
        started = time.process_time()
        found = busy_times(document, NOW)
        timings.append(time.process_time() - started)
    copy = calendar_copy(
        CalendarBusy("00000000-0000-4000-8000-000000000000", "Dr. Smith", found.spans, found.days)
    )
    size = len(copy["spans"]) + len(copy["days"])
    busy = len(found.spans) + len(found.days)
    print(f"feed: {len(document) / 1024:.0f} KB; busy times in the year ahead: {busy}")
    print(f"read and expanded in {min(timings) * 1000:.0f} ms of CPU (best of 3)")
    print(f"on the head: {size / 1024:.1f} KB, {size / busy:.1f} bytes a busy time")


if __name__ == "__main__":
    main()
