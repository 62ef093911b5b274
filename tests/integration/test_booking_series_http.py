"""Booking series through the local server (docs/booking-series.md): a weekly series in Paris across the
spring change, read, listed, canceled from a date and deleted, with its events; bad input refused in
Hapio's shape with nothing written; and races of series and single bookings for the same last places."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kairos.values.formats import format_timestamp
from kairos_local.store import running_endpoint
from tests.integration.conftest import Api, LocalServer
from tests.integration.test_booking_races_http import _created, _no_server_errors, _race
from tests.integration.test_events import Subscriber

PARIS = ZoneInfo("Europe/Paris")
FIRST = datetime(2031, 3, 3, 10, tzinfo=PARIS)  # a Monday; Paris springs forward on 30 March 2031


def _clinic(api: Api) -> dict[str, str]:
    """One doctor with one place, a one-hour service, every Monday 08:00-17:00 in Paris from 2031 on."""
    resource = _created(api.post("/resources", {"name": "Dr. Weekly", "max_simultaneous_bookings": 1}))
    service = _created(api.post("/services", {"name": "Therapy", "type": "fixed", "duration": "PT1H"}))
    place = {"name": "Paris", "time_zone": "Europe/Paris", "resource_selection_strategy": "randomize"}
    location = _created(api.post("/locations", place))
    assert api.put(f"/services/{service['id']}/resources/{resource['id']}").status_code == 201
    base = f"/resources/{resource['id']}/recurring-schedules"
    schedule = _created(api.post(base, {"location_id": location["id"], "start_date": "2031-01-01"}))
    block = {"weekday": "monday", "start_time": "08:00:00", "end_time": "17:00:00"}
    assert api.post(f"{base}/{schedule['id']}/schedule-blocks", block).status_code == 201
    return {"service_id": service["id"], "location_id": location["id"], "resource_id": resource["id"]}


def _body(clinic: dict[str, str], start: datetime = FIRST, **extra: Any) -> dict[str, Any]:
    return {
        "service_id": clinic["service_id"],
        "location_id": clinic["location_id"],
        "starts_at": format_timestamp(start, PARIS),
        "ends_at": format_timestamp(start + timedelta(hours=1), PARIS),
        **extra,
    }


@pytest.fixture
def events(local_server: LocalServer, api: Api) -> Subscriber:
    endpoint = running_endpoint(local_server.data_dir)
    assert endpoint is not None
    return Subscriber(endpoint, api.project_id)


def _bookings(api: Api) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in range(1, 10):
        query = {"per_page": 100, "page": page, "temporary": "include"}  # holds of a series too
        listed = api.get("/bookings", params=query).json()
        found += listed["data"]
        if page >= listed["meta"]["last_page"]:
            return found
    return found


def test_a_weekly_series_is_booked_read_listed_canceled_and_deleted_with_its_events(
    api: Api, events: Subscriber
) -> None:
    clinic = _clinic(api)

    created = api.post("/booking-series", _body(clinic, recurrence="FREQ=WEEKLY;COUNT=6", metadata={"p": 1}))

    assert created.status_code == 201, created.text
    series = created.json()
    assert (series["recurrence"], series["mode"], series["metadata"]) == (
        "FREQ=WEEKLY;COUNT=6",
        "all_or_nothing",
        {"p": 1},
    )
    starts = [b["starts_at"] for b in series["bookings"]]
    assert starts[3:5] == ["2031-03-24T10:00:00+01:00", "2031-03-31T10:00:00+02:00"]  # 10:00 across DST
    one = api.get(f"/bookings/{series['bookings'][4]['id']}").json()
    assert one["booking_series_id"] == series["id"]
    assert api.get(f"/booking-series/{series['id']}").json()["booking_ids"] == series["booking_ids"]
    listed = api.get("/booking-series", params={"per_page": 1}).json()
    assert [s["id"] for s in listed["data"]] == [series["id"]] and listed["meta"]["total"] == 1

    cancel = {"cancel": {"from": starts[4]}, "metadata": {"p": 2}}
    patched = api.patch(f"/booking-series/{series['id']}", cancel)
    assert patched.status_code == 200, patched.text
    assert [b["is_canceled"] for b in patched.json()["bookings"]] == [False] * 4 + [True] * 2
    assert api.delete(f"/booking-series/{series['id']}").status_code == 204
    after = api.get(f"/booking-series/{series['id']}").json()
    assert all(b["is_canceled"] for b in after["bookings"])  # all of them are still to come

    received = events.received(6 + 2 + 6)
    series_events = [e for e in received if e["detail-type"].startswith("booking_series.")]
    assert [e["detail-type"] for e in series_events] == [
        "booking_series.created",
        "booking_series.canceled",
        "booking_series.canceled",
    ]
    assert len(series_events[0]["detail"]["data"]["bookings"]) == 6


def test_bad_input_is_a_422_in_hapios_shape_and_writes_nothing(api: Api) -> None:
    clinic = _clinic(api)
    bad = [
        _body(clinic, recurrence="FREQ=YEARLY;COUNT=3"),
        _body(clinic, recurrence="FREQ=WEEKLY;COUNT=200"),
        _body(clinic, recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=3"),  # the first start is a Monday
        _body(clinic, recurrence="FREQ=WEEKLY;COUNT=3", mode="sometimes"),
        _body(clinic, recurrence="FREQ=WEEKLY;COUNT=3", is_temporary=True),
        {**_body(clinic), "recurrence": None},
    ]
    fields = []
    for body in bad:
        answer = api.post("/booking-series", body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["message"] == "The given data was invalid."
        fields.append(sorted(answer.json()["errors"]))

    assert fields == [
        ["recurrence"],
        ["recurrence"],
        ["starts_at"],
        ["mode"],
        ["is_temporary"],
        ["recurrence"],
    ]
    assert _bookings(api) == []
    assert api.get("/booking-series").json()["data"] == []


def test_an_all_or_nothing_series_refused_in_its_last_transaction_leaves_nothing(api: Api) -> None:
    """30 weeks take two transactions; the last week is taken already, so the first transaction's
    occurrences are written, then deleted again."""
    clinic = _clinic(api)
    taken = _created(api.post("/bookings", _body(clinic, FIRST + timedelta(weeks=29))))

    answer = api.post("/booking-series", _body(clinic, recurrence="FREQ=WEEKLY;COUNT=30"))

    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == {
        "occurrences.29.starts_at": [
            "No resource is available for this booking.",
            "The resource is fully booked at this time.",
        ]
    }
    assert [b["id"] for b in _bookings(api)] == [taken["id"]]
    assert api.get("/booking-series").json()["data"] == []


def test_available_only_books_what_fits_and_reports_the_rest_with_reasons(api: Api) -> None:
    clinic = _clinic(api)
    taken = _created(api.post("/bookings", _body(clinic, FIRST + timedelta(weeks=1))))

    answer = api.post(
        "/booking-series", _body(clinic, recurrence="FREQ=WEEKLY;COUNT=3", mode="available_only")
    )

    assert answer.status_code == 201, answer.text
    assert len(answer.json()["bookings"]) == 2
    (skipped,) = answer.json()["skipped"]
    assert skipped["starts_at"] == taken["starts_at"]
    (reason,) = skipped["resources"][0]["reasons"]
    assert (reason["rule"], reason["booking_ids"]) == ("fully_booked", [taken["id"]])


def test_series_and_single_bookings_racing_for_the_last_places_never_share_one_and_losers_leave_nothing(
    api: Api,
) -> None:
    """Two all_or_nothing series of 30 weeks (three transactions each) and single bookings of their last
    weeks, at once, for a doctor with one place: no place is held twice, a series answers 201 with all
    30 or 422 with none of its occurrences left behind."""
    clinic = _clinic(api)
    series = [lambda r: r.post("/booking-series", _body(clinic, recurrence="FREQ=WEEKLY;COUNT=30"))] * 2
    singles = [
        lambda r, n=n: r.post("/bookings", _body(clinic, FIRST + timedelta(weeks=n))) for n in (27, 28, 29)
    ]

    answers = _race(api, [*series, *singles])

    _no_server_errors(answers)
    won = [a.json() for a in answers[:2] if a.status_code == 201]
    assert sorted(a.status_code for a in answers[:2]) in ([201, 422], [422, 422]), [a.text for a in answers]
    singles_won = [a.json()["id"] for a in answers[2:] if a.status_code == 201]
    stored = [b for b in _bookings(api) if not b["is_canceled"]]
    starts = [b["starts_at"] for b in stored]
    assert len(starts) == len(set(starts))  # one booking a place
    expected = {b["id"] for s in won for b in s["bookings"]} | set(singles_won)
    assert {b["id"] for b in stored} == expected  # nothing of a losing series stays
    assert len(won) == 0 or singles_won == []
    assert all(len(s["bookings"]) == 30 for s in won)
    assert not any(b["is_temporary"] for b in stored)  # a won series' holds were finalized
    assert [s["id"] for s in api.get("/booking-series").json()["data"]] == [s["id"] for s in won]


def test_three_series_racing_for_the_same_places_exactly_one_wins_and_the_others_leave_nothing(
    api: Api,
) -> None:
    """Three all_or_nothing series of 30 weeks (holds, then finalized) for one doctor's same Mondays."""
    clinic = _clinic(api)
    calls = [lambda r: r.post("/booking-series", _body(clinic, recurrence="FREQ=WEEKLY;COUNT=30"))] * 3

    answers = _race(api, calls)

    _no_server_errors(answers)
    assert sorted(a.status_code for a in answers) == [201, 422, 422], [a.text for a in answers]
    (won,) = [a.json() for a in answers if a.status_code == 201]
    stored = _bookings(api)
    assert {b["id"] for b in stored} == {b["id"] for b in won["bookings"]}
    assert not any(b["is_temporary"] for b in stored)
