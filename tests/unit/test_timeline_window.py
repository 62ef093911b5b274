"""A window of a resource's timeline reads the short entries near it and the head (recurring schedules and
long entries, kept with the schedule version): long bookings and blocks, and schedule changes, still count
at once; timelines written before heads existed count once backfilled."""

from datetime import UTC, datetime, timedelta

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import RESOURCE
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Record
from kairos.errors import ValidationFailed
from kairos.storage import keys
from kairos_cli.__main__ import _parser, run
from tests.unit.clinic import DAY, at, booking_body

WHOLE_DAY = {"from": f"{DAY}T00:00:00+00:00", "to": f"{DAY}T23:59:59+00:00"}
LONG = {"ignore_schedule": True, "ignore_bookable_slots": True}  # a stay the one-hour service cannot offer
MONDAY = datetime.fromisoformat(f"{DAY}T00:00:00+00:00")


def _slots(container: Container, principal: Principal, clinic: dict[str, str], **extra: str) -> list[str]:
    query = {**WHOLE_DAY, "location": clinic["location_id"], **extra}
    page = container.availability.bookable_slots(principal, clinic["service_id"], query)
    return [item["starts_at"] for item in page.items]


def _days_later(days: int, hour: int) -> str:
    return (MONDAY + timedelta(days=days, hours=hour)).isoformat()


