"""What the busiest reads cost the project's partitions (docs/scale.md, "Reads"): a warm instance lists
bookable slots without reading the project's entity partition (`PROJECT#<p>`) or the service's
associations again, from the catalogue it read in the last minute, and each resource's head and timeline
eventually consistent; what it shows of the catalogue is at most that minute old, and its own catalogue
writes show at once (docs/slots.md, "Freshness"). Booking lists and gets render with eventually
consistent reads (docs/bookings.md, "Reading bookings"); booking writes read strongly consistent."""

from collections.abc import Iterator
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import RESOURCE
from kairos.domain.projects.auth import Principal
from kairos.storage import catalogue_cache, keys
from kairos.storage.dynamodb import RoundTrips
from tests.unit.clinic import DAY, add_doctor, booking_body

Calls = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def calls(container: Container) -> Iterator[Calls]:
    """The DynamoDB calls the container makes from now on: (operation, parameters)."""
    seen: Calls = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.append((model.name, params))

    events = container.table.client.meta.events
    events.register("provide-client-params.dynamodb.*", record)
    yield seen
    events.unregister("provide-client-params.dynamodb.*", record)


@pytest.fixture
def elsewhere(container: Container) -> Container:
    """Another instance on the same table: its catalogue writes do not reach this instance's memory."""
    return Container.from_settings(container.settings)


def partitions_read(calls: Calls) -> list[str]:
    """The partition keys the calls read, one per item or query."""
    read: list[str] = []
    for operation, params in calls:
        if operation == "BatchGetItem":
            read += [k["PK"]["S"] for r in params["RequestItems"].values() for k in r["Keys"]]
        elif operation in ("GetItem", "Query"):
            key = params.get("Key", {}).get("PK") or params["ExpressionAttributeValues"][":pk"]
            read.append(key["S"])
    return read


def slots_query(clinic: dict[str, str]) -> dict[str, str]:
    return {"from": f"{DAY}T00:00:00+00:00", "to": f"{DAY}T23:59:59+00:00", "location": clinic["location_id"]}


def names_shown(page_items: list[dict[str, Any]]) -> set[str]:
    return {r["name"] for slot in page_items for r in slot["resources"]}


def test_a_warm_slot_listing_reads_only_each_resources_head_and_timeline(
    container: Container, principal: Principal, clinic: dict[str, str], calls: Calls
) -> None:
    doctors = [
        clinic["resource_id"],
        add_doctor(container, principal, clinic["service_id"], clinic["location_id"]),
    ]
    query = slots_query(clinic)
    cold = container.availability.bookable_slots(principal, clinic["service_id"], query)
    calls.clear()
    RoundTrips.reset()
    warm = container.availability.bookable_slots(principal, clinic["service_id"], query)
    assert warm == cold
    # the two heads in one read | one timeline each, in one wave
    assert (RoundTrips.count(), RoundTrips.waves()) == (1 + 2, 1)
    read = partitions_read(calls)
    project = principal.project_id
    assert keys.entity_partition(project) not in read
    assert keys.owned_partition(project, "service", clinic["service_id"]) not in read
    assert sorted(read) == sorted(keys.owned_partition(project, "resource", r) for r in 2 * doctors)
    assert consistency(calls) == {False}  # half the read units (docs/slots.md, "Freshness")


def consistency(calls: Calls) -> set[bool]:
    """Whether each read of the calls was strongly consistent."""
    found: set[bool] = set()
    for operation, params in calls:
        if operation == "BatchGetItem":
            found |= {bool(r.get("ConsistentRead")) for r in params["RequestItems"].values()}
        elif operation in ("GetItem", "Query"):
            found.add(bool(params.get("ConsistentRead")))
    return found


