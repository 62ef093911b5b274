"""Locations, resources and services are read by key from items of their own (`PROJECT#<p>#<KIND>#<id>` /
`ENTITY`), written in the same transaction as the item their lists read in the project's partition: a
busy project's booking lists, slot listings and booking plans read no one partition every time. Entities
written before (their listed item alone) are read from it until the backfill `catalogue` copies them."""

from collections.abc import Iterator
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE
from kairos.domain.projects.auth import Principal
from kairos.storage import keys
from kairos.storage.entity_reads import copy_entities
from kairos.upgrades import BACKFILLS
from tests.unit.clinic import booking_body


class Partitions:
    """The partition keys each read since `reset` named (GetItem, BatchGetItem, Query)."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def on_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            self.read.append(params["Key"]["PK"]["S"])
        elif model.name == "BatchGetItem":
            for request in params["RequestItems"].values():
                self.read += [key["PK"]["S"] for key in request["Keys"]]
        elif model.name == "Query":
            self.read.append(params["ExpressionAttributeValues"][":pk"]["S"])


@pytest.fixture
def partitions(container: Container) -> Iterator[Partitions]:
    seen = Partitions()
    container.table.client.meta.events.register("provide-client-params.dynamodb", seen.on_call)
    yield seen
    container.table.client.meta.events.unregister("provide-client-params.dynamodb", seen.on_call)


def _own_items(container: Container, project_id: str, clinic: dict[str, str]) -> list[dict[str, Any] | None]:
    return [
        container.table.get(keys.entity_read(project_id, kind, clinic[f"{kind}_id"]))
        for kind in ("service", "location", "resource")
    ]


def test_a_booking_list_and_a_get_read_no_entity_of_the_projects_partition(
    container: Container, principal: Principal, clinic: dict[str, str], partitions: Partitions
) -> None:
    booked = container.bookings.create(principal, booking_body(clinic, 9))
    project_partition = keys.entity_partition(principal.project_id)
    partitions.read = []
    page = container.bookings.page(principal, {"location": clinic["location_id"]})
    assert page.items[0]["resource"]["id"] == clinic["resource_id"]
    assert container.bookings.get(principal, booked["id"])["location"]["name"] == "Clinic"
    assert container.catalogue.get(principal, RESOURCE, clinic["resource_id"])["name"] == "Dr."
    assert project_partition not in partitions.read
    assert keys.entity_read(principal.project_id, "resource", clinic["resource_id"])["PK"] in partitions.read


def test_a_change_and_a_delete_reach_both_items_at_once(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    booked = container.bookings.create(principal, booking_body(clinic, 9))
    container.catalogue.patch(principal, RESOURCE, clinic["resource_id"], {"name": "Dr. Renamed"})
    assert container.bookings.get(principal, booked["id"])["resource"]["name"] == "Dr. Renamed"
    listed = container.catalogue.page(principal, RESOURCE, {})
    assert [r["name"] for r in listed.items] == ["Dr. Renamed"]
    container.catalogue.delete(principal, LOCATION, clinic["location_id"])
    assert container.bookings.get(principal, booked["id"])["location"] is None
    assert (
        container.table.get(keys.entity_read(principal.project_id, "location", clinic["location_id"])) is None
    )


def test_entities_written_before_are_read_from_their_listed_item_until_the_backfill_copies_them(
    container: Container, principal: Principal, clinic: dict[str, str], partitions: Partitions
) -> None:
    project_id = principal.project_id
    booked = container.bookings.create(principal, booking_body(clinic, 9))
    shown = container.bookings.get(principal, booked["id"])
    container.table.delete_keys(
        [
            keys.entity_read(project_id, kind, clinic[f"{kind}_id"])
            for kind in ("service", "location", "resource")
        ]
    )
    assert container.bookings.get(principal, booked["id"]) == shown
    assert (
        container.bookings.create(principal, booking_body(clinic, 10))["resource"]["id"]
        == clinic["resource_id"]
    )

    assert copy_entities(container.table) == 3
    assert copy_entities(container.table) == 0  # a second run copies none
    assert all(item is not None for item in _own_items(container, project_id, clinic))
    partitions.read = []
    assert container.bookings.get(principal, booked["id"]) == shown
    assert keys.entity_partition(project_id) not in partitions.read
    assert "catalogue" in [backfill.name for backfill in BACKFILLS]


def test_a_booking_group_is_read_by_key_from_its_own_item_written_with_its_bookings(
    container: Container, principal: Principal, clinic: dict[str, str], partitions: Partitions
) -> None:
    group = container.booking_groups.create(principal, {"bookings": [booking_body(clinic, 9)]})
    own = container.table.get(keys.entity_read(principal.project_id, "booking_group", group["id"]))
    assert own is not None and own["version"] == 1
    partitions.read = []
    assert container.booking_groups.get(principal, group["id"]) == group
    assert keys.entity_partition(principal.project_id) not in partitions.read
    container.booking_groups.delete(principal, group["id"])
    assert container.table.get(keys.entity_read(principal.project_id, "booking_group", group["id"])) is None
