"""Through a local server with the real 10 s webhook timeout: one tenant's slow receiver does not hold back
another tenant's deliveries (issue 22, part 5). The slow receiver keeps every request in flight until the
test lets it answer; the fast receiver gets all its events while those requests are still held (no attempt
of the slow receiver's deliveries has ended), and the slow receiver never has more requests in flight than
its subscription's lanes."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from kairos.abilities import ALL_ABILITIES
from kairos.webhooks.delivery import DeliveryPolicy
from tests.integration.conftest import Api, LocalServer, serving
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday
from tests.integration.test_webhooks import _deliveries, _until
from tests.unit.webhooks.receiver import Receiver, receiver

LANES = DeliveryPolicy().lanes
SLOW_EVENTS = LANES + 2  # more than the slow subscription may have in flight
FAST_EVENTS = 4
HELD_SECONDS = 120.0  # the slow receiver answers when the test says so (Kairos hangs up after 10 s)
# Retries within seconds; the timeout, the lanes and everything else as deployed.
SETTINGS = {"KAIROS_WEBHOOK_BACKOFF_SECONDS": "1", "KAIROS_WEBHOOK_MAX_BACKOFF_SECONDS": "2"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with serving(tmp_path_factory.mktemp("kairos-isolation"), SETTINGS) as running:
        yield running


def _tenant(server: LocalServer) -> Api:
    project = server.store.projects.create_project("Isolation test", rate_limit=100_000)
    _, token = server.store.projects.create_token(project.id, "test", list(ALL_ABILITIES))
    return Api(server.base_url, token, project.id, requests.Session())


def _booking_events(api: Api, receiver_url: str, count: int) -> Callable[[], Any]:
    """Sets up the tenant's clinic and its subscription to `receiver_url`; returns what makes `count`
    events (a booking, then updates of it), so that they can be made when the test is ready."""
    ids = guide_setup(api)
    hook = api.post("/webhooks", {"url": receiver_url, "events": ["booking.created", "booking.updated"]})
    assert hook.status_code == 201, hook.text

    def make() -> str:
        monday = next_monday()
        booking = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
        for n in range(count - 1):
            assert api.patch(f"/bookings/{booking['id']}", {"metadata": {"n": n}}).status_code == 200
        return str(hook.json()["id"])

    return make


def _held(r: Receiver) -> Receiver:
    r.delay = HELD_SECONDS
    return r


def test_a_fast_receiver_gets_its_events_while_a_slow_receivers_requests_are_still_held(
    server: LocalServer,
) -> None:
    slow_tenant, fast_tenant = _tenant(server), _tenant(server)
    with receiver() as held, receiver() as fast:
        slow_events = _booking_events(slow_tenant, _held(held).url, SLOW_EVENTS)
        fast_events = _booking_events(fast_tenant, fast.url, FAST_EVENTS)
        slow_hook = slow_events()
        _until(lambda: len(held.received) == LANES)  # every lane of the slow subscription is held
        fast_hook = fast_events()
        _until(lambda: len(fast.received) == FAST_EVENTS)
        assert len(fast.received) == FAST_EVENTS
        # Still held: no attempt to the slow receiver has ended (Kairos would have hung up on it after 10 s
        # and recorded a failed attempt), and it never had more requests than its lanes.
        slow_log = _deliveries(slow_tenant, slow_hook)
        assert sorted((d["status"], d["attempts"]) for d in slow_log) == [("pending", 0)] * SLOW_EVENTS
        assert len(held.received) == LANES
        held.closing.set()  # the slow receiver answers now, and at once from here on
        _until(lambda: {d["status"] for d in _deliveries(slow_tenant, slow_hook)} == {"succeeded"})
    assert [d["status"] for d in _deliveries(fast_tenant, fast_hook)] == ["succeeded"] * FAST_EVENTS
    slow_log = _deliveries(slow_tenant, slow_hook)
    assert [d["status"] for d in slow_log] == ["succeeded"] * SLOW_EVENTS
    assert {g.headers["x-kairos-delivery"] for g in held.received} == {d["id"] for d in slow_log}
