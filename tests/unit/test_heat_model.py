"""The key-heat model's arithmetic (bench/heat_model.py): recorded calls become the load DynamoDB would
put on each partition, and keys fall into patterns whatever their family, so the model reads a key design
it was not written for."""

from typing import Any

import pytest

from bench.heat_metering import as_deployed, metering_feed
from bench.heat_model import (
    Sample,
    by_pattern,
    charges,
    hottest_share,
    partition_loads,
    pattern,
    shared_by_every_project,
)
from kairos_local.aws_calls import accesses

P1 = "0b5c1c2e-1f00-4c7e-9d3a-1234567890ab"
P2 = "7f1d2a3b-0000-4000-8000-abcdefabcdef"
R1 = "11111111-2222-4333-8444-555555555555"


def s(value: str) -> dict[str, str]:
    return {"S": value}


def item(pk: str, sk: str, size: int = 0, **more: str) -> dict[str, Any]:
    return {"PK": s(pk), "SK": s(sk), "data": s("x" * size), **{k: s(v) for k, v in more.items()}}


def call(operation: str, params: dict[str, Any], response: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "service": "dynamodb",
        "client": "dynamodb",
        "operation": operation,
        "params": params,
        "response": response,
    }


def test_units_follow_dynamodbs_rules_with_index_copies_and_transactions() -> None:
    booking = item(f"PROJECT#{P1}", "BOOKING#b", 1500, GSI2PK=f"PROJECT#{P1}#RESOURCE#{R1}#BOOKINGS")
    transaction = call(
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"Item": booking}},
                {"ConditionCheck": {"Key": {"PK": s(f"PROJECT#{P1}"), "SK": s(f"RESOURCE#{R1}")}}},
            ]
        },
    )
    found = [c for a in accesses(transaction) for c in charges(a, {}, ["GSI2"])]
    # a 1.5 KB put: 2 units, doubled in a transaction; its index copy 2 units; the check 2 (1 KB, doubled)
    assert [(c.resource, c.kind, c.units) for c in found] == [
        ("table", "write", 4.0),
        ("index/GSI2", "write", 2.0),
        ("table", "write", 2.0),
    ]
    query = call(
        "Query",
        {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": s(f"PROJECT#{P1}")}},
        {"Items": [item(f"PROJECT#{P1}", f"R#{n}", 3000) for n in range(3)]},
    )
    (read,) = [c for a in accesses(query) for c in charges(a, {}, [])]
    assert read.units == 1.5  # ~9 KB summed before rounding: 3 units of 4 KB, eventually consistent


def test_an_update_is_charged_by_the_item_as_stored() -> None:
    key = {"PK": s(f"RATE#{P1}"), "SK": s("MONTH#2026-12")}
    update = call("UpdateItem", {"Key": key, "UpdateExpression": "ADD n :one"})
    stored = {(f"RATE#{P1}", "MONTH#2026-12"): item(f"RATE#{P1}", "MONTH#2026-12", 2500)}
    (charge,) = [c for a in accesses(update) for c in charges(a, stored, [])]
    assert (charge.units, charge.item) == (3.0, (f"RATE#{P1}", "MONTH#2026-12"))


def test_patterns_name_ids_values_and_keep_words() -> None:
    known = {P1: "project"}
    assert (
        pattern(f"PROJECT#{P1}#RESOURCE#{R1}#BOOKINGS", known)
        == "PROJECT#{project}#RESOURCE#{resource}#BOOKINGS"
    )
    assert pattern(f"RATE#{P1}", known) == "RATE#{project}"
    assert pattern(f"RATE#{P1}#7", known) == "RATE#{project}#{n}"
    assert pattern("MONTH#2026-12") == "MONTH#{time}"
    assert pattern("RATE#203.0.113.9") == "RATE#{address}"
    assert pattern("IDEMPOTENCY") == "IDEMPOTENCY"
    assert pattern(f"IDEMPOTENCY#{P1}#a3", known) == "IDEMPOTENCY#{project}#{value}"  # a shard of any shape


def write(pk: str, weight: float, sample: Sample, project: str | None, size: int = 100) -> None:
    put = call("PutItem", {"Item": item(pk, "X", size)})
    sample.add([c for a in accesses(put) for c in charges(a, {}, [])], weight, project)


def test_a_key_every_project_writes_is_loaded_by_all_projects_and_counted_as_shared() -> None:
    sample = Sample()
    for project in (P1, P2):
        write("IDEMPOTENCY", 1.0, sample, project)  # 1 write a second per project
        write(f"RATE#{project}", 1.0, sample, project)
    loads = {(load.key): load for load in partition_loads(sample, projects_total=10_000)}
    assert loads["IDEMPOTENCY"].write == 10_000.0
    assert loads[f"RATE#{P1}"].write == 1.0  # its own project's alone
    assert shared_by_every_project(sample) == [("table", "IDEMPOTENCY")]
    rows = by_pattern(loads.values(), {P1: "project", P2: "project"})
    assert (rows[0].pattern, rows[0].share) == ("IDEMPOTENCY", 10.0)


def test_shards_of_one_key_share_its_load_evenly() -> None:
    sample = Sample()
    for shard, times in ((0, 3), (1, 1)):  # uneven in the sample, even by design
        for _ in range(times):
            write(f"REQLOG#{P1}#{shard}", 100.0, sample, P1)
    loads = partition_loads(sample)
    assert sorted(load.write for load in loads) == [200.0, 200.0]
    (row,) = by_pattern(loads, {P1: "project"})
    assert (row.pattern, row.keys, row.write, row.hottest_write) == ("REQLOG#{project}#{n}", 2, 400.0, 200.0)


def test_the_share_of_a_groups_booking_writes_touching_one_item() -> None:
    counter = (f"RATE#{P1}", "MONTH#2026-12")
    requests = [("location a", frozenset({counter, (f"B#{n}", "B")})) for n in range(4)]
    requests += [("location b", frozenset({(f"B#{n}", "B")})) for n in range(4, 8)]
    share, where = hottest_share(requests)
    assert share == 1.0 and where.startswith("location a: RATE#")


def test_a_sample_touching_some_of_evenly_loaded_entities_stands_for_all_of_them() -> None:
    resources = {f"{n:08d}-2222-4333-8444-555555555555": "resource" for n in range(200)}
    sample = Sample()
    for resource in list(resources)[:10]:  # 10 lists of the 200 resources', each for 100 a second
        write(f"PROJECT#{P1}#RESOURCE#{resource}#BOOKINGS", 100.0, sample, P1)
    loads = partition_loads(sample, even=resources)
    assert {load.write for load in loads} == {5.0}  # 1,000 units a second over 200 resources
    (row,) = by_pattern(loads)
    assert (row.keys, row.write, row.hottest_write) == (200, 1000.0, 5.0)


def test_keys_by_time_count_as_the_current_one_taking_all_their_load() -> None:
    sample = Sample()
    for minute in ("2026-12-06T14:05", "2026-12-06T14:06"):  # a sample that spans two minutes
        write(f"REQLOG#{P1}#{minute}", 100.0, sample, P1)
    (load,) = partition_loads(sample)
    assert (pattern(load.key, {P1: "project"}), load.write) == ("REQLOG#{project}#{time}", 200.0)


def test_the_meterings_counter_updates_are_projected_over_its_deployed_batches_and_writers() -> None:
    """A local metering batch of 4 events updates one writer's day item; deployed, batches hold
    `batch_size` events and each of `max_concurrency` instances writes its own writer's item."""
    feed = metering_feed()
    day = call(
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"Item": item(f"REQLOG#{P1}#5", "000001#e1")}},
                {"Update": {"Key": {"PK": s(f"USAGE#{P1}#3"), "SK": s("DAY#2030-05-20#0123456789abcdef")}}},
            ]
        },
    )
    metering = {"function": "kairos-metering", "records": "4"}
    log_entry, counter = (as_deployed(metering, a, charges(a, {}, [])) for a in accesses(day))
    assert [(d.charge.partition, d.share) for d in log_entry] == [(f"REQLOG#{P1}#5", 1.0)]  # per event
    assert len({d.charge.item for d in counter}) == feed.max_concurrency  # a writer's item each
    assert sum(d.share for d in counter) == pytest.approx(4 / feed.batch_size)  # one update a batch
    assert {d.charge.partition.rsplit("#", 1)[0] for d in counter} == {f"USAGE#{P1}"}
    api = {"function": "kairos-bookings", "request": "r-1"}
    assert [d.share for a in accesses(day) for d in as_deployed(api, a, charges(a, {}, []))] == [1.0, 1.0]


