"""The slot engine (kairos.scheduling.engine): the guide's example, the grid, fixed, flexible and day
services, capacity, the booking window, the range rule, several resources, and the booking check."""

from datetime import date, datetime, time, timedelta

from kairos.scheduling.availability import availability
from kairos.scheduling.engine import Violation, bookable_slots, check_booking
from kairos.scheduling.model import RecurringSchedule, ResourceState, ServiceRules, Slot, Span, WeeklyBlock
from kairos.values.formats import format_timestamp, parse_timestamp
from tests.unit.scheduling.builders import (
    HOUR,
    MINUTE,
    STOCKHOLM,
    at,
    day_service,
    every_day,
    fixed,
    flexible,
    local_times,
    resource,
    span,
)

NOW = at(STOCKHOLM, "2026-05-01 12:00")
MONDAY = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")
MORNING = span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 12:00")


def slots_for(
    rules: ServiceRules, *resources: ResourceState, window: Span = MONDAY, **options: object
) -> list[Slot]:
    return bookable_slots(rules, resources, window, NOW, STOCKHOLM, **options)  # type: ignore[arg-type]


def starts(slots: list[Slot]) -> list[str]:
    return [slot.starts_at.astimezone(STOCKHOLM).strftime("%H:%M") for slot in slots]


def book(rules: ServiceRules, state: ResourceState, slot: Slot, **ignore: bool) -> list[Violation]:
    """check_booking for exactly the slot's interval and its latest end."""
    return check_booking(
        rules,
        state,
        slot.starts_at,
        slot.ends_at,
        slot.buffer_starts_at,
        slot.buffer_ends_at,
        NOW,
        STOCKHOLM,
        **ignore,
    )


# --- the guide's example ----------------------------------------------------------------------------------


def test_guide_example_lists_exactly_the_two_monday_morning_slots() -> None:
    rules = fixed(
        "PT50M",
        bookable_interval="PT1H",
        buffer_time_after="PT10M",
        booking_window_start="PT2H",
        booking_window_end="P14D",
    )
    schedule = RecurringSchedule(date(2023, 8, 24), None, 1, (WeeklyBlock("monday", time(8), time(12)),))
    window = Span(parse_timestamp("2023-08-28T08:00:00+02:00"), parse_timestamp("2023-08-28T10:00:00+02:00"))
    doctor = resource(availability([schedule], [], STOCKHOLM, window), capacity=1, resource_id="dr-smith")

    slots = bookable_slots(rules, [doctor], window, parse_timestamp("2023-08-24T14:19:07+00:00"), STOCKHOLM)

    rendered = [
        tuple(
            format_timestamp(value, STOCKHOLM)
            for value in (s.buffer_starts_at, s.starts_at, s.ends_at, s.buffer_ends_at)
        )
        for s in slots
    ]
    assert rendered == [
        (
            "2023-08-28T08:00:00+02:00",
            "2023-08-28T08:00:00+02:00",
            "2023-08-28T08:50:00+02:00",
            "2023-08-28T09:00:00+02:00",
        ),
        (
            "2023-08-28T09:00:00+02:00",
            "2023-08-28T09:00:00+02:00",
            "2023-08-28T09:50:00+02:00",
            "2023-08-28T10:00:00+02:00",
        ),
    ]
    assert [slot.resource_ids for slot in slots] == [("dr-smith",), ("dr-smith",)]
    assert all(slot.min_ends_at is None and slot.min_buffer_ends_at is None for slot in slots)


# --- the grid ---------------------------------------------------------------------------------------------


def test_default_fixed_interval_is_duration_plus_both_buffers_back_to_back() -> None:
    rules = fixed("PT40M", buffer_time_before="PT10M", buffer_time_after="PT10M")

    slots = slots_for(rules, resource([MORNING]))

    assert starts(slots) == ["08:10", "09:10", "10:10", "11:10"]
    assert slots[0].buffer_starts_at == at(STOCKHOLM, "2026-05-04 08:00")
    assert slots[-1].buffer_ends_at == at(STOCKHOLM, "2026-05-04 12:00")


