"""Calendar subscriptions on the in-process table, with a feed the test controls: a sync replaces the busy
set in one write that moves the version checked bookings condition on (only when it changed), the poller's
choices, and the limit of subscriptions per resource."""

from collections.abc import Callable
from typing import Any

import pytest

from kairos.calendars.subscriptions import MAX_PER_RESOURCE, CalendarSubscriptions
from kairos.container import Container
from kairos.domain.catalogue.catalogue import RESOURCE
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from kairos.storage import keys
from tests.unit.calendars.feeds import URL, Feed
from tests.unit.clinic import DAY, booking_body


def head_version(container: Container, principal: Principal, resource_id: str) -> int:
    item = container.table.get(keys.schedule_version(principal.project_id, resource_id))
    assert item is not None
    return int(item["version"])


def booked(
    container: Container, principal: Principal, clinic: dict[str, str], hour: int
) -> Callable[[], Any]:
    return lambda: container.bookings.create(principal, booking_body(clinic, hour))


def test_a_sync_replaces_the_busy_set_in_one_write_that_moves_the_version_only_when_it_changed(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    calendars: CalendarSubscriptions,
    feed: Feed,
) -> None:
    doctor = clinic["resource_id"]
    made = calendars.create(principal, doctor, {"url": URL, "name": "Mine"})
    before = head_version(container, principal, doctor)
    feed.busy_at(10)
    assert calendars.sync_now(principal, doctor, made["id"])["status"] == "ok"
    moved = head_version(container, principal, doctor)
    assert moved == before + 1  # checked bookings planned before it are refused at commit
    with pytest.raises(ValidationFailed):
        booked(container, principal, clinic, 10)()

    calendars.sync_now(principal, doctor, made["id"])  # the same busy times
    calendars.patch(principal, doctor, made["id"], {"name": "Renamed"})
    assert head_version(container, principal, doctor) == moved  # no booking need plan again

    feed.busy_at(11)
    calendars.sync_now(principal, doctor, made["id"])
    assert head_version(container, principal, doctor) == moved + 1
    assert booked(container, principal, clinic, 10)()["starts_at"].startswith(f"{DAY}T10:00")


def test_the_poller_keeps_the_last_good_busy_times_of_a_failing_feed_and_a_deleted_resource_takes_its_own(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    calendars: CalendarSubscriptions,
    feed: Feed,
) -> None:
    doctor = clinic["resource_id"]
    gone = container.catalogue.create(principal, RESOURCE, {"name": "Gone", "max_simultaneous_bookings": 1})
    calendars.create(principal, doctor, {"url": URL})
    calendars.create(principal, gone["id"], {"url": URL})
    container.catalogue.delete(principal, RESOURCE, gone["id"])
    feed.busy_at(9)
    assert calendars.sync_all() == {"ok": 1}  # the deleted resource's went with its partition

    feed.failure = "the feed answered HTTP 503"
    assert calendars.sync_all() == {"failing": 1}
    (shown,) = calendars.page(principal, doctor, {}).items
    assert (shown["status"], shown["last_error"]) == ("failing", "the feed answered HTTP 503")
    assert shown["url"] == "http://127.0.0.1:9/…"  # the secret address is not shown again
    with pytest.raises(ValidationFailed):
        booked(container, principal, clinic, 9)()  # still busy


def test_a_resource_takes_at_most_five_subscriptions(
    principal: Principal, clinic: dict[str, str], calendars: CalendarSubscriptions
) -> None:
    doctor = clinic["resource_id"]
    made = [calendars.create(principal, doctor, {"url": URL}) for _ in range(MAX_PER_RESOURCE)]
    with pytest.raises(ValidationFailed) as refused:
        calendars.create(principal, doctor, {"url": URL})
    assert "at most 5 calendar subscriptions" in refused.value.errors["url"][0]
    calendars.delete(principal, doctor, made[0]["id"])
    assert calendars.create(principal, doctor, {"url": URL})["status"] == "pending"


def test_the_poller_syncs_every_subscription_of_every_shard_and_moves_one_listed_the_old_way(
    container: Container,
    principal: Principal,
    calendars: CalendarSubscriptions,
    feed: Feed,
) -> None:
    """docs/scale.md: no listing partition takes every subscription's syncs; the one of before is still
    read, and a subscription listed there moves to its shard at its next sync."""
    made = []
    for n in range(4):
        room = container.catalogue.create(
            principal, RESOURCE, {"name": f"Room {n}", "max_simultaneous_bookings": 1}
        )
        made += [(room["id"], calendars.create(principal, room["id"], {"url": URL})["id"]) for _ in range(5)]
    old_room, old_id = made[0]
    container.table.client.update_item(  # listed as before shards: GSI1 `CALSUBS`
        TableName=container.table.name,
        Key={
            k: {"S": v} for k, v in keys.calendar_subscription(principal.project_id, old_room, old_id).items()
        },
        UpdateExpression="SET GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.CALENDAR_SUBSCRIPTIONS}},
    )
    feed.busy_at(9)

    assert calendars.sync_all() == {"ok": 20}

    listed = {
        str(item["GSI1PK"])
        for room, subscription in made
        if (item := container.table.get(keys.calendar_subscription(principal.project_id, room, subscription)))
    }
    assert len(listed) > 4 and keys.CALENDAR_SUBSCRIPTIONS not in listed
    assert calendars.sync_all() == {"ok": 20}
