"""`kairos migrate from-hapio`: a Hapio project (or a Kairos one: the same API) read through its public API
with kairos-client, written into a Kairos project through the domain services, KEEPING every id and its
created/updated times, so the ids a customer's app stored keep working.

Writing through the services (not the public API, which mints ids) keeps every rule of a create: the same
validation, the same items (listing keys, timelines, the capacity ledger of bookings), so migrated data
answers slots and refuses double bookings exactly as data created through the API does. A booking is
written with the `ignore_*` flags (the source already accepted it, perhaps in the past or outside today's
schedule), which skip the checks but not the ledger; it keeps its finalized and canceled times.

Order: resources, locations (their priority lists name resources), services, associations, recurring
schedules and their blocks, one-off blocks, bookings outside groups, booking groups with their bookings.
A re-run resumes: an entity whose id is already in the project is left alone (the write is conditioned on
the id being new, so two runs at once cannot duplicate either). A 429 from the source is waited out (its
Retry-After) by the client. The end compares: per kind, the source's count and how many of those ids the
project has, and a sample compared field by field (timestamps as instants); any difference exits 1.
"""

import argparse
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from kairos.abilities import ALL_ABILITIES
from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE, EntityKind
from kairos.domain.projects.auth import Principal
from kairos.errors import Conflict, DomainError, NotFound
from kairos.values.formats import parse_timestamp
from kairos.values.ids import Origin
from kairos_client import Client
from kairos_client.types import wire_value

SAMPLE = 3  # entities per kind compared field by field
PER_PAGE = 100
IGNORE = {
    "ignore_schedule": True,
    "ignore_fully_booked": True,
    "ignore_bookable_slots": True,
    "ignore_booking_window": True,
}

# Lists leave disabled entities, canceled and temporary bookings out unless asked (docs/api.md).
EVERY_ENTITY = {"disabled": "include"}
EVERY_BOOKING = {"canceled": "include", "temporary": "include"}

Item = dict[str, Any]


@dataclass
class Step:
    """One kind: its source items (each with the path ids it lives under), how the project reads one
    back (NotFound when absent) and how it writes one."""

    kind: str
    items: Callable[[], Iterator[tuple[Item, dict[str, str]]]]
    read: Callable[[Item, dict[str, str]], Item]
    write: Callable[[Item, dict[str, str]], None]


@dataclass
class Tally:
    source: int = 0
    written: int = 0
    present: int = 0  # already there (an earlier run)
    failed: list[str] = field(default_factory=list)


def origin_time(item: Item) -> dt.datetime:
    return parse_timestamp(item["created_at"])


def origin(item: Item) -> Origin:
    def when(name: str) -> dt.datetime | None:
        value = item.get(name)
        return parse_timestamp(value) if value else None

    created = when("created_at")
    assert created is not None
    return Origin(
        item["id"], created, when("updated_at") or created, when("finalized_at"), when("canceled_at")
    )


