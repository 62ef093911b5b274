"""The dispatcher under overload (docs/webhooks.md): an attempt is counted in the project's usage once,
with its record in the delivery log, even when that write is throttled and its message comes back."""

from datetime import timedelta

from kairos.container import Container
from kairos.storage import retries
from kairos_local.faults import Fault, Faults, attach
from tests.unit.webhooks.receiver import receiver
from tests.unit.webhooks.test_dispatcher import BUDGET, World, world  # noqa: F401 (the fixture)


def test_an_attempt_is_counted_once_with_its_record_when_that_write_is_throttled(
    world: World,  # noqa: F811
    container: Container,
) -> None:
    with receiver() as r:
        hook = world.subscribe(r.url)
        r.status = 500
        world.handle(world.event())  # attempt 1, recorded and counted; its retry is queued
        retry, delay = world.queue.sent.pop(0)
        world.now += timedelta(seconds=delay)
        throttled = Fault(  # the usage count, in the record's transaction (not the lane taken before)
            partition=f"USAGE#{world.project_id}#*",  # its day item, in its writer's shard
            on="write",
            error="ThrottlingException",
            times=retries.TRANSACTION_ATTEMPTS,
        )
        attach(container.table.client.meta.events, Faults([throttled]))
        assert world.dispatcher.dispatch([retry], BUDGET) == [False]  # attempt 2 made, its record throttled
        assert world.dispatcher.dispatch([retry], BUDGET) == [True]  # back from the queue: made and recorded
    assert len(r.received) == 3
    [log] = world.deliveries(hook["id"])
    assert log["attempts"] == 2
    [day] = world.usage.days(world.project_id, "2030-05-01", "2030-05-01")
    assert day.webhook_attempts == log["attempts"]
