"""What a window of a resource's timeline reads, for resources with thousands of future bookings: per
bookable-slots listing (a day, a week, 31 days) and per booking check, the timeline items and read units
read against those of the items the answer needs, and what the unbounded timeline Query read before.

Each resource has a weekly schedule (weekdays 08:00-17:00, Europe/Stockholm), a year of bookings (15
minutes to 2 hours, 1 in 50 a stay of 2 to 5 days) and a closed week each quarter. The holds are loaded
straight into the table (BatchWriteItem of the timeline items the booking store writes), and the stays'
copies reach the heads by `kairos table backfill-timelines`'s own code, as after an upgrade. Read units
are derived from the responses' item sizes as in bench/lists.py, strongly consistent (a unit per 4 KB): a
Query sums the items of its key range and rounds up (at least one unit), a BatchGetItem rounds each item
up. Counts, not times.

    .venv/bin/python -m bench.timelines [resources] [bookings-per-resource]
"""

import contextlib
import math
import random
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3

from bench.heat_model import item_size
from bench.lists import UNIT, project
from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Booking
from kairos.errors import ValidationFailed
from kairos.storage import keys
from kairos.storage.booking_items import hold_item
from kairos.storage.dynamodb import RoundTrips, from_item, to_item
from kairos.storage.timeline_head import COPY_PREFIXES
from kairos.values.ids import new_id

ZONE = ZoneInfo("Europe/Stockholm")
START = datetime(2030, 3, 4, tzinfo=ZONE)  # a Monday; the bookings run a year from here
MARGIN = timedelta(days=1)  # the slot listing's and the check's margin around what they look at
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
NOTE = """
needed: the holds and blocks overlapping the span the slot engine or the check asks for (the window with
the service's length and a day's margin each side), and the resources' recurring schedules; its units as one
read of exactly those items per resource. read: the timeline Queries and the heads (schedule-version items)
the request reads. before: the unbounded timeline Query of the previous version (every hold and block ending
after the span's start, and the recurring schedules), counted from the loaded items."""


@dataclass
class Entry:
    span: tuple[datetime, datetime] | None  # None: a recurring schedule (timeless)
    size: int  # of its item


