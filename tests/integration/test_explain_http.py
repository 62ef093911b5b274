"""`GET /v1/services/{service}/bookable-slots/explain` through the local server: the guide's service,
explained where it can and cannot be booked, in agreement with the booking attempts that follow."""

from typing import Any

from tests.integration.conftest import Api, Weaker
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday


def explain(api: Api, ids: dict[str, str], start: str, end: str, **extra: str) -> Any:
    params = {"location": ids["location"], "starts_at": start, "ends_at": end, **extra}
    return api.get(f"/services/{ids['service']}/bookable-slots/explain", params=params)


def test_the_explanation_names_every_reason_and_agrees_with_the_booking_attempts(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    free = explain(api, ids, at(monday, 8), at(monday, 8, 50))
    assert free.status_code == 200, free.text
    assert free.json()["bookable"] is True
    assert free.json()["buffer_ends_at"] == at(monday, 9)
    taken = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()

    full = explain(api, ids, at(monday, 8), at(monday, 8, 50)).json()
    odd = explain(api, ids, at(monday, 11, 30), at(monday, 12, 20)).json()

    (reason,) = full["resources"][0]["reasons"]
    assert (reason["rule"], reason["booking_ids"]) == ("fully_booked", [taken["id"]])
    assert [r["rule"] for r in odd["resources"][0]["reasons"]] == ["schedule", "bookable_slot"]
    nearest = odd["resources"][0]["reasons"][0]["nearest_spans"]
    # that Monday's morning, beside the Mondays before and after it that the booking window holds
    assert {"starts_at": at(monday, 8), "ends_at": at(monday, 12)} in nearest
    assert odd["resources"][0]["reasons"][1]["nearest_starts"][:2] == [at(monday, 10), at(monday, 11)]
    for explained, start, end in (
        (full, at(monday, 8), at(monday, 8, 50)),
        (odd, at(monday, 11, 30), at(monday, 12, 20)),
    ):
        attempt = book(api, ids, start, end, resource_id=ids["resource"])
        assert attempt.status_code == 422
        assert attempt.json()["errors"]["starts_at"] == [
            r["message"] for r in explained["resources"][0]["reasons"]
        ]


def test_explaining_needs_its_ability_and_a_whole_query(api: Api, weaker: Weaker) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    slots_only = weaker(api, ["bookable_slot:view"])
    nothing = weaker(api, ["location:view"])

    assert explain(nothing, ids, at(monday, 8), at(monday, 8, 50)).status_code == 403
    hidden = explain(slots_only, ids, at(monday, 8), at(monday, 8, 50))
    assert hidden.status_code == 200
    missing = api.get(f"/services/{ids['service']}/bookable-slots/explain", params={"starts_at": "x"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"location", "starts_at", "ends_at"}
    unknown = explain(
        api, {**ids, "service": "00000000-0000-4000-8000-000000000000"}, at(monday, 8), at(monday, 9)
    )
    assert unknown.status_code == 404
