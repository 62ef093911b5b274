"""The waitlist offer step in the in-process table (docs/waitlists.md): which entry a freed place goes to
(the oldest whose window and resource fit), the hold and the entry written together (or neither), the
entry following its hold, and the choice of entries and slots as pure functions."""

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.bookings.availability import Availability
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Record
from kairos.events.definitions import WAITLIST_RULE, WAITLIST_VACANCY
from kairos.waitlists.entries import fitting_slots, in_turn, lapsed, reach
from kairos.waitlists.ports import EntryTaken
from tests.unit.clinic import add_doctor, at, booking_body, make_clinic
from tests.unit.test_holds import Clock

NOW = datetime(2030, 1, 6, 12, tzinfo=UTC)


@pytest.fixture
def clock(container: Container) -> Clock:
    moved = Clock(NOW)
    container.clock = moved
    return moved


def join(
    container: Container, principal: Principal, clinic: dict[str, str], hours: tuple[int, int], **extra: Any
) -> str:
    body = {"service_id": clinic["service_id"], "location_id": clinic["location_id"]}
    created = container.waitlists.create(
        principal, {**body, "from": at(hours[0]), "to": at(hours[1]), **extra}
    )
    return str(created["id"])


def status(container: Container, principal: Principal, entry_id: str) -> tuple[str, str | None]:
    found = container.waitlists.get(principal, entry_id)
    return found["status"], found["booking_id"]


def full_day(container: Container, principal: Principal, clinic: dict[str, str]) -> dict[int, str]:
    return {h: container.bookings.create(principal, booking_body(clinic, h))["id"] for h in range(8, 17)}


def event(kind: str, project_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "project_id": project_id, "data": data}


