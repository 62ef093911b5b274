"""No input may break a request or a project (issue 12): what once answered 500, stored unrenderable data
or was silently accepted is refused at the HTTP edge or by a bound, with a 4xx that names the problem,
and leaves the project as it was (docs/api.md, "limits")."""

import json
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.integration.test_guide import GUIDE_LOCATION, GUIDE_SERVICE
from tests.integration.test_schedules_http import at, guide_setup, next_monday

FAR_FUTURE = "9999-12-31T23:00:00+00:00"
FAR_PAST = "0001-01-01T00:00:00+00:00"
SERVER_ERROR = 500


def raw(api: Api, method: str, path: str, body: bytes | str, content_type: str = "application/json") -> Any:
    return api.call(method, path, data=body, headers={"Content-Type": content_type})


# --- 1 and 3: timestamps and dates are bounded, so nothing stored can fail to render ----------------------


def test_a_schedule_block_in_year_9999_is_refused_and_the_blocks_stay_readable(api: Api) -> None:
    ids = guide_setup(api)
    blocks = f"/resources/{ids['resource']}/schedule-blocks"
    refused = api.post(
        blocks, {"location_id": ids["location"], "starts_at": at(next_monday(), 8), "ends_at": FAR_FUTURE}
    )
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["ends_at"]
    listed = api.get(blocks)
    assert listed.status_code == 200
    assert listed.json()["data"] == []


@pytest.mark.parametrize("instant", [FAR_FUTURE, FAR_PAST, "2201-01-01T00:00:00+00:00"])
def test_timestamps_outside_the_accepted_range_are_a_422_wherever_they_are_sent(
    api: Api, instant: str
) -> None:
    ids = guide_setup(api)
    monday = at(next_monday(), 8)
    window = {"from": monday, "to": instant, "location": ids["location"]}
    booking = {
        "location_id": ids["location"],
        "service_id": ids["service"],
        "starts_at": monday,
        "ends_at": instant,
    }
    answers = {
        "ends_at": api.post("/bookings", booking),
        "to": api.get(f"/services/{ids['service']}/bookable-slots", params=window),
        "to ": api.get(f"/resources/{ids['resource']}/schedule", params=window),
        " to": api.get("/bookings", params={"from": monday, "to": instant}),
        "starts_at": api.get("/bookings", params={"starts_at[gte]": instant}),
    }
    refused = {field: (a.status_code, list(a.json()["errors"])) for field, a in answers.items()}
    assert refused == {field: (422, [field.strip()]) for field in answers}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_recurring_schedule_starting_outside_the_accepted_years_is_refused(api: Api, day: str) -> None:
    ids = guide_setup(api)
    answer = api.post(
        f"/resources/{ids['resource']}/recurring-schedules",
        {"location_id": ids["location"], "start_date": day},
    )
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["start_date"]


def test_a_timestamp_kairos_rendered_in_a_far_offset_zone_is_accepted_back(api: Api) -> None:
    location = api.post("/locations", {**GUIDE_LOCATION, "time_zone": "Pacific/Kiritimati"}).json()
    resource = api.post("/resources", {"name": "Dr. Late"}).json()
    blocks = f"/resources/{resource['id']}/schedule-blocks"
    body = {
        "location_id": location["id"],
        "starts_at": "2200-12-31T09:00:00+00:00",
        "ends_at": "2200-12-31T23:59:59+00:00",
    }
    created = api.post(blocks, body)
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["ends_at"] == "2201-01-01T13:59:59+14:00"
    again = api.put(
        f"{blocks}/{shown['id']}",
        {"location_id": location["id"], "starts_at": shown["starts_at"], "ends_at": shown["ends_at"]},
    )
    assert again.status_code == 200, again.text


# --- 2: numbers that strict JSON cannot carry --------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused_and_every_answer_stays_strict_json(api: Api, number: str) -> None:
    body = '{"name": "Dr. Odd", "metadata": {"score": [1, NUMBER]}}'.replace("NUMBER", number)
    refused = raw(api, "POST", "/resources", body)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "metadata.score.1": ["The metadata.score.1 field must be a finite number."]
    }
    listed = api.get("/resources")
    json.loads(listed.text, parse_constant=_no_constant)  # strict: would raise on NaN or Infinity
    assert listed.json()["meta"]["total"] == 0


def _no_constant(name: str) -> None:
    raise AssertionError(f"{name} in a response")


# --- 4: bodies too deep or too large, metadata too large ----------------------------------------------------


def test_a_body_nested_100000_deep_is_a_422_not_a_500(api: Api) -> None:
    deep = '{"name": "x", "metadata": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}"
    answer = raw(api, "POST", "/resources", deep)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"body": ["The body must not nest more than 32 levels deep."]}


def test_a_body_over_two_megabytes_is_a_413(api: Api) -> None:
    answer = raw(api, "POST", "/resources", json.dumps({"name": "x", "metadata": {"blob": "x" * 2_100_000}}))
    assert answer.status_code == 413
    assert api.get("/resources").json()["meta"]["total"] == 0


def test_metadata_over_its_size_limit_is_a_422_naming_the_field(api: Api) -> None:
    answer = api.post("/resources", {"name": "x", "metadata": {"blob": "x" * 20_000}})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "metadata": ["The metadata field must not be greater than 16384 bytes as JSON."]
    }


