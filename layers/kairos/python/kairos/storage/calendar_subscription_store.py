"""Calendar subscriptions on the single table: one item per subscription in its resource's partition
(`CALSUB#<id>`, listed for the poller under GSI1 `CALSUBS#<0-15>`), and its busy times as one attribute of the
resource's timeline head (`busy_<id>`, storage/busy_codec.py), written in the same transaction:

- create: the item, an empty busy set, and the head's count of subscriptions, conditioned on the limit;
- a sync: the item (conditioned on its version, so a sync that raced a PATCH or DELETE writes nothing)
  and the whole busy set, which bumps the version every checked booking conditions on;
- delete: the item and the busy set.
"""

from typing import Any

from botocore.exceptions import ClientError

from kairos.calendars.ports import TooManySubscriptions
from kairos.domain.shared.records import CalendarBusy, Record
from kairos.errors import NotFound
from kairos.storage import keys
from kairos.storage.busy_codec import calendar_copy
from kairos.storage.dynamodb import (
    Table,
    cancellation_reasons,
    record_attributes,
    record_from,
    to_item,
    translate,
)
from kairos.storage.timeline_head import calendar_attribute

KIND = "calendar_subscription"
COUNT = "calendar_subscriptions"  # on the head: how many subscriptions the resource has


class CalendarSubscriptionStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    def _item(self, project_id: str, resource_id: str, record: Record) -> dict[str, Any]:
        return {
            **keys.calendar_subscription(project_id, resource_id, record.id),
            **keys.calendar_subscription_listing(project_id, resource_id, record.id),
            **record_attributes(project_id, record),
            "resource_id": resource_id,
        }

    def _head(
        self, project_id: str, resource_id: str, expression: str, values: dict[str, Any], condition: str
    ) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._t.name,
                "Key": to_item(keys.schedule_version(project_id, resource_id)),
                "UpdateExpression": expression,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#busy": calendar_attribute(values.pop("id")), "#count": COUNT},
                "ExpressionAttributeValues": to_item(values),
            }
        }

    def create(self, project_id: str, resource_id: str, record: Record, limit: int) -> None:
        empty = calendar_copy(CalendarBusy(record.id, str(record.doc.get("name") or "")))
        head = self._head(
            project_id,
            resource_id,
            "SET #busy = :busy, entity = :entity ADD #count :one",
            {"id": record.id, ":busy": empty, ":entity": "schedule_version", ":one": 1, ":limit": limit},
            "attribute_not_exists(#count) OR #count < :limit",
        )
        put = {
            "Put": {
                "TableName": self._t.name,
                "Item": to_item(self._item(project_id, resource_id, record)),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        try:
            self._t.client.transact_write_items(TransactItems=[put, head])  # type: ignore[list-item]
        except ClientError as error:
            if cancellation_reasons(error)[1:2] == ["ConditionalCheckFailed"]:
                raise TooManySubscriptions from None
            raise translate(error, "calendar subscription") from None

    def list_all(self, project_id: str, resource_id: str) -> list[Record]:
        partition = keys.owned_partition(project_id, "resource", resource_id)
        return [record_from(i) for i in self._t.query(partition, keys.CALENDAR_SUBSCRIPTION_PREFIX)]

    def get(self, project_id: str, resource_id: str, subscription_id: str) -> Record | None:
        item = self._t.get(keys.calendar_subscription(project_id, resource_id, subscription_id))
        return record_from(item) if item else None

    def every(self) -> list[tuple[str, str, Record]]:
        """Every subscription of every project (each listing partition in turn)."""
        return [
            (str(i["project_id"]), str(i["resource_id"]), record_from(i))
            for partition in keys.calendar_subscription_partitions()
            for i in self._t.query(partition, index="GSI1")
        ]

    def replace(
        self,
        project_id: str,
        resource_id: str,
        record: Record,
        expected_version: int,
        busy: CalendarBusy | None,
    ) -> None:
        put = {
            "Put": {
                "TableName": self._t.name,
                "Item": to_item(self._item(project_id, resource_id, record)),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": to_item({":expected": expected_version}),
            }
        }
        name = str(record.doc.get("name") or "")
        if busy is not None:
            head = self._head(
                project_id,
                resource_id,
                "SET #busy = :busy ADD version :one",
                {"id": record.id, ":busy": calendar_copy(busy), ":one": 1},
                "attribute_exists(#busy)",
            )
        else:  # the name explain shows; the busy times are unchanged, so no checked booking plans again
            head = self._head(
                project_id,
                resource_id,
                "SET #busy.#name = :name",
                {"id": record.id, ":name": name},
                "attribute_exists(#busy)",
            )
            head["Update"]["ExpressionAttributeNames"]["#name"] = "name"
        del head["Update"]["ExpressionAttributeNames"]["#count"]
        try:
            self._t.client.transact_write_items(TransactItems=[put, head])  # type: ignore[list-item]
        except ClientError as error:
            raise translate(error, "calendar subscription") from None

    def delete(self, project_id: str, resource_id: str, record: Record) -> None:
        delete = {
            "Delete": {
                "TableName": self._t.name,
                "Key": to_item(keys.calendar_subscription(project_id, resource_id, record.id)),
                "ConditionExpression": "attribute_exists(PK)",
            }
        }
        head = self._head(
            project_id,
            resource_id,
            "REMOVE #busy ADD #count :minus, version :one",
            {"id": record.id, ":minus": -1, ":one": 1},
            "attribute_exists(#busy)",
        )
        try:
            self._t.client.transact_write_items(TransactItems=[delete, head])  # type: ignore[list-item]
        except ClientError as error:
            raise NotFound("calendar subscription") from translate(error, "calendar subscription")
