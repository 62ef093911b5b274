"""Schedules and the resource timeline on the single table.

Recurring schedules keep their weekly blocks inside the schedule item, so a block change and the overlap
check are one conditional write on one item. One-off blocks are stored twice: by id (for the API) and as a
timeline entry keyed by when they end (for windows), written together in one transaction. Bookings add
their own timeline entries (their buffer spans), so one query returns all a window needs.
"""

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.errors import Conflict, NotFound
from kairos.domain.records import Record, Timeline, TimelineBlock, TimelineBooking
from kairos.storage import keys
from kairos.storage.dynamodb import Table, record_attributes, record_from, to_item, translate
from kairos.storage.hold_store import EXPIRY_ATTRIBUTE


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class ScheduleStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    # --- recurring schedules ----------------------------------------------------------------------------

    def get_recurring(self, project_id: str, resource_id: str, schedule_id: str) -> Record | None:
        item = self._t.get(keys.recurring_schedule(project_id, resource_id, schedule_id))
        return record_from(item) if item else None

    def list_recurring(self, project_id: str, resource_id: str) -> list[Record]:
        partition = keys.owned_partition(project_id, "resource", resource_id)
        return [record_from(i) for i in self._t.query(partition, keys.RECURRING_SCHEDULE_PREFIX)]

    def _bump(self, project_id: str, resource_id: str) -> Any:
        """The schedule-version increment every schedule write carries (bookings condition on it)."""
        return {
            "Update": {
                "TableName": self._t.name,
                "Key": to_item(keys.schedule_version(project_id, resource_id)),
                "UpdateExpression": "ADD version :one SET entity = :entity",
                "ExpressionAttributeValues": to_item({":one": 1, ":entity": "schedule_version"}),
            }
        }

    def _write(self, project_id: str, resource_id: str, writes: list[Any], entity: str) -> None:
        try:
            self._t.client.transact_write_items(TransactItems=[*writes, self._bump(project_id, resource_id)])
        except ClientError as error:
            raise translate(error, entity) from None

    def put_recurring(
        self, project_id: str, resource_id: str, record: Record, expected_version: int | None
    ) -> None:
        item = {
            **keys.recurring_schedule(project_id, resource_id, record.id),
            **record_attributes(project_id, record),
        }
        put: dict[str, Any] = {"TableName": self._t.name, "Item": to_item(item)}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": {"N": str(expected_version)}}
        self._write(project_id, resource_id, [{"Put": put}], "recurring schedule")

    def delete_recurring(self, project_id: str, resource_id: str, schedule_id: str) -> bool:
        delete = {
            "TableName": self._t.name,
            "Key": to_item(keys.recurring_schedule(project_id, resource_id, schedule_id)),
            "ConditionExpression": "attribute_exists(PK)",
        }
        try:
            self._write(project_id, resource_id, [{"Delete": delete}], "recurring schedule")
        except Conflict:
            return False
        return True

    # --- one-off blocks ---------------------------------------------------------------------------------

    def get_block(self, project_id: str, resource_id: str, block_id: str) -> Record | None:
        item = self._t.get(keys.schedule_block(project_id, resource_id, block_id))
        return record_from(item) if item else None

    def list_blocks(self, project_id: str, resource_id: str) -> list[Record]:
        partition = keys.owned_partition(project_id, "resource", resource_id)
        return [record_from(i) for i in self._t.query(partition, keys.SCHEDULE_BLOCK_PREFIX)]

    def put_block(self, project_id: str, resource_id: str, record: Record, previous: Record | None) -> None:
        canonical = {
            **keys.schedule_block(project_id, resource_id, record.id),
            **record_attributes(project_id, record),
        }
        put: dict[str, Any] = {"TableName": self._t.name, "Item": to_item(canonical)}
        writes: list[Any] = []
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": {"N": str(previous.version)}}
            old = self._timeline_key(project_id, resource_id, previous)
            if old != self._timeline_key(project_id, resource_id, record):
                writes.append({"Delete": {"TableName": self._t.name, "Key": to_item(old)}})
        writes += [
            {"Put": put},
            {
                "Put": {
                    "TableName": self._t.name,
                    "Item": to_item(self._entry(project_id, resource_id, record)),
                }
            },
        ]
        self._write(project_id, resource_id, writes, "schedule block")

    def delete_block(self, project_id: str, resource_id: str, record: Record) -> None:
        writes: list[Any] = [
            {
                "Delete": {
                    "TableName": self._t.name,
                    "Key": to_item(keys.schedule_block(project_id, resource_id, record.id)),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            {
                "Delete": {
                    "TableName": self._t.name,
                    "Key": to_item(self._timeline_key(project_id, resource_id, record)),
                }
            },
        ]
        try:
            self._write(project_id, resource_id, writes, "schedule block")
        except Conflict:
            raise NotFound("schedule block") from None

    @staticmethod
    def _timeline_key(project_id: str, resource_id: str, record: Record) -> dict[str, str]:
        ends = datetime.fromisoformat(record.doc["ends_at"])
        return keys.timeline_entry(project_id, resource_id, ends, "sblock", record.id)

    def _entry(self, project_id: str, resource_id: str, record: Record) -> dict[str, Any]:
        return {
            **self._timeline_key(project_id, resource_id, record),
            "entity": "timeline_block",
            "id": record.id,
            "location_id": record.doc["location_id"],
            "starts_at": keys.utc_key(datetime.fromisoformat(record.doc["starts_at"])),
            "ends_at": keys.utc_key(datetime.fromisoformat(record.doc["ends_at"])),
            "is_available": bool(record.doc["is_available"]),
        }

    # --- the timeline -----------------------------------------------------------------------------------

    def timeline(self, project_id: str, resource_id: str, start: datetime, end: datetime) -> Timeline:
        """One key-range query: entries ending after `start` (and the timeless recurring schedules),
        filtered on the server to those starting before `end`."""
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :from AND :to",
            "FilterExpression": "attribute_not_exists(starts_at) OR starts_at < :end",
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": keys.owned_partition(project_id, "resource", resource_id),
                    ":from": keys.timeline_from(start),
                    ":to": keys.TIMELINE_END,
                    ":end": keys.utc_key(end),
                }
            ),
            "ConsistentRead": True,
        }
        recurring: list[Record] = []
        blocks: list[TimelineBlock] = []
        bookings: list[TimelineBooking] = []
        for item in self._t.paginate_query(request):
            entity = item.get("entity")
            if entity == "recurring_schedule":
                recurring.append(record_from(item))
            elif entity == "timeline_block":
                blocks.append(
                    TimelineBlock(
                        item["id"],
                        item["location_id"],
                        _utc(item["starts_at"]),
                        _utc(item["ends_at"]),
                        bool(item["is_available"]),
                    )
                )
            elif entity == "timeline_booking":
                bookings.append(
                    TimelineBooking(
                        item["id"],
                        item.get("location_id"),
                        _utc(item["starts_at"]),
                        _utc(item["ends_at"]),
                        _utc(item["core_starts_at"]),
                        _utc(item["core_ends_at"]),
                        _utc(item[EXPIRY_ATTRIBUTE]) if EXPIRY_ATTRIBUTE in item else None,
                    )
                )
        return Timeline(recurring, blocks, bookings)
