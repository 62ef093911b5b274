"""The dispatcher against a real HTTP receiver on 127.0.0.1: signed deliveries, retries with backoff,
dead-lettering, dedup of a redelivered event, the delivery log, and batches: sent in parallel within a
time budget, each message with its own outcome."""

import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos.api.queue_entry import make_budgeted_queue_handler
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.events.definitions import BUDGET_RESERVE_SECONDS
from kairos.outbound.sender import longest_attempt
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.usage_store import UsageStore
from kairos.storage.webhook_store import DeliveryStore, LaneStore
from kairos.webhooks.delivery import (
    DEAD,
    MAX_TIMEOUT_SECONDS,
    PENDING,
    SUCCEEDED,
    DeliveryPolicy,
    Dispatcher,
)
from kairos.webhooks.signing import verify_signature
from kairos.webhooks.subscriptions import Webhooks
from kairos_local.lambda_runtime import LambdaContext
from tests.unit.conftest import Figures
from tests.unit.webhooks.receiver import receiver

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
# A receiver in the test answers at once, but a busy machine may take a second to run it: 5 s keeps a slow
# answer from counting as a failed attempt. HASTY is for the receiver that is meant to be too slow.
POLICY = DeliveryPolicy(
    backoff_seconds=10, max_backoff_seconds=1800, give_up_after_seconds=3600, timeout_seconds=5.0
)
HASTY = replace(POLICY, timeout_seconds=0.2)
BUDGET = 60.0  # seconds: more than any test needs, unless it is about the budget
PATIENT = DeliveryPolicy(timeout_seconds=MAX_TIMEOUT_SECONDS)  # an answer is awaited as long as allowed


class Queue:
    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, Any], int]] = []

    def send(self, message: Mapping[str, Any], delay_seconds: int) -> None:
        self.sent.append((dict(message), delay_seconds))


class World:
    def __init__(self, container: Container, principal: Principal) -> None:
        self.now = T0
        self.queue = Queue()
        self.principal = principal
        self.project_id = principal.project_id
        self.webhooks = Webhooks(CatalogueStore(container.table), lambda url: None, lambda: self.now)
        self.usage = UsageStore(container.table)
        self.dispatcher = self.dispatcher_with(container, POLICY, time.monotonic)

    def dispatcher_with(
        self, container: Container, policy: DeliveryPolicy, monotonic: Callable[[], float]
    ) -> Dispatcher:
        return Dispatcher(
            self.webhooks,
            DeliveryStore(container.table),
            self.queue,
            policy,
            LaneStore(container.table),
            clock=lambda: self.now,
            monotonic=monotonic,
        )

    def handle(self, message: dict[str, Any]) -> None:
        """One message, as a batch of its own, which must be done."""
        assert self.dispatcher.dispatch([message], BUDGET) == [True]

    def subscribe(self, url: str, events: list[str] | None = None) -> dict[str, Any]:
        return self.webhooks.create(self.project_id, {"url": url, "events": events or ["*"]})

    def event(self, event_type: str = "booking.created", event_id: str = "evt-1") -> dict[str, Any]:
        envelope = {
            "id": event_id,
            "type": event_type,
            "version": "1",
            "project_id": self.project_id,
            "time": "2030-05-01T12:00:00+00:00",
            "data": {"id": "b-1", "is_canceled": False},
            "changes": None,
        }
        return {
            "version": "0",
            "id": "eb-1",
            "detail-type": event_type,
            "source": "kairos",
            "detail": envelope,
        }

    def deliveries(self, webhook_id: str) -> list[dict[str, Any]]:
        return self.dispatcher.deliveries(self.project_id, webhook_id, {}).items

    def run_retries(self) -> None:
        """Plays the queue: each retry message is handled once its delay has passed."""
        while self.queue.sent:
            message, delay = self.queue.sent.pop(0)
            self.now += timedelta(seconds=delay)
            self.handle(message)