def test_a_freed_place_goes_to_the_oldest_entry_whose_window_fits_it(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = make_clinic(container, principal)
    taken = full_day(container, principal, clinic)
    elsewhere = join(container, principal, clinic, (14, 16))  # oldest, but its window misses the place
    first = join(container, principal, clinic, (9, 12))
    second = join(container, principal, clinic, (8, 12))
    container.bookings.delete(principal, taken[10])

    offered = container.waitlist_offers.handle(
        event(
            "booking.deleted", principal.project_id, {"id": taken[10], "location_id": clinic["location_id"]}
        )
    )

    assert offered == 1
    assert status(container, principal, elsewhere) == ("waiting", None)
    assert status(container, principal, second) == ("waiting", None)
    state, booking_id = status(container, principal, first)
    hold = container.bookings.get(principal, str(booking_id))
    assert (state, hold["starts_at"], hold["is_temporary"]) == ("offered", at(10), True)
    assert hold["expires_at"] == (NOW + timedelta(minutes=15)).isoformat()  # no project default: PT15M


def test_an_entry_naming_a_resource_is_offered_only_that_resources_place(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = make_clinic(container, principal)
    other = add_doctor(container, principal, clinic["service_id"], clinic["location_id"])
    for h in range(8, 17):
        container.bookings.create(principal, booking_body(clinic, h, resource_id=clinic["resource_id"]))
        container.bookings.create(principal, booking_body(clinic, h, resource_id=other))
    mine = join(container, principal, clinic, (8, 17), resource_id=clinic["resource_id"])
    anyone = join(container, principal, clinic, (8, 17))
    on_other = container.bookings.page(principal, {"resource": other, "from": at(8), "to": at(17)}).items
    container.bookings.delete(principal, on_other[0]["id"])  # a place of the other doctor frees up

    container.waitlist_offers.offer(principal.project_id, clinic["location_id"])

    assert status(container, principal, mine) == ("waiting", None)
    state, booking_id = status(container, principal, anyone)
    assert state == "offered"
    assert container.bookings.get(principal, str(booking_id))["resource_id"] == other


def test_an_entry_taken_meanwhile_writes_no_hold(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = make_clinic(container, principal)
    taken = full_day(container, principal, clinic)
    entry_id = join(container, principal, clinic, (8, 17))
    container.bookings.delete(principal, taken[9])
    store = container._waitlist_store
    stale = store.get(principal.project_id, entry_id)
    assert stale is not None
    container.waitlist_offers.offer(principal.project_id, clinic["location_id"])  # offered 09:00
    container.bookings.delete(principal, taken[10])

    with pytest.raises(EntryTaken):  # another run, which read the entry still waiting, offers it 10:00
        container.waitlist_offers._hold(principal, stale, at(10), at(11))

    temporary = container.bookings.page(principal, {"temporary": "only", "from": at(8), "to": at(17)})
    assert temporary.total == 1


# The input models a hold could be parsed with, and pydantic.
INPUT_MODELS = (
    "kairos.domain.bookings.models",
    "kairos.domain.shared.validation",
    "kairos.waitlists.entry_input",
)


def is_input_model(module: str) -> bool:
    return module in INPUT_MODELS or module.partition(".")[0] in ("pydantic", "pydantic_core")


class NoInputModels(MetaPathFinder):
    """Refuses to import the input models and pydantic."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if is_input_model(fullname):
            raise ImportError(f"{fullname} is not to be loaded by the offer step")
        return None


def test_the_hold_is_planned_from_the_entry_without_the_input_models(
    container: Container, principal: Principal, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offer step plans its hold from the entry's ids and metadata and a listed slot as given, parsing
    no body, so its function's cold start loads no pydantic (docs/infrastructure.md, cold starts): here
    the input models cannot be imported while it offers, and the hold is what a POST of it would write."""
    clinic = make_clinic(container, principal)
    entry_id = join(container, principal, clinic, (9, 10), metadata={"ref": "w-1"})
    for name in [n for n in sys.modules if is_input_model(n)]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [NoInputModels(), *sys.meta_path])

    offered = container.waitlist_offers.offer(principal.project_id, clinic["location_id"])

    monkeypatch.undo()
    state, booking_id = status(container, principal, entry_id)
    hold = container.bookings.get(principal, str(booking_id))
    posted = container.bookings.create(principal, {**booking_body(clinic, 11), "is_temporary": True})
    assert (offered, state, hold["starts_at"], hold["ends_at"]) == (1, "offered", at(9), at(10))
    assert hold["metadata"] == {"ref": "w-1"}
    assert hold["expires_at"] == (NOW + timedelta(minutes=15)).isoformat()
    shown = ("service_id", "location_id", "price", "is_temporary", "protected_metadata", "finalized_at")
    assert {k: hold[k] for k in shown} == {k: posted[k] for k in shown}


def test_the_entry_follows_its_hold_and_the_next_entry_gets_an_expired_place(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = make_clinic(container, principal)
    taken = full_day(container, principal, clinic)
    first = join(container, principal, clinic, (11, 12))
    second = join(container, principal, clinic, (11, 12))
    container.bookings.delete(principal, taken[11])
    offers = container.waitlist_offers
    offers.offer(principal.project_id, clinic["location_id"])
    _, hold_id = status(container, principal, first)
    hold = container.bookings.get(principal, str(hold_id))
    clock.now = NOW + timedelta(minutes=16)  # the hold expired: its removal makes `booking.expired`
    container.bookings.delete(principal, str(hold_id))

    offers.handle(event("booking.expired", principal.project_id, hold))

    assert status(container, principal, first) == ("expired", hold_id)
    state, again = status(container, principal, second)
    assert state == "offered" and again != hold_id
    offers.handle(
        event("booking.finalized", principal.project_id, {**hold, "id": again, "is_temporary": False})
    )
    assert status(container, principal, second) == ("booked", again)


# --- the choice, pure -------------------------------------------------------------------------------------


def _entry(
    entry_id: str, created: datetime, start: str, end: str, status: str = "waiting", ns: int = 0
) -> Record:
    doc = {"status": status, "service_id": "s", "from": start, "to": end, "queued_ns": ns}
    return Record("waitlist_entry", entry_id, doc, created, created)


def test_entries_take_turns_by_when_they_joined_and_passed_windows_lapse() -> None:
    second = datetime(2030, 1, 6, 12, tzinfo=UTC)
    entries = [
        _entry("c", second, at(8), at(9), ns=2),
        _entry("a", second, at(8), at(9), ns=3),
        _entry("b", second - timedelta(seconds=1), at(8), at(9), ns=9),
        _entry("old", second, "2030-01-05T08:00:00+00:00", "2030-01-05T09:00:00+00:00"),
        _entry("done", second, at(8), at(9), status="booked"),
    ]
    assert [e.id for e in in_turn(entries, NOW)] == ["b", "c", "a"]
    assert [e.id for e in lapsed(entries, NOW)] == ["old"]


def test_a_slot_fits_inside_the_window_while_it_has_a_place_left() -> None:
    entry = _entry("e", NOW, at(9), at(11))
    slots = [
        {"starts_at": at(10), "ends_at": at(11), "resources": [{}, {}]},
        {"starts_at": at(8), "ends_at": at(9), "resources": [{}]},  # starts before the window
        {"starts_at": at(9), "ends_at": at(10), "resources": [{}]},
        {"starts_at": at(10), "ends_at": at(12), "min_ends_at": at(11), "resources": [{}]},  # flexible
        {"starts_at": at(11), "ends_at": at(12), "resources": [{}]},  # ends after it
    ]
    assert fitting_slots(entry, slots, {}) == [(at(9), at(10)), (at(10), at(11)), (at(10), at(11))]
    assert fitting_slots(entry, slots, {(at(9), at(10)): 1, (at(10), at(11)): 1}) == [(at(10), at(11))]


def test_the_places_are_listed_over_the_groups_windows_in_pieces_a_listing_may_ask_for() -> None:
    entries = [_entry("a", NOW, "2030-01-01T00:00:00+00:00", "2030-01-20T00:00:00+00:00")]
    entries.append(_entry("b", NOW, "2030-01-10T00:00:00+00:00", "2030-03-01T00:00:00+00:00"))
    pieces = reach(entries, NOW, timedelta(days=30))
    assert [(p.start, p.end) for p in pieces] == [
        (NOW, NOW + timedelta(days=30)),
        (NOW + timedelta(days=30), datetime(2030, 3, 1, tzinfo=UTC)),
    ]


def test_the_offer_step_reads_every_event_it_acts_on() -> None:
    from kairos.waitlists.offers import SETTLES

    assert set(WAITLIST_RULE.pattern["detail-type"]) >= set(SETTLES)


def test_a_vacancy_naming_a_resource_or_service_looks_only_at_the_entries_that_could_take_its_places(
    container: Container, principal: Principal, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = make_clinic(container, principal)
    doctor, other = (
        clinic["resource_id"],
        add_doctor(container, principal, clinic["service_id"], clinic["location_id"]),
    )
    for h in range(8, 17):
        for resource in (doctor, other):
            container.bookings.create(principal, booking_body(clinic, h, resource_id=resource))
    mine = join(container, principal, clinic, (8, 17), resource_id=doctor)
    theirs = join(container, principal, clinic, (8, 17), resource_id=other)
    on_other = container.bookings.page(principal, {"resource": other, "from": at(8), "to": at(17)}).items
    container.bookings.delete(principal, on_other[0]["id"])  # freed, its own event not handled yet
    listed: list[tuple[str, str | None]] = []
    listing = Availability.bookable_slots

    def recorded(self: Availability, viewer: Principal, service_id: str, query: dict[str, str]) -> Any:
        listed.append((service_id, query.get("resource")))
        return listing(self, viewer, service_id, query)

    monkeypatch.setattr(Availability, "bookable_slots", recorded)
    vacancy = {"location_id": None, "service_id": None, "resource_id": doctor}

    assert container.waitlist_offers.handle(event(WAITLIST_VACANCY, principal.project_id, vacancy)) == 0
    assert listed == [(clinic["service_id"], doctor)]  # the other doctor's entry is not looked at
    assert status(container, principal, theirs) == ("waiting", None)

    listed.clear()
    another_service = {**vacancy, "service_id": "00000000-0000-4000-8000-000000000000", "resource_id": None}
    assert (
        container.waitlist_offers.handle(event(WAITLIST_VACANCY, principal.project_id, another_service)) == 0
    )
    assert listed == []  # no entry waits for that service: no location is visited

    vacancy["resource_id"] = other
    assert container.waitlist_offers.handle(event(WAITLIST_VACANCY, principal.project_id, vacancy)) == 1
    assert listed == [(clinic["service_id"], other)]
    assert status(container, principal, theirs)[0] == "offered"
    assert status(container, principal, mine) == ("waiting", None)