class Migration:
    def __init__(
        self, source: Client, container: Container, project_id: str, bookings_from: dt.date | None = None
    ) -> None:
        self.source = source
        self.c = container
        project = container.projects.project(project_id)
        self.viewer = Principal(project, "migration", frozenset(ALL_ABILITIES), "kairos migrate")
        self.bookings_from = bookings_from
        self._resource_list: list[Item] | None = None

    # --- reading the source ---------------------------------------------------------------------------

    def _all(
        self, operation: str, query: Mapping[str, str] | None = None, path: dict[str, str] | None = None
    ) -> list[Item]:
        items = self.source.paginate(operation, path=path, query={"per_page": PER_PAGE, **(query or {})})
        return [wire_value(item) for item in items]

    def _top(self, operation: str, query: Mapping[str, str]) -> Iterator[tuple[Item, dict[str, str]]]:
        yield from ((item, {}) for item in self._all(operation, query))

    def _resources(self) -> list[Item]:
        if self._resource_list is None:  # read once: schedules and blocks are read per resource
            self._resource_list = self._all("get_resources", EVERY_ENTITY)
        return self._resource_list

    def _under_resources(self, operation: str) -> Iterator[tuple[Item, dict[str, str]]]:
        for resource in self._resources():
            for item in self._all(operation, path={"resource": resource["id"]}):
                yield item, {"resource": resource["id"]}

    def _recurring_blocks(self) -> Iterator[tuple[Item, dict[str, str]]]:
        for schedule, path in self._under_resources("get_resource_recurring_schedules"):
            where = {**path, "recurring_schedule": schedule["id"]}
            yield from (
                (item, where) for item in self._all("get_resource_recurring_schedule_blocks", path=where)
            )

    def _associations(self) -> Iterator[tuple[Item, dict[str, str]]]:
        for service in self._all("get_services", EVERY_ENTITY):
            for link in self.source.get_service_resources(path={"service": service["id"]}):
                yield wire_value(link), {}

    def _window(self) -> dict[str, str]:
        start = self.bookings_from
        return {"from": dt.datetime.combine(start, dt.time(), dt.UTC).isoformat()} if start else {}

    def _bookings(self) -> Iterator[tuple[Item, dict[str, str]]]:
        for item, path in self._top("get_bookings", {**self._window(), **EVERY_BOOKING}):
            if not item.get("booking_group_id"):  # a group's bookings come with their group
                yield item, path

    # --- writing the project --------------------------------------------------------------------------

    def steps(self) -> list[Step]:
        c, v = self.c, self.viewer
        catalogue = [self._catalogue_step(kind) for kind in (RESOURCE, LOCATION, SERVICE)]
        return [
            *catalogue,
            Step(
                "associations",
                self._associations,
                lambda item, _: c.catalogue.association(v, item["service_id"], item["resource_id"]),
                lambda item, _: _ignore(
                    c.catalogue.associate(v, item["service_id"], item["resource_id"], origin_time(item))
                ),
            ),
            Step(
                "recurring_schedules",
                lambda: self._under_resources("get_resource_recurring_schedules"),
                lambda item, p: c.schedules.get_recurring(v, p["resource"], item["id"]),
                lambda item, p: _ignore(c.schedules.create_recurring(v, p["resource"], item, origin(item))),
            ),
            Step(
                "recurring_schedule_blocks",
                self._recurring_blocks,
                lambda item, p: c.schedules.get_weekly(v, p["resource"], p["recurring_schedule"], item["id"]),
                lambda item, p: _ignore(
                    c.schedules.put_weekly(
                        v, p["resource"], p["recurring_schedule"], None, item, origin=origin(item)
                    )
                ),
            ),
            Step(
                "schedule_blocks",
                lambda: self._under_resources("get_resource_schedule_blocks"),
                lambda item, p: c.schedules.get_block(v, p["resource"], item["id"]),
                lambda item, p: _ignore(
                    c.schedules.put_block(v, p["resource"], None, item, origin=origin(item))
                ),
            ),
            Step(
                "bookings",
                self._bookings,
                lambda item, _: c.bookings.get(v, item["id"]),
                lambda item, _: _ignore(c.bookings.create(v, _booking_body(item), origin(item))),
            ),
            Step(
                "booking_groups",
                lambda: self._top("get_booking_groups", {**self._window(), **EVERY_BOOKING}),
                lambda item, _: c.booking_groups.get(v, item["id"]),
                lambda item, _: _ignore(
                    c.booking_groups.create(
                        v,
                        {**item, "bookings": [_booking_body(b) for b in item["bookings"]]},
                        [origin(item), *map(origin, item["bookings"])],
                    )
                ),
            ),
        ]

    def _catalogue_step(self, kind: EntityKind) -> Step:
        c, v = self.c, self.viewer
        return Step(
            f"{kind.name}s",
            lambda: self._top(f"get_{kind.name}s", EVERY_ENTITY),
            lambda item, _: c.catalogue.get(v, kind, item["id"]),
            lambda item, _: _ignore(c.catalogue.create(v, kind, item, origin(item))),
        )

    def run(self, out: TextIO, *, dry_run: bool = False) -> bool:
        """Migrates (or, dry, counts what would be), then compares; True when everything matches."""
        same = True
        for step in self.steps():
            tally, sample = self._step(step, dry_run)
            differences = [] if dry_run else self._compare(step, sample)
            same &= (
                not differences
                and not tally.failed
                and (dry_run or tally.written + tally.present == tally.source)
            )
            verb = "to write" if dry_run else "written"
            print(
                f"{step.kind}: source {tally.source}, {verb} {tally.written}, already there {tally.present}"
                + (f", failed {len(tally.failed)}" if tally.failed else ""),
                file=out,
            )
            for line in tally.failed + differences:
                print(f"  {line}", file=out)
        print("the project matches the source" if same else "DIFFERENCES: see above", file=out)
        return same

    def _step(self, step: Step, dry_run: bool) -> tuple[Tally, list[tuple[Item, dict[str, str]]]]:
        tally, sample = Tally(), list[tuple[Item, dict[str, str]]]()
        for item, path in step.items():
            tally.source += 1
            if len(sample) < SAMPLE:
                sample.append((item, path))
            if self._present(step, item, path):
                tally.present += 1
                continue
            if dry_run:
                tally.written += 1
                continue
            try:
                step.write(item, path)
                tally.written += 1
            except Conflict:  # written meanwhile (another run): the condition on the new id said so
                if not self._present(step, item, path):
                    raise
                tally.present += 1
            except DomainError as error:
                tally.failed.append(f"{item.get('id')}: {error} {getattr(error, 'errors', '') or ''}".strip())
        return tally, sample

    @staticmethod
    def _present(step: Step, item: Item, path: dict[str, str]) -> bool:
        try:
            step.read(item, path)
        except NotFound:
            return False
        return True

    @staticmethod
    def _compare(step: Step, sample: list[tuple[Item, dict[str, str]]]) -> list[str]:
        differences = []
        for item, path in sample:
            try:
                kept = step.read(item, path)
            except NotFound:
                differences.append(f"{item.get('id')}: missing")
                continue
            differences += [
                f"{item.get('id')}: {name}: {item[name]!r} != {kept.get(name)!r}"
                for name in _differing(item, kept)
            ]
        return differences


