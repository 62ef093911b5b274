"""A warm instance books from what it remembers of the catalogue, and still obeys the catalogue as it is:
a change made elsewhere (another function or instance, which cannot make this one forget) right after a
booking neither lets the next booking through nor refuses it wrongly (docs/bookings.md)."""

from collections.abc import Callable
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.auth import Principal
from kairos.domain.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.errors import ValidationFailed
from kairos.storage import catalogue_cache
from kairos.storage.catalogue_cache import CachedCatalogue
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import RoundTrips
from tests.unit.clinic import add_doctor, booking_body

Refused = Callable[[dict[str, Any]], list[str]]


@pytest.fixture
def elsewhere(container: Container) -> Container:
    """Another instance on the same table: its catalogue writes do not reach this instance's memory."""
    return Container.from_settings(container.settings)


@pytest.fixture
def warm(container: Container, principal: Principal, clinic: dict[str, str]) -> dict[str, str]:
    """The clinic, after a booking at 08:00 that left its records in this instance's memory."""
    container.bookings.create(principal, booking_body(clinic, 8))
    return clinic


@pytest.fixture
def refused(container: Container, principal: Principal) -> Refused:
    def messages(body: dict[str, Any]) -> list[str]:
        with pytest.raises(ValidationFailed) as error:
            container.bookings.create(principal, body)
        return [m for found in error.value.errors.values() for m in found]

    return messages


def created(container: Container, principal: Principal) -> int:
    return container.bookings.page(principal, {}).total


def test_a_warm_instance_reads_only_the_ledger_and_timeline_before_its_transaction(
    container: Container, principal: Principal, warm: dict[str, str]
) -> None:
    for named in ({}, {"resource_id": warm["resource_id"]}):
        RoundTrips.reset()
        container.bookings.create(principal, booking_body(warm, 9 if named else 10, **named))
        # the ledger; the timeline; the transaction (and the rate count before them, over HTTP)
        assert (RoundTrips.count(), RoundTrips.waves()) == (3, 3)


def test_its_own_catalogue_write_makes_the_instance_read_the_catalogue_again(
    container: Container, principal: Principal, warm: dict[str, str]
) -> None:
    container.catalogue.patch(principal, SERVICE, warm["service_id"], {"price": "60.000"})
    RoundTrips.reset()
    booking = container.bookings.create(principal, booking_body(warm, 9))
    assert (RoundTrips.count(), RoundTrips.waves()) == (5, 4)  # as a cold instance: see test_round_trips
    assert booking["price"] == "60.000"


def test_a_service_changed_elsewhere_governs_the_next_booking(
    container: Container,
    elsewhere: Container,
    principal: Principal,
    warm: dict[str, str],
    refused: Refused,
) -> None:
    elsewhere.catalogue.patch(principal, SERVICE, warm["service_id"], {"duration": "PT30M"})
    assert "The booking does not match a bookable slot." in refused(booking_body(warm, 9))  # one hour
    half_hour = {**booking_body(warm, 9), "ends_at": "2030-01-07T09:30:00+00:00"}
    assert container.bookings.create(principal, half_hour)["ends_at"].startswith("2030-01-07T09:30:00")
    assert created(container, principal) == 2


def test_a_location_disabled_elsewhere_takes_no_more_bookings(
    elsewhere: Container, container: Container, principal: Principal, warm: dict[str, str], refused: Refused
) -> None:
    elsewhere.catalogue.patch(principal, LOCATION, warm["location_id"], {"enabled": False})
    assert refused(booking_body(warm, 9)) == ["The selected location is disabled."]
    assert created(container, principal) == 1


@pytest.mark.parametrize("change", ["delete", "dissociate", "disable"])
def test_a_resource_gone_elsewhere_is_not_booked(
    elsewhere: Container,
    container: Container,
    principal: Principal,
    warm: dict[str, str],
    refused: Refused,
    change: str,
) -> None:
    resource_id = warm["resource_id"]
    if change == "delete":
        elsewhere.catalogue.delete(principal, RESOURCE, resource_id)
    elif change == "dissociate":
        elsewhere.catalogue.dissociate(principal, warm["service_id"], resource_id)
    else:
        elsewhere.catalogue.patch(principal, RESOURCE, resource_id, {"enabled": False})
    assert refused(booking_body(warm, 9))[0] == "No resource performs this service."
    assert created(container, principal) == 1


def test_a_resource_added_elsewhere_is_booked_when_the_remembered_ones_are_full(
    elsewhere: Container, container: Container, principal: Principal, warm: dict[str, str]
) -> None:
    newcomer = add_doctor(elsewhere, principal, warm["service_id"], warm["location_id"])
    booking = container.bookings.create(principal, booking_body(warm, 8))  # the first doctor is booked
    assert booking["resource_id"] == newcomer


def test_a_capacity_raised_elsewhere_is_used_at_once(
    elsewhere: Container, container: Container, principal: Principal, warm: dict[str, str]
) -> None:
    elsewhere.catalogue.patch(principal, RESOURCE, warm["resource_id"], {"max_simultaneous_bookings": 2})
    assert container.bookings.create(principal, booking_body(warm, 8))["resource_id"] == warm["resource_id"]
    assert created(container, principal) == 2


def test_a_booking_whose_checks_would_not_fit_its_transaction_is_planned_from_fresh_reads(
    container: Container, principal: Principal, warm: dict[str, str]
) -> None:
    """97 whole UTC days (after the day of the first booking): the booking, its hold, 97 day items and
    the schedule check (100 items) leave no room for the 2 checks of what memory held of the resource (the
    service's and location's stamps ride on the schedule check)."""
    flags = {f"ignore_{n}": True for n in ("schedule", "bookable_slots", "booking_window")}
    span = {"starts_at": "2030-01-08T00:00:00+00:00", "ends_at": "2030-04-15T00:00:00+00:00"}
    long = {**booking_body(warm, 0), **span, **flags}
    RoundTrips.reset()
    container.bookings.create(principal, long)
    # from memory: the ledger, the timeline, no transaction; then as a cold instance
    assert RoundTrips.count() == 2 + 5
    assert created(container, principal) == 2


def test_memory_lasts_its_lifetime_and_is_bounded(
    container: Container, principal: Principal, clinic: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    memory = CachedCatalogue(CatalogueStore(container.table), clock=lambda: now[0])
    service = ("service", clinic["service_id"])
    found = memory.get_many(principal.project_id, [service])
    assert memory.recall(principal.project_id, [service]) == found
    assert memory.recall(principal.project_id, [service, ("location", clinic["location_id"])]) is None
    now[0] = catalogue_cache.LIFETIME
    assert memory.recall(principal.project_id, [service]) is None
    monkeypatch.setattr(catalogue_cache, "PROJECTS", 2)
    for project in ("a", "b", principal.project_id):
        memory.get_many(project, [service])  # another project's read finds nothing, but is an entry
    assert memory.recall(principal.project_id, [service]) == found
    assert memory.recall("a", []) is None and memory.recall("b", []) == {}