def test_a_three_day_booking_takes_every_slot_and_place_it_covers(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    assert len(_slots(container, principal, clinic)) == 9
    long = container.bookings.create(
        principal,
        {
            **LONG,
            **clinic,
            "starts_at": at(7),
            "ends_at": _days_later(3, 7),  # ends long after any window of that day reaches
        },
    )
    assert _slots(container, principal, clinic) == []
    with pytest.raises(ValidationFailed) as refused:
        container.bookings.create(principal, booking_body(clinic, 10))
    assert "The resource is fully booked at this time." in refused.value.errors["starts_at"]
    container.bookings.delete(principal, long["id"])
    assert len(_slots(container, principal, clinic)) == 9
    container.bookings.create(principal, booking_body(clinic, 10))


def test_a_long_block_closes_the_days_it_covers_until_it_is_made_short(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    closed = {
        "location_id": clinic["location_id"],
        "starts_at": _days_later(-2, 0),
        "ends_at": _days_later(4, 0),
        "is_available": False,
    }
    block = container.schedules.put_block(principal, clinic["resource_id"], None, closed)
    assert _slots(container, principal, clinic) == []
    with pytest.raises(ValidationFailed) as refused:
        container.bookings.create(principal, booking_body(clinic, 10))
    assert "The resource is not available at this time." in refused.value.errors["starts_at"]
    short = {**closed, "starts_at": _days_later(1, 0), "ends_at": _days_later(1, 12)}
    container.schedules.put_block(principal, clinic["resource_id"], block["id"], short)
    assert len(_slots(container, principal, clinic)) == 9
    container.schedules.delete_block(principal, clinic["resource_id"], block["id"])
    container.bookings.create(principal, booking_body(clinic, 10))


def _weekly_doctor(
    container: Container, principal: Principal, clinic: dict[str, str], until: str
) -> tuple[str, str, str]:
    """A doctor of the clinic's service with a recurring schedule: Mondays from 08:00 to `until`. Returns
    the ids of the doctor, the schedule and its block."""
    weekly = container.catalogue.create(principal, RESOURCE, {"name": "Dr. Weekly"})["id"]
    container.catalogue.associate(principal, clinic["service_id"], weekly)
    schedule = container.schedules.create_recurring(
        principal, weekly, {"location_id": clinic["location_id"], "start_date": "2030-01-01"}
    )
    mondays = {"weekday": "monday", "start_time": "08:00:00", "end_time": until}
    block = container.schedules.put_weekly(principal, weekly, schedule["id"], None, mondays)
    return weekly, schedule["id"], block["id"]


def test_a_recurring_schedule_change_is_seen_by_the_next_listing_and_booking(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    weekly, schedule, block = _weekly_doctor(container, principal, clinic, "10:00:00")
    mornings = {"weekday": "monday", "start_time": "08:00:00", "end_time": "10:00:00"}
    assert _slots(container, principal, clinic, resource=weekly) == [at(8), at(9)]
    longer = {**mornings, "end_time": "11:00:00"}
    container.schedules.put_weekly(principal, weekly, schedule, block, longer)
    assert _slots(container, principal, clinic, resource=weekly) == [at(8), at(9), at(10)]
    container.bookings.create(principal, booking_body(clinic, 10, resource_id=weekly))
    container.schedules.delete_recurring(principal, weekly, schedule)
    assert _slots(container, principal, clinic, resource=weekly) == []
    with pytest.raises(ValidationFailed) as refused:
        container.bookings.create(principal, booking_body(clinic, 8, resource_id=weekly))
    assert "The resource is not available at this time." in refused.value.errors["starts_at"]


def _block(
    container: Container, principal: Principal, resource_id: str, starts: datetime, ends: datetime
) -> str:
    """A one-off block straight through the store (the API refuses overlapping blocks)."""
    record = Record(
        "schedule_block",
        f"{starts:%m%d%H%M%S}-{ends:%m%d%H%M%S}",
        {
            "location_id": "l",
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
            "is_available": True,
        },
        starts,
        starts,
    )
    container.schedule_store.put_block(principal.project_id, resource_id, record, None)
    return record.id


def test_a_window_holds_what_overlaps_it_up_to_its_edges(container: Container, principal: Principal) -> None:
    start, end = MONDAY, MONDAY + timedelta(days=1)
    resource = "r"
    second, day = timedelta(seconds=1), timedelta(days=1)
    wanted = {
        _block(
            container, principal, resource, end - second, end + day - second
        ),  # a day, ends a second early
        _block(container, principal, resource, start - 3 * day, end + 3 * day),  # long, across the window
        _block(container, principal, resource, start - second, start + second),
    }
    unwanted = {
        _block(container, principal, resource, end, end + day),  # a day, ends at to + 1 day: starts at to
        _block(container, principal, resource, start - 3 * day, start),  # long, ends as the window starts
        _block(container, principal, resource, end + day, end + 5 * day),  # long, after the window
    }
    timeline = container.schedule_store.timeline(principal.project_id, resource, start, end)
    found = {b.id for b in timeline.blocks if b.starts_at < end and b.ends_at > start}
    assert found == wanted and not wanted & unwanted
    assert {b.id for b in timeline.blocks} <= wanted | {min(unwanted)}  # at most an item ending at `from`


def _strip_heads(container: Container) -> int:
    """Takes the copies out of every schedule-version item: the timeline as written before heads."""
    client, name = container.table.client, container.table.name
    stripped = 0
    for item in client.scan(TableName=name)["Items"]:
        copies = [a for a in item if a.startswith(("rs_", "long_"))]
        if item["SK"]["S"] == keys.schedule_version("", "")["SK"] and copies:
            names = {f"#a{n}": a for n, a in enumerate(copies)}
            client.update_item(
                TableName=name,
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="REMOVE " + ", ".join(names),
                ExpressionAttributeNames=names,
            )
            stripped += 1
    return stripped


def test_timelines_written_before_heads_answer_the_same_once_the_cli_backfilled_them(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    _weekly_doctor(container, principal, clinic, "12:00:00")
    container.bookings.create(principal, {**LONG, **clinic, "starts_at": at(7), "ends_at": _days_later(3, 0)})
    expected = _slots(container, principal, clinic)
    assert expected == [at(8), at(9), at(10), at(11)]  # the weekly doctor's; the other is booked
    assert _strip_heads(container) == 2
    assert _slots(container, principal, clinic) != expected
    assert run(_parser().parse_args(["table", "backfill-timelines"]), container) == {"updated": 2}
    assert _slots(container, principal, clinic) == expected
    assert container.schedule_store.backfill_timelines() == 0  # nothing left to do
    assert datetime.now(UTC) < datetime(2030, 1, 1, tzinfo=UTC)  # the bookings above are in the future


def test_a_head_keeps_its_recent_long_entries_and_windows_further_back_still_see_the_pruned_ones(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    """A resource booked stay after stay: a long hold written prunes the head's long entries that ended
    more than 30 days ago (its item would otherwise grow with every stay), yet a window reaching back
    that far still counts them, in slot listings, booking checks and a backfill alike."""
    now = MONDAY + timedelta(days=40)
    container.clock = lambda: now
    past = {**LONG, **clinic, "ignore_booking_window": True}
    stay = container.bookings.create(
        principal, {**past, "starts_at": _days_later(-1, 7), "ends_at": _days_later(2, 7)}
    )
    assert _slots(container, principal, clinic, ignore_booking_window="true") == []
    container.bookings.create(
        principal, {**past, "starts_at": _days_later(50, 7), "ends_at": _days_later(53, 7)}
    )

    head_key = keys.schedule_version(principal.project_id, clinic["resource_id"])
    head = container.table.get(head_key)
    assert head is not None
    assert f"long_booking_{stay['id']}" not in head
    assert head["pruned_before"] == keys.utc_key(now - timedelta(days=30))
    assert _slots(container, principal, clinic, ignore_booking_window="true") == []
    with pytest.raises(ValidationFailed) as refused:
        container.bookings.create(principal, {**booking_body(clinic, 10), "ignore_booking_window": True})
    assert "The resource is fully booked at this time." in refused.value.errors["starts_at"]
    assert container.schedule_store.backfill_timelines() == 0  # gives back no pruned copy
    container.bookings.delete(principal, stay["id"])
    assert len(_slots(container, principal, clinic, ignore_booking_window="true")) == 9