def test_grid_is_anchored_at_the_start_of_each_availability_span() -> None:
    spans = [
        span(STOCKHOLM, "2026-05-04 08:10", "2026-05-04 10:00"),
        span(STOCKHOLM, "2026-05-04 13:05", "2026-05-04 14:00"),
    ]

    assert starts(slots_for(fixed("PT30M"), resource(spans))) == ["08:10", "08:40", "09:10", "13:05"]


def test_grid_ignores_bookings_so_a_booking_does_not_shift_later_starts() -> None:
    booked = span(STOCKHOLM, "2026-05-04 09:00", "2026-05-04 09:20")

    assert starts(slots_for(fixed("PT30M"), resource([MORNING], [booked]))) == [
        "08:00",
        "08:30",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]


def test_grid_restarts_at_local_midnight_so_a_24_7_grid_does_not_depend_on_from() -> None:
    always = availability(
        [every_day(time(0), None)], [], STOCKHOLM, span(STOCKHOLM, "2026-05-01 00:00", "2026-05-08 00:00")
    )
    rules = fixed("PT50M")

    late_evening = slots_for(
        rules, resource(always), window=span(STOCKHOLM, "2026-05-04 22:00", "2026-05-05 02:00")
    )
    from_odd_minute = slots_for(
        rules, resource(always), window=span(STOCKHOLM, "2026-05-04 23:07", "2026-05-05 02:00")
    )

    assert starts(late_evening) == ["22:30", "23:20", "00:00", "00:50", "01:40"]
    assert starts(from_odd_minute) == ["23:20", "00:00", "00:50", "01:40"]


def test_a_slot_may_run_past_midnight_and_midnight_restarts_the_grid() -> None:
    evening_to_morning = span(STOCKHOLM, "2026-05-04 22:00", "2026-05-05 02:00")

    slots = slots_for(fixed("PT90M"), resource([evening_to_morning]), window=evening_to_morning)

    assert local_times(slots, STOCKHOLM) == [
        ("2026-05-04T22:00:00+02:00", "2026-05-04T23:30:00+02:00"),
        ("2026-05-04T23:30:00+02:00", "2026-05-05T01:00:00+02:00"),
        ("2026-05-05T00:00:00+02:00", "2026-05-05T01:30:00+02:00"),
    ]


# --- fixed services: fit and capacity ---------------------------------------------------------------------


def test_buffers_must_lie_inside_the_availability_span() -> None:
    rules = fixed("PT30M", bookable_interval="PT30M", buffer_time_before="PT15M", buffer_time_after="PT15M")

    slots = slots_for(rules, resource([MORNING]))

    assert starts(slots) == ["08:15", "08:45", "09:15", "09:45", "10:15", "10:45", "11:15"]


def test_a_slot_never_straddles_two_availability_spans() -> None:
    gap_between = [
        span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 09:00"),
        span(STOCKHOLM, "2026-05-04 09:30", "2026-05-04 11:00"),
    ]

    assert starts(slots_for(fixed("PT1H"), resource(gap_between))) == ["08:00", "09:30"]


def test_a_booked_resource_with_capacity_one_offers_nothing_over_the_booking() -> None:
    booked = span(STOCKHOLM, "2026-05-04 09:30", "2026-05-04 10:00")

    assert starts(slots_for(fixed("PT1H"), resource([MORNING], [booked]))) == ["08:00", "10:00", "11:00"]


def test_capacity_two_allows_one_overlapping_booking_but_not_two() -> None:
    first = span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 10:00")
    second = span(STOCKHOLM, "2026-05-04 09:00", "2026-05-04 11:00")

    assert starts(slots_for(fixed("PT1H"), resource([MORNING], [first, second], capacity=2))) == [
        "08:00",
        "10:00",
        "11:00",
    ]


def test_unlimited_capacity_ignores_bookings() -> None:
    booked = [MORNING] * 5

    assert len(slots_for(fixed("PT1H"), resource([MORNING], booked, capacity=None))) == 4


def test_buffers_of_existing_bookings_count_against_capacity() -> None:
    booking_with_buffers = span(STOCKHOLM, "2026-05-04 09:50", "2026-05-04 11:10")

    assert starts(slots_for(fixed("PT1H"), resource([MORNING], [booking_with_buffers]))) == ["08:00"]


# --- range and booking window -----------------------------------------------------------------------------


