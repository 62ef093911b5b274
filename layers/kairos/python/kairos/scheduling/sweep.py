"""The listing's inner loop for timed services (fixed and flexible): each resource's availability swept
once against the grid, in integer microseconds since the epoch (UTC).

Why a sweep: asking per candidate start (which span holds it, how far it is free, which ends fit) cost a
bisect, a dozen datetime operations and a dict lookup per candidate, 150 ms for the 41,400 candidates of
50 resources over a month. A resource's free stretch (the part of an availability span between two fully
booked ranges) gives every grid point in it the same horizon, so the starts whose longest end fits form
an arithmetic progression, added with one `range`; only the last few points before the horizon need ends
of their own. Points inside a fully booked range are skipped (a length is always positive, so they offer
nothing).

The rules are those of `TimedShape` (grid anchored at each span's start and each local midnight inside
it, ends shortest + k·step ≤ longest) and of `free_until`; the Hypothesis comparisons with a brute-force
reference and with `check_booking` (tests/unit/scheduling) hold the two to the same answers.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from kairos.scheduling.shapes import TimedShape
from kairos.scheduling.wall_time import ONE_DAY, local_date, local_midnight

Bounds = tuple[datetime, datetime, datetime]  # starts_at, earliest end, latest end
Stretch = tuple[int, int]  # [start, end) in microseconds

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(instant: datetime) -> int:
    return (instant - _EPOCH) // _MICROSECOND


def instant(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


class TimedSweep:
    """Collects, resource after resource, the slots each offers, grouped by (start, earliest end, latest
    end) with the resource ids in the order they were added."""

    def __init__(self, shape: TimedShape, buffer_after: timedelta, first: datetime, stop: datetime) -> None:
        """Slots start in [first, stop): the requested window already narrowed to the booking window."""
        self._zone = shape.zone
        self._before = shape.buffer_before // _MICROSECOND
        self._after = buffer_after // _MICROSECOND
        self._interval = shape.interval // _MICROSECOND
        self._shortest = shape.shortest // _MICROSECOND
        self._step = shape.step // _MICROSECOND
        # The longest end a start can have, as an offset: shortest + as many whole steps as fit.
        longest = shape.longest
        self._full_length = (
            None
            if longest is None
            else self._shortest + (longest - shape.shortest) // shape.step * self._step
        )
        self._low = micros(first) - self._before  # buffer starts (grid points) in [low, high)
        self._high = micros(stop) - self._before
        self._anchors: dict[Stretch, list[int]] = {}
        self._whole: defaultdict[int, list[str]] = defaultdict(list)  # start -> ids, longest end
        self._whole_at = self._whole.__getitem__  # the innermost loop's lookup, bound once
        self._cut: defaultdict[tuple[int, int, int], list[str]] = defaultdict(list)  # shorter ends

    def add(self, resource_id: str, available: Sequence[Stretch], full: Sequence[Stretch]) -> None:
        """The slots of one resource: `available` merged and sorted, `full` its sorted disjoint fully
        booked ranges."""
        low, high, interval = self._low, self._high, self._interval
        index, count = 0, len(full)
        for span_start, span_end in available:
            if span_end <= low:
                continue
            if span_start >= high:
                break
            anchors = self._anchors_of(span_start, span_end)
            for anchor, next_anchor in pairwise(anchors):
                begin, stop = max(low, anchor), min(high, next_anchor)
                point = anchor + -(-(begin - anchor) // interval) * interval
                while point < stop:
                    while index < count and full[index][1] <= point:
                        index += 1
                    if index < count and full[index][0] <= point:  # fully booked: on past its end
                        end = full[index][1]
                        point += -(-(end - point) // interval) * interval
                        continue
                    horizon = span_end if index == count else min(span_end, full[index][0])
                    point = self._stretch(resource_id, point, min(stop, horizon), horizon - self._after)

    def offers(self) -> dict[Bounds, list[str]]:
        """Every slot offered so far, by (starts_at, earliest end, latest end) in UTC."""
        found: dict[Bounds, list[str]] = {}
        if self._full_length is not None:
            shortest, longest = self._shortest, self._full_length
            for start, ids in self._whole.items():
                found[instant(start), instant(start + shortest), instant(start + longest)] = ids
        for (start, earliest, latest), ids in self._cut.items():
            found[instant(start), instant(earliest), instant(latest)] = ids
        return found

    def _stretch(self, resource_id: str, point: int, stop: int, limit: int) -> int:
        """The grid points from `point` up to `stop` share the end limit `limit`; returns the first grid
        point at or after `stop`. Starts whose longest end fits go to `_whole` in one progression."""
        before, interval, shortest = self._before, self._interval, self._shortest
        if self._full_length is not None:
            whole_stop = min(stop, limit - before - self._full_length + 1)
            if point < whole_stop:
                for ids in map(self._whole_at, range(point + before, whole_stop + before, interval)):
                    ids.append(resource_id)
                point += -(-(whole_stop - point) // interval) * interval
        longest = self._full_length
        while point < stop:
            start = point + before
            earliest = start + shortest
            latest = limit if longest is None else min(limit, start + longest)
            if latest < earliest:
                break  # later points have even less room
            self._cut[start, earliest, earliest + (latest - earliest) // self._step * self._step].append(
                resource_id
            )
            point += interval
        if point < stop:
            point += -(-(stop - point) // interval) * interval
        return point

    def _anchors_of(self, span_start: int, span_end: int) -> list[int]:
        """The span's start, each local midnight inside it, and its end: where the grid restarts. Kept
        per span, as resources on one schedule share their spans."""
        key = (span_start, span_end)
        anchors = self._anchors.get(key)
        if anchors is None:
            anchors = [span_start]
            day = local_date(instant(span_start), self._zone) + ONE_DAY
            while (midnight := micros(local_midnight(day, self._zone))) < span_end:
                if midnight > span_start:
                    anchors.append(midnight)
                day += ONE_DAY
            anchors.append(span_end)
            self._anchors[key] = anchors
        return anchors
