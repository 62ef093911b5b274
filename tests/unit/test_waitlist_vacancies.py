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
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.events.definitions import WAITLIST_RULE
from kairos.outbound.ssrf import ALLOW_LOOPBACK_ENV
from kairos.storage.calendar_subscription_store import CalendarSubscriptionStore
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import from_item
from kairos.stream.changes import BatchBookings, item_change
from kairos.stream.mapper import EventMapper
from kairos.stream.vacancies import vacancies, vacancy_event
from tests.unit.calendars.test_subscriptions import URL, Feed
from tests.unit.clinic import DAY, at, booking_body, make_clinic
from tests.unit.events.records import record
from tests.unit.test_holds import Clock
from tests.unit.test_waitlist_offers import full_day, join, status

Action = Callable[[], object]
ROUNDS = 6  # rounds of the chain at most: a change, its events, what they write, their events...


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
        bodies = [json.loads(e.model_dump_json()) for e in mapped if e is not None]
        bodies += [json.loads(vacancy_event(v).detail) for v in vacancies(records)]
        step = _handing(container, [b for b in bodies if b["type"] in wanted])
    raise AssertionError("the event chain did not settle")


def _handing(container: Container, bodies: list[dict[str, Any]]) -> Action:
    return lambda: [container.waitlist_offers.handle(b) for b in bodies]


def busy_feed(*hours: int) -> bytes:
    """A feed busy on DAY at each of `hours` for an hour."""
    day = DAY.replace("-", "")
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{h}\r\nDTSTART:{day}T{h:02}0000Z\r\nDTEND:{day}T{h + 1:02}0000Z\r\n"
        "END:VEVENT\r\n"
        for h in hours
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()


@pytest.fixture
def clock(container: Container) -> Clock:
    from tests.unit.test_waitlist_offers import NOW

    moved = Clock(NOW)
    container.clock = moved
    return moved


@pytest.fixture
def feed() -> Feed:
    return Feed()


@pytest.fixture
def calendars(
    container: Container, clock: Clock, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> CalendarSubscriptions:
    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "true")
    store = CalendarSubscriptionStore(container.table)
    return CalendarSubscriptions(CatalogueStore(container.table), store, container.booking_store, feed, clock)


def booked_but(container: Container, principal: Principal, clinic: dict[str, str], hour: int) -> None:
    """Every hour of the doctor's day booked but `hour`."""
    for h in range(8, 17):
        if h != hour:
            container.bookings.create(principal, booking_body(clinic, h))


def offered_at(container: Container, principal: Principal, entry_id: str) -> str | None:
    state, booking_id = status(container, principal, entry_id)
    return container.bookings.get(principal, str(booking_id))["starts_at"] if state == "offered" else None


def test_busy_times_removed_at_a_sync_are_offered_and_busy_times_added_start_nothing(
    container: Container, principal: Principal, calendars: CalendarSubscriptions, feed: Feed
) -> None:
    clinic = make_clinic(container, principal)
    doctor = clinic["resource_id"]
    booked_but(container, principal, clinic, 10)
    made = calendars.create(principal, doctor, {"url": URL})
    feed.busy_at(10)
    calendars.sync_now(principal, doctor, made["id"])
    entry_id = join(container, principal, clinic, (8, 17))

    feed.document = busy_feed(15)  # 10:00 no longer busy, 15:00 busy (and booked anyway)
    chain(container, lambda: calendars.sync_now(principal, doctor, made["id"]))

    assert offered_at(container, principal, entry_id) == at(10)
    feed.document = busy_feed(15, 16)  # only more busy times: nothing freed
    assert vacancies(stream_of(container, lambda: calendars.sync_now(principal, doctor, made["id"]))) == []


def test_a_calendar_subscription_deleted_gives_its_busy_times_places_to_the_waitlist(
    container: Container, principal: Principal, calendars: CalendarSubscriptions, feed: Feed
) -> None:
    clinic = make_clinic(container, principal)
    doctor = clinic["resource_id"]
    booked_but(container, principal, clinic, 9)
    made = calendars.create(principal, doctor, {"url": URL})
    feed.busy_at(9)
    calendars.sync_now(principal, doctor, made["id"])
    entry_id = join(container, principal, clinic, (8, 12))

    chain(container, lambda: calendars.delete(principal, doctor, made["id"]))

    assert offered_at(container, principal, entry_id) == at(9)


@pytest.mark.parametrize("kind", [SERVICE, LOCATION])
def test_a_service_or_location_enabled_again_offers_its_free_places(
    container: Container, principal: Principal, clock: Clock, kind: Any
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
    container: Container, principal: Principal, clock: Clock
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
    container: Container, principal: Principal, clock: Clock
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
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = make_clinic(container, principal)
    taken = full_day(container, principal, clinic)
    first = join(container, principal, clinic, (8, 17))
    second = join(container, principal, clinic, (8, 17))
    chain(container, lambda: container.bookings.delete(principal, taken[13]))
    _, hold = status(container, principal, first)
    assert offered_at(container, principal, first) == at(13)

    chain(container, lambda: container.waitlists.delete(principal, first))

    left = [i for i in table_items(container).values() if first in json.dumps(i, default=str)]
    left += [i for i in table_items(container).values() if str(i["SK"]).endswith(f"OFFER#{hold}")]
    assert left == []
    assert container.bookings.page(principal, {"temporary": "only", "from": at(8), "to": at(17)}).total == 1
    state, again = status(container, principal, second)
    assert (state, offered_at(container, principal, second)) == ("offered", at(13))
    assert again != hold


def test_a_deleted_entrys_hold_already_finalized_is_kept(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = make_clinic(container, principal)
    taken = full_day(container, principal, clinic)
    first = join(container, principal, clinic, (8, 17))
    chain(container, lambda: container.bookings.delete(principal, taken[13]))
    _, hold = status(container, principal, first)
    stale = container.waitlists.get(principal, first)
    container.bookings.patch(principal, str(hold), {"is_temporary": False})  # its event not handled yet

    container.waitlists.delete(principal, first)
    container.waitlist_offers.handle(
        {"type": "waitlist_entry.deleted", "project_id": principal.project_id, "data": stale}
    )

    assert container.bookings.get(principal, str(hold))["is_temporary"] is False