def test_a_slot_is_listed_when_it_starts_in_the_half_open_window() -> None:
    window = span(STOCKHOLM, "2026-05-04 08:30", "2026-05-04 11:00")

    assert starts(slots_for(fixed("PT1H"), resource([MORNING]), window=window)) == ["09:00", "10:00"]


def test_a_slot_starting_before_from_is_not_listed_even_if_it_ends_inside() -> None:
    window = span(STOCKHOLM, "2026-05-04 08:01", "2026-05-04 09:00")

    assert slots_for(fixed("PT1H"), resource([MORNING]), window=window) == []


def test_booking_window_bounds_are_inclusive_and_measured_on_starts_at() -> None:
    rules = fixed(
        "PT1H", buffer_time_before="PT30M", booking_window_start="PT2H", booking_window_end="PT3H30M"
    )
    now = at(STOCKHOLM, "2026-05-04 07:00")  # earliest 09:00, latest 10:30
    spans = [span(STOCKHOLM, "2026-05-04 07:00", "2026-05-04 14:00")]  # buffer starts 07:00, 08:30, 10:00 ...

    slots = bookable_slots(rules, [resource(spans)], MONDAY, now, STOCKHOLM)

    assert starts(slots) == ["09:00", "10:30"]


def test_ignore_booking_window_lists_every_slot() -> None:
    rules = fixed("PT1H", booking_window_start="P30D")

    assert len(slots_for(rules, resource([MORNING]))) == 0
    assert len(slots_for(rules, resource([MORNING]), ignore_booking_window=True)) == 4


def test_booking_window_in_days_follows_the_local_calendar() -> None:
    rules = fixed("PT1H", booking_window_end="P3D")  # from 2026-05-01 12:00: up to 2026-05-04 12:00

    assert starts(slots_for(rules, resource([span(STOCKHOLM, "2026-05-04 10:00", "2026-05-04 14:00")]))) == [
        "10:00",
        "11:00",
        "12:00",
    ]


# --- flexible services ------------------------------------------------------------------------------------


def test_flexible_slot_runs_from_the_minimum_to_the_latest_end_that_fits() -> None:
    rules = flexible("PT30M", "PT2H", "PT30M", bookable_interval="PT1H")

    slots = slots_for(rules, resource([MORNING]))

    assert [(s.starts_at, s.min_ends_at, s.ends_at) for s in slots] == [
        (
            at(STOCKHOLM, f"2026-05-04 {h:02}:00"),
            at(STOCKHOLM, f"2026-05-04 {h:02}:30"),
            at(STOCKHOLM, f"2026-05-04 {e:02}:00"),
        )
        for h, e in ((8, 10), (9, 11), (10, 12), (11, 12))
    ]


def test_flexible_ends_stop_before_the_next_booking_and_carry_the_buffer() -> None:
    rules = flexible("PT30M", None, "PT15M", bookable_interval="PT1H", buffer_time_after="PT15M")
    booked = span(STOCKHOLM, "2026-05-04 10:20", "2026-05-04 10:40")

    first = slots_for(rules, resource([MORNING], [booked]))[0]

    assert (first.min_ends_at, first.min_buffer_ends_at) == (
        at(STOCKHOLM, "2026-05-04 08:30"),
        at(STOCKHOLM, "2026-05-04 08:45"),
    )
    assert (first.ends_at, first.buffer_ends_at) == (
        at(STOCKHOLM, "2026-05-04 10:00"),
        at(STOCKHOLM, "2026-05-04 10:15"),
    )


def test_flexible_ends_keep_to_the_duration_step_grid() -> None:
    rules = flexible("PT40M", None, "PT25M")
    short_span = span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 09:50")

    first = slots_for(rules, resource([short_span]))[0]

    assert first.ends_at == at(STOCKHOLM, "2026-05-04 09:30")  # 40 + 2 x 25 minutes; 09:55 does not fit


def test_flexible_without_room_for_the_minimum_has_no_slot() -> None:
    rules = flexible("PT90M", None, "PT30M", bookable_interval="PT30M")

    assert starts(slots_for(rules, resource([MORNING]))) == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
    ]


def test_flexible_without_max_duration_is_bounded_by_the_availability_span() -> None:
    rules = flexible("PT1H", None, "PT1H")
    always = availability([every_day(time(0), None)], [], STOCKHOLM, MONDAY)

    first = slots_for(rules, resource(always))[0]

    assert first.ends_at == always[-1].end


