"""The getting-started guide's first steps, through the local server, with the guide's bodies."""

from tests.integration.conftest import Api

GUIDE_RESOURCE = {"name": "Dr. Smith", "max_simultaneous_bookings": 1, "enabled": True}
GUIDE_SERVICE = {
    "name": "Physical Exam",
    "price": "149.000",
    "type": "fixed",
    "duration": "PT50M",
    "bookable_interval": "PT1H",
    "buffer_time_after": "PT10M",
    "booking_window_start": "PT2H",
    "booking_window_end": "P14D",
    "cancelation_threshold": "PT12H",
    "enabled": True,
}
GUIDE_LOCATION = {
    "name": "Perfect Health - Stockholm",
    "time_zone": "Europe/Stockholm",
    "resource_selection_strategy": "equalize",
    "enabled": True,
}


def test_guide_first_steps_give_the_guide_responses(api: Api) -> None:
    project = api.get("/project")
    assert project.status_code == 200
    assert list(project.json()) == ["id", "name", "enabled", "created_at", "updated_at"]
    assert (
        project.headers["x-ratelimit-limit"] == "10000"
    )  # the test projects' limit (tests/integration/conftest.py)
    assert project.headers["access-control-allow-origin"] == "*"

    resource = api.post("/resources", GUIDE_RESOURCE)
    assert resource.status_code == 201
    assert list(resource.json()) == [
        "id",
        "name",
        "max_simultaneous_bookings",
        "metadata",
        "protected_metadata",
        "enabled",
        "created_at",
        "updated_at",
    ]
    assert resource.json() | {"id": "x", "created_at": "x", "updated_at": "x"} == {
        "id": "x",
        "name": "Dr. Smith",
        "max_simultaneous_bookings": 1,
        "metadata": None,
        "protected_metadata": None,
        "enabled": True,
        "created_at": "x",
        "updated_at": "x",
    }

    service = api.post("/services", GUIDE_SERVICE)
    assert service.status_code == 201
    body = service.json()
    assert [k for k in body if k not in ("id", "created_at", "updated_at")] == [
        "name",
        "price",
        "type",
        "duration",
        "bookable_interval",
        "buffer_time_before",
        "buffer_time_after",
        "booking_window_start",
        "booking_window_end",
        "cancelation_threshold",
        "metadata",
        "protected_metadata",
        "enabled",
    ]
    assert body["buffer_time_before"] == "PT0S"
    assert body["metadata"] is None
    assert body["price"] == "149.000"
    assert body["created_at"].endswith("+00:00")

    location = api.post("/locations", GUIDE_LOCATION)
    assert location.status_code == 201
    assert location.json()["time_zone"] == "Europe/Stockholm"
    assert "resource_selection_priority" not in location.json()

    path = f"/services/{body['id']}/resources/{resource.json()['id']}"
    association = api.put(path)
    assert association.status_code == 201
    assert association.json() | {"created_at": "x"} == {
        "service_id": body["id"],
        "resource_id": resource.json()["id"],
        "created_at": "x",
    }
    again = api.put(f"/resources/{resource.json()['id']}/services/{body['id']}")
    assert again.status_code == 200
    assert again.json() == association.json()
    assert api.get(f"/resources/{resource.json()['id']}/services").json() == [association.json()]
