"""A booking group's 422 in Hapio's shapes: `{"messages": {"bookings.<index>": "<message>"}}`, one message
per failing booking and every failing booking at once; an error in the body itself is a normal validation
error (`message` and `errors`)."""

import json
from typing import Any

import pytest

from kairos.api.errors import error_response
from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION
from kairos.domain.projects.auth import Principal
from kairos.errors import DomainError
from tests.unit.clinic import booking_body


def _answer(container: Container, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(DomainError) as refused:
        container.booking_groups.create(principal, body)
    response = error_response(refused.value)
    assert response.status_code == 422
    answer: dict[str, Any] = json.loads(str(response.body))
    return answer


def test_failing_bookings_are_reported_by_index_with_one_message_each(
    container: Container, principal: Principal
) -> None:
    location = container.catalogue.create(
        principal,
        LOCATION,
        {"name": "Clinic", "time_zone": "UTC", "resource_selection_strategy": "randomize"},
    )
    good = {
        "location_id": location["id"],
        "service_id": "3f1c7c1e-0000-4000-8000-000000000000",
        "starts_at": "2030-01-07T09:00:00+00:00",
        "ends_at": "2030-01-07T10:00:00+00:00",
    }
    body = {"bookings": [{"starts_at": "soon"}, good, {**good, "ends_at": "2030-01-07T08:00:00+00:00"}]}

    answer = _answer(container, principal, body)

    assert answer == {
        "messages": {
            "bookings.0": "The service_id field is required. The location_id field is required. "
            "The starts_at field must be a timestamp of the form YYYY-MM-DDThh:mm:ss+hh:mm. "
            "The ends_at field is required.",
            "bookings.1": "The selected service_id is invalid.",
            "bookings.2": "The ends_at must be a date after starts_at.",
        }
    }
    assert container.bookings.page(principal, {}).total == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"bookings": ["The bookings field is required."]}),
        ({"bookings": [], "metadata": 5}, {"metadata": ["The metadata field must be an object."]}),
    ],
)
def test_an_error_in_the_body_itself_is_a_normal_validation_error(
    container: Container, principal: Principal, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    answer = _answer(container, principal, body)

    assert answer == {"message": "The given data was invalid.", "errors": errors}


def test_items_of_an_update_are_reported_by_index_too(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    group = container.booking_groups.create(principal, {"bookings": [booking_body(clinic, 9)]})

    def refusal(body: dict[str, Any]) -> Any:
        with pytest.raises(DomainError) as refused:
            container.booking_groups.update(principal, group["id"], body, full=False)
        return json.loads(str(error_response(refused.value).body))

    assert refusal({"bookings": [{"id": group["bookings"][0]["id"]}, 7]}) == {
        "messages": {"bookings.1": "The bookings.1 field must be an object."}
    }
    assert refusal({"bookings": [{"id": ["x"]}, {"id": group["id"]}]}) == {
        "messages": {
            "bookings.0": "The booking is not in this group.",
            "bookings.1": "The booking is not in this group.",
        }
    }