def test_flexible_duration_filter_keeps_starts_where_that_length_fits() -> None:
    rules = flexible("PT30M", "PT3H", "PT30M", bookable_interval="PT30M")

    slots = slots_for(rules, resource([MORNING]), duration=timedelta(hours=2))

    assert starts(slots) == ["08:00", "08:30", "09:00", "09:30", "10:00"]
    assert all(s.min_ends_at == s.ends_at == s.starts_at + 2 * HOUR for s in slots)


def test_flexible_duration_off_the_step_or_out_of_bounds_has_no_slots() -> None:
    rules = flexible("PT30M", "PT2H", "PT30M")

    assert slots_for(rules, resource([MORNING]), duration=timedelta(minutes=45)) == []
    assert slots_for(rules, resource([MORNING]), duration=timedelta(hours=3)) == []
    assert slots_for(rules, resource([MORNING]), duration=timedelta(minutes=15)) == []


def test_duration_filter_is_ignored_for_fixed_services() -> None:
    assert len(slots_for(fixed("PT1H"), resource([MORNING]), duration=timedelta(minutes=5))) == 4


# --- day services -----------------------------------------------------------------------------------------

WEEK = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-11 00:00")
OPEN_ALL_WEEK = [span(STOCKHOLM, "2026-05-01 00:00", "2026-05-20 00:00")]


def test_day_slots_start_at_start_time_and_same_date_counts_as_one_day() -> None:
    rules = day_service("08:00:00", "17:00:00", 1, 2)

    slots = slots_for(
        rules, resource(OPEN_ALL_WEEK), window=span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")
    )

    assert local_times(slots, STOCKHOLM) == [("2026-05-04T08:00:00+02:00", "2026-05-05T17:00:00+02:00")]
    assert slots[0].min_ends_at == at(STOCKHOLM, "2026-05-04 17:00")


def test_day_with_end_time_before_start_time_ends_on_a_later_date() -> None:
    rules = day_service("15:00:00", "11:00:00", 1, 3)  # a hotel night: in at 15:00, out at 11:00

    slot = slots_for(
        rules, resource(OPEN_ALL_WEEK), window=span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")
    )[0]

    assert slot.min_ends_at == at(STOCKHOLM, "2026-05-05 11:00")  # one night
    assert slot.ends_at == at(STOCKHOLM, "2026-05-07 11:00")  # three nights


def test_day_count_filter_gives_exactly_that_many_days() -> None:
    rules = day_service("08:00:00", "17:00:00", 1, None)

    slot = slots_for(
        rules, resource(OPEN_ALL_WEEK), window=span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00"), days=3
    )[0]

    assert slot.min_ends_at == slot.ends_at == at(STOCKHOLM, "2026-05-06 17:00")


def test_day_count_outside_min_and_max_has_no_slots() -> None:
    rules = day_service("08:00:00", "17:00:00", 2, 3)

    assert slots_for(rules, resource(OPEN_ALL_WEEK), window=WEEK, days=1) == []
    assert slots_for(rules, resource(OPEN_ALL_WEEK), window=WEEK, days=4) == []


def test_day_slots_need_the_whole_buffer_span_inside_one_availability_span() -> None:
    rules = day_service("08:00:00", "17:00:00", 1, None, buffer_time_before="PT1H")
    weekdays = availability(
        [
            RecurringSchedule(
                date(2026, 1, 1),
                None,
                1,
                tuple(WeeklyBlock(d, time(7), time(18)) for d in ("monday", "tuesday")),
            )
        ],
        [],
        STOCKHOLM,
        WEEK,
    )

    slots = slots_for(rules, resource(weekdays), window=WEEK)

    assert local_times(slots, STOCKHOLM) == [
        ("2026-05-04T08:00:00+02:00", "2026-05-04T17:00:00+02:00"),
        ("2026-05-05T08:00:00+02:00", "2026-05-05T17:00:00+02:00"),
    ]


def test_day_slot_latest_end_stops_before_a_booking() -> None:
    rules = day_service("08:00:00", "17:00:00", 1, None)
    booked = span(STOCKHOLM, "2026-05-06 09:00", "2026-05-06 10:00")

    slot = slots_for(
        rules,
        resource(OPEN_ALL_WEEK, [booked]),
        window=span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00"),
    )[0]

    assert slot.ends_at == at(STOCKHOLM, "2026-05-05 17:00")


