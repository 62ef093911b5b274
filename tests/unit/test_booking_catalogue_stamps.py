"""Bookings of different resources share no item, not even their service's or location's: the service and
location a booking was checked with are checked again, at commit, on its own resource's timeline head
(`kairos.storage.catalogue_stamps`). A change made by another instance between a booking's reads and its
transaction, or before a warm instance books from memory, still refuses the booking or plans it again."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import BookingChange
from kairos.errors import ValidationFailed
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import from_item
from tests.unit.clinic import add_doctor, booking_body


@pytest.fixture
def elsewhere(container: Container) -> Container:
    """Another instance on the same table: its catalogue writes do not reach this instance's memory."""
    return Container.from_settings(container.settings)


class Transactions:
    """The items of each booking transaction the instances it watches send, by key."""

    def __init__(self) -> None:
        self.sent: list[set[tuple[str, str]]] = []
        self._watched: list[Container] = []

    def watch(self, instance: Container) -> Container:
        if instance not in self._watched:
            instance.table.client.meta.events.register(EVENT, self._record)
            self._watched.append(instance)
        return instance

    def _record(self, params: dict[str, Any], **_: Any) -> None:
        found = set()
        for operation in params["TransactItems"]:
            ((_, request),) = operation.items()
            key = from_item(request.get("Key") or request["Item"])
            found.add((str(key["PK"]), str(key["SK"])))
        self.sent.append(found)

    def close(self) -> None:
        for instance in self._watched:
            instance.table.client.meta.events.unregister(EVENT, self._record)


EVENT = "provide-client-params.dynamodb.TransactWriteItems"


@pytest.fixture
def transactions() -> Iterator[Transactions]:
    found = Transactions()
    yield found
    found.close()


def _changed_before_commit(
    container: Container, monkeypatch: pytest.MonkeyPatch, change: Callable[[], object]
) -> None:
    """Makes `change` happen once, after the next booking write's reads and checks, before its
    transaction."""
    store = container.booking_store
    commit = store.commit
    pending = [change]

    def late(project_id: str, changes: list[BookingChange], *args: Any, **kwargs: Any) -> None:
        while pending:
            pending.pop()()
        commit(project_id, changes, *args, **kwargs)

    monkeypatch.setattr(store, "commit", late)


@pytest.mark.parametrize("warm", [False, True], ids=["read", "remembered"])
def test_bookings_of_two_resources_of_one_service_touch_no_common_item(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    transactions: Transactions,
    warm: bool,
) -> None:
    other = add_doctor(container, principal, clinic["service_id"], clinic["location_id"])
    for _ in range(2):  # each doctor at 8 (their heads get their stamps); the clinic is remembered
        container.bookings.create(principal, booking_body(clinic, 8))
    for resource_id in (clinic["resource_id"], other):
        instance = transactions.watch(container if warm else cold(container))
        instance.bookings.create(principal, booking_body(clinic, 9, resource_id=resource_id))
    first, second = transactions.sent
    assert first and second
    assert not first & second


def test_a_service_changed_elsewhere_between_the_reads_and_the_commit_refuses_the_booking(
    container: Container,
    elsewhere: Container,
    principal: Principal,
    clinic: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    container.bookings.create(principal, booking_body(clinic, 8))
    fresh = cold(container)
    _changed_before_commit(
        fresh,
        monkeypatch,
        lambda: elsewhere.catalogue.patch(principal, SERVICE, clinic["service_id"], {"duration": "PT30M"}),
    )
    with pytest.raises(ValidationFailed) as refusal:
        fresh.bookings.create(principal, booking_body(clinic, 9))  # one hour: no longer a slot
    assert "The booking does not match a bookable slot." in str(refusal.value.errors)
    assert container.bookings.page(principal, {}).total == 1


@pytest.mark.parametrize("change", ["disable", "delete"])
def test_a_location_changed_elsewhere_refuses_a_booking_planned_from_memory(
    container: Container,
    elsewhere: Container,
    principal: Principal,
    clinic: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    container.bookings.create(principal, booking_body(clinic, 8))  # remembered from now on

    def location_changed() -> None:
        if change == "delete":
            elsewhere.catalogue.delete(principal, LOCATION, clinic["location_id"])
        else:
            elsewhere.catalogue.patch(principal, LOCATION, clinic["location_id"], {"enabled": False})

    _changed_before_commit(container, monkeypatch, location_changed)
    with pytest.raises(ValidationFailed):
        container.bookings.create(principal, booking_body(clinic, 9))
    assert container.bookings.page(principal, {}).total == 1


def test_a_change_that_was_never_written_leaves_bookings_alone(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    """A change refused by the table (here an item over 400 KB) takes its pending stamps back: fresh and
    remembered bookings of the service go on."""
    container.bookings.create(principal, booking_body(clinic, 8))
    store = CatalogueStore(container.table)
    service = store.get(principal.project_id, "service", clinic["service_id"])
    assert service is not None
    too_large = replace(service, doc={**service.doc, "name": "x" * 500_000}, version=service.version + 1)
    with pytest.raises(ClientError, match="maximum allowed size"):
        store.replace(principal.project_id, too_large, service.version)
    container.bookings.create(principal, booking_body(clinic, 9))  # remembered
    cold(container).bookings.create(principal, booking_body(clinic, 10))  # read
    assert container.bookings.page(principal, {}).total == 3


def cold(container: Container) -> Container:
    """Another instance, that remembers nothing yet: it plans from fresh reads."""
    return Container.from_settings(container.settings)
