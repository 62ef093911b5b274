"""Schedules and bookable slots through the local server: the guide's steps, then the rules around them."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kairos.domain.shared.records import Booking
from kairos.values.formats import now_utc
from kairos.values.ids import new_id
from tests.integration.conftest import Api, LocalServer
from tests.integration.test_guide import GUIDE_LOCATION, GUIDE_RESOURCE, GUIDE_SERVICE

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def next_monday() -> date:
    """A Monday two to eight days ahead: inside the guide service's booking window (PT2H to P14D) and far
    enough that its morning is never within the guide's 12-hour cancelation threshold (on a Sunday
    evening, tomorrow's 08:00 is: a test would then be refused the cancelation it makes)."""
    today = now_utc().astimezone(STOCKHOLM).date()
    days = 7 - today.weekday()
    return today + timedelta(days=days if days >= 2 else days + 7)


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), STOCKHOLM).isoformat()


def guide_setup(api: Api) -> dict[str, str]:
    resource = api.post("/resources", GUIDE_RESOURCE).json()
    service = api.post("/services", GUIDE_SERVICE).json()
    location = api.post("/locations", GUIDE_LOCATION).json()
    assert api.put(f"/services/{service['id']}/resources/{resource['id']}").status_code == 201
    schedule = api.post(
        f"/resources/{resource['id']}/recurring-schedules",
        {"location_id": location["id"], "start_date": now_utc().date().isoformat()},
    )
    assert schedule.status_code == 201
    block = api.post(
        f"/resources/{resource['id']}/recurring-schedules/{schedule.json()['id']}/schedule-blocks",
        {"weekday": "monday", "start_time": "08:00:00", "end_time": "12:00:00"},
    )
    assert block.status_code == 201
    return {
        "resource": resource["id"],
        "service": service["id"],
        "location": location["id"],
        "schedule": schedule.json()["id"],
    }