def test_day_times_per_weekday_are_read_on_each_date() -> None:
    ends = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday", "sunday"), "17:00:00") | {
        "saturday": "12:00:00"
    }
    rules = day_service("08:00:00", ends, 1, 6)

    slot = slots_for(
        rules, resource(OPEN_ALL_WEEK), window=span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")
    )[0]

    assert slot.ends_at == at(STOCKHOLM, "2026-05-09 12:00")  # Monday to Saturday: six days


def test_day_count_filter_takes_the_latest_end_with_that_many_days() -> None:
    # Monday ends at 17:00 but Tuesday at 07:00: from Monday 08:00 both end dates count one day.
    ends = dict.fromkeys(("monday", "wednesday", "thursday", "friday", "saturday", "sunday"), "17:00:00")
    rules = day_service("08:00:00", ends | {"tuesday": "07:00:00"}, 1, 3)
    monday = span(STOCKHOLM, "2026-05-04 00:00", "2026-05-05 00:00")

    listed = slots_for(rules, resource(OPEN_ALL_WEEK), window=monday)[0]
    one_day = slots_for(rules, resource(OPEN_ALL_WEEK), window=monday, days=1)[0]

    assert (listed.min_ends_at, listed.ends_at) == (
        at(STOCKHOLM, "2026-05-04 17:00"),
        at(STOCKHOLM, "2026-05-06 17:00"),
    )
    assert one_day.min_ends_at == one_day.ends_at == at(STOCKHOLM, "2026-05-05 07:00")


# --- several resources ------------------------------------------------------------------------------------


def test_identical_slots_list_every_resource_in_the_given_order() -> None:
    rules = fixed("PT1H")
    busy_at_nine = span(STOCKHOLM, "2026-05-04 09:00", "2026-05-04 10:00")
    states = [resource([MORNING], resource_id="b"), resource([MORNING], [busy_at_nine], resource_id="a")]

    slots = slots_for(rules, *states)

    assert [(starts([s])[0], s.resource_ids) for s in slots] == [
        ("08:00", ("b", "a")),
        ("09:00", ("b",)),
        ("10:00", ("b", "a")),
        ("11:00", ("b", "a")),
    ]


def test_num_resources_drops_slots_with_fewer_free_resources() -> None:
    busy_at_nine = span(STOCKHOLM, "2026-05-04 09:00", "2026-05-04 10:00")
    states = [resource([MORNING], resource_id="b"), resource([MORNING], [busy_at_nine], resource_id="a")]

    assert starts(slots_for(fixed("PT1H"), *states, num_resources=2)) == ["08:00", "10:00", "11:00"]


def test_different_latest_ends_make_separate_slots_sorted_by_end() -> None:
    rules = flexible("PT1H", None, "PT1H", bookable_interval="PT4H")
    shorter = resource([span(STOCKHOLM, "2026-05-04 08:00", "2026-05-04 10:00")], resource_id="short")

    slots = slots_for(rules, resource([MORNING], resource_id="long"), shorter)

    assert [(s.ends_at, s.resource_ids) for s in slots] == [
        (at(STOCKHOLM, "2026-05-04 10:00"), ("short",)),
        (at(STOCKHOLM, "2026-05-04 12:00"), ("long",)),
    ]


def test_slots_are_returned_in_utc() -> None:
    slot = slots_for(fixed("PT1H"), resource([MORNING]))[0]

    assert slot.starts_at == datetime.fromisoformat("2026-05-04T06:00:00+00:00")
    assert slot.starts_at.utcoffset() == timedelta(0)


# --- the booking check ------------------------------------------------------------------------------------


def test_a_listed_slot_books_without_violations() -> None:
    rules = fixed("PT50M", bookable_interval="PT1H", buffer_time_after="PT10M")
    state = resource([MORNING])

    assert all(book(rules, state, slot) == [] for slot in slots_for(rules, state))


