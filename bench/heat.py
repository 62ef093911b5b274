"""The key-heat model (issue 22): the load on each partition key and item at internet scale, from a sample
of real requests. The local server runs with its DynamoDB calls recorded (`KAIROS_LOCAL_CALLS_FILE`, the
recorder of kairos_local/aws_calls.py, responses included): every call of the API functions and of the
event chain behind them (stream mapper, metering, webhooks), so each request's whole path is counted.

Two mixes, each a few hundred requests, projected to their target rates (bench/heat_model.py; how to read
the figures: docs/scale.md):

1. one big project: 4 locations, 4 services, 200 resources; booking writes (keyed POSTs) spread evenly
   over the resources, projected to 1,000 per second; reads (slot listings, booking lists by resource,
   location and service, gets) projected to 10,000 per second;
2. 10,000 small projects at 10 requests per second each: a sample of projects, each making the same
   10 requests (its booking write a hold that expires); a key more than one sampled project writes is
   written by all of them.

    .venv/bin/python -m bench.heat
"""

import json
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import BENCH_TOKEN
from bench.heat_metering import as_deployed, metering_feed
from bench.heat_mixes import (
    BOOKING_SAMPLE,
    BOOKING_WRITES,
    LOCATIONS,
    PROJECT_RATE,
    PROJECTS,
    READ_SAMPLE,
    READS,
    RESOURCES,
    SAMPLED_PROJECTS,
    SERVICES,
    SMALL_HOLD,
    WARM_UP,
    Request,
    Sent,
    World,
    booking_writes,
    reads,
    seed,
    send,
)
from bench.heat_model import (
    LIMITS,
    PatternRow,
    Sample,
    by_pattern,
    charges,
    hottest_share,
    item_writes,
    origins,
    partition_loads,
    pattern,
    placeholder,
    shared_by_every_project,
)
from kairos.container import Container
from kairos.storage import table_definition
from kairos_local.aws_calls import Access, accesses, read_calls
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import running_endpoint, use_local_store

INDEXES = [str(i["IndexName"]) for i in table_definition.GLOBAL_SECONDARY_INDEXES]


@dataclass
class Recording:
    """The calls of one phase, and per API request its invocation tag -> (request, project)."""

    calls: list[dict[str, Any]]
    sent: Sent

    @property
    def requests(self) -> dict[str, tuple[Request, str]]:
        return self.sent.requests


def settled(calls_file: Path, quiet: float = 2.5, longest: float = 30.0) -> list[dict[str, Any]]:
    """The calls recorded once the event chain is done (no new call for `quiet` seconds), and the file
    emptied for the next phase."""
    deadline = time.monotonic() + longest
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = calls_file.stat().st_size if calls_file.exists() else 0
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.2)
    calls = read_calls(calls_file)
    calls_file.write_text("")
    return calls


def phase(base_url: str, calls_file: Path, work: list[tuple[Request, World]]) -> Recording:
    sent = send(base_url, work)
    return Recording(settled(calls_file), sent)


def stored_items(store: Container, recordings: Iterable[Recording]) -> dict[tuple[str, str], dict[str, Any]]:
    """The items writes named without carrying them, as the store holds them now (one put earlier in the
    recording where the store has none left), by (PK, SK)."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    wanted: set[tuple[str, str]] = set()
    for recording in recordings:
        for call in recording.calls:
            for access in accesses(call):
                if access.writes and access.key:
                    key = (access.key["PK"]["S"], access.key["SK"]["S"])
                    if access.item:
                        seen[key] = dict(access.item)
                    else:
                        wanted.add(key)
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 100):
        keys = [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in ordered[start : start + 100]]
        answer = store.table.client.batch_get_item(RequestItems={store.settings.table_name: {"Keys": keys}})
        for item in answer["Responses"].get(store.settings.table_name, []):
            seen[(item["PK"]["S"], item["SK"]["S"])] = item
    return seen


@dataclass
class Heat:
    sample: Sample = field(default_factory=Sample)
    touches: list[tuple[tuple[str, str], float]] = field(default_factory=list)
    booking_items: list[tuple[str, frozenset[tuple[str, str]]]] = field(default_factory=list)


def measure(
    recording: Recording,
    weight: float,
    stored: Mapping[tuple[str, str], Any],
    heat: Heat,
    projects: list[str],
) -> None:
    """Adds a phase's charges, each call standing for `weight` per second, to `heat`: its sample (by the
    project a key names, else the request's), item touches and each booking write's items; the metering
    function's writes as the stack runs it (bench/heat_metering.py)."""
    per_request: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for call in recording.calls:
        invocation = call.get("invocation") or {}
        tag = invocation.get("request", "")
        request_project = recording.requests[tag][1] if tag in recording.requests else None
        origin = (
            route(recording.requests[tag][0]) if tag in recording.requests else invocation.get("function", "")
        )
        for access in accesses(call):
            for deployed in as_deployed(invocation, access, charges(access, stored, INDEXES)):
                charge, share = deployed.charge, deployed.share
                heat.sample.add([charge], weight * share, owner(access, projects) or request_project, origin)
                if charge.item is not None:
                    heat.touches.append((charge.item, weight * share))
                    if tag in recording.requests:
                        per_request[tag].add(charge.item)
    for tag, (request, _) in recording.requests.items():
        if request.method == "POST" and request.path == "/bookings":
            items = frozenset(per_request[tag])
            heat.booking_items += [
                (f"location {request.group[0][:8]}", items),
                (f"service {request.group[1][:8]}", items),
            ]


