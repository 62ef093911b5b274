"""What the deployed-layout test makes each function of the template do, by what it is wired to: every
route of an API area (api_scenarios.py) or of the Portal (portal_scenarios.py), and for the event path each
kind of message its stream, queue or schedule brings, the paths a redelivery takes included. The calls the
functions make are recorded and checked against their roles (tests/infra/role_access.py): a path no
scenario takes is a permission no test checks, so every route must be in one (test_deployed_layout).

A scenario is a list of phases, each one run of the function (one cold start): a phase is built when the
runs before it are done, from their answers (concatenated) and from what they left in moto."""

import json
import secrets
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_cdk.assertions import Template

from infra.constants import REGION
from kairos.container import Container
from kairos.domain.bookings.hold_timers import hold_timer
from kairos.domain.bookings.holds import expires_at
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.shared.records import Booking
from kairos.events import definitions
from kairos.messaging.hold_timer_queue import timer_body
from kairos.portal.routes import PortalArea
from kairos.routes import Area
from kairos.storage import keys
from kairos.storage.booking_items import hold_key
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import to_item
from kairos.webhooks.delivery import RETRY_KIND
from kairos.webhooks.subscriptions import Webhooks
from kairos_local.event_chain import queue_record, stream_record
from tests.infra.api_scenarios import api_scenario, seeded_delivery
from tests.infra.lambda_world import (
    REFUSED_RECEIVER,
    TABLE,
    TODAY,
    Invocation,
    Moto,
    Phase,
    fresh_project,
    refused_calendar,
    wiring,
)
from tests.infra.portal_scenarios import accounts_scenario, portal_scenario
from tests.unit.clinic import DAY, at, booking_body, make_clinic
from tests.unit.events.records import booking_item, record

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

NO_FAILURES: dict[str, list[Any]] = {"batchItemFailures": []}
STREAM = f"arn:aws:dynamodb:{REGION}:000000000000:table/{TABLE}/stream/1"
SCHEDULED = {"version": "0", "id": "s-1", "detail-type": "Scheduled Event", "source": "aws.events"}
STAY = {
    "name": "Stay",
    "type": "flexible",
    "duration": "P2D",
    "min_duration": "PT1H",
    "max_duration": "P3D",
    "duration_step": "PT1H",
    "price": "1.000",
}


def scenario(name: str, template: Template, moto: Moto) -> list[Phase]:
    wired = wiring(name, template)
    if isinstance(wired.api, PortalArea):
        return accounts_scenario(moto) if wired.api is PortalArea.ACCOUNTS else portal_scenario(moto)
    if isinstance(wired.api, Area):
        area = wired.api
        return [lambda _: api_scenario(area, moto)]
    phases: list[Phase] = []
    if wired.stream:
        phases.append(lambda _: stream_batches(moto))
    for rule in wired.queues:
        phases.append(lambda _, rule=rule: queue_batches(rule, moto))  # type: ignore[misc]
    if wired.scheduled and name == definitions.CALENDAR_POLLER:  # a feed it refuses: failing, kept
        phases.append(lambda _: calendar_polled(moto))
    elif wired.scheduled:  # the hold sweeper: nothing expired, then a hold listed the old way that has
        phases += [lambda _: [Invocation(scheduled(), {"removed": 0})], lambda _: legacy_hold_swept(moto)]
    return phases


def scheduled() -> dict[str, Any]:
    return {**SCHEDULED, "region": REGION, "detail": {}}


def stream_batches(moto: Moto) -> list[Invocation]:
    """A hand-built booking (rendered from its image alone), a hold that expires (its timer started), then a
    real booking made, changed and removed (rendered with the resource, service and location read from the
    table), a group whose bookings are not in its batch (read from the table), and the removal of a legacy
    booking item the backfill moved (the booking looked for under its key)."""
    viewer, _ = fresh_project(moto, "Layout stream")
    clinic = make_clinic(moto.container, viewer)
    booking = moto.container.bookings.create(viewer, booking_body(clinic, 9))
    group = moto.container.booking_groups.create(viewer, {"bookings": [booking_body(clinic, 10)]})
    table = moto.container.table
    stored = table.get(keys.booking(viewer.project_id, booking["id"]))
    assert stored is not None
    changed = {**stored, "version": int(stored["version"]) + 1, "is_canceled": True}
    grouped = table.get(keys.entity(viewer.project_id, "booking_group", group["id"]))
    assert grouped is not None
    hold = moto.container.bookings.create(
        viewer,
        booking_body(clinic, 11, is_temporary=True, expires_at=(TODAY + timedelta(hours=1)).isoformat()),
    )
    held = table.get(keys.booking(viewer.project_id, hold["id"]))
    assert held is not None
    batches = [
        [record("INSERT", None, booking_item())],
        [record("INSERT", None, held, "e6")],  # a hold that expires: its timer is started
        [record("INSERT", None, stored, "e2"), record("MODIFY", stored, changed, "e3")],
        [record("REMOVE", changed, None, "e4")],
        [record("INSERT", None, grouped, "e5")],
        # a legacy booking item moved to its own partition by the backfill (no event: the booking is found)
        [record("REMOVE", {**held, **keys.legacy_booking(viewer.project_id, hold["id"])}, None, "e7")],
    ]
    return [
        Invocation({"Records": [stream_record(r, STREAM, REGION) for r in batch]}, NO_FAILURES)
        for batch in batches
    ]


