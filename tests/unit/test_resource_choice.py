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

AT = datetime(2030, 3, 4, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
DOCTORS = ["a", "b", "c"]


def resource(resource_id: str) -> Record:
    return Record("resource", resource_id, {"max_simultaneous_bookings": 1}, AT, AT)


def held(booking_id: str, starts_at: datetime, hours: int = 1) -> TimelineBooking:
    ends_at = starts_at + hours * HOUR
    return TimelineBooking(booking_id, "clinic", starts_at, ends_at, starts_at, ends_at)


def intent(strategy: str, priority: list[str] | None = None) -> Intent:
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
    proposal = Booking("new", None, None, "clinic", AT, AT + HOUR, AT, AT + HOUR, {}, AT, AT)
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
