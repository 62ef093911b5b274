"""The mapper on a waitlist entry's stream records (docs/events.md, docs/waitlists.md): created, one event
per status reached, deleted; a change that keeps the status makes none; the link of an offer makes none.
And the vacancy signals of the schedule, catalogue and busy-time changes that may free places."""

import json
from typing import Any

from kairos.container import Container
from kairos.events.contract import envelope_json
from kairos.storage import keys
from kairos.stream.vacancies import Vacancy, vacancies, vacancy, vacancy_event
from tests.unit.events.records import BOOKING, PROJECT, record
from tests.unit.events.test_mapper import mapped

ENTRY = "44444444-4444-4444-8444-444444444444"
PLACE = "55555555-5555-4555-8555-555555555555"


def entry_item(version: int = 1, **doc: Any) -> dict[str, Any]:
    fields = {
        "status": "waiting",
        "service_id": PLACE,
        "location_id": PLACE,
        "resource_id": None,
        "from": "2030-01-07T09:00:00+01:00",
        "to": "2030-01-07T12:00:00+01:00",
        "metadata": {"patient": "Ada"},
        "booking_id": None,
        "offered_at": None,
        "queued_ns": 7,
        **doc,
    }
    return {
        **keys.waitlist_entry(PROJECT, ENTRY),
        "entity": "waitlist_entry",
        "project_id": PROJECT,
        "id": ENTRY,
        "data": json.dumps(fields),
        "created_at": "2030-01-01T10:00:00+00:00",
        "updated_at": f"2030-01-01T10:0{version}:00+00:00",
        "version": version,
    }


def test_an_entry_makes_created_one_event_per_status_and_deleted(container: Container) -> None:
    offered = {"status": "offered", "booking_id": BOOKING, "offered_at": "2030-01-01T10:02:00+00:00"}
    events = mapped(
        container,
        record("INSERT", None, entry_item(), "a"),
        record("MODIFY", entry_item(), entry_item(2, **offered), "b"),
        record("MODIFY", entry_item(2, **offered), entry_item(3, **{**offered, "status": "booked"}), "c"),
        record("REMOVE", entry_item(3, **{**offered, "status": "booked"}), None, "d"),
    )
    assert [e["type"] for e in events] == [
        "waitlist_entry.created",
        "waitlist_entry.offered",
        "waitlist_entry.booked",
        "waitlist_entry.deleted",
    ]
    assert events[1]["changes"] == ["booking_id", "offered_at", "status", "updated_at"]
    data = json.loads(envelope_json(events[1]))["data"]
    assert (data["from"], data["booking_id"], "queued_ns" in data) == (
        "2030-01-07T09:00:00+01:00",
        BOOKING,
        False,
    )


def test_a_change_that_keeps_the_status_and_an_offers_link_make_no_event(container: Container) -> None:
    link = {**keys.waitlist_offer(PROJECT, BOOKING), "entity": "waitlist_offer", "project_id": PROJECT}
    assert mapped(container, record("MODIFY", entry_item(), entry_item(2, queued_ns=8))) == []
    assert mapped(container, record("INSERT", None, {**link, "entry_id": ENTRY})) == []


DOCTOR, SERVICE = "66666666-6666-4666-8666-666666666666", "77777777-7777-4777-8777-777777777777"


def _item(entity: str, entity_id: str = DOCTOR, **doc: Any) -> dict[str, Any]:
    item = {"PK": "x", "SK": "y", "entity": entity, "project_id": PROJECT, "id": entity_id}
    return {**item, "data": json.dumps(doc)}


def test_schedule_changes_and_more_places_signal_a_vacancy_and_bookings_do_not() -> None:
    block = _item("schedule_block", location_id=PLACE, is_available=False)
    weekly = _item("recurring_schedule", location_id=PLACE, blocks={})
    one, two, unlimited = (_item("resource", max_simultaneous_bookings=n) for n in (1, 2, None))
    disabled = _item("resource", max_simultaneous_bookings=1, enabled=False)
    found = vacancies(
        [
            record("REMOVE", block, None, "a"),
            record("MODIFY", weekly, weekly, "b"),  # the same location: one signal
            record("MODIFY", one, two, "c"),
            record("MODIFY", two, one, "d"),  # fewer places free nothing
            record("MODIFY", two, unlimited, "e"),
            record("MODIFY", disabled, one, "f"),
            record("INSERT", None, entry_item(), "g"),
        ]
    )
    assert found == [Vacancy(PROJECT, PLACE), Vacancy(PROJECT, None, resource_id=DOCTOR)]
    assert vacancy(one, disabled) is None
    signal = json.loads(vacancy_event(found[1]).detail)
    named = {"location_id": None, "service_id": None, "resource_id": DOCTOR}  # whose places may be free
    assert signal == {"type": "waitlist.vacancy", "project_id": PROJECT, "data": named}


def test_catalogue_changes_signal_a_vacancy_only_where_they_may_free_places() -> None:
    def location(**doc: Any) -> dict[str, Any]:
        return _item("location", PLACE, **{"name": "Clinic", "time_zone": "UTC", **doc})

    def service(**doc: Any) -> dict[str, Any]:
        return _item("service", SERVICE, **{"name": "Exam", "duration": "PT1H", **doc})

    link = {"PK": "x", "SK": "y", "entity": "association", "project_id": PROJECT}
    link |= {"service_id": SERVICE, "resource_id": DOCTOR}
    head = {**keys.schedule_version(PROJECT, PLACE), "entity": "schedule_version", "busy_a": {}}
    assert vacancy(location(), location(time_zone="Europe/Paris")) == Vacancy(PROJECT, PLACE)
    assert vacancy(location(enabled=False), location()) == Vacancy(PROJECT, PLACE)
    assert vacancy(location(), location(name="Other", metadata={"a": 1})) is None
    assert vacancy(location(), location(enabled=False, time_zone="Europe/Paris")) is None
    assert vacancy(service(), service(duration="PT30M")) == Vacancy(PROJECT, None, service_id=SERVICE)
    assert vacancy(service(), service(price="60.000")) is None
    assert vacancy(None, link) == Vacancy(PROJECT, None, SERVICE, DOCTOR)
    assert vacancy(link, None) is None  # a resource no longer performing a service frees nothing
    assert vacancy(head, None) is None  # the head goes with its resource
