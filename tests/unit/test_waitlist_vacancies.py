"""Places freed without a booking reach the waitlist (docs/waitlists.md, "When a place is offered"): busy
times removed at a calendar sync or with their subscription, a service or location enabled again, a resource
associated with the service. Each change is made through the API's services on the in-process table, and
what the change stream makes of it runs as deployed: the table's changes as stream records, mapped to events
and vacancy signals, the ones the waitlist rule takes handed to the offer step, until nothing more changes.
And an offered entry deleted leaves nothing of itself behind; its hold goes, and its place to the next."""

import json
from collections.abc import Callable
from typing import Any

import pytest

from kairos.calendars.subscriptions import CalendarSubscriptions
from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE, EntityKind
from kairos.domain.projects.auth import Principal
from kairos.errors import NotFound
from kairos.events.contract import envelope_json
from kairos.events.definitions import WAITLIST_RULE
from kairos.storage import keys
from kairos.storage.dynamodb import from_item
from kairos.stream.changes import BatchBookings, item_change
from kairos.stream.mapper import EventMapper
from kairos.stream.vacancies import vacancies, vacancy_event
from tests.unit.calendars.feeds import URL, Feed
from tests.unit.clinic import at, booking_body, make_clinic
from tests.unit.events.records import record
from tests.unit.test_waitlist_offers import clock, full_day, join, status  # noqa: F401 (clock: a fixture)

Action = Callable[[], object]
ROUNDS = 6  # rounds of the chain at most: a change, its events, what they write, their events...
pytestmark = pytest.mark.usefixtures("clock")  # the waitlist tests' fixed clock, before the clinic's day


def table_items(container: Container) -> dict[tuple[str, str], dict[str, Any]]:
    pages = container.table.client.get_paginator("scan").paginate(TableName=container.table.name)
    items = (from_item(i) for page in pages for i in page["Items"])
    return {(str(i["PK"]), str(i["SK"])): i for i in items}


def stream_of(container: Container, action: Action) -> list[dict[str, Any]]:
    """The stream records (Lambda's shape) of what `action` changed in the table, one per item."""
    before = table_items(container)
    action()
    after = table_items(container)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    names = {(True, False): "REMOVE", (False, True): "INSERT", (True, True): "MODIFY"}
    return [
        record(names[k in before, k in after], before.get(k), after.get(k), f"r{n}")
        for n, k in enumerate(changed)
    ]


def chain(container: Container, action: Action) -> None:
    """Runs `action`, then the event chain as deployed: the stream function's events and vacancy signals,
    of which the waitlist rule's reach the offer step, whose writes make the next round's records."""
    mapper = EventMapper.from_container(container)
    wanted = set(WAITLIST_RULE.pattern["detail-type"])
    step = action
    for _ in range(ROUNDS):
        records = stream_of(container, step)
        if not records:
            return
        changes = [c for c in map(item_change, records) if c is not None]
        batch = BatchBookings.of(changes)
        mapped = [mapper.map_change(c, batch) for c in changes]
        bodies = [json.loads(envelope_json(e)) for e in mapped if e is not None]
        bodies += [json.loads(vacancy_event(v).detail) for v in vacancies(records)]
        step = _handing(container, [b for b in bodies if b["type"] in wanted])
    raise AssertionError("the event chain did not settle")


def _handing(container: Container, bodies: list[dict[str, Any]]) -> Action:
    return lambda: [container.waitlist_offers.handle(b) for b in bodies]


def booked_but(container: Container, principal: Principal, clinic: dict[str, str], hour: int) -> None:
    """Every hour of the doctor's day booked but `hour`."""
    for h in range(8, 17):
        if h != hour:
            container.bookings.create(principal, booking_body(clinic, h))


def busy_doctor(
    container: Container, principal: Principal, calendars: CalendarSubscriptions, feed: Feed, hour: int
) -> tuple[dict[str, str], str]:
    """A clinic whose doctor is booked all day but at `hour`, when their calendar says they are busy; and
    the subscription's id."""
    clinic = make_clinic(container, principal)
    booked_but(container, principal, clinic, hour)
    made = calendars.create(principal, clinic["resource_id"], {"url": URL})
    feed.busy_at(hour)
    calendars.sync_now(principal, clinic["resource_id"], made["id"])
    return clinic, str(made["id"])


def offered_first(container: Container, principal: Principal) -> tuple[str, str, str]:
    """Two entries waiting for a full day, and 13:00 freed: the first is offered it. (first, second, hold)"""
    clinic = make_clinic(container, principal)
    taken = full_day(container, principal, clinic)
    first, second = (join(container, principal, clinic, (8, 17)) for _ in range(2))
    chain(container, lambda: container.bookings.delete(principal, taken[13]))
    state, hold = status(container, principal, first)
    assert (state, offered_at(container, principal, first)) == ("offered", at(13))
    return first, second, str(hold)


def offered_at(container: Container, principal: Principal, entry_id: str) -> str | None:
    state, booking_id = status(container, principal, entry_id)
    return container.bookings.get(principal, str(booking_id))["starts_at"] if state == "offered" else None