def queue_batches(rule: definitions.Feed, moto: Moto) -> list[Invocation]:
    """A message as EventBridge puts it on the rule's queue, the same message again (a redelivery), and for
    the webhook queue a retry message of a delivery whose attempt is due. For the hold timers: the timer of
    an expired hold (again: nothing left to remove), one not yet due (sent again), and one naming a booking
    series that is not shown (its series' item read; the booking, not of it, kept)."""
    if rule is definitions.HOLD_TIMERS:
        project_id, booking = expired_hold(moto)
        due = hold_timer(project_id, None, booking)
        assert due is not None
        later = replace(due, expires_at=TODAY + timedelta(days=1))
        of_a_series = replace(due, series_id=str(uuid.uuid4()))
        arn = moto.queue_arns[rule.queue]
        return [
            Invocation({"Records": [message(json.loads(timer_body(t)), arn)]}, NO_FAILURES)
            for t in (due, due, later, of_a_series)
        ]
    if rule is definitions.WAITLIST_RULE:
        arn = moto.queue_arns[rule.queue]
        return [Invocation({"Records": [message(b, arn)]}, NO_FAILURES) for b in waitlist_events(moto)]
    first = queue_body(rule, moto)
    batches = [[first], [first]]
    if rule is definitions.USAGE_FEED:
        batches.append([queue_body(rule, moto), queue_body(rule, moto)])  # a batch counted in one write
    if rule is definitions.WEBHOOK_RULE:
        batches.append([due_retry(moto)])
    arn = moto.queue_arns[rule.queue]
    return [Invocation({"Records": [message(body, arn) for body in batch]}, NO_FAILURES) for batch in batches]


