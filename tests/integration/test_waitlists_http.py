"""Waitlists through the local server (docs/waitlists.md): a place that frees up is offered to the oldest
fitting entry as a hold made from the change stream; finalizing books the entry, an expired hold hands the
place to the next entry; places freed at once go to the oldest entries, one entry a place; bad input is a
422 in Hapio's shape that writes nothing; an offered entry deleted gives its hold's place to the next."""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest

from kairos.values.formats import format_timestamp, now_utc, parse_timestamp
from tests.integration.conftest import Api, Weaker
from tests.integration.test_bookings_http import book
from tests.integration.test_calendar_subscriptions_http import Feed
from tests.integration.test_schedules_http import at, guide_setup, next_monday
from tests.unit.webhooks.receiver import receiver

DEADLINE_SECONDS = 30
SETTLED_SECONDS = 3  # the local event chain hands on an event within about 2 s: nothing more comes after


def join(api: Api, ids: dict[str, str], start: str, end: str, **extra: Any) -> dict[str, Any]:
    body = {"service_id": ids["service"], "location_id": ids["location"], "from": start, "to": end, **extra}
    created = api.post("/waitlist-entries", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def entry(api: Api, entry_id: str) -> dict[str, Any]:
    return dict(api.get(f"/waitlist-entries/{entry_id}").json())


def wait_for(api: Api, entry_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = entry(api, entry_id)
        if found["status"] == status:
            return found
        time.sleep(0.2)
    raise AssertionError(f"the entry is {entry(api, entry_id)['status']}, never {status}")


def test_a_freed_place_is_offered_as_a_hold_and_finalizing_it_books_the_entry(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    taken = [book(api, ids, at(monday, h), at(monday, h, 50)).json()["id"] for h in (8, 9, 10, 11)]
    with receiver() as r:
        assert api.post("/webhooks", {"url": r.url, "events": ["waitlist_entry.offered"]}).status_code == 201
        waiting = join(api, ids, at(monday, 9), at(monday, 10), metadata={"patient": "Ada"})
        assert (waiting["status"], waiting["booking_id"]) == ("waiting", None)
        time.sleep(SETTLED_SECONDS)  # its creation ran the offer step: nothing is free
        assert entry(api, waiting["id"])["status"] == "waiting"

        assert api.delete(f"/bookings/{taken[1]}").status_code == 204
        offered = wait_for(api, waiting["id"], "offered")
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not r.received and time.monotonic() < deadline:
            time.sleep(0.2)
        sent = [json.loads(g.body) for g in r.received]

    hold = api.get(f"/bookings/{offered['booking_id']}").json()
    assert (hold["is_temporary"], hold["metadata"]) == (True, {"patient": "Ada"})
    assert parse_timestamp(hold["starts_at"]) == parse_timestamp(at(monday, 9))
    expires = parse_timestamp(hold["expires_at"])
    assert now_utc() < expires <= now_utc() + timedelta(minutes=15)  # no project default: PT15M
    assert [(e["type"], e["data"]["booking_id"]) for e in sent] == [("waitlist_entry.offered", hold["id"])]

    assert api.patch(f"/bookings/{hold['id']}", {"is_temporary": False}).status_code == 200
    assert wait_for(api, waiting["id"], "booked")["booking_id"] == hold["id"]


def test_two_places_freed_at_once_go_to_the_two_oldest_entries_one_entry_a_place(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    taken = [book(api, ids, at(monday, h), at(monday, h, 50)).json()["id"] for h in (8, 9)]
    entries = [join(api, ids, at(monday, 8), at(monday, 10), metadata={"n": n})["id"] for n in range(3)]
    time.sleep(SETTLED_SECONDS)

    with ThreadPoolExecutor(2) as pool:
        freed = list(pool.map(lambda b: api.delete(f"/bookings/{b}").status_code, taken))
    assert freed == [204, 204]
    first, second = (wait_for(api, e, "offered") for e in entries[:2])
    time.sleep(SETTLED_SECONDS)

    assert entry(api, entries[2])["status"] == "waiting"
    holds = [api.get(f"/bookings/{e['booking_id']}").json() for e in (first, second)]
    starts = sorted(parse_timestamp(h["starts_at"]) for h in holds)
    assert starts == [parse_timestamp(at(monday, 8)), parse_timestamp(at(monday, 9))]  # one hold a place
    listed = api.get("/bookings", params={"resource": ids["resource"], "temporary": "only"}).json()
    assert sorted(b["id"] for b in listed["data"]) == sorted(h["id"] for h in holds)


def offered_to_the_first(api: Api) -> tuple[date, str, str, str]:
    """Two entries waiting for Monday 09:00, which frees up: the first is offered it. (Monday, the entries,
    the hold)"""
    ids = guide_setup(api)
    monday = next_monday()
    taken = book(api, ids, at(monday, 9), at(monday, 9, 50)).json()["id"]
    for h in (8, 10, 11):
        assert book(api, ids, at(monday, h), at(monday, h, 50)).status_code == 201
    first, second = (join(api, ids, at(monday, 9), at(monday, 10))["id"] for _ in range(2))
    assert api.delete(f"/bookings/{taken}").status_code == 204
    hold = wait_for(api, first, "offered")["booking_id"]
    return monday, first, second, str(hold)


def test_an_expired_offer_hands_the_place_to_the_next_entry(api: Api) -> None:
    monday, first, second, hold = offered_to_the_first(api)
    soon = format_timestamp(now_utc() + timedelta(seconds=2))
    assert api.patch(f"/bookings/{hold}", {"expires_at": soon}).status_code == 200

    assert wait_for(api, first, "expired")["booking_id"] == hold
    handed = wait_for(api, second, "offered")
    assert handed["booking_id"] != hold
    assert parse_timestamp(
        api.get(f"/bookings/{handed['booking_id']}").json()["starts_at"]
    ) == parse_timestamp(at(monday, 9))


def test_deleting_an_offered_entry_deletes_its_hold_and_hands_the_place_to_the_next_entry(api: Api) -> None:
    monday, first, second, hold = offered_to_the_first(api)

    assert api.delete(f"/waitlist-entries/{first}").status_code == 204

    handed = wait_for(api, second, "offered")["booking_id"]
    assert handed != hold
    assert api.get(f"/bookings/{hold}").status_code == 404
    held = api.get(f"/bookings/{handed}").json()
    assert parse_timestamp(held["starts_at"]) == parse_timestamp(at(monday, 9))


def test_list_filters_by_status_and_delete_removes_an_entry(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    for h in (8, 9, 10, 11):
        book(api, ids, at(monday, h), at(monday, h, 50))
    kept, gone = (join(api, ids, at(monday, 8), at(monday, 12))["id"] for _ in range(2))
    assert api.delete(f"/waitlist-entries/{gone}").status_code == 204
    assert api.get(f"/waitlist-entries/{gone}").status_code == 404
    assert api.delete(f"/waitlist-entries/{gone}").status_code == 404

    waiting = api.get("/waitlist-entries", params={"status": "waiting"}).json()
    assert [e["id"] for e in waiting["data"]] == [kept]
    assert waiting["meta"]["total"] == 1
    assert api.get("/waitlist-entries", params={"status": "booked"}).json()["data"] == []
    assert api.get("/waitlist-entries", params={"status": "later"}).json()["data"] == []  # no such status


def test_bad_entries_are_refused_in_hapios_shape_and_nothing_is_written(api: Api, weaker: Weaker) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    other = api.post(
        "/services", {"name": "Other", "type": "fixed", "duration": "PT1H", "price": "1.000"}
    ).json()
    start, end = at(monday, 8), at(monday, 12)
    cases = [
        ({}, {"service_id", "location_id", "from", "to"}),
        ({"service_id": ids["service"], "location_id": ids["location"], "from": end, "to": start}, {"to"}),
        ({"service_id": "nope", "location_id": ids["location"], "from": start, "to": end}, {"service_id"}),
        (
            {"service_id": ids["location"], "location_id": ids["location"], "from": start, "to": end},
            {"service_id"},
        ),
        (
            {"service_id": ids["service"], "location_id": ids["location"], "from": start, "to": "monday"},
            {"to"},
        ),
        (
            {"service_id": other["id"], "location_id": ids["location"], "resource_id": ids["resource"]}
            | {"from": start, "to": end},
            {"resource_id"},
        ),
        (
            {"service_id": ids["service"], "location_id": ids["location"], "from": start}
            | {"to": format_timestamp(now_utc() + timedelta(days=90))},
            {"to"},
        ),
        (
            {
                "service_id": ids["service"],
                "location_id": ids["location"],
                "from": start,
                "to": end,
                "metadata": 5,
            },
            {"metadata"},
        ),
    ]
    for body, fields in cases:
        refused = api.post("/waitlist-entries", body)
        assert refused.status_code == 422, (body, refused.text)
        assert (refused.json()["message"], set(refused.json()["errors"])) == (
            "The given data was invalid.",
            fields,
        )
    viewer = weaker(api, ["waitlist_entry:view"])
    assert viewer.post("/waitlist-entries", {**cases[1][0], "from": start, "to": end}).status_code == 403
    assert api.get("/waitlist-entries").json()["data"] == []


def test_a_block_removed_or_a_place_added_is_offered_to_the_waiting_entry(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    blocks = f"/resources/{ids['resource']}/schedule-blocks"
    closed = {"location_id": ids["location"], "starts_at": at(monday, 8), "ends_at": at(monday, 10)}
    block = api.post(blocks, {**closed, "is_available": False})
    assert block.status_code == 201, block.text
    for h in (10, 11):
        assert book(api, ids, at(monday, h), at(monday, h, 50)).status_code == 201
    first, second = (join(api, ids, at(monday, 8), at(monday, 12))["id"] for _ in range(2))
    time.sleep(SETTLED_SECONDS)
    assert entry(api, first)["status"] == "waiting"

    assert api.delete(f"{blocks}/{block.json()['id']}").status_code == 204  # 08:00 and 09:00 open again
    offered = [wait_for(api, e, "offered")["booking_id"] for e in (first, second)]
    starts = sorted(parse_timestamp(api.get(f"/bookings/{b}").json()["starts_at"]) for b in offered)
    assert starts == [parse_timestamp(at(monday, 8)), parse_timestamp(at(monday, 9))]

    third = join(api, ids, at(monday, 10), at(monday, 12))["id"]
    time.sleep(SETTLED_SECONDS)
    assert entry(api, third)["status"] == "waiting"
    assert api.patch(f"/resources/{ids['resource']}", {"max_simultaneous_bookings": 2}).status_code == 200
    held = api.get(f"/bookings/{wait_for(api, third, 'offered')['booking_id']}").json()
    assert parse_timestamp(held["starts_at"]) == parse_timestamp(at(monday, 10))


@pytest.fixture
def calendar_feed() -> Iterator[Feed]:
    served = Feed()
    yield served
    served.server.shutdown()
    served.server.server_close()


def test_busy_times_removed_at_a_sync_and_a_resource_associated_are_offered(
    api: Api, calendar_feed: Feed
) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    for h in (8, 10, 11):
        assert book(api, ids, at(monday, h), at(monday, h, 50)).status_code == 201
    calendar_feed.busy(monday, 9)
    path = f"/resources/{ids['resource']}/calendar-subscriptions"
    path += f"/{api.post(path, {'url': calendar_feed.url}).json()['id']}"
    assert api.post(f"{path}/sync").status_code == 200
    newcomer = api.post("/resources", {"name": "Dr. New", "max_simultaneous_bookings": 1}).json()["id"]
    weekly = {"location_id": ids["location"], "start_date": next_monday().isoformat()}
    schedule = api.post(f"/resources/{newcomer}/recurring-schedules", weekly).json()["id"]
    block = {"weekday": "monday", "start_time": "11:00:00", "end_time": "12:00:00"}
    weekly_blocks = f"/resources/{newcomer}/recurring-schedules/{schedule}/schedule-blocks"
    assert api.post(weekly_blocks, block).status_code == 201
    first, second = (join(api, ids, at(monday, 8), at(monday, 12))["id"] for _ in range(2))
    time.sleep(SETTLED_SECONDS)
    assert entry(api, first)["status"] == "waiting"

    calendar_feed.busy(monday, 10)  # 09:00 free again (10:00 is booked anyway)
    assert api.post(f"{path}/sync").status_code == 200
    freed = api.get(f"/bookings/{wait_for(api, first, 'offered')['booking_id']}").json()
    assert parse_timestamp(freed["starts_at"]) == parse_timestamp(at(monday, 9))

    assert api.put(f"/services/{ids['service']}/resources/{newcomer}").status_code == 201
    joined = api.get(f"/bookings/{wait_for(api, second, 'offered')['booking_id']}").json()
    assert (joined["resource_id"], parse_timestamp(joined["starts_at"])) == (
        newcomer,
        parse_timestamp(at(monday, 11)),
    )
