"""Each booking item is alone in a partition of its own (`PROJECT#<p>#BOOKING#<id>`), so a get is one
GetItem and a booking write touches no partition another booking's does. A table written by the version
before (booking items in the project's partition) keeps working while it is upgraded: gets, lists, changes
and deletes find those items, and the backfill `bookings` moves them, once, with no event."""

from typing import Any

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import Page
from kairos.storage import keys
from kairos.storage.booking_moves import move_bookings
from kairos.storage.dynamodb import to_item
from kairos.upgrades import BACKFILLS
from tests.unit.clinic import add_doctor, booking_body
from tests.unit.events.records import booking_item, record
from tests.unit.events.test_mapper import mapped


def _book(container: Container, principal: Principal, clinic: dict[str, str], hours: range) -> list[str]:
    return [
        str(container.bookings.create(principal, booking_body(clinic, hour, ignore_schedule=True))["id"])
        for hour in hours
    ]


def _as_the_previous_version_wrote_them(container: Container, project_id: str, ids: list[str]) -> None:
    """Each booking item put back under its legacy key, in the project's partition."""
    table = container.table
    for booking_id in ids:
        item = table.get(keys.booking(project_id, booking_id))
        assert item is not None
        legacy = {**item, **keys.legacy_booking(project_id, booking_id)}
        table.client.put_item(TableName=table.name, Item=to_item(legacy))
        table.delete_keys([keys.booking(project_id, booking_id)])


def _stored_under(container: Container, project_id: str, booking_id: str) -> list[str]:
    found = [
        name
        for name, key in (
            ("own", keys.booking(project_id, booking_id)),
            ("legacy", keys.legacy_booking(project_id, booking_id)),
        )
        if container.table.get(key) is not None
    ]
    return found


def _page(container: Container, principal: Principal, **query: str) -> Page:
    return container.bookings.page(principal, {"from": "2030-01-07T00:00:00+00:00", **query})


def test_each_booking_is_alone_in_its_own_partition(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    clinic = {
        **clinic,
        "resource_id": add_doctor(container, principal, clinic["service_id"], clinic["location_id"]),
    }
    ids = _book(container, principal, clinic, range(9, 12))
    project_id = principal.project_id
    partitions = [list(container.table.query(keys.booking(project_id, i)["PK"])) for i in ids]
    assert [[item["SK"] for item in items] for items in partitions] == [["BOOKING"]] * 3
    assert list(container.table.query(keys.entity_partition(project_id), "BOOKING#")) == []
    assert container.bookings.get(principal, ids[0])["id"] == ids[0]


def test_bookings_of_the_previous_layout_are_read_changed_and_moved_once(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    project_id = principal.project_id
    ids = _book(container, principal, clinic, range(9, 14))
    before = {
        owner: _page(container, principal, **{owner: clinic[f"{owner}_id"]})
        for owner in ("location", "service", "resource")
    }
    got = container.bookings.get(principal, ids[0])
    _as_the_previous_version_wrote_them(container, project_id, ids)

    # while not moved: read, listed, changed and deleted where they are
    assert container.bookings.get(principal, ids[0]) == got
    for owner, page in before.items():
        assert _page(container, principal, **{owner: clinic[f"{owner}_id"]}) == page
    container.bookings.patch(principal, ids[1], {"metadata": {"moved": "not yet"}})
    assert _stored_under(container, project_id, ids[1]) == ["legacy"]
    assert container.bookings.get(principal, ids[1])["metadata"] == {"moved": "not yet"}
    container.bookings.delete(principal, ids[2])
    assert _stored_under(container, project_id, ids[2]) == []

    assert move_bookings(container.table) == 4
    assert move_bookings(container.table) == 0  # a second run moves none
    assert [_stored_under(container, project_id, i) for i in (ids[0], ids[1], ids[3], ids[4])] == [
        ["own"]
    ] * 4
    assert container.bookings.get(principal, ids[0]) == got
    assert container.bookings.get(principal, ids[1])["metadata"] == {"moved": "not yet"}
    container.bookings.patch(principal, ids[3], {"metadata": {"moved": "yes"}})
    assert _stored_under(container, project_id, ids[3]) == ["own"]
    location = _page(container, principal, location=clinic["location_id"])
    assert location.total == 4
    assert [b["id"] for b in location.items] == [i for i in ids if i != ids[2]]


def test_the_backfill_is_one_of_the_upgrades() -> None:
    assert "bookings" in [backfill.name for backfill in BACKFILLS]


def test_a_move_makes_no_event_but_a_deleted_legacy_booking_does(container: Container) -> None:
    legacy = {**booking_item(), **keys.legacy_booking(*_ids(booking_item()))}
    moved = {**booking_item(), keys.BOOKING_MOVED: True}
    container.table.client.put_item(TableName=container.table.name, Item=to_item(moved))
    assert mapped(container, record("INSERT", None, moved, "a"), record("REMOVE", legacy, None, "b")) == []
    container.table.delete_keys([keys.booking(*_ids(moved))])
    [deleted] = mapped(container, record("REMOVE", legacy, None, "c"))
    assert deleted["type"] == "booking.deleted"
    [changed] = mapped(
        container, record("MODIFY", legacy, {**legacy, "version": 2, "is_canceled": True}, "d")
    )
    assert changed["type"] == "booking.canceled"


def _ids(item: dict[str, Any]) -> tuple[str, str]:
    return str(item["project_id"]), str(item["id"])