def _differing(source: Item, kept: Item) -> list[str]:
    return [name for name, value in source.items() if not _same(value, kept.get(name))]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return not _differing(a, b) and set(a) <= set(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str) and a != b:
        try:
            return parse_timestamp(a) == parse_timestamp(b)  # the same instant, written in another offset
        except ValueError:
            return False
    return bool(a == b)


def _booking_body(item: Item) -> Item:
    return {**item, **IGNORE}


def _ignore(_: object) -> None:
    """The services answer with what they wrote; the migration reads it back when it compares."""


def add_migrate_parser(areas: Any) -> None:
    """`migrate from-hapio` in the CLI's parser (`areas`: its sub-parsers)."""
    migrate = areas.add_parser("migrate", help="bring data in").add_subparsers(dest="action", required=True)
    hapio = migrate.add_parser("from-hapio", help="copy a Hapio project into a Kairos project, ids kept")
    hapio.add_argument(
        "--source-url", required=True, help="the source API: https://eu-central-1.hapio.net/v1"
    )
    hapio.add_argument("--source-token", required=True, help="a source token that may read everything")
    hapio.add_argument("--project", required=True, help="the Kairos project to write into")
    hapio.add_argument("--bookings-from", type=dt.date.fromisoformat, default=None, help="from this date on")
    hapio.add_argument("--dry-run", action="store_true", help="read and count; write nothing")


def migrate_command(args: argparse.Namespace, container: Container, out: TextIO) -> bool:
    with Client(args.source_url, args.source_token, max_retries=20, max_wait=60) as source:
        migration = Migration(source, container, args.project, args.bookings_from)
        return migration.run(out, dry_run=args.dry_run)
