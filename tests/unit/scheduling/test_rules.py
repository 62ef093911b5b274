"""Service documents to engine rules, and calendar-aware duration arithmetic (kairos.scheduling.rules)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from kairos.scheduling.model import DayRules, FixedRules, FlexibleRules
from kairos.scheduling.rules import add_duration, rules_from_service
from kairos.values.formats import parse_duration, stored_duration
from tests.unit.scheduling.builders import ALL_WEEKDAYS, STOCKHOLM, at, day_service, fixed, flexible


def test_fixed_service_document_gives_elapsed_lengths_and_keeps_the_booking_window() -> None:
    rules = fixed(
        "PT50M",
        bookable_interval="PT1H",
        buffer_time_before="PT5M",
        buffer_time_after="PT10M",
        booking_window_start="PT2H",
        booking_window_end="P14D",
    )

    assert rules.kind == FixedRules(duration=timedelta(minutes=50), bookable_interval=timedelta(hours=1))
    assert (rules.buffer_before, rules.buffer_after) == (timedelta(minutes=5), timedelta(minutes=10))
    assert rules.booking_window_start == parse_duration("PT2H")
    assert rules.booking_window_end == parse_duration("P14D")


def test_defaults_are_no_buffers_no_interval_and_an_open_booking_window() -> None:
    rules = fixed("PT30M")

    assert rules.kind == FixedRules(duration=timedelta(minutes=30), bookable_interval=None)
    assert rules.buffer_before == rules.buffer_after == timedelta(0)
    assert rules.booking_window_start.is_zero
    assert rules.booking_window_end is None


def test_calendar_parts_of_slot_lengths_are_taken_at_their_nominal_length() -> None:
    assert fixed("P1DT1H").kind == FixedRules(duration=timedelta(hours=25), bookable_interval=None)


def test_flexible_service_document_gives_its_lengths() -> None:
    rules = flexible("PT30M", None, "PT15M", bookable_interval="PT5M")

    assert rules.kind == FlexibleRules(
        min_duration=timedelta(minutes=30),
        max_duration=None,
        duration_step=timedelta(minutes=15),
        bookable_interval=timedelta(minutes=5),
    )


def test_day_service_with_one_time_applies_it_to_every_weekday() -> None:
    rules = day_service("08:00:00", "17:00:00", 1, 3)

    assert rules.kind == DayRules(
        start_times=dict.fromkeys(ALL_WEEKDAYS, time(8)),
        end_times=dict.fromkeys(ALL_WEEKDAYS, time(17)),
        min_days=1,
        max_days=3,
    )


def test_day_service_with_times_per_weekday_keeps_each() -> None:
    ends = {day: "17:00:00" for day in ALL_WEEKDAYS} | {"saturday": "12:30:00"}

    kind = day_service("08:00:00", ends, 1, None).kind

    assert isinstance(kind, DayRules)
    assert kind.end_times["saturday"] == time(12, 30)
    assert kind.end_times["friday"] == time(17)
    assert kind.max_days is None


def test_unknown_service_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown service type"):
        rules_from_service({"type": "hourly"})


def test_time_only_duration_is_elapsed_time_across_spring_forward() -> None:
    start = at(STOCKHOLM, "2026-03-28 12:00")

    assert add_duration(start, parse_duration("PT24H"), STOCKHOLM) == at(STOCKHOLM, "2026-03-29 13:00")


def test_a_day_is_the_same_wall_time_on_the_next_local_date_across_spring_forward() -> None:
    start = at(STOCKHOLM, "2026-03-28 12:00")

    later = add_duration(start, parse_duration("P1D"), STOCKHOLM)

    assert later == at(STOCKHOLM, "2026-03-29 12:00")
    assert later - start == timedelta(hours=23)


def test_a_day_across_fall_back_lasts_25_hours() -> None:
    start = at(STOCKHOLM, "2026-10-24 12:00")

    assert add_duration(start, parse_duration("P1D"), STOCKHOLM) - start == timedelta(hours=25)


def test_calendar_part_first_then_time_part_as_elapsed_time() -> None:
    start = at(STOCKHOLM, "2026-03-28 01:30")

    # P1D lands on 2026-03-29 01:30 (CET); two elapsed hours later the wall clock reads 04:30 (CEST).
    assert add_duration(start, parse_duration("P1DT2H"), STOCKHOLM) == at(STOCKHOLM, "2026-03-29 04:30")


def test_a_wall_time_that_does_not_exist_moves_forward_by_the_gap() -> None:
    start = at(STOCKHOLM, "2026-03-28 02:30")

    assert add_duration(start, parse_duration("P1D"), STOCKHOLM) == at(STOCKHOLM, "2026-03-29 03:30")


def test_a_month_is_clamped_to_the_end_of_a_shorter_month() -> None:
    start = at(STOCKHOLM, "2026-01-31 10:00")

    assert add_duration(start, parse_duration("P1M"), STOCKHOLM) == at(STOCKHOLM, "2026-02-28 10:00")
    assert add_duration(start, parse_duration("P1Y1M"), STOCKHOLM) == at(STOCKHOLM, "2027-02-28 10:00")
    assert add_duration(at(STOCKHOLM, "2028-01-31 10:00"), parse_duration("P1M"), STOCKHOLM) == at(
        STOCKHOLM, "2028-02-29 10:00"
    )


def test_months_roll_over_the_year() -> None:
    start = at(STOCKHOLM, "2026-11-15 10:00")

    assert add_duration(start, parse_duration("P3M"), STOCKHOLM) == at(STOCKHOLM, "2027-02-15 10:00")


def test_weeks_and_days_add_up_on_the_local_calendar() -> None:
    start = at(STOCKHOLM, "2026-03-20 09:00")  # a stored P1W2D (input now takes weeks only alone)

    assert add_duration(start, stored_duration("P1W2D"), STOCKHOLM) == at(STOCKHOLM, "2026-03-29 09:00")


def test_time_only_duration_never_moves_an_instant_in_the_repeated_hour() -> None:
    second_half_past_two = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, after the fall-back

    later = add_duration(second_half_past_two, parse_duration("PT1H"), STOCKHOLM)

    assert later == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_results_are_in_utc() -> None:
    assert add_duration(at(STOCKHOLM, "2026-06-01 10:00"), parse_duration("P1D"), STOCKHOLM).tzinfo is UTC
