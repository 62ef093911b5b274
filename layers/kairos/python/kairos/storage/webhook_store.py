"""Webhook deliveries in the table: one item per (event, subscription) pair, in the partition the
subscription owns, so the delivery log goes with the subscription when it is deleted. Items expire 30 days
after their creation (TTL on `expires_at`). The subscription's delivery lanes are items of the same
partition, there only while held."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from kairos.storage import keys
from kairos.storage.dynamodb import Table, cancellation_reasons, to_item, translate
from kairos.storage.usage_store import day_update, usage_writer
from kairos.webhooks.delivery import Delivery

RETENTION = timedelta(days=30)
_CONDITION_FAILED = "ConditionalCheckFailedException"


def _item(delivery: Delivery) -> dict[str, Any]:
    return {
        **keys.webhook_delivery(delivery.project_id, delivery.webhook_id, delivery.id),
        "entity": "webhook_delivery",
        "project_id": delivery.project_id,
        "webhook_id": delivery.webhook_id,
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "body": delivery.body,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_code": delivery.response_code,
        "duration_ms": delivery.duration_ms,
        "error": delivery.error,
        "created_at": delivery.created_at.isoformat(),
        "last_attempt_at": delivery.last_attempt_at.isoformat() if delivery.last_attempt_at else None,
        "next_attempt_at": delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None,
        "expires_at": int((delivery.created_at + RETENTION).timestamp()),
    }


def _optional_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _delivery(item: Mapping[str, Any]) -> Delivery:
    return Delivery(
        id=item["id"],
        project_id=item["project_id"],
        webhook_id=item["webhook_id"],
        event_id=item["event_id"],
        event_type=item["event_type"],
        body=item["body"],
        status=item["status"],
        attempts=int(item["attempts"]),
        response_code=int(item["response_code"]) if item.get("response_code") is not None else None,
        duration_ms=int(item["duration_ms"]) if item.get("duration_ms") is not None else None,
        error=item.get("error"),
        created_at=datetime.fromisoformat(item["created_at"]),
        last_attempt_at=_optional_time(item.get("last_attempt_at")),
        next_attempt_at=_optional_time(item.get("next_attempt_at")),
    )


class DeliveryStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    def create(self, delivery: Delivery) -> bool:
        """Writes a new delivery; False if one with its id exists (the dedup of (event, subscription))."""
        try:
            self._t.client.put_item(
                TableName=self._t.name,
                Item=to_item(_item(delivery)),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
                return False
            raise translate(error, "delivery") from None
        return True

    def save(self, delivery: Delivery, expected_attempts: int) -> bool:
        """Writes the delivery's new state, and counts its new attempt in the project's usage of the day,
        in one transaction conditioned on no other attempt having been recorded meanwhile: an attempt is
        counted once, with its record, whatever is retried (a throttled write: neither is written, the
        message comes back; a write retried after its answer was lost: the condition refuses it)."""
        attempted = delivery.last_attempt_at or delivery.created_at
        day = attempted.astimezone(UTC).date().isoformat()
        record: Any = {
            "Put": {
                "TableName": self._t.name,
                "Item": to_item(_item(delivery)),
                "ConditionExpression": "attempts = :expected",
                "ExpressionAttributeValues": to_item({":expected": expected_attempts}),
            }
        }
        with usage_writer() as writer:
            count: Any = {
                "Update": day_update(self._t.name, delivery.project_id, day, {"webhook_attempts": 1}, writer)
            }
            try:
                self._t.client.transact_write_items(TransactItems=[record, count])
            except ClientError as error:
                if cancellation_reasons(error)[:1] == ["ConditionalCheckFailed"]:
                    return False
                raise translate(error, "delivery") from None
        return True

    def get(self, project_id: str, webhook_id: str, delivery_id: str) -> Delivery | None:
        item = self._t.get(keys.webhook_delivery(project_id, webhook_id, delivery_id))
        return _delivery(item) if item else None

    def list_for(self, project_id: str, webhook_id: str) -> list[Delivery]:
        partition = keys.owned_partition(project_id, "webhook", webhook_id)
        return [_delivery(i) for i in self._t.query(partition, keys.DELIVERY_PREFIX)]


class LaneStore:
    """A lane item exists while it is held: taken by a put conditioned on its absence or its holder's time
    being up, given back by a delete conditioned on the same holder. TTL removes one left behind."""

    def __init__(self, table: Table) -> None:
        self._t = table

    def take(self, project_id: str, webhook_id: str, lane: int, holder: str, now: int, until: int) -> bool:
        item = {**keys.webhook_lane(project_id, webhook_id, lane), "entity": "webhook_lane"}
        try:
            self._t.client.put_item(
                TableName=self._t.name,
                Item=to_item({**item, "holder": holder, "held_until": until, "expires_at": until}),
                ConditionExpression="attribute_not_exists(PK) OR held_until < :now",
                ExpressionAttributeValues=to_item({":now": now}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
                return False
            raise translate(error, "webhook lane") from None
        return True

    def give_back(self, project_id: str, webhook_id: str, lane: int, holder: str) -> None:
        try:
            self._t.client.delete_item(
                TableName=self._t.name,
                Key=to_item(keys.webhook_lane(project_id, webhook_id, lane)),
                ConditionExpression="holder = :holder",
                ExpressionAttributeValues=to_item({":holder": holder}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != _CONDITION_FAILED:
                raise translate(error, "webhook lane") from None
