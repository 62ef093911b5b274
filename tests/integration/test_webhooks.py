"""Through the local server and its event chain: the guide's booking, created, canceled and deleted, reaches
a webhook receiver on 127.0.0.1 as three signed events; a receiver that is down, or never answers in time,
gets retries; one that answers in time gets each event once."""

import json
import time
from collections import Counter

from kairos.webhooks.signing import verify_signature
from tests.integration.conftest import Api
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday
from tests.unit.webhooks.receiver import Receiver, receiver

DEADLINE_SECONDS = 60


def _wait_for(r: Receiver, count: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(r.received) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def test_the_guides_booking_arrives_signed_as_created_canceled_and_deleted(api: Api) -> None:
    ids = guide_setup(api)
    api.patch(f"/services/{ids['service']}", {"cancelation_threshold": "PT0S"})
    with receiver() as r:
        created = api.post(
            "/webhooks", {"url": r.url, "events": ["booking.created", "booking.canceled", "booking.deleted"]}
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        monday = next_monday()
        booking = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
        assert api.patch(f"/bookings/{booking['id']}", {"is_canceled": True}).status_code == 200
        assert api.delete(f"/bookings/{booking['id']}").status_code == 204
        _wait_for(r, 3)
    types = [got.headers["x-kairos-event"] for got in r.received]
    assert sorted(types) == ["booking.canceled", "booking.created", "booking.deleted"]
    for got in r.received:
        verify_signature(got.headers["x-kairos-signature"], got.body, hook["secret"], now=int(time.time()))
        assert json.loads(got.body)["data"]["id"] == booking["id"]
    log = api.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert {d["status"] for d in log["data"]} == {"succeeded"} and log["meta"]["total"] == 3
    assert "secret" not in api.get(f"/webhooks/{hook['id']}").json()


def test_a_private_url_is_refused_but_loopback_is_allowed_locally(api: Api) -> None:
    refused = api.post("/webhooks", {"url": "http://10.0.0.8/hook"})
    assert refused.status_code == 422 and "url" in refused.json()["errors"]
    assert api.post("/webhooks", {"url": "http://127.0.0.1:9/hook"}).status_code == 201


def _deliveries(api: Api, hook_id: str, **params: str) -> list[dict]:  # type: ignore[type-arg]
    return api.get(f"/webhooks/{hook_id}/deliveries", params=params).json()["data"]  # type: ignore[no-any-return]


def _until(check: object, seconds: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not check():  # type: ignore[operator]
        time.sleep(0.3)


def test_a_receiver_down_for_a_while_gets_every_event_once_it_is_back(api: Api) -> None:
    ids = guide_setup(api)
    api.patch(f"/services/{ids['service']}", {"cancelation_threshold": "PT0S"})
    with receiver() as r:
        r.status = 503
        hook = api.post("/webhooks", {"url": r.url, "events": ["booking.created", "booking.canceled"]}).json()
        monday = next_monday()
        booking = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
        api.patch(f"/bookings/{booking['id']}", {"is_canceled": True})
        _until(
            lambda: len({g.headers["x-kairos-delivery"] for g in r.received}) == 2 and len(r.received) >= 4
        )
        assert "succeeded" not in {d["status"] for d in _deliveries(api, hook["id"])}  # waiting to retry
        r.status = 200
        _until(lambda: {d["status"] for d in _deliveries(api, hook["id"])} == {"succeeded"})
    log = _deliveries(api, hook["id"])
    assert {d["status"] for d in log} == {"succeeded"} and len(log) == 2
    assert all(d["attempts"] >= 2 for d in log)
    answered = [g for g in r.received if g.headers["x-kairos-delivery"] in {d["id"] for d in log}]
    assert sorted({g.headers["x-kairos-event"] for g in answered}) == ["booking.canceled", "booking.created"]


def test_a_receiver_that_never_answers_ends_in_the_dead_letter_list(api: Api) -> None:
    ids = guide_setup(api)
    with receiver() as r:
        r.delay = 3  # longer than the server's 2-second timeout
        hook = api.post("/webhooks", {"url": r.url, "events": ["booking.created"]}).json()
        monday = next_monday()
        book(api, ids, at(monday, 8), at(monday, 8, 50))
        _until(lambda: bool(_deliveries(api, hook["id"], status="dead")))
    dead = _deliveries(api, hook["id"], status="dead")
    assert len(dead) == 1
    assert dead[0]["attempts"] >= 3
    assert len(r.received) == dead[0]["attempts"]


def test_a_receiver_answering_just_within_the_timeout_gets_each_event_exactly_once(api: Api) -> None:
    """The server waits 2 s for an answer. This receiver sends its 200 after 1.6 s and the answer's body
    a second later: the answer came in time, so each event is delivered once, on the first attempt."""
    ids = guide_setup(api)
    with receiver() as r:
        r.delay, r.body_after = 1.6, 1.0
        hook = api.post("/webhooks", {"url": r.url, "events": ["booking.created", "booking.updated"]}).json()
        monday = next_monday()
        booking = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
        for n in range(19):
            assert api.patch(f"/bookings/{booking['id']}", {"metadata": {"n": n}}).status_code == 200
        _until(lambda: [d["status"] for d in _deliveries(api, hook["id"])] == ["succeeded"] * 20)
    log = _deliveries(api, hook["id"])
    assert [(d["status"], d["attempts"], d["error"]) for d in log] == [("succeeded", 1, None)] * 20
    received = Counter(got.headers["x-kairos-delivery"] for got in r.received)
    assert received == Counter({d["id"]: 1 for d in log})
