"""Booking limits under races through the local server (docs/bookings.md, "Booking limits"): k requests
that each take a different free hour of a resource whose service allows 2 bookings a day, at once, by new
bookings, booking groups and moves; exactly as many win as the limit leaves room for, and no 5xx."""

from datetime import UTC, timedelta
from typing import Any

from kairos.values.formats import format_timestamp, now_utc
from tests.integration.conftest import Api
from tests.integration.test_booking_races_http import Clinic, _created, _no_server_errors, _race

RACERS = 12


def _limited_clinic(api: Api) -> Clinic:
    """One doctor (one place) and a 10-minute service allowed twice a day per resource, 08:00-20:00 UTC on
    the day in three days and the next one."""
    resource = _created(api.post("/resources", {"name": "Dr. Limit", "max_simultaneous_bookings": 1}))
    body = {
        "name": "Limited check",
        "type": "fixed",
        "duration": "PT10M",
        "bookable_interval": "PT10M",
        "booking_limits": {"per_resource": {"day": 2}},
    }
    service = _created(api.post("/services", body))
    assert service["booking_limits"] == {"per_resource": {"day": 2}}
    place = {"name": "Limit clinic", "time_zone": "UTC", "resource_selection_strategy": "randomize"}
    location = _created(api.post("/locations", place))
    assert api.put(f"/services/{service['id']}/resources/{resource['id']}").status_code == 201
    day = now_utc().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=3)
    for n in range(2):
        block = {
            "location_id": location["id"],
            "starts_at": format_timestamp(day + timedelta(days=n, hours=8)),
            "ends_at": format_timestamp(day + timedelta(days=n, hours=20)),
        }
        assert api.post(f"/resources/{resource['id']}/schedule-blocks", block).status_code == 201
    return Clinic(resource["id"], service["id"], location["id"], day)


def _statuses(answers: list[Any]) -> list[int]:
    _no_server_errors(answers)
    return sorted(a.status_code for a in answers)


def _first_day_bookings(api: Api, clinic: Clinic) -> list[dict[str, Any]]:
    start, end = format_timestamp(clinic.day), format_timestamp(clinic.day + timedelta(days=1))
    listed = api.get("/bookings", params={"from": start, "to": end, "per_page": 100}).json()["data"]
    return [b for b in listed if not b["is_canceled"]]


def _on_first_day(api: Api, clinic: Clinic) -> int:
    return len(_first_day_bookings(api, clinic))


def test_parallel_bookings_of_different_hours_let_exactly_the_limit_in(api: Api) -> None:
    clinic = _limited_clinic(api)
    calls = [lambda r, n=n: r.post("/bookings", clinic.body(6 * n)) for n in range(RACERS)]

    answers = _race(api, calls)

    assert _statuses(answers) == [201] * 2 + [422] * (RACERS - 2)
    refused = next(a for a in answers if a.status_code == 422).json()["errors"]["starts_at"]
    assert "The resource has reached the service's booking limit for this day, week or month." in refused
    assert _on_first_day(api, clinic) == 2
    explained = api.get(
        f"/services/{clinic.service}/bookable-slots/explain",
        params={"location": clinic.location, "starts_at": clinic.slot(70)[0], "ends_at": clinic.slot(70)[1]},
    ).json()
    (reason,) = explained["resources"][0]["reasons"]
    assert (reason["rule"], reason["period"], reason["limit"], reason["count"]) == (
        "booking_limit",
        "day",
        2,
        2,
    )


def test_parallel_groups_moves_and_un_canceling_into_a_limited_day_let_exactly_the_limit_in(api: Api) -> None:
    """Bookings made before the limit was set are kept (6 on the second day); then, into the first day at
    once: booking groups of two (one fits), and once one of those is canceled, 5 PATCH moves and a PUT
    from the second day and the un-cancel (one fits)."""
    clinic = _limited_clinic(api)
    assert api.patch(f"/services/{clinic.service}", {"booking_limits": None}).status_code == 200
    second_day = 144  # slot 144: 08:00 on the next day
    movers = [_created(api.post("/bookings", clinic.body(second_day + 6 * n))) for n in range(6)]
    limits = {"booking_limits": {"per_resource": {"day": 2}}}
    assert api.patch(f"/services/{clinic.service}", limits).status_code == 200
    groups = [
        lambda r, n=n: r.post("/booking-groups", {"bookings": [clinic.body(6 * n), clinic.body(6 * n + 1)]})
        for n in range(RACERS // 2)
    ]
    assert _statuses(_race(api, groups)) == [201] + [422] * (RACERS // 2 - 1)
    assert _on_first_day(api, clinic) == 2

    one = _first_day_bookings(api, clinic)[0]
    assert api.patch(f"/bookings/{one['id']}", {"is_canceled": True}).status_code == 200
    moves = [
        lambda r, b=mover["id"], n=n: r.patch(
            f"/bookings/{b}", dict(zip(("starts_at", "ends_at"), clinic.slot(36 + n), strict=True))
        )
        for n, mover in enumerate(movers[:-1])
    ]
    put_body = {**clinic.body(42), "resource_id": clinic.resource}
    put = [lambda r: r.put(f"/bookings/{movers[-1]['id']}", put_body)]
    un_cancel = [lambda r: r.patch(f"/bookings/{one['id']}", {"is_canceled": False})]

    assert _statuses(_race(api, [*moves, *put, *un_cancel])) == [200] + [422] * len(movers)
    assert _on_first_day(api, clinic) == 2
