"""Delivery lanes: at most `lanes` attempts in flight to one subscription, across dispatcher instances; a
delivery that finds every lane taken waits in the queue (not an attempt), so a slow receiver holds no more
threads or instances than its lanes and deliveries to other subscriptions go on beside it."""

import threading
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from kairos.container import Container
from kairos.storage.webhook_store import LaneStore
from kairos.webhooks.delivery import PENDING, RETRY_KIND, SUCCEEDED, DeliveryPolicy
from tests.unit.webhooks.receiver import Receiver, receiver
from tests.unit.webhooks.test_dispatcher import BUDGET, POLICY, World, world  # noqa: F401 (the fixture)

WAIT_SECONDS = 30.0  # at most, for what a background dispatch must reach


def _until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)


def _holding(r: Receiver) -> None:
    """The receiver answers only once the test lets it (`r.closing`): its requests stay in flight."""
    r.delay = WAIT_SECONDS


def _in_background(work: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_a_subscription_never_has_more_attempts_in_flight_than_its_lanes(
    world: World,  # noqa: F811
    container: Container,
) -> None:
    world.dispatcher = world.dispatcher_with(container, replace(POLICY, lanes=2), time.monotonic)
    with receiver() as r:
        _holding(r)
        hook = world.subscribe(r.url)
        events = [world.event(event_id=f"evt-{n}") for n in range(5)]
        sending = _in_background(lambda: world.dispatcher.dispatch(events, BUDGET))
        _until(lambda: len(r.received) == 2 and len(world.queue.sent) == 3)
        assert len(r.received) == 2  # two lanes: the other three wait in the queue, not in a thread
        waiting = [message for message, _ in world.queue.sent]
        assert [(m["kind"], m["attempts"], m["waits"]) for m in waiting] == [(RETRY_KIND, 0, 1)] * 3
        assert all(1 <= delay <= 2 for _, delay in world.queue.sent)
        log = world.deliveries(hook["id"])
        assert sorted((d["status"], d["attempts"]) for d in log) == [(PENDING, 0)] * 5
        r.closing.set()
        sending.join()
        world.run_retries()
    log = world.deliveries(hook["id"])
    assert [(d["status"], d["attempts"]) for d in log] == [(SUCCEEDED, 1)] * 5
    assert sorted(g.headers["x-kairos-delivery"] for g in r.received) == sorted(d["id"] for d in log)


def test_a_slow_receiver_holding_its_lanes_does_not_hold_another_instances_batch(
    world: World,  # noqa: F811
    container: Container,
) -> None:
    """One instance is held by the slow receiver; another instance's batch, with an event for each
    receiver, is done at once: the fast receiver has its event and the slow one's waits in the queue."""
    policy = replace(POLICY, lanes=1)
    world.dispatcher = world.dispatcher_with(container, policy, time.monotonic)
    other_instance = world.dispatcher_with(container, policy, time.monotonic)
    with receiver() as slow, receiver() as fast:
        _holding(slow)
        slow_hook = world.subscribe(slow.url, ["booking.created"])
        world.subscribe(fast.url, ["booking.updated"])
        held = _in_background(lambda: world.dispatcher.dispatch([world.event(event_id="evt-1")], BUDGET))
        _until(lambda: len(slow.received) == 1)
        batch = [world.event(event_id="evt-2"), world.event("booking.updated", event_id="evt-3")]
        assert other_instance.dispatch(batch, BUDGET) == [True, True]
        assert len(fast.received) == 1 and len(slow.received) == 1
        assert [m["waits"] for m, _ in world.queue.sent] == [1]
        slow.closing.set()
        held.join()
        world.run_retries()
    assert [d["status"] for d in world.deliveries(slow_hook["id"])] == [SUCCEEDED, SUCCEEDED]
    assert len(slow.received) == 2


def test_a_delivery_still_waiting_waits_longer_each_time_up_to_a_whole_attempt() -> None:
    waiting = [POLICY.wait_for_lane(waits) for waits in range(8) for _ in range(20)]
    assert min(waiting) == 1 and max(waiting) <= 15  # 5 s to send and the 10 s timeout
    assert max(POLICY.wait_for_lane(0) for _ in range(50)) <= 2


def test_a_lane_is_taken_by_one_holder_and_freed_by_it_or_when_its_time_is_up(container: Container) -> None:
    lanes = LaneStore(container.table)
    assert lanes.take("p", "w", 0, "first", now=100, until=118)
    assert not lanes.take("p", "w", 0, "second", now=117, until=135)
    assert lanes.take("p", "w", 1, "second", now=117, until=135)  # another lane of the subscription
    assert lanes.take("p", "w2", 0, "third", now=117, until=135)  # another subscription's lane
    assert lanes.take("p", "w", 0, "fourth", now=119, until=137)  # the first holder's time is up
    lanes.give_back("p", "w", 0, "first")  # no longer its lane: left alone
    assert not lanes.take("p", "w", 0, "fifth", now=120, until=138)
    lanes.give_back("p", "w", 0, "fourth")
    assert lanes.take("p", "w", 0, "fifth", now=120, until=138)


def test_the_lanes_come_from_the_environment_and_are_at_least_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DeliveryPolicy.from_environment().lanes == 4
    monkeypatch.setenv("KAIROS_WEBHOOK_LANES", "2")
    assert DeliveryPolicy.from_environment().lanes == 2
    monkeypatch.setenv("KAIROS_WEBHOOK_LANES", "0")
    with pytest.raises(ValueError, match="KAIROS_WEBHOOK_LANES"):
        DeliveryPolicy.from_environment()
