"""Booking lists read the bookings of what they filter by (a resource, location or service, and the window),
not the project's, and answer exactly what filtering every booking of the project answers."""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos.config import BOOKING_LISTS_ENV, Settings
from kairos.container import Container
from kairos.domain.bookings.views import BOOKING_LIST, flat
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import select
from kairos.domain.shared.records import Booking
from kairos.storage import keys
from kairos.storage.booking_items import booking_item
from kairos.storage.dynamodb import to_item
from kairos.values.ids import new_id
from kairos_cli.__main__ import _parser, run

START = datetime(2030, 3, 1, tzinfo=UTC)
RESOURCES = [new_id() for _ in range(6)]
LOCATIONS = [new_id() for _ in range(3)]
SERVICES = [new_id() for _ in range(4)]


@dataclass
class ItemsRead:
    """The requests since `reset`, each with the items DynamoDB read for it (a Query or Scan counts what
    it read before any filter)."""

    calls: list[tuple[str, int]] = field(default_factory=list)

    def on_call(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if "ScannedCount" in parsed:
            read = int(parsed["ScannedCount"])
        elif "Responses" in parsed:
            read = sum(len(found) for found in parsed["Responses"].values())
        else:
            read = int("Item" in parsed)
        self.calls.append((model.name, read))

    def of(self, operation: str) -> int:
        return sum(read for name, read in self.calls if name == operation)

    def reset(self) -> None:
        self.calls = []


@pytest.fixture
def items_read(container: Container) -> Iterator[ItemsRead]:
    counter = ItemsRead()
    container.table.client.meta.events.register("after-call.dynamodb", counter.on_call)
    yield counter
    container.table.client.meta.events.unregister("after-call.dynamodb", counter.on_call)


def booking(starts_at: datetime, length: timedelta, **fields: Any) -> Booking:
    values: dict[str, Any] = {
        "id": new_id(),
        "resource_id": RESOURCES[0],
        "service_id": SERVICES[0],
        "location_id": LOCATIONS[0],
        "starts_at": starts_at,
        "ends_at": starts_at + length,
        "buffer_starts_at": starts_at,
        "buffer_ends_at": starts_at + length,
        "doc": {"is_temporary": False, "metadata": None, "price": None},
        "created_at": START,
        "updated_at": START,
        **fields,
    }
    return Booking(**values)


def random_bookings(rng: random.Random, count: int) -> list[Booking]:
    """Bookings of every length class and at their edges (2 hours, a day, a week, and a quarter more), up
    to 9 days, some canceled, some of deleted owners (no resource), over three weeks, on quarter hours."""
    quarter = timedelta(minutes=15)
    edges = [timedelta(hours=2), timedelta(days=1), timedelta(days=7)]
    lengths = [quarter, timedelta(hours=5), timedelta(days=3), timedelta(days=9), *edges]
    lengths += [edge + quarter for edge in edges]
    made = []
    for _ in range(count):
        starts = START + timedelta(minutes=15 * rng.randrange(21 * 96))
        made.append(
            booking(
                starts,
                rng.choice(lengths),
                resource_id=rng.choice([*RESOURCES, None]),
                location_id=rng.choice(LOCATIONS),
                service_id=rng.choice(SERVICES),
                is_canceled=rng.random() < 0.2,
            )
        )
    return made


def expected(bookings: list[Booking], query: dict[str, str]) -> tuple[list[str], int]:
    """What the list answered when it filtered every booking of the project in memory."""
    start = datetime.fromisoformat(query["from"]) if "from" in query else None
    end = datetime.fromisoformat(query["to"]) if "to" in query else None
    window = [
        b for b in bookings if (start is None or b.ends_at > start) and (end is None or b.starts_at < end)
    ]
    page = select([flat(b) for b in window], query, BOOKING_LIST)
    return [item["id"] for item in page.items], page.total


def at(day: int, hour: int = 0) -> str:
    return (START + timedelta(days=day, hours=hour)).isoformat()


QUERIES: list[dict[str, str]] = [
    {},
    {"from": at(5)},
    {"to": at(9)},
    {"from": at(5), "to": at(6)},
    {"from": at(5, 10), "to": at(5, 11)},  # an hour: long bookings that cover it are listed
    {"resource": RESOURCES[1]},
    {"resource": RESOURCES[1], "from": at(3), "to": at(10), "canceled": "include"},
    {"location": LOCATIONS[2], "from": at(7), "to": at(8), "sort": "ends_at.desc"},
    {"service": SERVICES[3], "from": at(0), "to": at(21), "per_page": "5", "page": "3"},
    {"service": SERVICES[0], "location": LOCATIONS[1], "to": at(12), "canceled": "only"},
    {"resource": RESOURCES[2].upper(), "location": LOCATIONS[0], "from": at(2)},
    {"resource": "not-an-id", "location": LOCATIONS[1], "from": at(2)},
    {"per_page": "7", "page": "4", "sort": "starts_at"},  # the project's shards, a page in their middle
    {"location": LOCATIONS[0], "from": at(3), "per_page": "4", "page": "2", "sort": "ends_at.desc"},
    {"service": SERVICES[1], "to": at(15), "canceled": "include", "per_page": "6", "page": "3"},
]


def test_lists_answer_what_filtering_every_booking_answers(
    container: Container, principal: Principal
) -> None:
    bookings = random_bookings(random.Random(13), 300)
    load(container, principal.project_id, bookings)
    for query in QUERIES:
        page = container.bookings.page(principal, query)
        assert ([item["id"] for item in page.items], page.total) == expected(bookings, query), query


@pytest.mark.parametrize("windowed", [True, False], ids=["window", "everything"])
@pytest.mark.parametrize("owner", ["project", "resource", "location", "service"])
def test_a_window_is_read_in_the_order_of_one_unsharded_listing(
    container: Container, principal: Principal, items_read: ItemsRead, owner: str, windowed: bool
) -> None:
    """Each length class's shards are merged by sort key: the bookings come in the order one partition
    held them (class, then end, then id), whatever the shard of each. A window reads a range per class
    in each shard; a list of everything one range per shard, every class in it."""
    bookings = random_bookings(random.Random(17), 200)
    load(container, principal.project_id, bookings)
    owner_id = {"resource": RESOURCES[0], "location": LOCATIONS[1], "service": SERVICES[2]}.get(owner)
    start, end = (START + timedelta(days=4), START + timedelta(days=11)) if windowed else (None, None)
    items_read.reset()
    read = container.booking_store.list_window(
        principal.project_id, (owner, owner_id) if owner_id else None, start, end
    )
    shards = keys.BOOKING_LISTING_SHARDS[owner]
    classes = [name for name, _ in keys.LENGTH_CLASSES]
    assert len(items_read.calls) == shards * (len(classes) if windowed else 1)
    wanted = [
        b
        for b in bookings
        if (start is None or b.ends_at > start)
        and (end is None or b.starts_at < end)
        and (owner_id is None or getattr(b, f"{owner}_id") == owner_id)
    ]
    in_one_partition = sorted(
        wanted,
        key=lambda b: (
            classes.index(keys.length_class(b.starts_at, b.ends_at)),
            keys.utc_key(b.ends_at),
            b.id,
        ),
    )
    assert [b.id for b in read] == [b.id for b in in_one_partition]
    assert len(read) >= 10


def test_a_list_by_resource_and_week_reads_about_what_it_returns(
    container: Container, principal: Principal, items_read: ItemsRead
) -> None:
    """Six resources with one booking a day for a month: a week of one resource reads its week, not the
    project's month."""
    daily = [
        booking(START + timedelta(days=day, hours=10), timedelta(hours=1), resource_id=resource_id)
        for resource_id in RESOURCES
        for day in range(30)
    ]
    load(container, principal.project_id, daily)
    items_read.reset()
    page = container.bookings.page(principal, {"resource": RESOURCES[3], "from": at(7), "to": at(14)})
    assert page.total == 7
    # a range of the resource's listing per length class, at once, then what the page shows (the entities
    # these bookings name do not exist: looked for under their listed keys too, docs/table.md)
    assert [name for name, _ in items_read.calls] == ["Query"] * 4 + ["BatchGetItem"] * 2
    assert items_read.of("Query") == page.total


def test_booking_groups_are_listed_from_the_filtered_bookings_only(
    container: Container, principal: Principal, clinic: dict[str, str], items_read: ItemsRead
) -> None:
    def group_at(hour: int) -> str:
        body = {
            "service_id": clinic["service_id"],
            "location_id": clinic["location_id"],
            "starts_at": f"2030-01-07T{hour:02}:00:00+00:00",
            "ends_at": f"2030-01-07T{hour + 1:02}:00:00+00:00",
        }
        return str(container.booking_groups.create(principal, {"bookings": [body]})["id"])

    groups = [group_at(hour) for hour in (9, 11, 13)]
    items_read.reset()
    page = container.booking_groups.page(
        principal, {"from": "2030-01-07T10:30:00+00:00", "to": "2030-01-07T12:30:00+00:00"}
    )
    assert [g["id"] for g in page.items] == [groups[1]]
    # the bookings ending after `from` and within two hours after `to` (not the 09:00 one), then by key:
    # the group they name (not a Query of every group), its bookings, the entities they name
    queries = 4 * keys.BOOKING_LISTING_SHARDS["project"]  # a range a class in each shard, at once
    assert [name for name, _ in items_read.calls[:queries]] == ["Query"] * queries
    assert items_read.of("Query") == 2
    assert [name for name, _ in items_read.calls[queries:]] == ["BatchGetItem"] * 3


def load(container: Container, project_id: str, bookings: list[Booking]) -> None:
    """Booking items straight into the table (lists read nothing else of a booking)."""
    container.table.put_items([to_item(booking_item(project_id, b)) for b in bookings])


def as_written_before_the_listing_indexes(project_id: str, b: Booking) -> dict[str, Any]:
    """The booking's item as the version before the listing indexes wrote it: GSI1 by end time alone."""
    item = {
        k: v for k, v in booking_item(project_id, b).items() if not k.startswith(("GSI2", "GSI3", "GSI4"))
    }
    return {
        **item,
        "GSI1PK": keys.booking_listing_partition(project_id),
        "GSI1SK": f"{keys.utc_key(b.ends_at)}#{b.id}",
    }


def as_written_before_the_shards(project_id: str, b: Booking) -> dict[str, Any]:
    """The booking's item as the version before the shards wrote it: each owner's listing one partition."""
    item = booking_item(project_id, b)
    owners = {"GSI1": ("project", ""), "GSI2": ("resource", b.resource_id)}
    owners |= {"GSI3": ("location", b.location_id), "GSI4": ("service", b.service_id)}
    for index, (kind, owner_id) in owners.items():
        if owner_id is not None:
            item[f"{index}PK"] = keys.booking_listing_partition(project_id, kind, owner_id)
    return item


@pytest.mark.parametrize(
    "written_before", [as_written_before_the_listing_indexes, as_written_before_the_shards]
)
def test_bookings_written_by_an_earlier_version_are_listed_once_the_cli_backfilled_them(
    container: Container, principal: Principal, written_before: Callable[[str, Booking], dict[str, Any]]
) -> None:
    old = random_bookings(random.Random(7), 40)
    container.table.put_items([to_item(written_before(principal.project_id, b)) for b in old])
    query = {"location": LOCATIONS[1], "from": at(4), "canceled": "include"}
    assert container.bookings.page(principal, query).total == 0  # not in the location's shards yet
    updated = run(_parser().parse_args(["table", "backfill-listings"]), container)["updated"]
    assert 0 < updated <= len(old)  # those whose every key was already right are left alone
    page = container.bookings.page(principal, query)
    assert ([item["id"] for item in page.items], page.total) == expected(old, query)
    assert page.total > 0
    assert container.booking_store.backfill_listings() == 0  # nothing left to do


def test_while_a_stack_is_upgraded_lists_read_the_projects_bookings_whatever_their_keys(
    container: Container, principal: Principal
) -> None:
    oldest, old = random_bookings(random.Random(5), 60), random_bookings(random.Random(4), 60)
    new = random_bookings(random.Random(6), 60)
    container.table.put_items(
        [to_item(as_written_before_the_listing_indexes(principal.project_id, b)) for b in oldest]
        + [to_item(as_written_before_the_shards(principal.project_id, b)) for b in old]
    )
    load(container, principal.project_id, new)
    upgrading = Container.from_settings(replace(container.settings, booking_lists_indexed=False))
    for query in QUERIES:
        page = upgrading.bookings.page(principal, query)
        assert ([item["id"] for item in page.items], page.total) == expected(oldest + old + new, query), query


def test_the_booking_lists_setting_is_indexed_or_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BOOKING_LISTS_ENV, raising=False)
    assert Settings.from_environment().booking_lists_indexed
    monkeypatch.setenv(BOOKING_LISTS_ENV, "project")
    assert not Settings.from_environment().booking_lists_indexed
    monkeypatch.setenv(BOOKING_LISTS_ENV, "indexes")
    with pytest.raises(ValueError, match=BOOKING_LISTS_ENV):
        Settings.from_environment()
