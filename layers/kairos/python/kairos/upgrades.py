"""The backfills an existing table needs after an upgrade, in one list that both the operator CLI (`kairos
table backfill-<name>`) and the local store's start (`kairos_local.bootstrap`) run from
(docs/infrastructure.md, "Upgrading the table"). Each Scans the table (`kairos.storage.backfill`) and
updates, conditioned, the items an earlier version wrote differently: safe beside live traffic, and a
second run updates none."""

from collections.abc import Callable
from dataclasses import dataclass

from kairos.container import Container
from kairos.storage.booking_moves import move_bookings
from kairos.storage.entity_reads import copy_entities
from kairos.storage.hold_backfill import backfill_hold_services


@dataclass(frozen=True)
class Backfill:
    name: str  # the CLI's `backfill-<name>`
    # What a local table records once it has had it: a backfill that learns to write more takes a new mark,
    # so tables upgraded before it run it again.
    mark: str
    help: str
    run: Callable[[Container], int]  # how many items it updated


BACKFILLS = (
    Backfill(
        "listings",
        "sharded-listings",
        "give booking items the listing keys of this version: the owners' indexes, the length classes and "
        "the shards (once, after upgrading)",
        lambda container: container.booking_store.backfill_listings(),
    ),
    Backfill(
        "timelines",
        "timelines",
        "copy recurring schedules and long holds and blocks into their resources' timeline heads (once, "
        "after upgrading)",
        lambda container: container.schedule_store.backfill_timelines(),
    ),
    Backfill(
        "hold-services",
        "hold-services",
        "give the holds of older bookings their service, which booking limits count them by (once, after "
        "upgrading)",
        lambda container: backfill_hold_services(container.table),
    ),
    Backfill(
        "bookings",
        "booking-partitions",
        "move booking items from their project's partition to partitions of their own (once, after "
        "upgrading)",
        lambda container: move_bookings(container.table),
    ),
    Backfill(
        "catalogue",
        "catalogue-partitions",
        "give each location, resource, service and booking group its own item, read by key (once, after "
        "upgrading)",
        lambda container: copy_entities(container.table),
    ),
)
