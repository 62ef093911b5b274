"""The waitlist offer step in the in-process table (docs/waitlists.md): which entry a freed place goes to
(the oldest whose window and resource fit), the hold and the entry written together, the entry following
its hold, and the choice of entries and slots as pure functions."""

from datetime import UTC, datetime
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.auth import Principal
from tests.unit.clinic import at, booking_body, make_clinic
from tests.unit.test_holds import Clock


@pytest.fixture
def clock(container: Container) -> Clock:
    moved = Clock(datetime(2030, 1, 6, 12, tzinfo=UTC))
    container.clock = moved
    return moved


def join(
    container: Container, principal: Principal, clinic: dict[str, str], start: int, end: int, **extra: Any
) -> dict[str, Any]:
    body = {
        "service_id": clinic["service_id"],
        "location_id": clinic["location_id"],
        "from": at(start),
        "to": at(end),
    }
    return container.waitlists.create(principal, {**body, **extra})


def status(container: Container, principal: Principal, entry: dict[str, Any]) -> dict[str, Any]:
    return container.waitlists.get(principal, entry["id"])


def test_debug(container: Container, principal: Principal, clock: Clock) -> None:
    clinic = make_clinic(container, principal)
    taken = [container.bookings.create(principal, booking_body(clinic, h))["id"] for h in (8, 9)]
    entries = [join(container, principal, clinic, 8, 10) for _ in range(3)]
    for b in taken:
        container.bookings.delete(principal, b)
    offers = container.waitlist_offers
    print(offers.offer(principal.project_id, clinic["location_id"]))
    print([status(container, principal, e)["status"] for e in entries])
