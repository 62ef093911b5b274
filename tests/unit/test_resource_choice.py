"""The location's choice of a resource for a booking that names none (docs/bookings.md): among the
candidates that pass every check, by its strategy; the candidates are checked in the order the strategy
prefers them, ties shuffled, and the first that passes is taken, so those after it are not checked (a
52-week series among 3 doctors checks about 52 occurrences, not 156)."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from kairos.domain.bookings.intents import Intent
from kairos.domain.bookings.planning import Planner, Timelines
from kairos.domain.shared.records import Booking, LedgerState, Record, Timeline, TimelineBooking
from kairos.errors import ValidationFailed

AT = datetime(2030, 3, 4, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
DOCTORS = ["a", "b", "c"]


def resource(resource_id: str) -> Record:
    return Record("resource", resource_id, {"max_simultaneous_bookings": 1}, AT, AT)


def held(booking_id: str, starts_at: datetime, hours: int = 1) -> TimelineBooking:
    ends_at = starts_at + hours * HOUR
    return TimelineBooking(booking_id, "clinic", starts_at, ends_at, starts_at, ends_at)


def intent(
    strategy: str, priority: list[str] | None = None, starts_at: datetime = AT, name: str = "new"
) -> Intent:
    location = Record(
        "location",
        "clinic",
        {
            "time_zone": "UTC",
            "resource_selection_strategy": strategy,
            "resource_selection_priority": priority,
        },
        AT,
        AT,
    )
    ends_at = starts_at + HOUR
    proposal = Booking(name, None, None, "clinic", starts_at, ends_at, starts_at, ends_at, {}, AT, AT)
    candidates = [resource(r) for r in DOCTORS]
    return Intent(None, proposal, None, location, candidates, {"ignore_schedule"}, True, strategy)


def chosen(planner: Planner, strategy: str, timelines: dict[str, list[TimelineBooking]]) -> str | None:
    read = Timelines({r: Timeline([], [], timelines.get(r, [])) for r in DOCTORS}, {})
    after = planner.plan([intent(strategy, ["a", "c", "b"])], LedgerState({}, {}), read).changes[0].after
    assert after is not None
    return after.resource_id


@pytest.fixture
def planner() -> Planner:
    return Planner(lambda: AT - timedelta(days=1), random.Random(25))


def test_randomize_takes_each_resource_that_passes_as_often_and_never_one_that_fails(
    planner: Planner,
) -> None:
    busy = {"a": [held("taken", AT)]}

    picks = Counter(chosen(planner, "randomize", busy) for _ in range(400))

    assert set(picks) == {"b", "c"}
    assert 150 < picks["b"] < 250


def test_equalize_takes_the_least_booked_resource_that_passes(planner: Planner) -> None:
    """a is the least booked that day but full at that hour; c has booked less than b."""
    busy = {"a": [held("taken", AT)], "b": [held("b1", AT - 3 * HOUR, 2)], "c": [held("c1", AT + 3 * HOUR)]}

    assert {chosen(planner, "equalize", busy) for _ in range(50)} == {"c"}


def test_prioritize_takes_the_first_resource_of_the_priority_that_passes(planner: Planner) -> None:
    assert chosen(planner, "prioritize", {}) == "a"
    assert chosen(planner, "prioritize", {"a": [held("taken", AT)]}) == "c"


def test_the_candidates_after_the_first_that_passes_are_not_checked(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    violations = planner._violations

    def counted(intent: Intent, candidate: Record, *rest: object) -> object:
        checked.append(candidate.id)
        return violations(intent, candidate, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(planner, "_violations", counted)

    assert chosen(planner, "prioritize", {"a": [held("taken", AT)]}) == "c"
    assert checked == ["a", "c"]


def test_a_requests_own_bookings_count_for_the_later_ones_as_the_timelines_do(planner: Planner) -> None:
    """A group or a series is planned in one go: each booking it planned takes its resource's place (one a
    resource here) and counts in `equalize`'s booked time for the bookings planned after it."""
    read = Timelines({r: Timeline([], [], []) for r in DOCTORS}, {})
    same_hour = [intent("randomize", name=f"same{n}") for n in range(3)]
    spread = [intent("equalize", starts_at=AT + n * 2 * HOUR, name=f"day{n}") for n in range(3)]

    at_once = planner.plan(same_hour, LedgerState({}, {}), read).changes
    over_the_day = planner.plan(spread, LedgerState({}, {}), read).changes
    with pytest.raises(ValidationFailed):
        planner.plan([*same_hour, intent("randomize", name="fourth")], LedgerState({}, {}), read)

    assert sorted(c.after.resource_id for c in at_once if c.after) == DOCTORS
    assert sorted(c.after.resource_id for c in over_the_day if c.after) == DOCTORS
