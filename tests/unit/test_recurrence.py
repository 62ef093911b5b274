"""Recurrence expansion of booking series (docs/booking-series.md, "Recurrence"): wall time kept across
DST, the spring-forward gap read with the offset before it, BYDAY, MONTHLY on the 31st, and the RRULE
subset refused part by part with a field error."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kairos.domain.bookings.recurrence import occurrences, parse_recurrence
from kairos.errors import ValidationFailed

PARIS = ZoneInfo("Europe/Paris")


def local(rule: str, first: datetime, where: ZoneInfo = PARIS) -> list[str]:
    return [s.astimezone(where).isoformat() for s in occurrences(parse_recurrence(rule), first, where)]


def test_a_weekly_10_oclock_stays_10_oclock_across_the_spring_and_autumn_changes() -> None:
    first = datetime(2026, 3, 23, 10, tzinfo=PARIS)  # the Monday before the change of 29 March

    starts = local("FREQ=WEEKLY;COUNT=3", first)

    assert starts == [
        "2026-03-23T10:00:00+01:00",
        "2026-03-30T10:00:00+02:00",
        "2026-04-06T10:00:00+02:00",
    ]
    autumn = local("FREQ=WEEKLY;COUNT=2", datetime(2026, 10, 19, 10, tzinfo=PARIS))
    assert autumn == ["2026-10-19T10:00:00+02:00", "2026-10-26T10:00:00+01:00"]


def test_a_wall_time_missing_on_the_spring_forward_day_is_read_with_the_offset_before_the_gap() -> None:
    """02:30 does not exist in Paris on 29 March 2026: it is 03:30 CEST, the instant 02:30 CET would be
    (RFC 5545, 3.3.5); the next day is 02:30 again."""
    first = datetime(2026, 3, 28, 2, 30, tzinfo=PARIS)

    starts = occurrences(parse_recurrence("FREQ=DAILY;COUNT=3"), first, PARIS)

    assert [s.astimezone(PARIS).isoformat() for s in starts] == [
        "2026-03-28T02:30:00+01:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T02:30:00+02:00",
    ]
    assert starts[1] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_wall_time_that_occurs_twice_is_its_first_occurrence() -> None:
    starts = local("FREQ=DAILY;COUNT=2", datetime(2026, 10, 24, 2, 30, tzinfo=PARIS))

    assert starts == ["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00"]


def test_byday_weekly_every_other_week_on_monday_and_thursday() -> None:
    first = datetime(2026, 1, 5, 9, tzinfo=PARIS)  # a Monday

    starts = local("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5", first)

    assert [s[:10] for s in starts] == ["2026-01-05", "2026-01-08", "2026-01-19", "2026-01-22", "2026-02-02"]


def test_monthly_on_the_31st_skips_the_months_without_one() -> None:
    starts = local("FREQ=MONTHLY;COUNT=4", datetime(2026, 1, 31, 9, tzinfo=PARIS))

    assert [s[:10] for s in starts] == ["2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31"]


def test_monthly_by_numbered_weekday_and_until_inclusive() -> None:
    first = datetime(2026, 1, 30, 17, tzinfo=PARIS)  # the last Friday of January

    starts = local("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260424", first)

    assert [s[:10] for s in starts] == ["2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24"]


def test_until_as_a_utc_time_cuts_the_series_at_that_instant() -> None:
    first = datetime(2026, 6, 1, 10, tzinfo=PARIS)

    starts = local("FREQ=DAILY;UNTIL=20260603T080000Z", first)

    assert starts == ["2026-06-01T10:00:00+02:00", "2026-06-02T10:00:00+02:00", "2026-06-03T10:00:00+02:00"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=YEARLY;COUNT=2", "FREQ must be DAILY, WEEKLY or MONTHLY"),
        ("FREQ=WEEKLY", "exactly one of COUNT and UNTIL"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "exactly one of COUNT and UNTIL"),
        ("FREQ=WEEKLY;COUNT=105", "COUNT must be a whole number from 1 to 104"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be a whole number from 1 to 104"),
        ("FREQ=WEEKLY;COUNT=2;BYSETPOS=1", "BYSETPOS is not supported"),
        ("FREQ=WEEKLY;COUNT=2;BYDAY=XX", "BYDAY item 'XX'"),
        ("FREQ=WEEKLY;COUNT=2;BYDAY=1MO", "only when MONTHLY"),
        ("FREQ=WEEKLY;UNTIL=2027-01-01", "UNTIL must be a date"),
        ("FREQ=WEEKLY;COUNT", "is not NAME=VALUE"),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=2", "INTERVAL must be a whole number"),
    ],
)
def test_anything_outside_the_subset_is_a_field_error_on_recurrence(rule: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_recurrence(rule)

    assert list(refused.value.errors) == ["recurrence"]
    assert message in refused.value.errors["recurrence"][0]


def test_a_first_start_that_is_no_occurrence_or_too_many_occurrences_are_refused() -> None:
    tuesday = datetime(2026, 1, 6, 9, tzinfo=PARIS)
    with pytest.raises(ValidationFailed) as off_rule:
        occurrences(parse_recurrence("FREQ=WEEKLY;BYDAY=MO;COUNT=3"), tuesday, PARIS)
    assert list(off_rule.value.errors) == ["starts_at"]

    with pytest.raises(ValidationFailed) as too_many:
        occurrences(parse_recurrence("FREQ=DAILY;UNTIL=20270101"), tuesday, PARIS)
    assert "more than 104" in too_many.value.errors["recurrence"][0]

    with pytest.raises(ValidationFailed) as before:
        occurrences(parse_recurrence("FREQ=DAILY;UNTIL=20251231"), tuesday, PARIS)
    assert "before starts_at" in before.value.errors["recurrence"][0]
