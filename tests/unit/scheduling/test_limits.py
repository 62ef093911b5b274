"""Booking limits' periods: local days (a DST day is 23 hours long), ISO weeks across a year end, months;
and the count that one more booking would exceed."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kairos.scheduling.limits import (
    LimitReached,
    limits_from_service,
    period_key,
    period_span,
    reach,
    reached,
)
from kairos.scheduling.model import Limits, Span

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_local_day_is_counted_in_the_locations_zone_even_on_a_dst_day() -> None:
    # 2030-03-31: Stockholm springs forward, the local day is 23 hours long (23:00Z to 22:00Z).
    early = _utc("2030-03-30T23:30:00+00:00")  # 00:30 local on the 31st
    span = period_span("day", early, STOCKHOLM)
    assert span == Span(_utc("2030-03-30T23:00:00+00:00"), _utc("2030-03-31T22:00:00+00:00"))
    assert span.length.total_seconds() == 23 * 3600
    assert period_key("day", early, STOCKHOLM) == "D#2030-03-31"
    assert period_key("day", _utc("2030-03-31T21:59:59+00:00"), STOCKHOLM) == "D#2030-03-31"
    assert period_key("day", _utc("2030-03-31T22:00:00+00:00"), STOCKHOLM) == "D#2030-04-01"


def test_an_iso_week_runs_monday_to_sunday_across_a_year_end() -> None:
    thursday = _utc("2026-12-31T12:00:00+00:00")
    assert period_key("week", thursday, STOCKHOLM) == "W#2026-W53"
    assert period_key("week", _utc("2027-01-03T12:00:00+00:00"), STOCKHOLM) == "W#2026-W53"
    assert period_key("week", _utc("2027-01-04T12:00:00+00:00"), STOCKHOLM) == "W#2027-W01"
    span = period_span("week", thursday, STOCKHOLM)
    assert span == Span(_utc("2026-12-27T23:00:00+00:00"), _utc("2027-01-03T23:00:00+00:00"))


def test_a_month_is_the_local_calendar_month() -> None:
    new_year = _utc("2026-12-31T23:30:00+00:00")  # already January in Stockholm
    assert period_key("month", new_year, STOCKHOLM) == "M#2027-01"
    assert period_span("month", new_year, STOCKHOLM) == Span(
        _utc("2026-12-31T23:00:00+00:00"), _utc("2027-01-31T23:00:00+00:00")
    )


def test_the_first_limit_one_more_booking_would_exceed_is_named_with_its_count() -> None:
    limits = Limits(day=2, week=3)
    monday = _utc("2030-01-07T09:00:00+00:00")
    tuesday = _utc("2030-01-08T09:00:00+00:00")
    assert reached(limits, [monday], monday, STOCKHOLM) is None
    assert reached(limits, [monday, monday], monday, STOCKHOLM) == LimitReached("day", 2, 2)
    assert reached(limits, [monday, monday], tuesday, STOCKHOLM) is None
    assert reached(limits, [monday, monday, tuesday], tuesday, STOCKHOLM) == LimitReached("week", 3, 3)
    assert reached(None, [monday] * 9, monday, STOCKHOLM) is None


def test_limits_are_read_from_the_service_and_widen_what_is_read() -> None:
    assert limits_from_service({}) is None
    limits = limits_from_service({"booking_limits": {"per_resource": {"month": 4}}})
    assert limits == Limits(month=4)
    window = Span(_utc("2030-01-07T09:00:00+00:00"), _utc("2030-01-08T09:00:00+00:00"))
    assert reach(limits, window, STOCKHOLM) == Span(
        _utc("2029-12-31T23:00:00+00:00"), _utc("2030-01-31T23:00:00+00:00")
    )
    assert reach(None, window, STOCKHOLM) == window
