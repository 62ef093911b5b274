"""What booking lists read, in a project of 100,000 bookings: per filter the items returned, the items and
read units the list's own reads cost, its round trips and waves, and the ratio to the goal (read units
within 2x of the items returned). Beside it, what the same list read before the listing indexes (the
project's bookings from `from` on, by GSI1).

The bookings are loaded straight into an in-process moto table (BatchWriteItem of the items the booking
store writes, `booking_item`), not through the API. moto reports no capacity, so the bench counts the
items each response holds and their sizes, and derives read units as DynamoDB does: a Query sums its
items' sizes and rounds up to 4 KB (half a unit each when eventually consistent, as index reads are), a
BatchGetItem rounds each item up to 4 KB. Counts, not times: it runs in a few minutes.

    .venv/bin/python -m bench.lists [bookings]
"""

import math
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto import mock_aws

from bench.heat_model import item_size
from kairos.config import Settings
from kairos.container import Container
from kairos.domain.bookings.views import listing_owner
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Booking
from kairos.storage.booking_items import booking_item
from kairos.storage.dynamodb import RoundTrips, to_item
from kairos.storage.table_definition import create_table_request
from kairos.values.ids import new_id

YEAR = datetime(2030, 1, 1, tzinfo=UTC)
LOCATIONS, SERVICES, RESOURCES = 10, 20, 200
UNIT = 4096
NOTE = """
items ratio: items read over items returned (none returned: over 1). read units: the list's index Queries
(eventually consistent: 4 KB a unit, halved; each Query at least 0.5); the units of the returned items: one
Query that read the page's bookings alone; units ratio: the first over the second (goal: at most 2). Round
trips and waves include the BatchGetItem of the entities the page renders."""


@dataclass
class Reads:
    """The items and read units of the responses since `reset`, for the list's own reads (the index
    Queries) and for what it renders (BatchGetItem of the entities)."""

    items: int = 0
    units: float = 0.0
    render_units: float = 0.0

    def on_call(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query":  # a list's Queries are index reads: eventually consistent
            found = parsed.get("Items", [])
            self.items += len(found)
            self.units += max(1, math.ceil(sum(item_size(i) for i in found) / UNIT)) * 0.5
        elif model.name == "BatchGetItem":
            for found in parsed.get("Responses", {}).values():
                self.render_units += sum(math.ceil(item_size(i) / UNIT) for i in found)

    def reset(self) -> None:
        self.items, self.units, self.render_units = 0, 0.0, 0.0


@contextmanager
def project() -> Iterator[tuple[Container, Principal]]:
    for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with mock_aws():
        settings = Settings(table_name="kairos-bench", region="eu-central-1", dynamodb_endpoint=None)
        container = Container.from_settings(settings)
        container.table.client.create_table(**create_table_request(settings.table_name))
        made = container.projects.create_project("Bench clinic", rate_limit=1_000_000)
        _, token = container.projects.create_token(made.id, "all", None)
        yield container, container.auth.authenticate(f"Bearer {token}")


@dataclass
class Catalogue:
    locations: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)


def catalogue(container: Container, viewer: Principal) -> Catalogue:
    made = Catalogue()
    for n in range(LOCATIONS):
        body = {
            "name": f"Clinic {n}",
            "time_zone": "Europe/Stockholm",
            "resource_selection_strategy": "randomize",
        }
        made.locations.append(container.catalogue.create(viewer, LOCATION, body)["id"])
    for n in range(SERVICES):
        body = {"name": f"Service {n}", "type": "fixed", "duration": "PT1H"}
        made.services.append(container.catalogue.create(viewer, SERVICE, body)["id"])
    for n in range(RESOURCES):
        made.resources.append(container.catalogue.create(viewer, RESOURCE, {"name": f"Dr. {n}"})["id"])
    return made


def bookings(made: Catalogue, count: int, rng: random.Random) -> Iterator[Booking]:
    """A year of bookings: each resource works at one location; 15 minutes to 2 hours, 1 in 50 a stay of
    2 to 5 days; 1 in 10 canceled; 1 in 5 with metadata."""
    for _ in range(count):
        resource = rng.randrange(RESOURCES)
        starts = YEAR + timedelta(minutes=15 * rng.randrange(365 * 96))
        if rng.random() < 0.02:
            length = timedelta(days=rng.randint(2, 5))
        else:
            length = timedelta(minutes=15 * rng.randint(1, 8))
        paid = rng.random() < 0.2
        yield Booking(
            id=new_id(),
            resource_id=made.resources[resource],
            service_id=made.services[rng.randrange(SERVICES)],
            location_id=made.locations[resource % LOCATIONS],
            starts_at=starts,
            ends_at=starts + length,
            buffer_starts_at=starts,
            buffer_ends_at=starts + length,
            doc={
                "booking_group_id": None,
                "price": "50.000",
                "metadata": {"paid": True, "note": "first visit"} if paid else None,
                "protected_metadata": None,
                "is_temporary": False,
                "finalized_at": starts.isoformat(),
                "canceled_at": None,
            },
            created_at=starts - timedelta(days=7),
            updated_at=starts - timedelta(days=7),
            is_canceled=rng.random() < 0.1,
        )


