"""Reading busy times from feeds shaped as Google, Outlook and Apple write them."""

from datetime import UTC, date, datetime

import pytest

from kairos.calendars.busy import FeedUnreadable, busy_times

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def feed(*events: str, head: str = "") -> bytes:
    body = "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", head, *events, "END:VCALENDAR"]
    )
    return "\r\n".join(line for line in body.split("\r\n") if line).encode()


OUTLOOK_ZONE = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE""".replace("\n", "\r\n")


def test_an_outlook_series_with_a_windows_zone_an_exdate_and_a_moved_occurrence() -> None:
    series = """BEGIN:VEVENT
UID:weekly@outlook
DTSTART;TZID=W. Europe Standard Time:20270105T100000
DTEND;TZID=W. Europe Standard Time:20270105T110000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=W. Europe Standard Time:20270112T100000
END:VEVENT
BEGIN:VEVENT
UID:weekly@outlook
RECURRENCE-ID;TZID=W. Europe Standard Time:20270119T100000
DTSTART;TZID=W. Europe Standard Time:20270119T140000
DTEND;TZID=W. Europe Standard Time:20270119T150000
END:VEVENT""".replace("\n", "\r\n")
    found = busy_times(feed(series, head=OUTLOOK_ZONE), NOW)
    assert found.spans == (
        (utc(2027, 1, 5, 9), utc(2027, 1, 5, 10)),  # 10:00 CET
        (utc(2027, 1, 19, 13), utc(2027, 1, 19, 14)),  # moved to 14:00; 12 Jan left out
        (utc(2027, 1, 26, 9), utc(2027, 1, 26, 10)),
    )


def test_a_google_feed_in_utc_with_its_x_wr_timezone_and_an_rdate() -> None:
    event = """BEGIN:VEVENT
UID:g1@google.com
DTSTART:20270301T080000Z
DTEND:20270301T090000Z
RDATE:20270308T080000Z
END:VEVENT""".replace("\n", "\r\n")
    found = busy_times(feed(event, head="X-WR-TIMEZONE:Europe/Stockholm"), NOW)
    assert found.spans == ((utc(2027, 3, 1, 8), utc(2027, 3, 1, 9)), (utc(2027, 3, 8, 8), utc(2027, 3, 8, 9)))


def test_an_apple_feed_across_the_spring_forward_night_keeps_wall_time() -> None:
    event = """BEGIN:VEVENT
UID:apple-1
DTSTART;TZID=America/New_York:20270313T090000
DTEND;TZID=America/New_York:20270313T100000
RRULE:FREQ=DAILY;COUNT=2
END:VEVENT""".replace("\n", "\r\n")
    found = busy_times(feed(event), NOW)
    assert found.spans == (
        (utc(2027, 3, 13, 14), utc(2027, 3, 13, 15)),
        (utc(2027, 3, 14, 13), utc(2027, 3, 14, 14)),
    )


def test_an_all_day_event_across_a_dst_change_stays_local_dates() -> None:
    event = """BEGIN:VEVENT
UID:away
DTSTART;VALUE=DATE:20270327
DTEND;VALUE=DATE:20270329
END:VEVENT""".replace("\n", "\r\n")
    found = busy_times(feed(event), NOW)
    assert found.days == ((date(2027, 3, 27), date(2027, 3, 29)),)
    assert found.spans == ()


def test_cancelled_and_transparent_events_are_not_busy() -> None:
    events = """BEGIN:VEVENT
UID:c
STATUS:CANCELLED
DTSTART:20270201T080000Z
DTEND:20270201T090000Z
END:VEVENT
BEGIN:VEVENT
UID:t
TRANSP:TRANSPARENT
DTSTART:20270202T080000Z
DTEND:20270202T090000Z
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART:20270203T080000Z
DTEND:20270203T090000Z
END:VEVENT""".replace("\n", "\r\n")
    assert busy_times(feed(events), NOW).spans == ((utc(2027, 2, 3, 8), utc(2027, 2, 3, 9)),)


def test_one_cancelled_occurrence_of_a_series_frees_its_time_only() -> None:
    events = """BEGIN:VEVENT
UID:s
DTSTART:20270201T080000Z
DTEND:20270201T090000Z
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:s
RECURRENCE-ID:20270202T080000Z
STATUS:CANCELLED
DTSTART:20270202T080000Z
DTEND:20270202T090000Z
END:VEVENT""".replace("\n", "\r\n")
    starts = [s for s, _ in busy_times(feed(events), NOW).spans]
    assert starts == [utc(2027, 2, 1, 8), utc(2027, 2, 3, 8)]


def test_overlapping_events_merge_and_the_horizon_bounds_an_endless_series() -> None:
    events = """BEGIN:VEVENT
UID:daily
DTSTART:20260101T080000Z
DTEND:20260101T090000Z
RRULE:FREQ=DAILY
END:VEVENT
BEGIN:VEVENT
UID:overlap
DTSTART:20270110T083000Z
DTEND:20270110T100000Z
END:VEVENT""".replace("\n", "\r\n")
    found = busy_times(feed(events), NOW)
    assert (utc(2027, 1, 10, 8), utc(2027, 1, 10, 10)) in found.spans
    assert 366 <= len(found.spans) <= 368  # a year from a day before now, not forever
    assert found.spans[0][0] == utc(2026, 12, 31, 8)


def test_a_document_that_is_no_calendar_is_refused_with_a_reason() -> None:
    with pytest.raises(FeedUnreadable, match="not a readable iCalendar"):
        busy_times(b"<html>Sign in</html>", NOW)