def test_a_key_made_for_one_request_stands_for_one_of_as_many_as_requests_a_second() -> None:
    """Each request's bodies are written under a key of their own: two sampled requests, each standing
    for 500 a second, are 1,000 keys a second, each written once, not two keys written 500 times."""
    events = {f"{n:08d}-2222-4333-8444-555555555555": "event" for n in range(2)}
    sample = Sample()
    for event in events:
        write(f"REQLOG#{P1}#BODY#{event}", 500.0, sample, P1, size=1900)  # 2 units each
    loads = partition_loads(sample, even=events, populations={"event": 1000})
    assert {load.write for load in loads} == {2.0}
    (row,) = by_pattern(loads, {P1: "project"})
    assert (row.pattern, row.keys, row.write) == ("REQLOG#{project}#BODY#{body}", 1000, 2000.0)


def test_booking_writes_spread_over_a_counters_shards_share_them_evenly_whatever_the_samples_collisions() -> (
    None
):
    shards = [(f"RATE#{P1}#{n}", "MONTH#2026-12") for n in range(64)]
    requests = [("location a", frozenset({shards[n]})) for n in (0, 0, 1, 2)]  # shard 0 twice, by chance
    share, where = hottest_share(requests, {P1: "project"}, seen=shards)
    assert share == 1 / 64 and where == "location a: RATE#{project}#{n} / MONTH#{time}"
    hours = [
        ("location a", frozenset({(f"PROJECT#{P1}#RESOURCE#{R1}", f"LEDGER#H#2030-01-07T{h}")}))
        for h in (8, 8, 9)
    ]
    assert hottest_share(hours)[0] == 2 / 3  # items of other hours are other items
