"""The mapper on hand-built stream records: which items make events, of which type, with which changes."""

from typing import Any

import pytest

from kairos.container import Container
from kairos.events.contract import EventEnvelope
from kairos.storage import keys
from kairos.stream.changes import BatchBookings, item_change
from kairos.stream.mapper import EventMapper
from tests.unit.events.records import BOOKING, GROUP, PROJECT, booking_item, group_item, record


def mapped(container: Container, *records: dict[str, Any]) -> list[EventEnvelope]:
    changes = [c for c in (item_change(r) for r in records) if c is not None]
    batch = BatchBookings.of(changes)
    mapper = EventMapper.from_container(container)
    return [e for e in (mapper.map_change(c, batch) for c in changes) if e is not None]


def test_insert_and_remove_make_created_and_deleted_with_the_rendered_object(container: Container) -> None:
    created, deleted = mapped(
        container,
        record("INSERT", None, booking_item(), "a"),
        record("REMOVE", booking_item(metadata={"k": 1}), None, "b"),
    )
    assert (created["type"], created["changes"], created["data"]["id"]) == ("booking.created", None, BOOKING)
    assert (deleted["type"], deleted["data"]["metadata"]) == ("booking.deleted", {"k": 1})
    assert created["project_id"] == PROJECT
    assert created["time"] == "2030-01-01T10:00:00+00:00"


@pytest.mark.parametrize(
    ("before", "after", "expected", "changes"),
    [
        ({}, {"metadata": {"a": 1}}, "booking.updated", ["metadata", "updated_at"]),
        (
            {"is_temporary": True},
            {"is_temporary": False},
            "booking.finalized",
            ["is_temporary", "updated_at"],
        ),
        ({}, {"is_canceled": True}, "booking.canceled", ["is_canceled", "updated_at"]),
    ],
)
def test_modify_is_classified_by_what_changed(
    container: Container, before: dict[str, Any], after: dict[str, Any], expected: str, changes: list[str]
) -> None:
    [event] = mapped(container, record("MODIFY", booking_item(1, **before), booking_item(2, **after)))
    assert (event["type"], event["changes"]) == (expected, changes)


def test_a_modify_that_changes_nothing_visible_makes_no_event(container: Container) -> None:
    same = booking_item(1)
    assert mapped(container, record("MODIFY", same, {**same, "version": 2})) == []


def test_bookkeeping_items_make_no_event(container: Container) -> None:
    ledger = {**keys.ledger(PROJECT, BOOKING, "2030-01-07"), "entity": "ledger", "version": 3}
    hold = {**booking_item(), "SK": "TL#2030-01-07T09:00:00Z#BOOKING#x", "entity": "timeline_booking"}
    assert mapped(container, record("INSERT", None, ledger), record("INSERT", None, hold)) == []


def test_the_event_id_is_stable_per_record_and_differs_between_records(container: Container) -> None:
    first = mapped(container, record("INSERT", None, booking_item(), "same"))
    again = mapped(container, record("INSERT", None, booking_item(), "same"))
    other = mapped(container, record("INSERT", None, booking_item(), "other"))
    assert first[0]["id"] == again[0]["id"] != other[0]["id"]


def test_a_group_renders_its_members_from_the_same_batch(container: Container) -> None:
    booking, group = mapped(
        container,
        record("INSERT", None, booking_item(booking_group_id=GROUP), "a"),
        record("INSERT", None, group_item([BOOKING]), "b"),
    )
    assert booking["type"] == "booking.created"
    assert group["type"] == "booking_group.created"
    assert [b["id"] for b in group["data"]["bookings"]] == [BOOKING]


def test_removing_a_hold_past_its_expiry_is_booking_expired_and_before_it_booking_deleted(
    container: Container,
) -> None:
    """The record's time is 2030-01-01T10:00:00Z: the sweep's removal comes after the expiry."""
    expired, deleted, kept_forever = mapped(
        container,
        record("REMOVE", booking_item(is_temporary=True, expires_at="2030-01-01T10:00:00+00:00"), None, "a"),
        record("REMOVE", booking_item(is_temporary=True, expires_at="2030-01-01T10:00:01+00:00"), None, "b"),
        record("REMOVE", booking_item(is_temporary=True), None, "c"),
    )
    assert (expired["type"], expired["data"]["expires_at"]) == (
        "booking.expired",
        "2030-01-01T10:00:00+00:00",
    )
    assert (deleted["type"], kept_forever["type"]) == ("booking.deleted", "booking.deleted")
