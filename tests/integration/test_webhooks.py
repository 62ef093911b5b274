"""Through the local server and its event chain: the guide's booking, created, canceled and deleted, reaches
a webhook receiver on 127.0.0.1 as three signed events."""

import json
import time

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
