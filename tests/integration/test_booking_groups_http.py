"""Booking groups through the local server: all or nothing, Hapio's `messages` errors, and PUT/PATCH of
the bookings inside."""

from tests.integration.conftest import Api
from tests.integration.test_schedules_http import at, guide_setup, next_monday


def item(ids: dict[str, str], start: str, end: str) -> dict[str, str]:
    return {"location_id": ids["location"], "service_id": ids["service"], "starts_at": start, "ends_at": end}


def test_a_group_is_written_all_or_nothing(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    taken = [item(ids, at(monday, 8), at(monday, 8, 50)), item(ids, at(monday, 8), at(monday, 8, 50))]
    refused = api.post("/booking-groups", {"bookings": taken, "metadata": {"g": 1}})
    assert refused.status_code == 422
    reasons = "No resource is available for this booking. The resource is fully booked at this time."
    assert refused.json() == {"messages": {"bookings.1": reasons}}
    assert api.get("/bookings").json()["data"] == []
    assert api.get("/booking-groups").json()["data"] == []

    created = api.post(
        "/booking-groups",
        {
            "bookings": [
                item(ids, at(monday, 8), at(monday, 8, 50)),
                item(ids, at(monday, 9), at(monday, 9, 50)),
            ],
            "metadata": {"g": 1},
        },
    )
    assert created.status_code == 201, created.text
    group = created.json()
    assert [b["starts_at"] for b in group["bookings"]] == [at(monday, 8), at(monday, 9)]
    assert "booking_group" not in group["bookings"][0]
    single = api.get(f"/bookings/{group['bookings'][0]['id']}").json()
    assert single["booking_group_id"] == group["id"]
    assert single["booking_group"]["metadata"] == {"g": 1}
    assert api.get(f"/booking-groups/{group['id']}").json() == group
    assert api.get("/booking-groups").json()["meta"]["total"] == 1


def test_put_and_patch_keep_move_add_and_delete_bookings(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    group = api.post(
        "/booking-groups",
        {
            "bookings": [
                item(ids, at(monday, 8), at(monday, 8, 50)),
                item(ids, at(monday, 9), at(monday, 9, 50)),
            ]
        },
    ).json()
    first, second = (b["id"] for b in group["bookings"])
    patched = api.patch(
        f"/booking-groups/{group['id']}",
        {
            "metadata": {"patched": True},
            "bookings": [{"id": first}, item(ids, at(monday, 11), at(monday, 11, 50))],
        },
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["metadata"] == {"patched": True}
    assert [b["starts_at"] for b in body["bookings"]] == [at(monday, 8), at(monday, 11)]
    assert api.get(f"/bookings/{second}").status_code == 404
    moved = api.put(
        f"/booking-groups/{group['id']}",
        {
            "bookings": [
                {**item(ids, at(monday, 10), at(monday, 10, 50)), "id": first, "resource_id": ids["resource"]}
            ]
        },
    )
    assert moved.status_code == 200, moved.text
    assert [b["starts_at"] for b in moved.json()["bookings"]] == [at(monday, 10)]
    assert moved.json()["metadata"] is None
    assert api.get("/bookings").json()["meta"]["total"] == 1
    assert api.delete(f"/booking-groups/{group['id']}").status_code == 204
    assert api.get("/bookings").json()["data"] == []
    assert api.get(f"/booking-groups/{group['id']}").status_code == 404