# --- 5: webhook urls that cannot be parsed, port 0, credentials -------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://[::1/", "http://127.0.0.1:0/hook", "http://user:pass@127.0.0.1:9/hook"]
)
def test_a_webhook_url_that_cannot_be_used_is_a_422(api: Api, url: str) -> None:
    answer = api.post("/webhooks", {"url": url})
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["url"]


# --- 6: a write that cannot fit one transaction is refused before any work ----------------------------------


def test_a_booking_group_of_400_bookings_is_refused_at_once_before_any_read(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    one = {
        "location_id": ids["location"],
        "service_id": ids["service"],
        "starts_at": at(monday, 8),
        "ends_at": at(monday, 8, 50),
    }
    api.get("/booking-groups")  # this area's instance now knows the token and counts in this minute
    answer = api.post("/booking-groups", {"bookings": [one] * 400})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"bookings": ["The bookings field must not have more than 40 items."]}
    assert answer.headers["x-kairos-dynamodb-round-trips"] == "1"  # the request's count, nothing more


def test_a_booking_spanning_more_days_than_a_transaction_holds_is_refused_before_any_read(api: Api) -> None:
    ids = guide_setup(api)
    body = {
        "location_id": ids["location"],
        "service_id": ids["service"],
        "starts_at": "2031-01-01T00:00:00+00:00",
        "ends_at": "2031-06-01T00:00:00+00:00",
        "ignore_schedule": True,
    }
    api.get("/bookings")  # this area's instance now knows the token and counts in this minute
    answer = api.post("/bookings", body)
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["ends_at"]
    assert answer.headers["x-kairos-dynamodb-round-trips"] == "1"


# --- 8: values that were silently accepted ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/resources", {"name": "Dr.", "max_simultaneous_bookings": 10**40}, "max_simultaneous_bookings"),
        ("/resources", {"name": "Dr.\u0000"}, "name"),
        ("/services", {**GUIDE_SERVICE, "buffer_time_after": "P9999Y"}, "buffer_time_after"),
        ("/services", {**GUIDE_SERVICE, "booking_window_end": "P9999Y"}, "booking_window_end"),
        ("/services", {**GUIDE_SERVICE, "duration": "P400D"}, "duration"),
        ("/services", {**GUIDE_SERVICE, "bookable_interval": "PT1S"}, "bookable_interval"),
        (
            "/services",
            {
                "name": "Cabin",
                "type": "day",
                "start_time": "15:00:00",
                "end_time": "11:00:00",
                "min_days": 1,
                "max_days": 10**6,
            },
            "max_days",
        ),
    ],
)
def test_values_beyond_their_bounds_are_refused(
    api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    answer = api.post(path, body)
    assert answer.status_code == 422, answer.text
    assert list(answer.json()["errors"]) == [field]


def test_a_body_that_is_not_sent_as_json_is_a_415(api: Api) -> None:
    answer = raw(api, "POST", "/resources", '{"name": "Dr. Plain"}', content_type="text/plain")
    assert answer.status_code == 415
    assert api.get("/resources").json()["meta"]["total"] == 0


def test_a_body_that_is_not_utf8_is_a_400_not_replaced_text(api: Api) -> None:
    answer = raw(api, "POST", "/resources", b'{"name": "Dr. \xff"}')
    assert answer.status_code == 400
    assert answer.json() == {"message": "The request body is not valid UTF-8."}


def test_an_id_in_upper_case_is_the_same_id_in_a_path_as_in_a_body(api: Api) -> None:
    location = api.post("/locations", GUIDE_LOCATION).json()
    upper = location["id"].upper()
    assert api.get(f"/locations/{upper}").json() == location
    resource = api.post("/resources", {"name": "Dr."}).json()
    blocks = f"/resources/{resource['id'].upper()}/schedule-blocks"
    created = api.post(
        blocks, {"location_id": upper, "starts_at": at(next_monday(), 8), "ends_at": at(next_monday(), 9)}
    )
    assert created.status_code == 201, created.text
    assert created.json()["location_id"] == location["id"]
    assert api.get(blocks, params={"location": upper}).json()["meta"]["total"] == 1


def test_no_hostile_input_here_answers_500(api: Api) -> None:
    """A sweep over the inputs of this file's tests and a few more, on one project: none is a 500."""
    ids = guide_setup(api)
    bodies: list[tuple[str, str, bytes | str]] = [
        ("POST", "/resources", "[" * 50_000),
        ("POST", "/resources", '{"name": "\\ud800"}'),
        ("PATCH", f"/resources/{ids['resource']}", " "),
        ("POST", "/booking-groups", '{"bookings": [1, "x", null]}'),
        ("POST", "/webhooks", '{"url": "http://[::1/"}'),
        (
            "PUT",
            f"/services/{ids['service']}",
            '{"type": "fixed", "name": "x", "duration": "P9999Y9999M9999W"}',
        ),
    ]
    statuses = [raw(api, method, path, body).status_code for method, path, body in bodies]
    assert SERVER_ERROR not in statuses and all(400 <= s < 500 for s in statuses), statuses
    assert api.get("/resources").status_code == 200