def load(container: Container, project_id: str, made: Catalogue, count: int) -> list[tuple[Booking, int]]:
    """The bookings, written by BatchWriteItem; each with its item's size."""
    loaded = [(b, to_item(booking_item(project_id, b))) for b in bookings(made, count, random.Random(13))]
    container.table.put_items([item for _, item in loaded])
    return [(b, item_size(item)) for b, item in loaded]


def day(number: int, hour: int = 0) -> str:
    return (YEAR + timedelta(days=number, hours=hour)).isoformat()


def filters(made: Catalogue) -> list[tuple[str, dict[str, str]]]:
    r, loc, s = made.resources[7], made.locations[7 % LOCATIONS], made.services[5]  # r works at loc
    return [
        ("resource, a week", {"resource": r, "from": day(100), "to": day(107)}),
        ("resource, a month", {"resource": r, "from": day(100), "to": day(130)}),
        ("resource, all", {"resource": r}),
        ("location, a day", {"location": loc, "from": day(100), "to": day(101)}),
        ("location, an hour", {"location": loc, "from": day(100, 10), "to": day(100, 11)}),
        ("service, a day", {"service": s, "from": day(100), "to": day(101)}),
        ("service, a week", {"service": s, "from": day(100), "to": day(107)}),
        ("location + service, a week", {"location": loc, "service": s, "from": day(100), "to": day(107)}),
        ("resource + location, a month", {"resource": r, "location": loc, "from": day(100), "to": day(130)}),
        ("project, an hour", {"from": day(100, 10), "to": day(100, 11)}),
        ("project, a day", {"from": day(100), "to": day(101)}),
        (
            "resource, a month, paid",
            {"resource": r, "from": day(100), "to": day(130), "metadata[paid]": "true"},
        ),
        (
            "resource, a month, canceled",
            {"resource": r, "from": day(100), "to": day(130), "canceled": "only"},
        ),
    ]


def before(loaded: list[tuple[Booking, int]], start: str | None) -> tuple[int, float]:
    """What a list read before the listing indexes: every booking of the project ending after `from` (one
    GSI1 Query, counted from the loaded items: moto pages 70,000 items slowly)."""
    after = datetime.fromisoformat(start) if start else None
    sizes = [size for b, size in loaded if after is None or b.ends_at > after]
    return len(sizes), math.ceil(sum(sizes) / UNIT) * 0.5


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with project() as (container, viewer):
        made = catalogue(container, viewer)
        began = time.perf_counter()
        loaded = load(container, viewer.project_id, made, count)
        seconds = time.perf_counter() - began
        print(
            f"{count:,} bookings loaded in {seconds:.0f} s ({RESOURCES} resources, {LOCATIONS} locations, "
            f"{SERVICES} services, over {YEAR.year})\n"
        )
        reads = Reads()
        container.table.client.meta.events.register("after-call.dynamodb", reads.on_call)
        print(
            "| filter | returned / total | items read | items ratio | read units | units of the returned "
            "items | units ratio | round trips | waves | before: items read, units |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, query in filters(made):
            reads.reset()
            RoundTrips.reset()
            page = container.bookings.page(viewer, query)
            trips, waves = RoundTrips.count(), RoundTrips.waves()
            read_items, units = reads.items, reads.units
            returned_bytes = sum(
                item_size(to_item(booking_item(viewer.project_id, b)))
                for b in container.booking_store.get_many(viewer.project_id, [i["id"] for i in page.items])
            )
            ideal = max(1, math.ceil(returned_bytes / UNIT)) * 0.5
            old_items, old_units = before(loaded, query.get("from"))
            owner = listing_owner(query)
            print(
                f"| {name} ({owner[0] if owner else 'project'} index) | {len(page.items)} / {page.total} "
                f"| {read_items:,} | {read_items / max(1, len(page.items)):.1f} | {units:,.1f} "
                f"| {ideal:,.1f} | {units / ideal:.1f} | {trips} | {waves} "
                f"| {old_items:,}, {old_units:,.1f} |"
            )
        print(NOTE)


if __name__ == "__main__":
    main()
