"""Bookings through the local server: the guide's booking, the checks, cancelation, and races for the
last place (the local DynamoDB applies one request at a time, so a read-then-write race shows here)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import requests

from tests.integration.conftest import Api, Weaker
from tests.integration.test_schedules_http import at, guide_setup, next_monday


def book(api: Api, ids: dict[str, str], start: str, end: str, **extra: Any) -> requests.Response:
    body = {
        "location_id": ids["location"],
        "service_id": ids["service"],
        "starts_at": start,
        "ends_at": end,
        **extra,
    }
    return api.post("/bookings", body)


def test_guide_booking_picks_dr_smith_and_fills_in_the_rest(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    created = book(api, ids, at(monday, 8), at(monday, 8, 50))
    assert created.status_code == 201, created.text
    booking = created.json()
    resource = api.get(f"/resources/{ids['resource']}").json()
    assert booking["resource"] == resource
    assert booking["service"]["name"] == "Physical Exam"
    assert booking["location"]["time_zone"] == "Europe/Stockholm"
    assert booking["price"] == "149.000"
    assert booking["metadata"] is None
    assert booking["is_temporary"] is False
    assert booking["is_canceled"] is False
    assert (booking["starts_at"], booking["ends_at"]) == (at(monday, 8), at(monday, 8, 50))
    assert (booking["buffer_starts_at"], booking["buffer_ends_at"]) == (at(monday, 8), at(monday, 9))
    assert booking["finalized_at"] == booking["created_at"]
    assert booking["canceled_at"] is None
    assert api.get(f"/bookings/{booking['id']}").json() == booking
    again = book(api, ids, at(monday, 8), at(monday, 8, 50))
    assert again.status_code == 422
    assert "fully booked" in " ".join(again.json()["errors"]["starts_at"])


def test_a_booking_outside_the_schedule_or_grid_or_window_is_refused(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    outside = book(api, ids, at(monday, 13), at(monday, 13, 50))
    assert outside.status_code == 422
    assert "not available" in " ".join(outside.json()["errors"]["starts_at"])
    off_grid = book(api, ids, at(monday, 8, 30), at(monday, 9, 20))
    assert off_grid.status_code == 422
    far = monday + timedelta(days=21)
    assert book(api, ids, at(far, 8), at(far, 8, 50)).status_code == 422


def test_ignore_flags_need_their_abilities(api: Api, weaker: Weaker) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    weak = weaker(api, ["booking:create", "booking:view"])
    refused = book(weak, ids, at(monday, 13), at(monday, 14), ignore_schedule=True)
    assert refused.status_code == 403
    allowed = book(api, ids, at(monday, 13), at(monday, 14), ignore_schedule=True)
    assert allowed.status_code == 201, allowed.text


def _race(api: Api, calls: list[Callable[[Api], requests.Response]]) -> list[int]:
    """Runs the calls at once. The store applies one request at a time, so the last answer waits for all
    the others: each racer may take time in proportion to the race, however busy the machine is."""
    racer = replace(api, timeout=api.timeout + 2.0 * len(calls))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [r.status_code for r in pool.map(lambda call: call(racer), calls)]


def test_a_warm_booking_costs_four_dynamodb_round_trips(api: Api) -> None:
    """The rate count, the ledger, the timeline and the transaction: the bookings function's instance
    remembers the token, the service, the location and the service's resources from its first booking
    (and its transactions check them, see the next test)."""
    ids = guide_setup(api)
    monday = next_monday()
    first = book(api, ids, at(monday, 8), at(monday, 8, 50))
    assert int(first.headers["x-kairos-dynamodb-round-trips"]) > 4  # it read the catalogue
    for hour, named in ((9, {}), (10, {"resource_id": ids["resource"]})):
        answer = book(api, ids, at(monday, hour), at(monday, hour, 50), **named)
        assert answer.status_code == 201, answer.text
        assert answer.headers["x-kairos-dynamodb-round-trips"] == "4"


def test_a_service_changed_through_its_function_prices_the_next_booking(api: Api) -> None:
    """The services function cannot make the bookings function's instance forget the service: the
    booking planned from its memory is refused by its own transaction, and planned again."""
    ids = guide_setup(api)
    monday = next_monday()
    assert book(api, ids, at(monday, 8), at(monday, 8, 50)).json()["price"] == "149.000"
    assert api.patch(f"/services/{ids['service']}", {"price": "99.000"}).status_code == 200
    assert book(api, ids, at(monday, 9), at(monday, 9, 50)).json()["price"] == "99.000"
    assert api.delete(f"/services/{ids['service']}/resources/{ids['resource']}").status_code == 204
    refused = book(api, ids, at(monday, 10), at(monday, 10, 50))
    assert refused.status_code == 422
    assert refused.json()["errors"]["resource_id"] == ["No resource performs this service."]


def test_fifty_parallel_bookings_for_one_seat_succeed_once(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    statuses = _race(api, [lambda racer: book(racer, ids, at(monday, 9), at(monday, 9, 50))] * 50)
    assert statuses.count(201) == 1
    assert statuses.count(422) == 49


def test_fifty_parallel_bookings_for_three_seats_succeed_three_times(api: Api) -> None:
    ids = guide_setup(api)
    api.patch(f"/resources/{ids['resource']}", {"max_simultaneous_bookings": 3})
    monday = next_monday()
    statuses = _race(api, [lambda racer: book(racer, ids, at(monday, 10), at(monday, 10, 50))] * 50)
    assert statuses.count(201) == 3
    assert statuses.count(422) == 47
    listed = api.get("/bookings", params={"from": at(monday, 0), "to": at(monday, 23)}).json()
    assert listed["meta"]["total"] == 3


def test_parallel_moves_into_the_last_place_let_one_win(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    first = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
    second = book(api, ids, at(monday, 9), at(monday, 9, 50)).json()
    move = {"starts_at": at(monday, 11), "ends_at": at(monday, 11, 50)}
    statuses = _race(
        api,
        [lambda racer, b=b: racer.patch(f"/bookings/{b['id']}", move) for b in (first, second)],
    )
    assert sorted(statuses) == [200, 422]


def test_canceling_frees_the_place_and_uncanceling_checks_again(api: Api) -> None:
    ids = guide_setup(api)
    api.patch(f"/services/{ids['service']}", {"cancelation_threshold": "PT0S"})
    monday = next_monday()
    first = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
    canceled = api.patch(f"/bookings/{first['id']}", {"is_canceled": True})
    assert canceled.status_code == 200
    assert canceled.json()["canceled_at"] is not None
    second = book(api, ids, at(monday, 8), at(monday, 8, 50))
    assert second.status_code == 201
    back = api.patch(f"/bookings/{first['id']}", {"is_canceled": False})
    assert back.status_code == 422
    assert api.get("/bookings").json()["meta"]["total"] == 1
    assert api.get("/bookings", params={"canceled": "only"}).json()["data"][0]["id"] == first["id"]


def test_canceling_inside_the_threshold_is_refused_without_the_ignore_flag(api: Api) -> None:
    ids = guide_setup(api)
    api.patch(f"/services/{ids['service']}", {"cancelation_threshold": "P30D"})
    monday = next_monday()
    booking = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
    refused = api.patch(f"/bookings/{booking['id']}", {"is_canceled": True})
    assert refused.status_code == 422
    assert "is_canceled" in refused.json()["errors"]
    forced = api.patch(
        f"/bookings/{booking['id']}", {"is_canceled": True, "ignore_cancelation_threshold": True}
    )
    assert forced.status_code == 200


def test_temporary_bookings_hold_the_place_and_are_hidden_unless_asked_for(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    held = book(api, ids, at(monday, 8), at(monday, 8, 50), is_temporary=True).json()
    assert held["finalized_at"] is None
    assert book(api, ids, at(monday, 8), at(monday, 8, 50)).status_code == 422
    assert api.get("/bookings").json()["data"] == []
    assert [b["id"] for b in api.get("/bookings", params={"temporary": "include"}).json()["data"]] == [
        held["id"]
    ]
    final = api.patch(f"/bookings/{held['id']}", {"is_temporary": False}).json()
    assert final["finalized_at"] is not None


def test_deleting_the_location_leaves_the_booking_with_null_location(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    booking = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
    assert api.delete(f"/locations/{ids['location']}").status_code == 204
    kept = api.get(f"/bookings/{booking['id']}").json()
    assert kept["location_id"] is None
    assert kept["location"] is None
    assert kept["resource_id"] == ids["resource"]
    assert api.delete(f"/bookings/{booking['id']}").status_code == 204
    assert api.get(f"/bookings/{booking['id']}").status_code == 404


def test_an_idempotency_key_replays_the_first_response_and_refuses_another_body(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    body = {
        "location_id": ids["location"],
        "service_id": ids["service"],
        "starts_at": at(monday, 8),
        "ends_at": at(monday, 8, 50),
    }
    headers = {"Idempotency-Key": "order-42"}
    first = api.post("/bookings", body, headers=headers)
    again = api.post("/bookings", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert api.get("/bookings").json()["meta"]["total"] == 1
    other = api.post("/bookings", {**body, "metadata": {"x": 1}}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["errors"]