def test_a_booking_off_the_grid_violates_the_bookable_slot_rule_only() -> None:
    rules = fixed("PT1H")
    start = at(STOCKHOLM, "2026-05-04 08:15")

    violations = check_booking(
        rules, resource([MORNING]), start, start + HOUR, start, start + HOUR, NOW, STOCKHOLM
    )

    assert violations == [Violation.BOOKABLE_SLOT]


def test_a_booking_with_other_buffers_than_the_service_is_not_a_bookable_slot() -> None:
    rules = fixed("PT1H", buffer_time_after="PT10M", bookable_interval="PT1H")
    start = at(STOCKHOLM, "2026-05-04 08:00")

    violations = check_booking(
        rules, resource([MORNING]), start, start + HOUR, start, start + HOUR, NOW, STOCKHOLM
    )

    assert violations == [Violation.BOOKABLE_SLOT]


def test_a_booking_outside_the_schedule_violates_schedule_and_bookable_slot() -> None:
    start = at(STOCKHOLM, "2026-05-04 13:00")

    violations = check_booking(
        fixed("PT1H"), resource([MORNING]), start, start + HOUR, start, start + HOUR, NOW, STOCKHOLM
    )

    assert violations == [Violation.SCHEDULE, Violation.BOOKABLE_SLOT]


def test_ignore_schedule_also_ignores_the_bookable_slot_rule() -> None:
    start = at(STOCKHOLM, "2026-05-04 13:07")

    violations = check_booking(
        fixed("PT1H"),
        resource([MORNING]),
        start,
        start + HOUR,
        start,
        start + HOUR,
        NOW,
        STOCKHOLM,
        ignore_schedule=True,
    )

    assert violations == []


def test_a_full_resource_violates_fully_booked_unless_ignored() -> None:
    rules = fixed("PT1H")
    state = resource([MORNING], [span(STOCKHOLM, "2026-05-04 08:30", "2026-05-04 09:30")])
    start = at(STOCKHOLM, "2026-05-04 08:00")

    def check(**ignore: bool) -> list[Violation]:
        return check_booking(rules, state, start, start + HOUR, start, start + HOUR, NOW, STOCKHOLM, **ignore)

    assert check() == [Violation.FULLY_BOOKED]
    assert check(ignore_fully_booked=True) == []


def test_a_booking_too_soon_violates_the_booking_window_unless_ignored() -> None:
    rules = fixed("PT1H", booking_window_start="P7D")
    slot = slots_for(rules, resource([MORNING]), ignore_booking_window=True)[0]

    assert book(rules, resource([MORNING]), slot) == [Violation.BOOKING_WINDOW]
    assert book(rules, resource([MORNING]), slot, ignore_booking_window=True) == []


def test_flexible_booking_may_end_on_any_step_between_the_minimum_and_the_latest_end() -> None:
    rules = flexible("PT30M", "PT2H", "PT30M", bookable_interval="PT1H")
    state = resource([MORNING])
    start = at(STOCKHOLM, "2026-05-04 09:00")

    def violations(length: timedelta) -> list[Violation]:
        return check_booking(rules, state, start, start + length, start, start + length, NOW, STOCKHOLM)

    assert [violations(n * 30 * MINUTE) for n in (1, 2, 3, 4)] == [[], [], [], []]
    assert violations(45 * MINUTE) == [Violation.BOOKABLE_SLOT]
    assert violations(150 * MINUTE) == [Violation.BOOKABLE_SLOT]  # longer than max_duration


def test_day_booking_must_start_at_start_time_and_end_at_an_end_time() -> None:
    rules = day_service("08:00:00", "17:00:00", 1, 3)
    state = resource(OPEN_ALL_WEEK)
    start = at(STOCKHOLM, "2026-05-04 08:00")

    def violations(begin: datetime, end: datetime) -> list[Violation]:
        return check_booking(rules, state, begin, end, begin, end, NOW, STOCKHOLM)

    assert violations(start, at(STOCKHOLM, "2026-05-06 17:00")) == []
    assert violations(start, at(STOCKHOLM, "2026-05-07 17:00")) == [Violation.BOOKABLE_SLOT]  # four days
    assert violations(start, at(STOCKHOLM, "2026-05-05 16:00")) == [Violation.BOOKABLE_SLOT]
    assert violations(start + HOUR, at(STOCKHOLM, "2026-05-05 17:00")) == [Violation.BOOKABLE_SLOT]