def message(body: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    sent: MessageTypeDef = {
        "MessageId": secrets.token_hex(8),
        "ReceiptHandle": "r-1",
        "Body": json.dumps(body),
    }
    return queue_record(sent, queue_arn, REGION)


def queue_body(rule: definitions.Feed, moto: Moto) -> dict[str, Any]:
    """A message of the rule's queue, as EventBridge puts it there (for the world's project)."""
    event = {"version": "0", "id": secrets.token_hex(8), "account": "000000000000", "region": REGION}
    at = TODAY.isoformat()
    if rule is definitions.WEBHOOK_RULE:
        return domain_message(moto.project_id, "booking.created", {"id": "b-1"})
    if rule is definitions.USAGE_FEED:
        detail = {
            "project_id": moto.project_id,
            "method": "GET",
            "operation_id": "getLocations",
            "status": 200,
            "duration_ms": 12,
            "time": at,
            "token_id": moto.token_id,  # its last use is noted too
            "token_name": "all",
            "body": '{"data": []}',  # kept apart from its log entry (request_log_bodies)
        }
        return {**event, "source": definitions.USAGE_SOURCE, "detail-type": "api.request", "detail": detail}
    raise AssertionError(f"no sample message for the queue {rule.queue}: add one")


def waitlist_events(moto: Moto) -> list[dict[str, Any]]:
    """A new entry with a free place in its window (a hold is written with it), the same event again
    (nothing more), the finalizing of a hold offered before (its entry is booked), and an offered entry
    deleted (its hold is deleted)."""
    viewer, _ = fresh_project(moto, "Layout waitlists")
    clinic = make_clinic(moto.container, viewer)
    waitlists, offers = moto.container.waitlists, moto.container.waitlist_offers
    where = {"service_id": clinic["service_id"], "location_id": clinic["location_id"]}
    earlier = waitlists.create(viewer, {**where, "from": at(9), "to": at(10)})
    leaving = waitlists.create(viewer, {**where, "from": at(11), "to": at(12)})
    offers.offer(viewer.project_id, clinic["location_id"])
    hold = str(waitlists.get(viewer, earlier["id"])["booking_id"])
    left = waitlists.get(viewer, leaving["id"])
    waitlists.delete(viewer, leaving["id"])
    new = waitlists.create(viewer, {**where, "from": at(10), "to": at(11)})
    finalized = {"id": hold, "location_id": clinic["location_id"], "is_temporary": False}
    found = [
        ("waitlist_entry.created", new),
        ("waitlist_entry.created", new),
        ("booking.finalized", finalized),
        ("waitlist_entry.deleted", left),
    ]
    return [domain_message(viewer.project_id, kind, data) for kind, data in found]


def domain_message(project_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A domain event as EventBridge puts it on a rule's queue."""
    envelope = {
        "id": secrets.token_hex(8),
        "type": kind,
        "version": definitions.SCHEMA_VERSION,
        "project_id": project_id,
        "time": TODAY.isoformat(),
        "data": data,
        "changes": None,
    }
    event = {"version": "0", "id": secrets.token_hex(8), "account": "000000000000", "region": REGION}
    return {**event, "source": definitions.DOMAIN_SOURCE, "detail-type": kind, "detail": envelope}


def due_retry(moto: Moto) -> dict[str, Any]:
    """The retry message of a pending delivery of another project's webhook, its next attempt due."""
    viewer, _ = fresh_project(moto, "Layout retries")
    hook = Webhooks(CatalogueStore(moto.container.table), check_url=lambda url: None).create(
        viewer.project_id, {"url": REFUSED_RECEIVER, "events": ["*"]}
    )
    delivery = seeded_delivery(moto, viewer.project_id, hook["id"], status="pending")
    return {
        "kind": RETRY_KIND,
        "project_id": viewer.project_id,
        "webhook_id": hook["id"],
        "delivery_id": delivery,
        "attempts": 1,
    }


def days_after(days: int, hour: int) -> str:
    """An instant `days` after the clinic's DAY, at `hour` UTC."""
    day = date.fromisoformat(DAY) + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02}:00:00+00:00"


def calendar_polled(moto: Moto) -> list[Invocation]:
    """A resource subscribed to a feed the deployed poller refuses: the sync fails and says why."""
    viewer, _ = fresh_project(moto, "Layout calendars")
    room = moto.container.catalogue.create(viewer, RESOURCE, {"name": "Room", "max_simultaneous_bookings": 1})
    refused_calendar(moto, viewer.project_id, room["id"])
    return [Invocation(scheduled(), {"synced": {"failing": 1}})]


def expired_hold(moto: Moto) -> tuple[str, Booking]:
    """A two-day hold (a stay: the resource's timeline head holds a copy of it) made a day ago, the
    container's clock moved back, that expired an hour later: its project and booking."""
    viewer, _ = fresh_project(moto, "Layout holds")
    catalogue = moto.container.catalogue
    stay = catalogue.create(viewer, SERVICE, STAY)
    place = catalogue.create(
        viewer, LOCATION, {"name": "Inn", "time_zone": "UTC", "resource_selection_strategy": "randomize"}
    )
    room = catalogue.create(viewer, RESOURCE, {"name": "Room", "max_simultaneous_bookings": 1})
    catalogue.associate(viewer, stay["id"], room["id"])
    open_week = {"location_id": place["id"], "starts_at": at(0), "ends_at": days_after(5, 0)}
    moto.container.schedules.put_block(viewer, room["id"], None, open_week)
    yesterday = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    then = Container(moto.container.settings, clock=lambda: yesterday)
    hold = {
        "service_id": stay["id"],
        "location_id": place["id"],
        "starts_at": at(12),
        "ends_at": days_after(2, 12),
        "is_temporary": True,
        "expires_at": (yesterday + timedelta(hours=1)).isoformat(),
    }
    made = then.bookings.create(viewer, hold)
    booking = moto.container.booking_store.get(viewer.project_id, made["id"])
    assert booking is not None
    return viewer.project_id, booking


def legacy_hold_swept(moto: Moto) -> list[Invocation]:
    """An expired hold listed as before timers, in a partition every project shared: the scheduled run
    removes it, and its copy."""
    project_id, booking = expired_hold(moto)
    expiry = expires_at(booking)
    assert expiry is not None
    moto.container.table.client.update_item(
        TableName=TABLE,
        Key=to_item(hold_key(project_id, booking)),
        UpdateExpression="SET GSI1PK = :pk, GSI1SK = :sk",
        ExpressionAttributeValues=to_item(
            {
                ":pk": keys.legacy_hold_expiry_partition(0),
                ":sk": f"{keys.utc_key(expiry)}#{project_id}#{booking.id}",
            }
        ),
    )
    return [Invocation(scheduled(), {"removed": 1})]
