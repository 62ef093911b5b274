"""The metering function under overload (docs/usage.md): one bad or throttled message never fails the
others of its batch (partial batch failures), and a throttled usage write comes back and is counted
exactly once, however often its batch is handed over again."""

import json
from typing import Any

from kairos.api.queue_entry import make_queue_handler
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.storage import retries
from kairos.storage.usage_store import UsageStore
from kairos_local.faults import Fault, Faults, attach
from kairos_local.lambda_runtime import LambdaContext
from tests.unit.usage.test_usage import usage_event

DAY = "2030-05-20"


def metering_function(container: Container) -> Any:
    """The metering function as `functions/metering/handler.py` makes it, on the test's table."""
    return make_queue_handler(
        lambda _: container.metering.record, handle_all=lambda _: container.metering.record_all
    )


def batch(*events: dict[str, Any]) -> dict[str, Any]:
    records = [{"messageId": f"m-{e['id']}", "body": json.dumps(e), "eventSource": "aws:sqs"} for e in events]
    return {"Records": records}


def requests_counted(container: Container, project_id: str) -> int:
    return sum(day.requests for day in UsageStore(container.table).days(project_id, DAY, DAY))


def handle(container: Container, message_batch: dict[str, Any]) -> list[str]:
    """The ids of the messages the function sends back to the queue."""
    answer = metering_function(container)(message_batch, LambdaContext("kairos-metering", "test"))
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def test_one_bad_message_fails_alone_and_the_others_of_its_batch_are_counted(
    container: Container, principal: Principal
) -> None:
    p = principal.project_id
    bad = {"id": "bad", "source": "kairos.usage", "detail-type": "api.request"}  # no detail
    good = [usage_event(name, f"{DAY}T08:00:00+00:00", 10, p) for name in ("a", "b")]
    assert handle(container, batch(good[0], bad, good[1])) == ["m-bad"]
    assert requests_counted(container, p) == 2


def test_a_throttled_usage_write_comes_back_alone_and_is_counted_exactly_once(
    container: Container, principal: Principal
) -> None:
    busy, calm = principal.project_id, container.projects.create_project("Calm clinic").id
    # the batch's transaction, then the busy project's own, each tried TRANSACTION_ATTEMPTS times
    throttled = Fault(
        partition=f"USAGE#{busy}#*",
        on="write",
        error="ThrottlingException",
        times=2 * retries.TRANSACTION_ATTEMPTS,
    )
    faults = attach(container.table.client.meta.events, Faults([throttled]))
    events = batch(
        usage_event("x", f"{DAY}T08:00:00+00:00", 10, busy),
        usage_event("y", f"{DAY}T08:00:01+00:00", 10, calm),
    )
    assert handle(container, events) == ["m-x"]
    assert (requests_counted(container, busy), requests_counted(container, calm)) == (0, 1)
    assert len(faults.hits) == 2 * retries.TRANSACTION_ATTEMPTS
    for _ in range(2):  # SQS hands the message back (and, at least once, the whole batch again)
        assert handle(container, events) == []
        assert (requests_counted(container, busy), requests_counted(container, calm)) == (1, 1)
