"""Expired holds are removed by per-hold timers (docs/bookings.md, "Removed at expiry"): the stream path
starts a timer when a write leaves a hold that expires; a due timer removes its resource's expired holds
and nothing else; one not yet due starts again; repeats are harmless; holds listed the old way (in the
partitions every project shared) are still removed by the scheduled run."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from kairos.container import Container
from kairos.domain.bookings.hold_sweep import HoldSweeper
from kairos.domain.bookings.hold_timers import HoldTimer, hold_timer
from kairos.domain.projects.auth import Principal
from kairos.events import definitions
from kairos.messaging.hold_timer_queue import SqsHoldTimers, delay_seconds, timer_from
from kairos.storage import keys
from kairos.storage.booking_items import hold_key
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import to_item
from kairos.storage.hold_store import HoldExpiryStore
from tests.unit.clinic import booking_body
from tests.unit.test_holds import EXPIRY, START, Clock

LATER = "2030-01-01T13:00:00+00:00"
AFTER_EXPIRY = datetime(2030, 1, 1, 12, 30, tzinfo=UTC)


class StartedTimers:
    def __init__(self) -> None:
        self.started: list[HoldTimer] = []

    def start(self, timers: Sequence[HoldTimer], now: datetime) -> None:
        self.started += timers


@pytest.fixture
def clock(container: Container) -> Clock:
    moved = Clock(START)
    container.clock = moved
    return moved


@pytest.fixture
def timers() -> StartedTimers:
    return StartedTimers()


@pytest.fixture
def sweeper(container: Container, clock: Clock, timers: StartedTimers) -> HoldSweeper:
    store = HoldExpiryStore(container.table)
    writer, catalogue = container.bookings.writer, CatalogueStore(container.table)
    return HoldSweeper(store, timers, container.booking_store, writer, clock, catalogue)


def _hold(container: Container, principal: Principal, clinic: dict[str, str], hour: int, **extra: Any) -> str:
    body = booking_body(clinic, hour, is_temporary=True, **extra)
    return str(container.bookings.create(principal, body)["id"])


def _timer(container: Container, principal: Principal, booking_id: str) -> HoldTimer:
    booking = container.booking_store.get(principal.project_id, booking_id)
    timer = hold_timer(principal.project_id, None, booking)
    assert timer is not None
    return timer


def _left(container: Container, principal: Principal) -> set[str]:
    page = container.bookings.page(principal, {"temporary": "include"})
    return {b["id"] for b in page.items}


def test_a_due_timer_removes_its_resources_expired_holds_only(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    clock: Clock,
    sweeper: HoldSweeper,
) -> None:
    expiring = _hold(container, principal, clinic, 9, expires_at=EXPIRY)
    later = _hold(container, principal, clinic, 11, expires_at=LATER)
    forever = _hold(container, principal, clinic, 12)
    finalized = _hold(container, principal, clinic, 13, expires_at=EXPIRY)
    timer = _timer(container, principal, expiring)
    container.bookings.patch(principal, finalized, {"is_temporary": False})

    clock.now = AFTER_EXPIRY
    assert sweeper.fire(timer) == 1

    assert _left(container, principal) == {later, forever, finalized}
    assert sweeper.fire(timer) == 0  # a repeated timer finds nothing


def test_a_timer_not_yet_due_starts_again_and_removes_nothing(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    sweeper: HoldSweeper,
    timers: StartedTimers,
) -> None:
    hold = _hold(container, principal, clinic, 9, expires_at=EXPIRY)
    timer = _timer(container, principal, hold)

    assert sweeper.fire(timer) == 0

    assert timers.started == [timer]
    assert hold in _left(container, principal)


def test_a_timer_of_a_hold_extended_since_removes_nothing(
    container: Container, principal: Principal, clinic: dict[str, str], clock: Clock, sweeper: HoldSweeper
) -> None:
    hold = _hold(container, principal, clinic, 9, expires_at=EXPIRY)
    first = _timer(container, principal, hold)
    container.bookings.patch(principal, hold, {"expires_at": LATER})

    clock.now = AFTER_EXPIRY
    assert sweeper.fire(first) == 0

    assert hold in _left(container, principal)


def test_the_stream_starts_a_timer_when_a_write_leaves_a_hold_with_a_new_expiry(
    container: Container, principal: Principal, clinic: dict[str, str], clock: Clock
) -> None:
    hold = _hold(container, principal, clinic, 9, expires_at=EXPIRY)
    created = container.booking_store.get(principal.project_id, hold)
    container.bookings.patch(principal, hold, {"expires_at": LATER})
    extended = container.booking_store.get(principal.project_id, hold)
    container.bookings.patch(principal, hold, {"price": "10.000"})
    repriced = container.booking_store.get(principal.project_id, hold)
    container.bookings.patch(principal, hold, {"is_temporary": False})
    finalized = container.booking_store.get(principal.project_id, hold)
    assert created and extended and repriced and finalized

    project = principal.project_id
    new = hold_timer(project, None, created)
    assert new == HoldTimer(project, clinic["resource_id"], hold, datetime.fromisoformat(EXPIRY))
    assert hold_timer(project, created, extended) == HoldTimer(
        project, clinic["resource_id"], hold, datetime.fromisoformat(LATER)
    )
    assert hold_timer(project, extended, repriced) is None  # the same expiry on the same resource
    assert hold_timer(project, repriced, finalized) is None
    assert hold_timer(project, repriced, None) is None


def test_holds_listed_in_the_old_shared_partitions_are_removed_by_the_scheduled_run(
    container: Container, principal: Principal, clinic: dict[str, str], clock: Clock, sweeper: HoldSweeper
) -> None:
    old = _hold(container, principal, clinic, 9, expires_at=EXPIRY)
    booking = container.booking_store.get(principal.project_id, old)
    assert booking is not None
    container.table.client.update_item(  # listed as before timers: HOLDEXPIRY#<n> / <expiry>#<p>#<id>
        TableName=container.table.name,
        Key=to_item(hold_key(principal.project_id, booking)),
        UpdateExpression="SET GSI1PK = :pk, GSI1SK = :sk",
        ExpressionAttributeValues=to_item(
            {
                ":pk": keys.legacy_hold_expiry_partition(3),
                ":sk": f"2030-01-01T12:15:00Z#{principal.project_id}#{old}",
            }
        ),
    )
    clock.now = AFTER_EXPIRY

    assert sweeper.sweep_legacy() == 1
    assert old not in _left(container, principal)
    assert sweeper.sweep_legacy() == 0


def test_a_timer_waits_until_its_expiry_at_most_what_sqs_allows_and_travels_whole(
    container: Container,
) -> None:
    timer = HoldTimer("p-1", "r-1", "b-1", START + timedelta(seconds=10, milliseconds=200))

    assert delay_seconds(timer, START) == 11  # never early
    assert delay_seconds(timer, START - timedelta(hours=1)) == 900
    assert delay_seconds(timer, START + timedelta(minutes=1)) == 0

    sqs = boto3.client("sqs", region_name=container.settings.region)
    url = sqs.create_queue(QueueName=definitions.HOLD_TIMERS.queue)["QueueUrl"]
    SqsHoldTimers(container.settings.region).start([timer], START + timedelta(minutes=1))
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    assert timer_from(json.loads(message["Body"])) == timer
