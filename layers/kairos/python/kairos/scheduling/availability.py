"""A resource's availability at one location, from its recurring schedules and one-off blocks.

available = (recurring blocks on active local dates + one-off blocks with is_available) - one-off blocks
without it. Wall times are resolved by `wall_time` (zoneinfo, fold=0), so a 01:00-04:00 block lasts 2 h
on a spring-forward night and 4 h on a fall-back night.
"""

from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from kairos.scheduling.model import WEEKDAYS, OneOffBlock, RecurringSchedule, Span, WeeklyBlock
from kairos.scheduling.spans import in_utc, merge, subtract
from kairos.scheduling.wall_time import ONE_DAY, local_date, local_midnight, to_instant

_WEEK_DAYS = 7


def availability(
    schedules: Sequence[RecurringSchedule], blocks: Sequence[OneOffBlock], zone: ZoneInfo, window: Span
) -> tuple[Span, ...]:
    """The availability spans (UTC, merged, sorted) that cover `window`.

    Not clipped to the window: a slot must fit inside one uninterrupted span, so a span keeps its true
    start and end. Recurring blocks are expanded from the local date before the window to the one after
    it, which covers every span that reaches into the window (a block ends by 24:00 of its own date)."""
    first = local_date(window.start, zone) - ONE_DAY
    last = local_date(window.end, zone) + ONE_DAY
    recurring = [span for schedule in schedules for span in _expanded(schedule, first, last, zone)]
    added = [in_utc(block.span) for block in blocks if block.is_available]
    removed = [in_utc(block.span) for block in blocks if not block.is_available]
    return subtract(merge(recurring + added), removed)


def is_active(schedule: RecurringSchedule, day: date) -> bool:
    """Active from start_date to end_date inclusive, in every `interval`-th week counted from the
    Monday of start_date's week (ISO weeks begin on Monday)."""
    if day < schedule.start_date or (schedule.end_date is not None and day > schedule.end_date):
        return False
    weeks = (_monday(day) - _monday(schedule.start_date)).days // _WEEK_DAYS
    return weeks % schedule.interval == 0


def _block_span(block: WeeklyBlock, day: date, zone: ZoneInfo) -> Span:
    """The block on the local date `day`; an open end (24:00) is the next local date's midnight."""
    end = local_midnight(day + ONE_DAY, zone) if block.end is None else to_instant(day, block.end, zone)
    return Span(to_instant(day, block.start, zone), end)


@lru_cache(maxsize=32)
def _expanded(schedule: RecurringSchedule, first: date, last: date, zone: ZoneInfo) -> tuple[Span, ...]:
    """Kept for the schedules equal to it: the resources of a listing often share their hours (a record
    each, the same blocks), and a warm instance lists the same weeks again; a month of one schedule is
    some fifty instants to resolve in the zone. Its spans are immutable, so sharing them is safe."""
    return tuple(_expand(schedule, first, last, zone))


def _expand(schedule: RecurringSchedule, first: date, last: date, zone: ZoneInfo) -> Iterator[Span]:
    """The blocks on the active dates of [first, last]: `is_active`'s rule, with the blocks grouped by
    weekday once and the weeks counted from a Monday computed once."""
    by_weekday: list[list[WeeklyBlock]] = [[] for _ in WEEKDAYS]
    for block in schedule.blocks:
        by_weekday[WEEKDAYS.index(block.weekday)].append(block)
    origin = _monday(schedule.start_date)
    day = max(first, schedule.start_date)
    last = last if schedule.end_date is None else min(last, schedule.end_date)
    while day <= last:
        blocks = by_weekday[day.weekday()]
        if blocks and (day - origin).days // _WEEK_DAYS % schedule.interval == 0:
            yield from (_block_span(block, day, zone) for block in blocks)
        day += ONE_DAY


def _monday(day: date) -> date:
    return day - day.weekday() * ONE_DAY
