"""Span operations (kairos.scheduling.spans): union, difference, clipping, capacity sweep, free checks."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kairos.scheduling.model import Span
from kairos.scheduling.spans import (
    free_until,
    full_ranges,
    holder,
    in_utc,
    intersect,
    is_free,
    merge,
    subtract,
)

BASE = datetime(2026, 5, 4, tzinfo=UTC)


def h(start: float, end: float) -> Span:
    """A span between two hours of BASE's day."""
    return Span(BASE + timedelta(hours=start), BASE + timedelta(hours=end))


def test_merge_sorts_and_joins_overlapping_spans() -> None:
    assert merge([h(10, 12), h(8, 9), h(11, 13)]) == (h(8, 9), h(10, 13))


def test_merge_joins_touching_spans_into_one_stretch() -> None:
    assert merge([h(8, 10), h(10, 12)]) == (h(8, 12),)


def test_merge_drops_empty_and_inverted_spans() -> None:
    assert merge([h(9, 9), h(11, 10), h(8, 9)]) == (h(8, 9),)


def test_merge_keeps_a_span_that_holds_the_next() -> None:
    assert merge([h(8, 18), h(9, 10)]) == (h(8, 18),)


def test_subtract_cuts_holes_and_keeps_the_rest() -> None:
    assert subtract([h(8, 17)], [h(10, 11), h(12, 13)]) == (h(8, 10), h(11, 12), h(13, 17))


def test_subtract_a_hole_covering_a_span_removes_it() -> None:
    assert subtract([h(8, 9), h(10, 12)], [h(7, 9.5)]) == (h(10, 12),)


def test_subtract_holes_touching_the_edges_leave_the_span_whole() -> None:
    assert subtract([h(8, 12)], [h(6, 8), h(12, 14)]) == (h(8, 12),)


def test_subtract_a_hole_at_the_start_leaves_no_empty_span() -> None:
    assert subtract([h(8, 12)], [h(8, 9)]) == (h(9, 12),)


def test_subtract_one_hole_across_several_spans() -> None:
    assert subtract([h(8, 10), h(11, 13), h(14, 16)], [h(9, 15)]) == (h(8, 9), h(15, 16))


def test_intersect_clips_spans_to_the_window() -> None:
    assert intersect([h(6, 9), h(10, 11), h(12, 20)], h(8, 14)) == (h(8, 9), h(10, 11), h(12, 14))


def test_intersect_drops_spans_outside_the_window() -> None:
    assert intersect([h(1, 2), h(20, 21)], h(8, 14)) == ()


def test_full_ranges_is_empty_for_unlimited_capacity() -> None:
    assert full_ranges([h(8, 9), h(8, 9)], None) == ()


def test_full_ranges_with_capacity_one_is_the_union_of_bookings() -> None:
    assert full_ranges([h(8, 9), h(9, 10), h(12, 13)], 1) == (h(8, 10), h(12, 13))


def test_full_ranges_counts_only_instants_where_enough_bookings_overlap() -> None:
    busy = [h(8, 11), h(9, 12), h(10, 13), h(14, 15)]

    assert full_ranges(busy, 2) == (h(9, 12),)
    assert full_ranges(busy, 3) == (h(10, 11),)
    assert full_ranges(busy, 4) == ()


def test_full_ranges_a_booking_ending_as_another_starts_never_overlaps_it() -> None:
    assert full_ranges([h(8, 10), h(10, 12)], 2) == ()


def test_full_ranges_ignores_empty_bookings() -> None:
    assert full_ranges([h(8, 8), h(8, 9)], 1) == (h(8, 9),)


def test_full_ranges_refuses_a_capacity_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        full_ranges([h(8, 9)], 0)


@pytest.mark.parametrize(
    ("candidate", "free"),
    [
        (h(7, 8), True),  # ends where a full range starts
        (h(10, 11), True),  # starts where one ends
        (h(7, 8.5), False),
        (h(9, 9.5), False),
        (h(9.5, 12.5), False),  # spans a gap and the next range
        (h(10.5, 11.5), True),
        (h(13, 14), True),
    ],
)
def test_is_free_when_no_full_range_overlaps(candidate: Span, free: bool) -> None:
    assert is_free((h(8, 10), h(11.5, 12.5)), candidate) is free


def test_free_until_reaches_the_next_full_range_or_the_limit() -> None:
    full = (h(8, 10), h(12, 13))

    assert free_until(full, BASE + timedelta(hours=10), BASE + timedelta(hours=20)) == BASE + timedelta(
        hours=12
    )
    assert free_until(full, BASE + timedelta(hours=10), BASE + timedelta(hours=11)) == BASE + timedelta(
        hours=11
    )
    assert free_until(full, BASE + timedelta(hours=14), BASE + timedelta(hours=20)) == BASE + timedelta(
        hours=20
    )


def test_free_until_is_the_instant_itself_inside_a_full_range() -> None:
    instant = BASE + timedelta(hours=9)

    assert free_until((h(8, 10),), instant, BASE + timedelta(hours=20)) == instant


def test_holder_finds_the_span_containing_an_instant() -> None:
    spans = (h(8, 10), h(12, 14))

    assert holder(spans, BASE + timedelta(hours=8)) == h(8, 10)
    assert holder(spans, BASE + timedelta(hours=13)) == h(12, 14)
    assert holder(spans, BASE + timedelta(hours=10)) is None  # half-open: the end is outside
    assert holder(spans, BASE + timedelta(hours=7)) is None


def test_in_utc_keeps_the_instants_and_drops_the_offsets() -> None:
    plus_two = timezone(timedelta(hours=2))
    local = Span(datetime(2026, 5, 4, 10, tzinfo=plus_two), datetime(2026, 5, 4, 12, tzinfo=plus_two))

    converted = in_utc(local)

    assert converted == h(8, 10)
    assert converted.start.tzinfo is UTC
