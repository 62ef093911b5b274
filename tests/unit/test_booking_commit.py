"""A booking write that collides with another transaction is planned again, not surfaced as an error."""

from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.errors import Retryable, ValidationFailed
from tests.unit.conftest import Figures


def _clinic(container: Container, principal: Principal) -> dict[str, str]:
    resource = container.catalogue.create(
        principal, RESOURCE, {"name": "Dr. Smith", "max_simultaneous_bookings": 1}
    )
    service = container.catalogue.create(
        principal, SERVICE, {"name": "Exam", "type": "fixed", "duration": "PT1H"}
    )
    location = container.catalogue.create(
        principal,
        LOCATION,
        {"name": "Clinic", "time_zone": "UTC", "resource_selection_strategy": "randomize"},
    )
    container.catalogue.associate(principal, service["id"], resource["id"])
    return {"service_id": service["id"], "location_id": location["id"], "resource_id": resource["id"]}


def test_a_transaction_conflict_is_retried_and_the_booking_written_once(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch, published: Figures
) -> None:
    ids = _clinic(container, principal)
    store = container.booking_store
    real_commit = store.commit
    calls: list[int] = []

    def conflicting_once(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise Retryable("A concurrent transaction touched the same items.")
        real_commit(*args, **kwargs)

    monkeypatch.setattr(store, "commit", conflicting_once)
    body = {**ids, "starts_at": "2030-01-07T09:00:00+00:00", "ends_at": "2030-01-07T10:00:00+00:00"}
    booking = container.bookings.create(principal, {**body, "ignore_schedule": True})
    assert len(calls) == 2
    assert container.bookings.page(principal, {}).total == 1
    assert booking["resource_id"] == ids["resource_id"]
    assert published() == {"BookingRaceRetries": 1, "BookingsCreated": 1}  # the function's metrics


@pytest.mark.parametrize(("seats", "written"), [(1, 1), (2, 2)])
def test_a_lost_race_is_planned_again_from_what_the_refusal_reported(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch, seats: int, written: int
) -> None:
    """Another booking for the same hour commits between our reads and our transaction: ours is refused,
    planned again from the moved counters the refusal returned and a new timeline read (the ledger is not
    read again), and then written only if a place is left."""
    ids = _clinic(container, principal)
    container.catalogue.patch(principal, RESOURCE, ids["resource_id"], {"max_simultaneous_bookings": seats})
    store = container.booking_store
    real_commit, real_read = store.commit, store.read_ledgers
    body = {**ids, "starts_at": "2030-01-07T09:00:00+00:00", "ends_at": "2030-01-07T10:00:00+00:00"}
    ledger_reads: list[int] = []

    def other_booking_first(*args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(store, "commit", real_commit)
        container.bookings.create(principal, {**body, "ignore_schedule": True})
        real_commit(*args, **kwargs)

    def counted_read(*args: Any, **kwargs: Any) -> Any:
        ledger_reads.append(1)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(store, "commit", other_booking_first)
    monkeypatch.setattr(store, "read_ledgers", counted_read)
    if written == 1:
        with pytest.raises(ValidationFailed) as refused:
            container.bookings.create(principal, {**body, "ignore_schedule": True})
        assert "The resource is fully booked at this time." in refused.value.errors["starts_at"]
    else:
        container.bookings.create(principal, {**body, "ignore_schedule": True})
    assert container.bookings.page(principal, {}).total == written
    assert len(ledger_reads) == 2  # ours once, the other booking's once: none after the lost race


def test_a_named_resource_buffer_hours_read_after_the_catalogue_are_guarded_too(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request naming its resource reads the resource's ledger for its span with the catalogue, before
    the service's buffer is known; the buffer's hour (09:00 for a 10:00 booking with 30 minutes before
    it) is read next. A booking landing in that hour before our transaction makes ours plan again."""
    ids = _clinic(container, principal)
    container.catalogue.patch(principal, SERVICE, ids["service_id"], {"buffer_time_before": "PT30M"})
    store = container.booking_store
    real_commit = store.commit
    flags = {"ignore_schedule": True, "ignore_bookable_slots": True}
    early = {**ids, "starts_at": "2030-01-07T09:30:00+00:00", "ends_at": "2030-01-07T09:50:00+00:00"}

    def other_booking_first(*args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(store, "commit", real_commit)
        container.bookings.create(principal, {**early, **flags})
        real_commit(*args, **kwargs)

    monkeypatch.setattr(store, "commit", other_booking_first)
    body = {**ids, "starts_at": "2030-01-07T10:00:00+00:00", "ends_at": "2030-01-07T11:00:00+00:00"}
    with pytest.raises(ValidationFailed) as refused:
        container.bookings.create(principal, {**body, **flags})
    assert "The resource is fully booked at this time." in refused.value.errors["starts_at"]
    assert container.bookings.page(principal, {}).total == 1