@pytest.fixture
def world(container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("KAIROS_ALLOW_LOOPBACK_WEBHOOKS", "true")
    return World(container, principal)


def test_a_2xx_is_one_signed_delivery(world: World) -> None:
    with receiver() as r:
        hook = world.subscribe(r.url)
        world.handle(world.event())
    [got] = r.received
    assert got.headers["x-kairos-event"] == "booking.created"
    assert json.loads(got.body)["data"]["id"] == "b-1"
    verify_signature(got.headers["x-kairos-signature"], got.body, hook["secret"], now=int(T0.timestamp()))
    [log] = world.deliveries(hook["id"])
    assert log["id"] == got.headers["x-kairos-delivery"]
    assert (log["status"], log["attempts"], log["response_code"]) == (SUCCEEDED, 1, 200)
    assert world.queue.sent == []
    assert world.usage.days(world.project_id, "2030-05-01", "2030-05-01")[0].webhook_attempts == 1


def test_only_enabled_subscriptions_that_want_the_type_get_it(world: World) -> None:
    with receiver() as r:
        world.subscribe(r.url, ["booking.canceled"])
        off = world.subscribe(r.url)
        world.webhooks.patch(world.principal, off["id"], {"enabled": False})
        world.subscribe(r.url)
        world.handle(world.event("booking.created"))
        assert len(r.received) == 1
        world.handle(world.event("booking.canceled", "evt-2"))
    assert len(r.received) == 3


def test_the_same_event_twice_is_delivered_once(world: World) -> None:
    with receiver() as r:
        world.subscribe(r.url)
        world.handle(world.event())
        world.handle(world.event())
    assert len(r.received) == 1


def test_a_5xx_is_retried_with_backoff_until_the_receiver_answers(world: World) -> None:
    with receiver() as r:
        hook = world.subscribe(r.url)
        r.status = 503
        world.handle(world.event())
        [(retry, delay)] = world.queue.sent
        assert delay == 10
        [log] = world.deliveries(hook["id"])
        assert (log["status"], log["response_code"]) == (PENDING, 503)
        world.queue.sent.clear()
        world.now += timedelta(seconds=10)
        world.handle(retry)
        assert world.queue.sent[0][1] == 20  # doubled
        r.status = 204
        world.run_retries()
    [log] = world.deliveries(hook["id"])
    assert (log["status"], log["attempts"], log["response_code"]) == (SUCCEEDED, 3, 204)
    assert len({got.headers["x-kairos-delivery"] for got in r.received}) == 1


def test_a_receiver_that_never_answers_in_time_ends_dead(world: World, container: Container) -> None:
    world.dispatcher = world.dispatcher_with(container, HASTY, time.monotonic)
    with receiver() as r:
        hook = world.subscribe(r.url)
        r.delay = 0.5  # longer than the 0.2 s timeout
        world.handle(world.event())
        world.run_retries()
    [log] = world.deliveries(hook["id"])
    assert log["status"] == DEAD and log["response_code"] is None
    # 10, 20, 40, ... seconds apart: the last attempt is the first one at or after the give-up age
    assert log["attempts"] == 10
    assert datetime.fromisoformat(log["last_attempt_at"]) - T0 >= timedelta(
        seconds=POLICY.give_up_after_seconds
    )
    assert world.dispatcher.deliveries(world.project_id, hook["id"], {"status": "dead"}).total == 1


def test_a_refused_connection_is_a_failed_attempt(world: World) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    hook = world.subscribe(f"http://127.0.0.1:{port}/")
    world.handle(world.event())
    [log] = world.deliveries(hook["id"])
    assert log["status"] == PENDING and log["response_code"] is None and "Connection" in log["error"]


def test_delays_longer_than_sqs_allows_are_requeued_in_hops(world: World) -> None:
    with receiver() as r:
        world.subscribe(r.url)
        r.status = 500
        world.handle(world.event())
        for _ in range(7):  # failures 1..7: delays 10 .. 640, then 1280 (more than 900)
            message, delay = world.queue.sent.pop(0)
            world.now += timedelta(seconds=delay)
            world.handle(message)
        message, delay = world.queue.sent.pop(0)
        assert delay == 900
        world.now += timedelta(seconds=900)
        before = len(r.received)
        world.handle(message)  # not due yet: re-queued for the rest
        assert len(r.received) == before and world.queue.sent[-1][1] == 380


def test_a_redelivery_is_a_new_queued_delivery_of_the_same_body(world: World) -> None:
    with receiver() as r:
        hook = world.subscribe(r.url)
        world.handle(world.event())
        original = world.deliveries(hook["id"])[0]
        again = world.dispatcher.redeliver(world.project_id, hook["id"], original["id"])
        assert again["id"] != original["id"] and again["status"] == PENDING
        world.run_retries()
    assert r.received[0].body == r.received[1].body
    assert {d["status"] for d in world.deliveries(hook["id"])} == {SUCCEEDED}


def test_the_policy_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_WEBHOOK_BACKOFF_SECONDS", "2")
    monkeypatch.setenv("KAIROS_WEBHOOK_GIVE_UP_AFTER_SECONDS", "8")
    policy = DeliveryPolicy.from_environment()
    assert [policy.delay_after(n) for n in (1, 2, 3)] == [2, 4, 8]
    assert policy.give_up_after_seconds == 8 and policy.timeout_seconds == 10.0


def test_a_timeout_the_dispatchers_budget_cannot_hold_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """30 s of function, less 3 s kept back and 5 s to send: 22 s at most, or no attempt could ever start."""
    monkeypatch.setenv("KAIROS_WEBHOOK_TIMEOUT_SECONDS", "23")
    with pytest.raises(ValueError, match=r"KAIROS_WEBHOOK_TIMEOUT_SECONDS .* at most 22"):
        DeliveryPolicy.from_environment()
    monkeypatch.setenv("KAIROS_WEBHOOK_TIMEOUT_SECONDS", "22")
    assert DeliveryPolicy.from_environment().timeout_seconds == 22


# --- batches -----------------------------------------------------------------------------------------


def frozen() -> float:
    """A budget clock that does not move: each attempt gets exactly the budget given (or the timeout)."""
    return 0.0


def test_a_batch_is_sent_in_parallel_across_messages_and_subscriptions(
    world: World, container: Container
) -> None:
    """The receiver answers 200 only to requests that are in flight together: one by one, each would
    wait for the others in vain and fail."""
    world.dispatcher = world.dispatcher_with(container, PATIENT, time.monotonic)
    with receiver() as r:
        r.together = threading.Barrier(6, timeout=10)
        hooks = [world.subscribe(r.url) for _ in range(3)]
        done = world.dispatcher.dispatch(
            [world.event(event_id="evt-1"), world.event(event_id="evt-2")], BUDGET
        )
    assert done == [True, True]
    assert len(r.received) == 6
    for hook in hooks:
        assert [d["status"] for d in world.deliveries(hook["id"])] == [SUCCEEDED, SUCCEEDED]


def test_a_receiver_is_never_cut_short_by_the_budget_its_message_waits_for_a_whole_attempt(
    world: World, container: Container
) -> None:
    """The receiver answers within the policy's 5 s, but later than the 1.5 s the budget has left: cut
    short, it would have the event and get it again on the retry."""
    world.dispatcher = world.dispatcher_with(container, POLICY, frozen)
    with receiver() as r:
        r.delay = 2
        hook = world.subscribe(r.url)
        assert world.dispatcher.dispatch([world.event()], budget_seconds=1.5) == [False]
        assert r.received == [] and world.deliveries(hook["id"]) == []
        whole = longest_attempt(POLICY.timeout_seconds)
        assert world.dispatcher.dispatch([world.event()], budget_seconds=whole) == [True]
    assert len(r.received) == 1 and world.queue.sent == []
    assert [d["status"] for d in world.deliveries(hook["id"])] == [SUCCEEDED]


def test_each_attempts_outcome_is_counted(world: World, published: Figures) -> None:
    with receiver() as r:
        world.subscribe(r.url)
        r.status = 500
        world.handle(world.event())
        world.handle(world.event(event_id="evt-2"))
        r.status = 200
        world.handle(world.event(event_id="evt-3"))
    assert published() == {"WebhookDeliveriesFailed": 2, "WebhookDeliveriesSucceeded": 1}


def test_each_message_of_a_batch_has_its_own_outcome(world: World) -> None:
    broken = {"source": "kairos", "detail": {"id": "evt-x", "type": "booking.created"}}  # no project
    with receiver() as r:
        world.subscribe(r.url)
        done = world.dispatcher.dispatch(
            [world.event(event_id="evt-1"), broken, world.event(event_id="evt-2")], BUDGET
        )
    assert done == [True, False, True]
    assert len(r.received) == 2


def test_the_queue_function_gives_the_batch_its_remaining_time_and_reports_only_unfinished_messages() -> None:
    seen: list[tuple[list[dict[str, Any]], float]] = []

    def dispatch(bodies: list[dict[str, Any]], budget: float) -> list[bool]:
        seen.append((bodies, budget))
        return [True, False]

    handler = make_budgeted_queue_handler(lambda container: dispatch)
    records = [
        {"messageId": "m-1", "body": json.dumps({"n": 1})},
        {"messageId": "m-2", "body": "not json"},
        {"messageId": "m-3", "body": json.dumps({"n": 3})},
    ]
    context = LambdaContext(function_name="kairos-webhook_dispatcher", aws_request_id="r-1")
    answer = handler({"Records": records}, context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-3"}]}
    [(bodies, budget)] = seen
    assert bodies == [{"n": 1}, {"n": 3}]
    assert budget == context.get_remaining_time_in_millis() / 1000 - BUDGET_RESERVE_SECONDS
