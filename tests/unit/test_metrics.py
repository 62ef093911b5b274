"""The application metrics a function publishes: bookings created, race retries, bookable slots listed and
webhook outcomes (see kairos.observability); an invocation that counted nothing publishes nothing and warns
about nothing."""

import os
import subprocess
import sys
from typing import Any

import pytest

from kairos.api.http import Request
from kairos.api.schedule_endpoints import slot_handlers
from kairos.container import Container
from kairos.domain.auth import Principal
from kairos.domain.errors import Retryable
from tests.unit.clinic import DAY, booking_body, make_clinic
from tests.unit.conftest import Figures


def test_a_booking_created_is_counted(container: Container, principal: Principal, published: Figures) -> None:
    clinic = make_clinic(container, principal)
    container.bookings.create(principal, booking_body(clinic, 9))
    assert published() == {"BookingsCreated": 1}


def test_a_write_planned_again_after_losing_a_race_is_counted(
    container: Container, principal: Principal, published: Figures, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = make_clinic(container, principal)
    store = container.booking_store
    real_commit = store.commit
    lost: list[int] = []

    def losing_twice(*args: Any, **kwargs: Any) -> None:
        if len(lost) < 2:
            lost.append(1)
            raise Retryable("A concurrent transaction touched the same items.")
        real_commit(*args, **kwargs)

    monkeypatch.setattr(store, "commit", losing_twice)
    container.bookings.create(principal, booking_body(clinic, 9))
    assert published() == {"BookingRaceRetries": 2, "BookingsCreated": 1}


def test_the_bookable_slots_listed_are_counted(
    container: Container, principal: Principal, published: Figures
) -> None:
    clinic = make_clinic(container, principal)
    query = {
        "from": f"{DAY}T00:00:00+00:00",
        "to": f"{DAY}T23:59:59+00:00",
        "location": clinic["location_id"],
    }
    request = Request(
        principal, {"service": clinic["service_id"]}, query, {}, None, "/v1/services/x/bookable-slots"
    )
    answer = slot_handlers(container)["getServiceBookableSlots"](request)
    assert answer.status_code == 200
    assert published() == {"BookableSlotsListed": 9}  # 08:00-17:00, one hour each


def test_an_invocation_that_counted_nothing_publishes_nothing_and_warns_about_nothing() -> None:
    """In an interpreter of its own, as a function runs (pytest resets warning filters around imports)."""
    invocation = (
        "from kairos.observability import metrics\nmetrics.log_metrics(lambda event, context: {})({}, None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", invocation],
        env={**os.environ, "POWERTOOLS_METRICS_DISABLED": "false"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert (result.stdout, result.stderr) == ("", "")
