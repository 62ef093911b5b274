"""A project's usage of a day is counted in one item per writer slot, so concurrent metering batches and
webhook attempts never update one item in two transactions at once (no conflict cancels a batch), and the
count stays exact: none lost or doubled under injected conflicts, throttles, lost answers and replays."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.storage import keys
from kairos.storage.request_log_store import RequestLogStore
from kairos.storage.usage_store import UsageStore, usage_writer
from kairos.usage.report import UsageDay
from kairos_local.faults import Fault, Faults, attach
from tests.unit.usage.test_metering_overload import batch, handle
from tests.unit.usage.test_usage import usage_event

DAYS = ("2030-05-20", "2030-05-21")


def events_of(project_id: str, count: int) -> list[dict[str, Any]]:
    return [
        usage_event(f"e{n:03d}", f"{DAYS[n % 2]}T08:{n // 60:02d}:{n % 60:02d}+00:00", n, project_id)
        for n in range(count)
    ]


@pytest.fixture
def counter_keys_in_flight(container: Container) -> Iterator[list[set[str]]]:
    """Records, for every transaction while it is in flight, the usage counter items it updates, and fails
    the test if another transaction in flight updates one of them."""
    client, flying, lock = container.table.client, [], threading.Lock()
    real = client.transact_write_items
    overlaps: list[set[str]] = []

    def watched(**request: Any) -> Any:
        counters = {
            f"{i['Update']['Key']['PK']['S']}/{i['Update']['Key']['SK']['S']}"
            for i in request["TransactItems"]
            if "Update" in i and i["Update"]["Key"]["PK"]["S"].startswith("USAGE#")
        }
        with lock:
            overlaps.extend(counters & other for other in flying if counters & other)
            flying.append(counters)
        try:
            return real(**request)
        finally:
            with lock:
                flying.remove(counters)

    client.transact_write_items = watched  # type: ignore[method-assign]
    yield overlaps


def test_concurrent_batches_of_one_project_never_share_a_counter_item(
    container: Container, principal: Principal, counter_keys_in_flight: list[set[str]]
) -> None:
    store = UsageStore(container.table)
    events = events_of(principal.project_id, 80)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: handle(container, batch(*events[n : n + 5])), range(0, 80, 5)))
    assert counter_keys_in_flight == []
    assert store.days(principal.project_id, DAYS[0], DAYS[1]) == [
        UsageDay(DAYS[0], 40, sum(range(0, 80, 2)), 0),
        UsageDay(DAYS[1], 40, sum(range(1, 80, 2)), 0),
    ]


def test_a_writer_slot_is_held_by_one_transaction_at_a_time_and_reused_after() -> None:
    with usage_writer() as first, usage_writer() as second:
        assert first != second
    with usage_writer() as again:
        assert again in {first, second}


def lose_answers(container: Container, every: int) -> Callable[[], int]:
    """Every `every`-th transaction written is answered with a 500 (its answer lost): how many were."""
    client = container.table.client
    real, calls, lost = client.transact_write_items, [0], [0]

    def flaky(**request: Any) -> Any:
        answer = real(**request)
        calls[0] += 1
        if calls[0] % every == 0:
            lost[0] += 1
            error = {"Error": {"Code": "InternalServerError", "Message": "lost"}}
            raise ClientError(error, "TransactWriteItems")  # type: ignore[arg-type]
        return answer

    client.transact_write_items = flaky  # type: ignore[method-assign]
    return lambda: lost[0]


def test_the_count_is_exact_under_conflicts_throttles_lost_answers_and_replays(
    container: Container, principal: Principal
) -> None:
    p = principal.project_id
    faults = attach(
        container.table.client.meta.events,
        Faults(
            [
                Fault(partition="USAGE#*", on="write", error="TransactionConflict", every=2),
                Fault(partition="REQLOG#*", on="write", error="ThrottlingException", every=7),
            ]
        ),
    )
    lost = lose_answers(container, every=2)
    events = events_of(p, 60)
    batches = [events[n : n + 10] for n in range(0, 60, 10)]
    pending = {n: list(b) for n, b in enumerate(batches)}
    rounds = 0
    while pending and rounds < 20:  # SQS hands back what failed, until all is counted
        rounds += 1
        with ThreadPoolExecutor(max_workers=3) as pool:
            failed = dict(
                zip(pending, pool.map(lambda b: handle(container, batch(*b)), pending.values()), strict=True)
            )
        pending = {n: [e for e in pending[n] if f"m-{e['id']}" in failed[n]] for n in pending if failed[n]}
    assert not pending
    for whole in batches:  # and every batch is delivered once more, whole (at-least-once)
        handle(container, batch(*whole))
    assert {hit.error for hit in faults.hits} >= {"TransactionConflict", "ThrottlingException"}
    assert lost() >= 2  # written batches heard a failure, and came back
    assert UsageStore(container.table).days(p, DAYS[0], DAYS[1]) == [
        UsageDay(DAYS[0], 30, sum(range(0, 60, 2)), 0),
        UsageDay(DAYS[1], 30, sum(range(1, 60, 2)), 0),
    ]
    logged = list(RequestLogStore(container.table).read_log(p, None, None, None))
    assert sorted(entry.event_id for _, entry in logged) == sorted(e["id"] for e in events)


def test_a_day_counted_before_the_split_is_read_with_the_new_items(
    container: Container, principal: Principal
) -> None:
    p = principal.project_id
    legacy = {"PK": keys.usage_partition(p), "SK": keys.usage_day_sort_key(DAYS[0])}
    container.table.client.put_item(
        TableName=container.table.name,
        Item={**{k: {"S": v} for k, v in legacy.items()}, "day": {"S": DAYS[0]}, "requests": {"N": "7"}},
    )
    handle(container, batch(*events_of(p, 2)))
    assert UsageStore(container.table).days(p, DAYS[0], DAYS[1]) == [
        UsageDay(DAYS[0], 8, 0, 0),
        UsageDay(DAYS[1], 1, 1, 0),
    ]


def test_a_busy_tokens_last_use_is_written_once_a_minute_not_by_every_batch(
    container: Container, principal: Principal
) -> None:
    p = principal.project_id
    writes: list[str] = []
    container.table.client.meta.events.register(
        "provide-client-params.dynamodb.UpdateItem",
        lambda params, **_: writes.append(params["Key"]["PK"]["S"]),
    )
    used = [{**e, "detail": {**e["detail"], "token_id": "t1"}} for e in events_of(p, 120)]
    for first in range(0, 60, 10):  # the first minute (even events fall on one day, odd on the next)
        handle(container, batch(*used[first : first + 10]))
    handle(container, batch(*used[60:70]))  # a minute on
    assert writes.count(keys.token_use_partition(p)) == 2
    noted = RequestLogStore(container.table).last_used(p)["t1"]
    assert noted.isoformat() == f"{DAYS[1]}T08:01:09+00:00"