def slots(api: Api, ids: dict[str, str], start: str, end: str, **extra: str) -> dict:  # type: ignore[type-arg]
    response = api.get(
        f"/services/{ids['service']}/bookable-slots",
        params={"from": start, "to": end, "location": ids["location"], **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_guide_schedule_gives_the_guides_two_slots(api: Api) -> None:
    ids = guide_setup(api)
    schedule = api.get(f"/resources/{ids['resource']}/recurring-schedules/{ids['schedule']}").json()
    assert schedule["location"]["name"] == "Perfect Health - Stockholm"
    assert schedule["end_date"] is None
    monday = next_monday()
    page = slots(api, ids, at(monday, 8), at(monday, 10))
    resource = api.get(f"/resources/{ids['resource']}").json()
    assert page["data"] == [
        {
            "buffer_starts_at": at(monday, 8),
            "starts_at": at(monday, 8),
            "ends_at": at(monday, 8, 50),
            "buffer_ends_at": at(monday, 9),
            "resources": [resource],
        },
        {
            "buffer_starts_at": at(monday, 9),
            "starts_at": at(monday, 9),
            "ends_at": at(monday, 9, 50),
            "buffer_ends_at": at(monday, 10),
            "resources": [resource],
        },
    ]
    assert page["meta"]["total"] == 2
    assert page["links"]["next"] is None


def test_bookings_and_capacity_take_slots_away(api: Api, local_server: LocalServer) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    seed_booking(local_server, api.project_id, ids, at(monday, 8), at(monday, 9))
    assert [s["starts_at"] for s in slots(api, ids, at(monday, 8), at(monday, 12))["data"]] == [
        at(monday, 9),
        at(monday, 10),
        at(monday, 11),
    ]
    api.patch(f"/resources/{ids['resource']}", {"max_simultaneous_bookings": 2})
    # A warm listing shows a capacity changed through another function within a minute (docs/slots.md,
    # "Freshness"); the same change to a resource no listing has read yet shows at once.
    roomy = guide_setup(api)
    seed_booking(local_server, api.project_id, roomy, at(monday, 8), at(monday, 9))
    api.patch(f"/resources/{roomy['resource']}", {"max_simultaneous_bookings": 2})
    assert len(slots(api, roomy, at(monday, 8), at(monday, 12))["data"]) == 4
    fully = api.get(
        f"/resources/{ids['resource']}/fully-booked", params={"from": at(monday, 0), "to": at(monday, 23)}
    )
    assert fully.json()["data"] == []
    api.patch(f"/resources/{ids['resource']}", {"max_simultaneous_bookings": 1})
    fully = api.get(
        f"/resources/{ids['resource']}/fully-booked", params={"from": at(monday, 0), "to": at(monday, 23)}
    )
    assert fully.json()["data"] == [{"starts_at": _utc(at(monday, 8)), "ends_at": _utc(at(monday, 9))}]
    excluded = api.get(
        f"/resources/{ids['resource']}/schedule",
        params={
            "from": at(monday, 0),
            "to": at(monday, 23),
            "location": ids["location"],
            "fully_booked": "exclude",
        },
    )
    assert excluded.json()["data"] == [{"starts_at": at(monday, 9), "ends_at": at(monday, 12)}]


def _utc(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(ZoneInfo("UTC")).isoformat()


def seed_booking(
    local_server: LocalServer, project_id: str, ids: dict[str, str], start: str, end: str
) -> None:
    """Bookings are not created through the API yet: seed one through the booking repository."""
    starts, ends = datetime.fromisoformat(start), datetime.fromisoformat(end)
    now = now_utc()
    booking = Booking(
        id=new_id(),
        resource_id=ids["resource"],
        service_id=ids["service"],
        location_id=ids["location"],
        starts_at=starts,
        ends_at=ends,
        buffer_starts_at=starts,
        buffer_ends_at=ends,
        doc={},
        created_at=now,
        updated_at=now,
    )
    local_server.store.booking_store.add(project_id, booking)


def test_disabled_or_unassociated_give_no_slots(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    api.patch(f"/services/{ids['service']}", {"enabled": False})
    assert slots(api, ids, at(monday, 8), at(monday, 12))["data"] == []
    api.patch(f"/services/{ids['service']}", {"enabled": True})
    api.delete(f"/services/{ids['service']}/resources/{ids['resource']}")
    assert slots(api, ids, at(monday, 8), at(monday, 12))["data"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-01-02T00:00:00+00:00", "to": "2026-01-01T00:00:00+00:00"}, "to"),
        ({"from": "2026-01-01T00:00:00.000Z", "to": "2026-01-02T00:00:00+00:00"}, "from"),
        ({"from": "2026-01-01T00:00:00+00:00"}, "to"),
        (
            {"from": "2026-01-01T00:00:00+00:00", "to": "2026-01-02T00:00:00+00:00", "per_page": "0"},
            "per_page",
        ),
        (
            {"from": "2026-01-01T00:00:00+00:00", "to": "2026-01-02T00:00:00+00:00", "per_page": "101"},
            "per_page",
        ),
        (
            {"from": "2026-01-01T00:00:00+00:00", "to": "2026-01-02T00:00:00+00:00", "num_resources": "0"},
            "num_resources",
        ),
        (
            {"from": "2026-01-01T00:00:00+00:00", "to": "2026-01-02T00:00:00+00:00", "num_resources": "1001"},
            "num_resources",
        ),
    ],
)
def test_bad_slot_queries_are_422_naming_the_field(api: Api, params: dict[str, str], field: str) -> None:
    ids = guide_setup(api)
    response = api.get(
        f"/services/{ids['service']}/bookable-slots", params={"location": ids["location"], **params}
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_missing_location_is_422_and_unknown_ids_are_404(api: Api) -> None:
    ids = guide_setup(api)
    window = {"from": "2026-01-01T00:00:00+00:00", "to": "2026-01-02T00:00:00+00:00"}
    missing = api.get(f"/services/{ids['service']}/bookable-slots", params=window)
    assert missing.status_code == 422
    assert "location" in missing.json()["errors"]
    unknown = api.get(f"/services/{ids['service']}/bookable-slots", params={**window, "location": new_id()})
    assert unknown.json() == {"message": "The location was not found."}
    other = api.get(f"/services/{new_id()}/bookable-slots", params={**window, "location": ids["location"]})
    assert other.status_code == 404
    resource = api.get(
        f"/services/{ids['service']}/bookable-slots",
        params={**window, "location": ids["location"], "resource": "x"},
    )
    assert resource.json() == {"message": "The resource was not found."}


def test_recurring_blocks_refuse_overlaps_and_list_in_weekday_order(api: Api) -> None:
    ids = guide_setup(api)
    base = f"/resources/{ids['resource']}/recurring-schedules/{ids['schedule']}/schedule-blocks"
    overlap = api.post(base, {"weekday": "monday", "start_time": "11:00:00", "end_time": "13:00:00"})
    assert overlap.status_code == 422
    assert (
        api.post(base, {"weekday": "sunday", "start_time": "20:00:00", "end_time": "24:00:00"}).status_code
        == 201
    )
    assert (
        api.post(base, {"weekday": "tuesday", "start_time": "09:00:00", "end_time": "08:00:00"}).status_code
        == 422
    )
    assert (
        api.post(base, {"weekday": "tuesday", "start_time": "08:00:00", "end_time": "12:00:00"}).status_code
        == 201
    )
    listed = api.get(base).json()["data"]
    assert [b["weekday"] for b in listed] == ["monday", "tuesday", "sunday"]
    assert [b["weekday"] for b in api.get(base, params={"weekday": "tuesday"}).json()["data"]] == ["tuesday"]
    assert len(api.get(base).json()["data"]) == 3


def test_deleting_a_recurring_schedule_deletes_its_blocks(api: Api) -> None:
    ids = guide_setup(api)
    path = f"/resources/{ids['resource']}/recurring-schedules/{ids['schedule']}"
    block = api.get(f"{path}/schedule-blocks").json()["data"][0]
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    assert api.get(f"{path}/schedule-blocks/{block['id']}").status_code == 404


def test_one_off_blocks_use_the_location_offset_and_refuse_same_kind_overlaps(api: Api) -> None:
    ids = guide_setup(api)
    base = f"/resources/{ids['resource']}/schedule-blocks"
    body = {
        "location_id": ids["location"],
        "starts_at": "2026-12-24T07:00:00+00:00",
        "ends_at": "2026-12-24T16:00:00+00:00",
    }
    created = api.post(base, {**body, "is_available": False})
    assert created.status_code == 201
    assert created.json()["starts_at"] == "2026-12-24T08:00:00+01:00"
    assert created.json()["location"]["id"] == ids["location"]
    assert api.post(base, {**body, "is_available": False}).status_code == 422
    assert api.post(base, {**body, "is_available": True}).status_code == 201
    outside = api.post(base, {**body, "location_id": new_id()})
    assert outside.status_code == 422
    assert "location_id" in outside.json()["errors"]
    assert api.post(base, {**body, "ends_at": body["starts_at"]}).status_code == 422
    listed = api.get(base, params={"from": "2026-12-24T12:00:00+01:00"}).json()["data"]
    assert len(listed) == 2


def test_an_unavailable_block_removes_availability(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    api.post(
        f"/resources/{ids['resource']}/schedule-blocks",
        {
            "location_id": ids["location"],
            "starts_at": at(monday, 9),
            "ends_at": at(monday, 10),
            "is_available": False,
        },
    )
    schedule = api.get(
        f"/resources/{ids['resource']}/schedule",
        params={"from": at(monday, 0), "to": at(monday, 23), "location": ids["location"]},
    ).json()["data"]
    assert schedule == [
        {"starts_at": at(monday, 8), "ends_at": at(monday, 9)},
        {"starts_at": at(monday, 10), "ends_at": at(monday, 12)},
    ]
    assert [s["starts_at"] for s in slots(api, ids, at(monday, 8), at(monday, 12))["data"]] == [
        at(monday, 8),
        at(monday, 10),
        at(monday, 11),
    ]
