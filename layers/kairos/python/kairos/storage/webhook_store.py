"""Webhook deliveries in the table: one item per (event, subscription) pair, in the partition the
subscription owns, so the delivery log goes with the subscription when it is deleted. Items expire 30 days
after their creation (TTL on `expires_at`)."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from kairos.storage import keys
from kairos.storage.dynamodb import Table, to_item, translate
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
        return self._put(delivery, "attribute_not_exists(PK)", {})

    def save(self, delivery: Delivery, expected_attempts: int) -> bool:
        """Writes the delivery's new state if no other attempt was recorded meanwhile."""
        return self._put(delivery, "attempts = :expected", {":expected": expected_attempts})

    def get(self, project_id: str, webhook_id: str, delivery_id: str) -> Delivery | None:
        item = self._t.get(keys.webhook_delivery(project_id, webhook_id, delivery_id))
        return _delivery(item) if item else None

    def list_for(self, project_id: str, webhook_id: str) -> list[Delivery]:
        partition = keys.owned_partition(project_id, "webhook", webhook_id)
        return [_delivery(i) for i in self._t.query(partition, keys.DELIVERY_PREFIX)]

    def _put(self, delivery: Delivery, condition: str, values: Mapping[str, Any]) -> bool:
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "Item": to_item(_item(delivery)),
            "ConditionExpression": condition,
        }
        if values:
            request["ExpressionAttributeValues"] = to_item(values)
        try:
            self._t.client.put_item(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
                return False
            raise translate(error, "delivery") from None
        return True