class Reads:
    """Timeline entries and read units of the responses since `reset`: the Queries of timeline items (as
    billed: a Query pays for the items its key range holds, before its filter, so each is read again
    unfiltered through a client of its own) and the heads among BatchGetItem answers (an entry per copy)."""

    def __init__(self, container: Container) -> None:
        self._lock = threading.Lock()
        self._asked = threading.local()
        self._client = boto3.session.Session().client("dynamodb", region_name=container.settings.region)
        self.items, self.units = 0, 0

    def on_params(self, params: dict[str, Any], **_: Any) -> None:
        self._asked.params = dict(params)

    def on_call(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query":
            found = parsed.get("Items", [])
            if found and not found[0]["SK"]["S"].startswith("TL#"):
                return  # the service's resources
            billed = self._unfiltered(self._asked.params)
            with self._lock:
                self.items += len(billed)
                self.units += max(1, math.ceil(sum(item_size(i) for i in billed) / UNIT))
        elif model.name == "BatchGetItem":
            for items in parsed.get("Responses", {}).values():
                heads = [i for i in items if i["SK"]["S"] == "SCHEDVER"]
                with self._lock:
                    self.items += sum(1 for h in heads for name in h if name.startswith(COPY_PREFIXES))
                    self.units += sum(math.ceil(item_size(i) / UNIT) for i in heads)

    def _unfiltered(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        request = {k: v for k, v in params.items() if k != "FilterExpression"}
        condition = request["KeyConditionExpression"]
        request["ExpressionAttributeValues"] = {
            name: value for name, value in request["ExpressionAttributeValues"].items() if name in condition
        }
        found: list[dict[str, Any]] = []
        while True:
            page = self._client.query(**request)
            found += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def reset(self) -> None:
        self.items, self.units = 0, 0


def holds(resource_id: str, location_id: str, count: int, rng: random.Random) -> Iterator[Booking]:
    for _ in range(count):
        starts = START.astimezone(UTC) + timedelta(minutes=15 * rng.randrange(365 * 96))
        long = rng.random() < 0.02
        length = timedelta(days=rng.randint(2, 5)) if long else timedelta(minutes=15 * rng.randint(1, 8))
        yield Booking(
            new_id(),
            resource_id,
            None,
            location_id,
            starts,
            starts + length,
            starts,
            starts + length,
            {},
            starts,
            starts,
        )


def load(container: Container, viewer: Principal, resources: int, per_resource: int) -> dict[str, Any]:
    """The catalogue, schedules, blocks and holds; then what each resource's timeline holds, as stored."""
    location = container.catalogue.create(
        viewer,
        LOCATION,
        {"name": "Clinic", "time_zone": ZONE.key, "resource_selection_strategy": "randomize"},
    )["id"]
    exam = {"name": "Exam", "type": "fixed", "duration": "PT1H"}
    service = container.catalogue.create(viewer, SERVICE, exam)["id"]
    rng = random.Random(5)
    made = []
    for n in range(resources):  # transactions first: moto copies the whole table for each one
        resource = container.catalogue.create(viewer, RESOURCE, {"name": f"Dr. {n}"})["id"]
        container.catalogue.associate(viewer, service, resource)
        schedule = container.schedules.create_recurring(
            viewer, resource, {"location_id": location, "start_date": "2030-01-01"}
        )
        for weekday in WEEKDAYS:
            block = {"weekday": weekday, "start_time": "08:00:00", "end_time": "17:00:00"}
            container.schedules.put_weekly(viewer, resource, schedule["id"], None, block)
        for week in range(0, 52, 13):  # a closed week each quarter
            closed = START + timedelta(weeks=week, days=rng.randrange(7))
            closing = {
                "location_id": location,
                "starts_at": closed.isoformat(),
                "ends_at": (closed + timedelta(days=7)).isoformat(),
                "is_available": False,
            }
            container.schedules.put_block(viewer, resource, None, closing)
        made.append(resource)
    for resource in made:
        found = holds(resource, location, per_resource, rng)
        container.table.put_items([to_item(hold_item(viewer.project_id, b)) for b in found])
    container.schedule_store.backfill_timelines()  # the stays' copies in the heads, as an upgrade makes them
    return {"location": location, "service": service, "timelines": stored(container, viewer.project_id)}


def stored(container: Container, project_id: str) -> dict[str, list[Entry]]:
    """Every resource's timeline items as stored (recurring schedules: without a span)."""
    found: dict[str, list[Entry]] = {}
    request: dict[str, Any] = {
        "TableName": container.table.name,
        "FilterExpression": "begins_with(SK, :timeline) AND begins_with(PK, :project)",
        "ExpressionAttributeValues": to_item({":timeline": "TL#", ":project": f"PROJECT#{project_id}#"}),
    }
    while True:
        page = container.table.client.scan(**request)
        for item in page.get("Items", []):
            plain = from_item(item)
            resource = keys.resource_of(plain["PK"])
            assert resource is not None
            span = (_utc(plain["starts_at"]), _utc(plain["ends_at"])) if "starts_at" in plain else None
            found.setdefault(resource, []).append(Entry(span, item_size(item)))
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def needed(loaded: dict[str, Any], start: datetime, end: datetime) -> tuple[int, int, int, int]:
    """Items and units of what overlaps [start, end), and of what the unbounded Query read before."""
    items = units = old_items = old_units = 0
    for entries in loaded["timelines"].values():
        overlapping = [e for e in entries if e.span is None or (e.span[0] < end and e.span[1] > start)]
        after = [e for e in entries if e.span is None or e.span[1] > start]
        items += len(overlapping)
        units += max(1, math.ceil(sum(e.size for e in overlapping) / UNIT))
        old_items += len(after)
        old_units += max(1, math.ceil(sum(e.size for e in after) / UNIT))
    return items, units, old_items, old_units


def row(name: str, reads: Reads, wanted: tuple[int, int, int, int]) -> str:
    items, units, old_items, old_units = wanted
    return (
        f"| {name} | {reads.items:,} | {items:,} | {reads.units:,} | {units:,} | {reads.units / units:.2f} "
        f"| {old_items:,}, {old_units:,} | {RoundTrips.count()} | {RoundTrips.waves()} |"
    )


def main() -> None:
    resources = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    per_resource = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000
    with project() as (container, viewer):
        loaded = load(container, viewer, resources, per_resource)
        print(f"{resources} resources, {per_resource:,} bookings each over a year from {START.date()}\n")
        reads = Reads(container)
        container.table.client.meta.events.register("provide-client-params.dynamodb.Query", reads.on_params)
        container.table.client.meta.events.register("after-call.dynamodb", reads.on_call)
        print(
            "| request | timeline items read | items needed | read units | units needed | ratio "
            "| before: items, units | round trips | waves |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        first = START + timedelta(days=100)
        for days in (1, 7, 31):
            end = first + timedelta(days=days)
            query = {"from": first.isoformat(), "to": end.isoformat(), "location": loaded["location"]}
            reads.reset()
            RoundTrips.reset()
            container.availability.bookable_slots(viewer, loaded["service"], query)
            span = (first - MARGIN, end + timedelta(hours=1) + MARGIN)  # the engine's horizon, PT1H
            print(row(f"bookable slots, {days} day(s), {resources} resources", reads, needed(loaded, *span)))
        resource = sorted(loaded["timelines"])[0]
        at = first + timedelta(hours=10)
        body = {
            "location_id": loaded["location"],
            "service_id": loaded["service"],
            "resource_id": resource,
            "starts_at": at.isoformat(),
            "ends_at": (at + timedelta(hours=1)).isoformat(),
        }
        reads.reset()
        RoundTrips.reset()
        with contextlib.suppress(ValidationFailed):  # refused or not, the check read the same
            container.bookings.create(viewer, body)
        day = datetime(at.year, at.month, at.day, tzinfo=ZONE)
        span = (day - MARGIN, day + timedelta(days=1) + MARGIN)  # the check's: the local day, a day each side
        one = {"timelines": {resource: loaded["timelines"][resource]}}
        print(row("booking check, one resource", reads, needed(one, *span)))
        print(NOTE)


if __name__ == "__main__":
    main()