UNITS_FILE = Path(__file__).with_name("measured") / "units_per_request.json"


def save_units(sample: Sample, writes: Recording, looked: Recording) -> None:
    """What a request of the big project's mix costs in DynamoDB, its whole path, for the cost model
    (bench/costs.py): capacity units (the sample's units per second over the target rates), items written
    (each a stream record the stream mapper reads), and sequential waves of the API request."""
    write_units = sum(c.charge.units * c.weight for c in sample.charges if c.charge.kind == "write")
    read_units = sum(c.charge.units * c.weight for c in sample.charges if c.charge.kind == "read")
    rate = BOOKING_WRITES + READS
    phases = ((writes, BOOKING_WRITES), (looked, READS))
    items_written = sum(
        target / len(recording.requests)
        for recording, target in phases
        for call in recording.calls
        for access in accesses(call)
        if access.action in ("PutItem", "UpdateItem", "DeleteItem") and access.resource == "table"
    )
    waves = sum(target * statistics.mean(recording.sent.waves.values()) for recording, target in phases)
    UNITS_FILE.parent.mkdir(exist_ok=True)
    UNITS_FILE.write_text(
        json.dumps(
            {
                "measured_by": "python -m bench.heat",
                "requests": len(writes.requests) + len(looked.requests),
                "booking_write_share": BOOKING_WRITES / rate,
                "write_units_per_request": round(write_units / rate, 2),
                "read_units_per_request": round(read_units / rate, 2),
                "items_written_per_request": round(items_written / rate, 2),
                "waves_per_request": round(waves / rate, 2),
            },
            indent=2,
        )
        + "\n"
    )


def event_ids(recordings: Iterable[Recording]) -> dict[str, str]:
    """The usage events' ids, from their log entries (id -> `event`): each is one request's, so a key made
    of one (its bodies' partition) is that request's alone, one of as many a second as requests."""
    return {
        str(access.item["event_id"]["S"]): "event"
        for recording in recordings
        for call in recording.calls
        for access in accesses(call)
        if access.item and "event_id" in access.item
    }


def route(request: Request) -> str:
    """The request's method and path with its ids as `{id}`."""
    path = request.path.partition("?")[0]
    return f"{request.method} " + "/".join("{id}" if placeholder(p) == "id" else p for p in path.split("/"))


def owner(access: Access, projects: list[str]) -> str | None:
    return next((p for p in projects if access.partition and p in access.partition), None)