def test_busy_times_removed_at_a_sync_are_offered_and_busy_times_added_start_nothing(
    container: Container, principal: Principal, calendars: CalendarSubscriptions, feed: Feed
) -> None:
    clinic, made = busy_doctor(container, principal, calendars, feed, 10)
    entry_id = join(container, principal, clinic, (8, 17))

    def sync() -> object:
        return calendars.sync_now(principal, clinic["resource_id"], made)

    feed.busy_at(15)  # 10:00 no longer busy, 15:00 busy (and booked anyway)
    chain(container, sync)

    assert offered_at(container, principal, entry_id) == at(10)
    feed.busy_at(15, 16)  # only more busy times: nothing freed
    assert vacancies(stream_of(container, sync)) == []


def test_a_calendar_subscription_deleted_gives_its_busy_times_places_to_the_waitlist(
    container: Container, principal: Principal, calendars: CalendarSubscriptions, feed: Feed
) -> None:
    clinic, made = busy_doctor(container, principal, calendars, feed, 9)
    entry_id = join(container, principal, clinic, (8, 12))

    chain(container, lambda: calendars.delete(principal, clinic["resource_id"], made))

    assert offered_at(container, principal, entry_id) == at(9)


@pytest.mark.parametrize("kind", [SERVICE, LOCATION])
def test_a_service_or_location_enabled_again_offers_its_free_places(
    container: Container, principal: Principal, kind: EntityKind
) -> None:
    clinic = make_clinic(container, principal)
    taken = full_day(container, principal, clinic)
    entry_id = join(container, principal, clinic, (8, 17))
    switched = clinic[f"{kind.name}_id"]
    container.catalogue.patch(principal, kind, switched, {"enabled": False})
    chain(container, lambda: container.bookings.delete(principal, taken[11]))  # freed while disabled
    assert status(container, principal, entry_id) == ("waiting", None)

    chain(container, lambda: container.catalogue.patch(principal, kind, switched, {"enabled": True}))

    assert offered_at(container, principal, entry_id) == at(11)


def test_a_service_given_other_rules_offers_what_they_free_and_a_new_name_starts_nothing(
    container: Container, principal: Principal
) -> None:
    clinic = make_clinic(container, principal)
    service = clinic["service_id"]
    limit = {"booking_limits": {"per_resource": {"day": 8}}}
    container.catalogue.patch(principal, SERVICE, service, limit)
    booked_but(container, principal, clinic, 16)  # 8 bookings: the day's limit
    entry_id = join(container, principal, clinic, (8, 17))
    renamed = stream_of(
        container, lambda: container.catalogue.patch(principal, SERVICE, service, {"name": "X"})
    )
    assert vacancies(renamed) == []

    more = {"booking_limits": {"per_resource": {"day": 9}}}
    chain(container, lambda: container.catalogue.patch(principal, SERVICE, service, more))

    assert offered_at(container, principal, entry_id) == at(16)


def test_a_resource_associated_with_the_service_offers_its_places(
    container: Container, principal: Principal
) -> None:
    clinic = make_clinic(container, principal)
    full_day(container, principal, clinic)
    entry_id = join(container, principal, clinic, (8, 17))
    newcomer = container.catalogue.create(
        principal, RESOURCE, {"name": "Dr. New", "max_simultaneous_bookings": 1}
    )
    block = {"location_id": clinic["location_id"], "starts_at": at(14), "ends_at": at(15)}
    chain(container, lambda: container.schedules.put_block(principal, newcomer["id"], None, block))
    assert status(container, principal, entry_id) == ("waiting", None)  # at the location, not the service's

    chain(container, lambda: container.catalogue.associate(principal, clinic["service_id"], newcomer["id"]))

    assert offered_at(container, principal, entry_id) == at(14)


def test_an_offered_entry_deleted_leaves_no_item_and_its_hold_goes_to_the_next_entry(
    container: Container, principal: Principal
) -> None:
    first, second, hold = offered_first(container, principal)

    chain(container, lambda: container.waitlists.delete(principal, first))

    items = table_items(container)
    assert [key for key, item in items.items() if first in json.dumps(item, default=str)] == []
    assert keys.waitlist_offer(principal.project_id, hold)["SK"] not in {sk for _, sk in items}
    with pytest.raises(NotFound):
        container.bookings.get(principal, hold)
    state, again = status(container, principal, second)
    assert (state, offered_at(container, principal, second)) == ("offered", at(13))
    assert again != hold


def test_a_deleted_entrys_hold_already_finalized_is_kept(container: Container, principal: Principal) -> None:
    first, _, hold = offered_first(container, principal)
    stale = container.waitlists.get(principal, first)
    container.bookings.patch(principal, hold, {"is_temporary": False})  # its event not handled yet

    container.waitlists.delete(principal, first)
    container.waitlist_offers.handle(
        {"type": "waitlist_entry.deleted", "project_id": principal.project_id, "data": stale}
    )

    assert container.bookings.get(principal, hold)["is_temporary"] is False
