"""The application metrics a function publishes (see kairos.observability): bookings created and bookable
slots listed here, race retries in test_booking_commit, webhook outcomes in test_dispatcher; an invocation
that counted nothing publishes nothing and warns about nothing."""

from kairos.api.http import Request
from kairos.api.schedule_endpoints import slot_handlers
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from tests.unit.clinic import DAY, booking_body, make_clinic
from tests.unit.conftest import Figures, in_fresh_interpreter


def test_a_booking_created_is_counted(container: Container, principal: Principal, published: Figures) -> None:
    clinic = make_clinic(container, principal)
    container.bookings.create(principal, booking_body(clinic, 9))
    assert published() == {"BookingsCreated": 1}


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
    result = in_fresh_interpreter(invocation, POWERTOOLS_METRICS_DISABLED="false")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