def table(
    title: str, rows: list[PatternRow], sample: Sample, known: Mapping[str, str], limit: int = 14
) -> None:
    print(f"\n{title}")
    print(
        f"{'table/index':<12} {'key pattern':<58} {'keys':>5} {'WCU/s':>9} {'RCU/s':>9}"
        f" {'hottest W':>9} {'hottest R':>9} {'% limit':>7}"
    )
    for row in rows[:limit]:
        print(
            f"{row.resource:<12} {row.pattern[:58]:<58} {row.keys:>5} {row.write:>9.0f} {row.read:>9.0f}"
            f" {row.hottest_write:>9.1f} {row.hottest_read:>9.1f} {100 * row.share:>6.0f}%"
        )
        if row.share > 0.5:  # what loads it, to 90 % of its units
            found = origins(sample, row.resource, row.pattern, known)
            total, shown = sum(units for *_, units in found), 0.0
            for origin, kind, units in found:
                if shown >= 0.9 * total:
                    break
                shown += units
                print(f"{'':<13}{kind} {100 * units / total:>3.0f}%: {origin or '(no invocation)'}")
    if len(rows) > limit:
        print(
            f"... {len(rows) - limit} more patterns, each under {100 * rows[limit].share:.1f}% of its limits"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        calls = Path(folder) / "calls.jsonl"
        port = free_port()
        extra = {"KAIROS_LOCAL_CALLS_FILE": str(calls), "KAIROS_HOLD_SWEEP_SECONDS": "3600"}
        process = start_server(Path(folder), port, BENCH_TOKEN, extra)
        try:
            endpoint = running_endpoint(Path(folder))
            assert endpoint is not None
            use_local_store(endpoint)
            run(f"http://127.0.0.1:{port}/v1", Container.from_environment(), calls)
        finally:
            stop_server(process)


def run(base_url: str, store: Container, calls: Path) -> None:
    started = time.monotonic()
    big = seed(store, RESOURCES, LOCATIONS, SERVICES, 10**9)
    small = [seed(store, 2, 1, 1, 10**6) for _ in range(SAMPLED_PROJECTS)]
    known = {big.project: "project", **{w.project: "project" for w in small}}
    send(base_url, [(r, big) for r in reads(big, WARM_UP, [])])  # warm instances, as under load (not counted)
    settled(calls)
    writes = phase(base_url, calls, [(r, big) for r in booking_writes(big, BOOKING_SAMPLE)])
    # The read mix once more first, not counted: each instance has read what it renders and lists, as its
    # memory holds it under steady load (warm instances read the catalogue once a minute: docs/scale.md).
    send(base_url, [(r, big) for r in reads(big, READ_SAMPLE, writes.sent.made)])
    settled(calls)
    looked = phase(base_url, calls, [(r, big) for r in reads(big, READ_SAMPLE, writes.sent.made)])
    mixed = [(r, w) for w in small for r in [*booking_writes(w, 1, SMALL_HOLD), *reads(w, 9, [])]]
    random.Random(3).shuffle(mixed)
    many = phase(base_url, calls, mixed)
    stored = stored_items(store, [writes, looked, many])

    one = Heat()
    measure(writes, BOOKING_WRITES / len(writes.requests), stored, one, [big.project])
    measure(looked, READS / len(looked.requests), stored, one, [big.project])
    events = {"event": BOOKING_WRITES + READS}  # a request's own keys (its log entry's bodies), a second
    even = {**big.entities(), **event_ids([writes, looked])}
    rows = by_pattern(partition_loads(one.sample, even=even, populations=events), known)
    save_units(one.sample, writes, looked)
    table(
        f"one project: {BOOKING_WRITES:,.0f} booking writes/s over {RESOURCES} resources,"
        f" {READS:,.0f} reads/s",
        rows,
        one.sample,
        known,
    )
    items = item_writes(one.touches)
    (hot_pk, hot_sk), hot = max(items.items(), key=lambda pair: pair[1])
    print(
        f"hottest item: {pattern(hot_pk, known)} / {pattern(hot_sk, known)},"
        f" {hot:,.0f} writes/s (checks included)"
    )
    share, where = hottest_share(one.booking_items, known, [item for item, _ in one.touches])
    print(f"booking writes of one location or service touching one item: 1 in {1 / share:.1f} ({where})")

    rest = Heat()
    sampled = [w.project for w in small]
    measure(many, PROJECT_RATE * len(small) / len(many.requests), stored, rest, sampled)
    table(
        f"{PROJECTS:,} projects at {PROJECT_RATE:.0f} requests/s (sample: {len(small)} projects)",
        by_pattern(partition_loads(rest.sample, PROJECTS, event_ids([many]), {"event": PROJECT_RATE}), known),
        rest.sample,
        known,
    )
    shared = shared_by_every_project(rest.sample)
    for resource, key in shared:
        print(f"written by every project: {resource} {pattern(key, known)}")
    feed = metering_feed()
    print(
        f"(metering as deployed: {feed.max_concurrency} instances, batches of {feed.batch_size} events;"
        f" sampled {len(writes.requests) + len(looked.requests) + len(many.requests)} requests in"
        f" {time.monotonic() - started:.0f} s; limits per partition key: {LIMITS['write']:,.0f} WCU/s,"
        f" {LIMITS['read']:,.0f} RCU/s)"
    )
    print(
        f"heat: hottest partition {100 * rows[0].share:.0f}% of its limit at {BOOKING_WRITES:.0f} booking"
        f" writes/s and {READS:.0f} reads/s for one project; partitions written by every project:"
        f" {len(shared)}"
    )


if __name__ == "__main__":
    main()
