"""Holds through the local server and its real clock: an expired hold frees its place for a new booking
within a second, the sweep removes it and a `booking.expired` webhook is delivered; a finalize after expiry
never keeps it (a 422 while it is stored: tests/unit/test_holds.py decides that race on a clock of its
own); the project's default hold time applies."""

import json
import time
from datetime import timedelta

import requests

from kairos.abilities import ALL_ABILITIES
from kairos.values.formats import format_timestamp, now_utc, parse_timestamp
from tests.integration.conftest import Api, LocalServer
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday
from tests.unit.webhooks.receiver import Receiver, receiver

DEADLINE_SECONDS = 30


def _wait_for(r: Receiver, event: str) -> list[dict]:  # type: ignore[type-arg]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = [json.loads(g.body) for g in r.received if g.headers["x-kairos-event"] == event]
        if found:
            return found
        time.sleep(0.2)
    return []


def test_an_expired_hold_frees_its_place_within_a_second_and_is_swept_as_booking_expired(api: Api) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    with receiver() as r:
        hook = api.post("/webhooks", {"url": r.url, "events": ["booking.expired"]})
        assert hook.status_code == 201, hook.text
        expiry = now_utc() + timedelta(seconds=3)
        held = book(
            api, ids, at(monday, 8), at(monday, 8, 50), is_temporary=True, expires_at=format_timestamp(expiry)
        )
        assert held.status_code == 201, held.text
        assert parse_timestamp(held.json()["expires_at"]) == expiry
        assert book(api, ids, at(monday, 8), at(monday, 8, 50)).status_code == 422  # held

        while now_utc() < expiry:
            time.sleep(0.05)
        taken = book(api, ids, at(monday, 8), at(monday, 8, 50))
        freed_after = (now_utc() - expiry).total_seconds()

        assert taken.status_code == 201, taken.text
        assert freed_after < 1.0
        # Never kept: refused as expired (422) while the expired hold is stored, not found (404) once its
        # hold timer, due at the expiry, has swept it (a loaded machine may take that long to send it)
        late = api.patch(f"/bookings/{held.json()['id']}", {"is_temporary": False})
        assert late.status_code in (404, 422), late.text
        if late.status_code == 422:
            assert list(late.json()["errors"]) == ["is_temporary"]
        expired = _wait_for(r, "booking.expired")
    assert [e["data"]["id"] for e in expired] == [held.json()["id"]]
    assert expired[0]["type"] == "booking.expired"
    assert api.get(f"/bookings/{held.json()['id']}").status_code == 404
    assert api.get(f"/bookings/{taken.json()['id']}").json()["is_temporary"] is False


def test_the_projects_default_hold_time_gives_a_hold_its_expiry(local_server: LocalServer) -> None:
    admin = local_server.store.projects
    project = admin.create_project("Shop", rate_limit=100_000, default_hold_time="PT15M")
    _, token = admin.create_token(project.id, "test", list(ALL_ABILITIES))
    api = Api(local_server.base_url, token, project.id, requests.Session())
    ids = guide_setup(api)
    monday = next_monday()

    before = now_utc()
    held = book(api, ids, at(monday, 8), at(monday, 8, 50), is_temporary=True).json()
    forever = book(api, ids, at(monday, 9), at(monday, 9, 50), is_temporary=True, expires_at=None).json()

    expires = parse_timestamp(held["expires_at"])
    assert before + timedelta(minutes=15) <= expires <= now_utc() + timedelta(minutes=15)
    assert forever["expires_at"] is None
    final = api.patch(f"/bookings/{held['id']}", {"is_temporary": False}).json()
    assert (final["is_temporary"], final["expires_at"]) == (False, None)
