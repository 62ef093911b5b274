"""What Kairos fills in on a booking: the resource by the location's strategy, and the price."""

from tests.integration.conftest import Api
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday


def add_doctor(api: Api, ids: dict[str, str], name: str) -> str:
    resource = api.post("/resources", {"name": name, "max_simultaneous_bookings": 1}).json()
    api.put(f"/services/{ids['service']}/resources/{resource['id']}")
    schedule = api.post(
        f"/resources/{resource['id']}/recurring-schedules",
        {"location_id": ids["location"], "start_date": "2026-01-01"},
    ).json()
    api.post(
        f"/resources/{resource['id']}/recurring-schedules/{schedule['id']}/schedule-blocks",
        {"weekday": "monday", "start_time": "08:00:00", "end_time": "12:00:00"},
    )
    return str(resource["id"])


def test_prioritize_takes_the_first_free_resource_of_the_priority_list(api: Api) -> None:
    ids = guide_setup(api)
    second = add_doctor(api, ids, "Dr. Jones")
    api.patch(
        f"/locations/{ids['location']}",
        {
            "resource_selection_strategy": "prioritize",
            "resource_selection_priority": [second, ids["resource"]],
        },
    )
    monday = next_monday()
    chosen = [book(api, ids, at(monday, 8), at(monday, 8, 50)).json()["resource_id"] for _ in range(2)]
    assert chosen == [second, ids["resource"]]
    assert book(api, ids, at(monday, 8), at(monday, 8, 50)).status_code == 422


def test_equalize_takes_the_resource_with_the_least_booked_time_that_day(api: Api) -> None:
    ids = guide_setup(api)
    second = add_doctor(api, ids, "Dr. Jones")
    monday = next_monday()
    first = book(api, ids, at(monday, 9), at(monday, 9, 50), resource_id=ids["resource"])
    assert first.status_code == 201, first.text
    chosen = book(api, ids, at(monday, 10), at(monday, 10, 50)).json()["resource_id"]
    assert chosen == second


def test_flexible_price_is_the_hourly_rate_times_the_hours(api: Api) -> None:
    ids = guide_setup(api)
    flexible = {
        "name": "Consultation",
        "type": "flexible",
        "price": "100.000",
        "min_duration": "PT30M",
        "max_duration": "PT2H",
        "duration_step": "PT15M",
    }
    api.put(f"/services/{ids['service']}", flexible)
    monday = next_monday()
    booking = book(api, ids, at(monday, 8), at(monday, 9, 45))
    assert booking.status_code == 201, booking.text
    assert booking.json()["price"] == "175.000"
    explicit = book(api, ids, at(monday, 10), at(monday, 10, 30), price=None)
    assert explicit.json()["price"] is None
