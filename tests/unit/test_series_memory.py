"""A booking series on a warm instance is planned from what it remembers of the catalogue, as a single
booking is, and still obeys the catalogue as it is: a change made elsewhere before the series or between
its transactions makes it plan again from fresh reads, leaving nothing of the first plan
(docs/booking-series.md, "Cost"; docs/bookings.md, "The catalogue a warm instance remembers")."""

from datetime import timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import SERVICE
from kairos.domain.projects.auth import Principal
from kairos.storage.dynamodb import RoundTrips
from tests.unit.test_booking_series import FIRST, live_bookings, series_body, stored_series, weekly_clinic

WEEKLY = "FREQ=WEEKLY;COUNT=52"


@pytest.fixture
def elsewhere(container: Container) -> Container:
    """Another instance on the same table: its catalogue writes do not reach this instance's memory."""
    return Container.from_settings(container.settings)


@pytest.fixture
def warm(container: Container, principal: Principal) -> dict[str, str]:
    """The clinic, after a booking a year on that left its records in this instance's memory."""
    clinic = weekly_clinic(container, principal)
    later = series_body(clinic, "", FIRST + timedelta(weeks=60)) | {"recurrence": None}
    container.bookings.create(principal, later)
    return clinic


def named(clinic: dict[str, str], **extra: Any) -> dict[str, Any]:
    return series_body(clinic, WEEKLY, resource_id=clinic["resource_id"], **extra)


def test_a_warm_instance_writes_a_series_without_reading_the_catalogue(
    container: Container, principal: Principal, warm: dict[str, str]
) -> None:
    """Every occurrence's ledger at once; every timeline at once; the 3 chunks; the 2 finalizes."""
    RoundTrips.reset()
    series = container.booking_series.create(principal, named(warm))

    assert (RoundTrips.count(), RoundTrips.waves()) == (9, 7)
    assert len(series["bookings"]) == 52


def test_a_service_changed_elsewhere_before_the_series_governs_it(
    container: Container, elsewhere: Container, principal: Principal, warm: dict[str, str]
) -> None:
    elsewhere.catalogue.patch(principal, SERVICE, warm["service_id"], {"price": "60.000"})

    series = container.booking_series.create(principal, named(warm))

    assert {b["price"] for b in series["bookings"]} == {"60.000"}
    assert len(live_bookings(container, principal)) == 53


def test_a_service_changed_elsewhere_between_transactions_makes_the_series_plan_again(
    container: Container,
    elsewhere: Container,
    principal: Principal,
    warm: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The price changes once the first chunk is written: the second is refused (its resource's head no
    longer carries the service's stamp it was planned with), the first deleted again, and the series
    planned again from fresh reads, every occurrence at the new price."""
    writer = container.bookings.writer
    commit = writer.commit
    calls = [0]

    def changing(viewer: Principal, intents: Any, group: Any = None) -> Any:
        calls[0] += 1
        if calls[0] == 2:
            elsewhere.catalogue.patch(principal, SERVICE, warm["service_id"], {"price": "60.000"})
        return commit(viewer, intents, group)

    monkeypatch.setattr(writer, "commit", changing)

    series = container.booking_series.create(principal, named(warm))

    assert calls[0] == 8  # chunk 1, chunk 2 refused, chunk 1 deleted; fresh: 3 chunks, 2 finalizes
    assert {b["price"] for b in series["bookings"]} == {"60.000"}
    assert len(live_bookings(container, principal)) == 53
    assert [s.id for s in stored_series(container, principal)] == [series["id"]]
