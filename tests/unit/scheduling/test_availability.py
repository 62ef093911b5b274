"""Availability at a location (kairos.scheduling.availability): recurring weeks, one-off blocks, 24:00."""

from datetime import date, time

from kairos.scheduling.availability import availability, is_active
from kairos.scheduling.model import OneOffBlock, RecurringSchedule, WeeklyBlock
from tests.unit.scheduling.builders import STOCKHOLM, every_day, span

MONDAY_MORNINGS = (WeeklyBlock("monday", time(8), time(12)),)


def weekly(start: date, end: date | None = None, interval: int = 1) -> RecurringSchedule:
    return RecurringSchedule(start_date=start, end_date=end, interval=interval, blocks=MONDAY_MORNINGS)


def test_recurring_blocks_fall_on_their_weekday_in_local_time() -> None:
    window = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-11 00:00")

    spans = availability([weekly(date(2026, 5, 1))], [], STOCKHOLM, window)

    assert span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 12:00") in spans
    assert span(STOCKHOLM, "2026-05-11 08:00", "2026-05-11 12:00") in spans  # the day after the window
    assert len(spans) == 2


def test_availability_is_not_clipped_to_the_window() -> None:
    window = span(STOCKHOLM, "2026-05-04 10:00", "2026-05-04 11:00")

    spans = availability([weekly(date(2026, 5, 1))], [], STOCKHOLM, window)

    assert spans == (span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 12:00"),)


def test_interval_counts_weeks_from_the_monday_of_the_start_dates_week() -> None:
    # Starts on Sunday 2026-05-10, whose ISO week began Monday 2026-05-04: weeks 0, 2, 4 ... from there;
    # Monday 2026-05-04 itself is before the start date.
    schedule = weekly(date(2026, 5, 10), interval=2)

    mondays = (date(2026, 5, 4), date(2026, 5, 11), date(2026, 5, 18), date(2026, 5, 25), date(2026, 6, 1))

    assert [is_active(schedule, day) for day in mondays] == [False, False, True, False, True]


def test_interval_one_is_every_week_from_the_start_date() -> None:
    schedule = weekly(date(2026, 5, 5))

    assert not is_active(schedule, date(2026, 5, 4))
    assert all(is_active(schedule, date(2026, 5, 4 + 7 * n)) for n in range(1, 4))


def test_end_date_is_inclusive() -> None:
    schedule = weekly(date(2026, 5, 1), end=date(2026, 5, 11))

    assert is_active(schedule, date(2026, 5, 11))
    assert not is_active(schedule, date(2026, 5, 12))


def test_schedule_ending_on_a_monday_still_gives_that_mondays_block() -> None:
    window = span(STOCKHOLM, "2026-05-11 00:00", "2026-05-19 00:00")

    spans = availability([weekly(date(2026, 5, 1), end=date(2026, 5, 11))], [], STOCKHOLM, window)

    assert spans == (span(STOCKHOLM, "2026-05-11 08:00", "2026-05-11 12:00"),)


def test_overlapping_schedules_are_combined() -> None:
    afternoons = RecurringSchedule(date(2026, 5, 1), None, 1, (WeeklyBlock("monday", time(11), time(15)),))
    window = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")

    spans = availability([weekly(date(2026, 5, 1)), afternoons], [], STOCKHOLM, window)

    assert spans == (span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 15:00"),)


def test_open_end_means_midnight_and_joins_the_next_day() -> None:
    window = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-06 00:00")

    spans = availability([every_day(time(18), None)], [], STOCKHOLM, window)

    assert span(STOCKHOLM, "2026-05-04 18:00", "2026-05-05 00:00") in spans
    assert len(spans) == 5  # May 3 to May 7: the date before and after the window are expanded too


def test_a_24_hour_schedule_is_one_uninterrupted_span() -> None:
    window = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-06 00:00")

    spans = availability([every_day(time(0), None)], [], STOCKHOLM, window)

    assert spans == (span(STOCKHOLM, "2026-05-03 00:00", "2026-05-08 00:00"),)


def test_one_off_available_blocks_add_to_the_recurring_ones() -> None:
    extra = OneOffBlock(span(STOCKHOLM, "2026-05-04 12:00", "2026-05-04 14:00"), is_available=True)
    saturday = OneOffBlock(span(STOCKHOLM, "2026-05-09 09:00", "2026-05-09 10:00"), is_available=True)
    window = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-09 23:00")

    spans = availability([weekly(date(2026, 5, 1))], [extra, saturday], STOCKHOLM, window)

    assert spans == (span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 14:00"), saturday.span)


def test_one_off_unavailable_blocks_are_taken_out_of_everything() -> None:
    extra = OneOffBlock(span(STOCKHOLM, "2026-05-04 12:00", "2026-05-04 14:00"), is_available=True)
    away = OneOffBlock(span(STOCKHOLM, "2026-05-04 10:00", "2026-05-04 13:00"), is_available=False)
    window = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")

    spans = availability([weekly(date(2026, 5, 1))], [extra, away], STOCKHOLM, window)

    assert spans == (
        span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 10:00"),
        span(STOCKHOLM, "2026-05-04 13:00", "2026-05-04 14:00"),
    )


def test_a_recurring_schedule_inactive_before_its_start_gives_nothing() -> None:
    window = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")

    assert availability([weekly(date(2026, 6, 1))], [], STOCKHOLM, window) == ()