def test_a_booking_reads_the_timelines_it_checks_strongly_consistent(
    container: Container, principal: Principal, clinic: dict[str, str], calls: Calls
) -> None:
    container.availability.bookable_slots(principal, clinic["service_id"], slots_query(clinic))
    calls.clear()
    container.bookings.create(principal, booking_body(clinic, 9))
    timelines = [p for o, p in calls if o == "Query" and "TL#" in str(p["ExpressionAttributeValues"])]
    assert timelines and consistency([("Query", p) for p in timelines]) == {True}
    ledgers = [p for o, p in calls if o == "BatchGetItem"]
    assert ledgers and consistency([("BatchGetItem", p) for p in ledgers]) == {True}


def test_a_slot_listing_shows_a_booking_made_elsewhere_at_once(
    container: Container, principal: Principal, clinic: dict[str, str], elsewhere: Container
) -> None:
    query = slots_query(clinic)
    before = container.availability.bookable_slots(principal, clinic["service_id"], query)
    elsewhere.bookings.create(principal, booking_body(clinic, 9))
    after = container.availability.bookable_slots(principal, clinic["service_id"], query)
    assert before.total - after.total == 1


def test_a_slot_listing_shows_a_catalogue_change_made_elsewhere_within_a_minute(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    elsewhere: Container,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = slots_query(clinic)
    assert names_shown(
        container.availability.bookable_slots(principal, clinic["service_id"], query).items
    ) == {"Dr."}
    elsewhere.catalogue.patch(principal, RESOURCE, clinic["resource_id"], {"name": "Dr. Who"})
    shown = container.availability.bookable_slots(principal, clinic["service_id"], query)
    assert names_shown(shown.items) == {"Dr."}  # remembered: at most LIFETIME seconds old
    monkeypatch.setattr(catalogue_cache, "LIFETIME", 0.0)  # the minute has passed
    shown = container.availability.bookable_slots(principal, clinic["service_id"], query)
    assert names_shown(shown.items) == {"Dr. Who"}


def test_a_slot_listing_shows_the_instances_own_catalogue_change_at_once(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    query = slots_query(clinic)
    container.availability.bookable_slots(principal, clinic["service_id"], query)
    container.catalogue.patch(principal, RESOURCE, clinic["resource_id"], {"enabled": False})
    assert container.availability.bookable_slots(principal, clinic["service_id"], query).total == 0


def test_a_booking_list_reads_its_index_and_renders_eventually_consistent(
    container: Container, principal: Principal, clinic: dict[str, str], calls: Calls
) -> None:
    for hour in (9, 10):
        container.bookings.create(principal, booking_body(clinic, hour))
    calls.clear()
    RoundTrips.reset()
    listed = container.bookings.page(principal, {"service": clinic["service_id"]})
    assert listed.total == 2
    # one Query per length class on the service's listing index, at once; then the resource, service and
    # location the bookings name, in one read
    assert [o for o, _ in calls if o != "Query"] == ["BatchGetItem"]
    assert {p.get("IndexName") for o, p in calls if o == "Query"} == {"GSI4"}
    assert consistency(calls) == {False}  # half the read units (docs/bookings.md, "Reading bookings")


def test_a_booking_is_read_back_as_written_and_rendered_eventually_consistent(
    container: Container, principal: Principal, clinic: dict[str, str], calls: Calls
) -> None:
    made = container.bookings.create(principal, booking_body(clinic, 9))
    calls.clear()
    assert container.bookings.get(principal, made["id"]) == made
    assert [(o, consistency([(o, p)])) for o, p in calls] == [("GetItem", {True}), ("BatchGetItem", {False})]


def test_a_booking_shows_a_catalogue_change_made_elsewhere(
    container: Container, principal: Principal, clinic: dict[str, str], elsewhere: Container
) -> None:
    made = container.bookings.create(principal, booking_body(clinic, 9))
    elsewhere.catalogue.patch(principal, RESOURCE, clinic["resource_id"], {"name": "Dr. Who"})
    assert container.bookings.page(principal, {}).items[0]["resource"]["name"] == "Dr. Who"
    assert container.bookings.get(principal, made["id"])["resource"]["name"] == "Dr. Who"
