"""The event path through the local server: table stream -> stream mapper -> bus `kairos`. The test
subscribes to the bus with its own rule and queue, as another stack would, and reads what is published."""

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from kairos.events import definitions
from kairos.storage import keys
from kairos.storage.dynamodb import to_item
from kairos_local.store import running_endpoint
from tests.integration.conftest import Api, LocalServer
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday

WAIT_SECONDS = 15


class Subscriber:
    """An SQS queue behind a rule on the local bus that takes every domain event of one project."""

    def __init__(self, endpoint: str, project_id: str) -> None:
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local")
        self._sqs = session.client("sqs", endpoint_url=endpoint, region_name="eu-central-1")
        self._events = session.client("events", endpoint_url=endpoint, region_name="eu-central-1")
        name = f"test-{project_id}"
        self.url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]
        pattern = {"source": [definitions.DOMAIN_SOURCE], "detail": {"project_id": [project_id]}}
        self._events.put_rule(Name=name, EventBusName=definitions.BUS_NAME, EventPattern=json.dumps(pattern))
        self._events.put_targets(
            Rule=name, EventBusName=definitions.BUS_NAME, Targets=[{"Id": "q", "Arn": arn["QueueArn"]}]
        )

    def received(self, count: int) -> list[dict[str, Any]]:
        """At least `count` events (waiting up to WAIT_SECONDS), then whatever else arrives within 1 s."""
        events: list[dict[str, Any]] = []
        deadline = time.monotonic() + WAIT_SECONDS
        quiet_until = None
        while time.monotonic() < deadline and (quiet_until is None or time.monotonic() < quiet_until):
            messages = self._sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            for message in messages:
                events.append(json.loads(message["Body"]))
                self._sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
            if len(events) >= count and quiet_until is None:
                quiet_until = time.monotonic() + 1.0
            time.sleep(0.1)
        return events


@pytest.fixture
def subscriber(local_server: LocalServer, api: Api) -> Iterator[Subscriber]:
    endpoint = running_endpoint(local_server.data_dir)
    assert endpoint is not None
    yield Subscriber(endpoint, api.project_id)


def test_booking_lifecycle_yields_its_events_in_order(api: Api, subscriber: Subscriber) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    created = book(api, ids, at(monday, 8), at(monday, 8, 50), is_temporary=True).json()
    booking_id = created["id"]
    assert api.patch(f"/bookings/{booking_id}", {"metadata": {"note": "x"}}).status_code == 200
    assert api.patch(f"/bookings/{booking_id}", {"is_temporary": False}).status_code == 200
    assert api.patch(f"/bookings/{booking_id}", {"is_canceled": True}).status_code == 200
    current = api.get(f"/bookings/{booking_id}").json()
    assert api.delete(f"/bookings/{booking_id}").status_code == 204
    group = api.post(
        "/booking-groups",
        {
            "bookings": [
                {
                    "location_id": ids["location"],
                    "service_id": ids["service"],
                    "starts_at": at(monday, 10),
                    "ends_at": at(monday, 10, 50),
                }
            ]
        },
    ).json()

    events = subscriber.received(7)

    types = [e["detail-type"] for e in events if e["detail"]["data"]["id"] == booking_id]
    assert types == [
        "booking.created",
        "booking.updated",
        "booking.finalized",
        "booking.canceled",
        "booking.deleted",
    ]
    by_type = {e["detail-type"]: e["detail"] for e in events if e["detail"]["data"]["id"] == booking_id}
    assert by_type["booking.created"]["data"] == created
    changed = by_type["booking.updated"]["changes"]
    assert changed in (["metadata"], ["metadata", "updated_at"])  # updated_at has whole seconds only
    assert by_type["booking.deleted"]["data"] == current
    group_events = [e for e in events if e["detail-type"].startswith("booking_group.")]
    assert [(e["detail-type"], e["detail"]["data"]) for e in group_events] == [
        ("booking_group.created", group)
    ]
    assert all(e["source"] == definitions.DOMAIN_SOURCE for e in events)
    assert len({e["detail"]["id"] for e in events}) == len(events)


def test_an_item_written_without_its_handler_still_yields_its_event(
    api: Api, subscriber: Subscriber, local_server: LocalServer
) -> None:
    """As if the API handler died right after its write: the event comes from the stream, not the handler."""
    ids = guide_setup(api)
    monday = next_monday()
    created = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()
    subscriber.received(1)
    table = local_server.store.table
    item = table.get(keys.booking(api.project_id, created["id"]))
    assert item is not None
    item["data"] = json.dumps({**json.loads(item["data"]), "metadata": {"direct": True}})
    item["version"] += 1
    table.client.put_item(TableName=table.name, Item=to_item(item))

    [event] = subscriber.received(1)

    assert event["detail-type"] == "booking.updated"
    assert event["detail"]["changes"] == ["metadata"]
    assert event["detail"]["data"]["metadata"] == {"direct": True}


def test_a_refused_booking_yields_no_event(api: Api, subscriber: Subscriber) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    refused = book(api, ids, at(monday, 13), at(monday, 13, 50))
    assert refused.status_code == 422
    assert book(api, ids, at(monday, 8), at(monday, 8, 50)).status_code == 201

    events = subscriber.received(1)

    assert [e["detail-type"] for e in events] == ["booking.created"]
