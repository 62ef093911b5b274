"""Daylight saving time: spring-forward and fall-back nights in Europe/Stockholm, America/New_York and
Australia/Sydney, and the same dates in Asia/Kolkata (no DST), which must behave like any other day."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kairos.scheduling.availability import availability
from kairos.scheduling.engine import bookable_slots
from kairos.scheduling.model import Span
from tests.unit.scheduling.builders import (
    HOUR,
    KOLKATA,
    NEW_YORK,
    STOCKHOLM,
    SYDNEY,
    at,
    day_service,
    every_day,
    fixed,
    local_times,
    resource,
)

SPRING_FORWARD = [(STOCKHOLM, date(2026, 3, 29)), (NEW_YORK, date(2026, 3, 8)), (SYDNEY, date(2026, 10, 4))]
FALL_BACK = [(STOCKHOLM, date(2026, 10, 25)), (NEW_YORK, date(2026, 11, 1)), (SYDNEY, date(2026, 4, 5))]
NO_DST = [(KOLKATA, day) for _, day in SPRING_FORWARD + FALL_BACK]


def night(zone: ZoneInfo, day: date, start: time, end: time) -> tuple[Span, ...]:
    """The availability of a daily start-end block, for the local date `day`."""
    window = Span(at(zone, f"{day} 00:00"), at(zone, f"{day} 23:00"))
    spans = availability([every_day(start, end)], [], zone, window)
    return tuple(span for span in spans if span.start.astimezone(zone).date() == day)


def hourly_starts(
    zone: ZoneInfo, day: date, start: time, end: time, duration: str = "PT1H"
) -> list[tuple[str, str]]:
    spans = night(zone, day, start, end)
    window = Span(spans[0].start, spans[-1].end)
    slots = bookable_slots(
        fixed(duration), [resource(spans)], window, window.start - timedelta(days=30), zone
    )
    return local_times(slots, zone)


@pytest.mark.parametrize(("zone", "day"), SPRING_FORWARD)
def test_block_from_one_to_four_on_a_spring_forward_night_lasts_two_hours(zone: ZoneInfo, day: date) -> None:
    (block,) = night(zone, day, time(1), time(4))

    assert block.length == 2 * HOUR


@pytest.mark.parametrize(("zone", "day"), FALL_BACK)
def test_block_from_one_to_four_on_a_fall_back_night_lasts_four_hours(zone: ZoneInfo, day: date) -> None:
    (block,) = night(zone, day, time(1), time(4))

    assert block.length == 4 * HOUR


@pytest.mark.parametrize(("zone", "day"), NO_DST)
def test_block_from_one_to_four_lasts_three_hours_where_there_is_no_dst(zone: ZoneInfo, day: date) -> None:
    (block,) = night(zone, day, time(1), time(4))

    assert block.length == 3 * HOUR


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (
            STOCKHOLM,
            date(2026, 3, 29),
            ["00:00:00+01:00", "01:00:00+01:00", "03:00:00+02:00", "04:00:00+02:00", "05:00:00+02:00"],
        ),
        (
            NEW_YORK,
            date(2026, 3, 8),
            ["00:00:00-05:00", "01:00:00-05:00", "03:00:00-04:00", "04:00:00-04:00", "05:00:00-04:00"],
        ),
        (
            SYDNEY,
            date(2026, 10, 4),
            ["00:00:00+10:00", "01:00:00+10:00", "03:00:00+11:00", "04:00:00+11:00", "05:00:00+11:00"],
        ),
        (
            STOCKHOLM,
            date(2026, 10, 25),
            [
                "00:00:00+02:00",
                "01:00:00+02:00",
                "02:00:00+02:00",
                "02:00:00+01:00",
                "03:00:00+01:00",
                "04:00:00+01:00",
                "05:00:00+01:00",
            ],
        ),
        (
            NEW_YORK,
            date(2026, 11, 1),
            [
                "00:00:00-04:00",
                "01:00:00-04:00",
                "01:00:00-05:00",
                "02:00:00-05:00",
                "03:00:00-05:00",
                "04:00:00-05:00",
                "05:00:00-05:00",
            ],
        ),
        (
            SYDNEY,
            date(2026, 4, 5),
            [
                "00:00:00+11:00",
                "01:00:00+11:00",
                "02:00:00+11:00",
                "02:00:00+10:00",
                "03:00:00+10:00",
                "04:00:00+10:00",
                "05:00:00+10:00",
            ],
        ),
        (
            KOLKATA,
            date(2026, 3, 29),
            [
                "00:00:00+05:30",
                "01:00:00+05:30",
                "02:00:00+05:30",
                "03:00:00+05:30",
                "04:00:00+05:30",
                "05:00:00+05:30",
            ],
        ),
        (
            KOLKATA,
            date(2026, 10, 25),
            [
                "00:00:00+05:30",
                "01:00:00+05:30",
                "02:00:00+05:30",
                "03:00:00+05:30",
                "04:00:00+05:30",
                "05:00:00+05:30",
            ],
        ),
    ],
)
def test_hourly_slots_across_the_transition_step_in_elapsed_time(
    zone: ZoneInfo, day: date, expected: list[str]
) -> None:
    slots = hourly_starts(zone, day, time(0), time(6))

    assert [start for start, _ in slots] == [f"{day}T{local}" for local in expected]


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (STOCKHOLM, date(2026, 3, 29), [("2026-03-29T01:00:00+01:00", "2026-03-29T04:00:00+02:00")]),
        (NEW_YORK, date(2026, 3, 8), [("2026-03-08T01:00:00-05:00", "2026-03-08T04:00:00-04:00")]),
        (SYDNEY, date(2026, 10, 4), [("2026-10-04T01:00:00+10:00", "2026-10-04T04:00:00+11:00")]),
        (
            STOCKHOLM,
            date(2026, 10, 25),
            [
                ("2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+01:00"),
                ("2026-10-25T02:00:00+01:00", "2026-10-25T04:00:00+01:00"),
            ],
        ),
        (
            NEW_YORK,
            date(2026, 11, 1),
            [
                ("2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00"),
                ("2026-11-01T02:00:00-05:00", "2026-11-01T04:00:00-05:00"),
            ],
        ),
        (
            SYDNEY,
            date(2026, 4, 5),
            [
                ("2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:00"),
                ("2026-04-05T02:00:00+10:00", "2026-04-05T04:00:00+10:00"),
            ],
        ),
        (KOLKATA, date(2026, 3, 8), [("2026-03-08T01:00:00+05:30", "2026-03-08T03:00:00+05:30")]),
    ],
)
def test_two_hour_slots_carry_the_offset_in_force_at_each_end(
    zone: ZoneInfo, day: date, expected: list[tuple[str, str]]
) -> None:
    assert hourly_starts(zone, day, time(1), time(4), duration="PT2H") == expected


@pytest.mark.parametrize(
    ("zone", "day", "expected_start"),
    [
        (STOCKHOLM, date(2026, 3, 29), "2026-03-29T03:30:00+02:00"),
        (NEW_YORK, date(2026, 3, 8), "2026-03-08T03:30:00-04:00"),
        (SYDNEY, date(2026, 10, 4), "2026-10-04T03:30:00+11:00"),
        (KOLKATA, date(2026, 3, 29), "2026-03-29T02:30:00+05:30"),
    ],
)
def test_block_starting_inside_the_gap_shifts_forward_by_the_gap(
    zone: ZoneInfo, day: date, expected_start: str
) -> None:
    (block,) = night(zone, day, time(2, 30), time(5))

    assert block.start == datetime.fromisoformat(expected_start)
    assert block.end == at(zone, f"{day} 05:00")


@pytest.mark.parametrize(("zone", "day"), FALL_BACK)
def test_an_ambiguous_wall_time_is_its_first_occurrence(zone: ZoneInfo, day: date) -> None:
    repeated = time(2, 30) if zone is not NEW_YORK else time(1, 30)

    (block,) = night(zone, day, repeated, time(5))

    wall_clock_length = datetime.combine(day, time(5)) - datetime.combine(day, repeated)
    assert block.start.astimezone(zone).time() == repeated
    assert block.length == wall_clock_length + HOUR  # from the first 02:30 (01:30 in New York)


@pytest.mark.parametrize(("zone", "day"), SPRING_FORWARD)
def test_day_service_start_time_inside_the_gap_shifts_forward(zone: ZoneInfo, day: date) -> None:
    rules = day_service("02:30:00", "17:00:00", 1, 1)
    always = resource(
        [Span(at(zone, f"{day} 00:00") - timedelta(days=2), at(zone, f"{day} 00:00") + timedelta(days=2))]
    )
    window = Span(at(zone, f"{day} 00:00"), at(zone, f"{day} 23:00"))

    (slot,) = bookable_slots(rules, [always], window, window.start - timedelta(days=30), zone)

    assert slot.starts_at == at(zone, f"{day} 03:30")
    assert slot.ends_at - slot.starts_at == timedelta(hours=13, minutes=30)


@pytest.mark.parametrize(("zone", "day"), SPRING_FORWARD)
def test_day_service_never_ends_before_a_start_the_gap_pushed_forward(zone: ZoneInfo, day: date) -> None:
    # 02:30 does not exist and becomes 03:30; an end at 03:00 on the same date would come before it.
    rules = day_service("02:30:00", "03:00:00", 1, 1)
    always = resource(
        [Span(at(zone, f"{day} 00:00") - timedelta(days=2), at(zone, f"{day} 00:00") + timedelta(days=2))]
    )
    window = Span(at(zone, f"{day} 00:00"), at(zone, f"{day} 23:00"))

    assert bookable_slots(rules, [always], window, window.start - timedelta(days=30), zone) == []
