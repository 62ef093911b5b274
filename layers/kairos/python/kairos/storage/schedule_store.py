"""Schedules and the resource timeline on the single table.

Recurring schedules keep their weekly blocks inside the schedule item, so a block change and the overlap
check are one conditional write on one item. One-off blocks are stored twice: by id (for the API) and as a
timeline entry keyed by when they end (for windows), written together in one transaction. Bookings add
their own timeline entries (their buffer spans). The timeless and long part of the timeline is copied into
the resource's schedule-version item, the head (storage/timeline_head.py), in the same transaction: a
window is the head (read beside the resource or the ledger) and one bounded key-range query.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.shared.records import Record, Timeline
from kairos.errors import Conflict, NotFound
from kairos.parallel import both, parallel_map
from kairos.storage import keys
from kairos.storage.backfill import scan_entities
from kairos.storage.dynamodb import (
    Table,
    cancellation_reasons,
    record_attributes,
    record_from,
    to_item,
    translate,
)
from kairos.storage.entity_reads import listed_fallback
from kairos.storage.timeline_head import (
    COPY_PREFIXES,
    PRUNED_BEFORE,
    entry_is_long,
    head_copy,
    head_of,
    head_update,
    is_long,
    long_attribute,
    pruned_bounds,
    recurring_attribute,
    timeline_of,
    version_condition,
    window_bounds,
)

TIMELINE_ENTITIES = ("recurring_schedule", "timeline_block", "timeline_booking", "schedule_version")
RESOURCES_PER_BATCH = 50  # a resource and its head: 100 keys, one BatchGetItem


class ScheduleStore:
    """`consistent`: whether the timeline reads (heads, windows, resources) are strongly consistent, as
    every check before a write needs; the read-only availability routes read them eventually consistent,
    for half the read units (docs/slots.md, "Freshness")."""

    def __init__(self, table: Table, consistent: bool = True) -> None:
        self._t = table
        self._consistent = consistent

    # --- recurring schedules ----------------------------------------------------------------------------

    def get_recurring(self, project_id: str, resource_id: str, schedule_id: str) -> Record | None:
        item = self._t.get(keys.recurring_schedule(project_id, resource_id, schedule_id))
        return record_from(item) if item else None

    def list_recurring(self, project_id: str, resource_id: str) -> list[Record]:
        partition = keys.owned_partition(project_id, "resource", resource_id)
        return [record_from(i) for i in self._t.query(partition, keys.RECURRING_SCHEDULE_PREFIX)]

    def _write(
        self,
        project_id: str,
        resource_id: str,
        writes: list[Any],
        entity: str,
        sets: Mapping[str, Mapping[str, Any]],
        removes: Iterable[str] = (),
    ) -> None:
        """The writes, with the head's update (its copies set and removed, the version that bookings
        condition on bumped) in one transaction."""
        head: Any = head_update(self._t.name, project_id, resource_id, sets, removes)
        try:
            self._t.client.transact_write_items(TransactItems=[*writes, head])
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
        sets = {recurring_attribute(record.id): head_copy(item)}
        self._write(project_id, resource_id, [{"Put": put}], "recurring schedule", sets)

    def delete_recurring(self, project_id: str, resource_id: str, schedule_id: str) -> bool:
        delete = {
            "TableName": self._t.name,
            "Key": to_item(keys.recurring_schedule(project_id, resource_id, schedule_id)),
            "ConditionExpression": "attribute_exists(PK)",
        }
        try:
            removes = [recurring_attribute(schedule_id)]
            self._write(project_id, resource_id, [{"Delete": delete}], "recurring schedule", {}, removes)
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
        entry = self._entry(project_id, resource_id, record)
        writes += [{"Put": put}, {"Put": {"TableName": self._t.name, "Item": to_item(entry)}}]
        sets = {long_attribute("sblock", record.id): head_copy(entry)} if entry_is_long(entry) else {}
        removes = [long_attribute("sblock", record.id)] if previous and _block_is_long(previous) else []
        self._write(project_id, resource_id, writes, "schedule block", sets, removes)

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
        removes = [long_attribute("sblock", record.id)] if _block_is_long(record) else []
        try:
            self._write(project_id, resource_id, writes, "schedule block", {}, removes)
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

    # --- the timeline ---------------------------------------------------------------------------------

    def timeline(
        self, project_id: str, resource_id: str, start: datetime, end: datetime, head: Timeline | None = None
    ) -> Timeline:
        """The head's schedules and long entries overlapping [start, end), with the short entries of one
        bounded key-range query (ending after `start` and before `end` plus a day, filtered on the server
        to those starting before `end`). `head`: as read beside the resource (`read_resources`) or the
        ledger; None reads it here, beside the query. A window reaching back before the head's
        `pruned_before` also reads the long entries pruned from it (one more bounded range)."""
        partition = keys.owned_partition(project_id, "resource", resource_id)

        def short() -> Timeline:
            found = self._entries(partition, window_bounds(start, end), end)
            return timeline_of(i for i in found if not entry_is_long(i))

        if head is None:
            read_head, found = both(lambda: self.head(project_id, resource_id), short)
        else:
            read_head, found = head, short()
        older = self.pruned(project_id, resource_id, start, end, read_head)
        return found.merged(older).joined(read_head, start, end)

    def pruned(
        self, project_id: str, resource_id: str, start: datetime, end: datetime, head: Timeline
    ) -> Timeline:
        if not head.misses(start):
            return Timeline([], [], [])
        partition = keys.owned_partition(project_id, "resource", resource_id)
        kept = {b.id for b in head.blocks} | {b.id for b in head.bookings}
        found = self._entries(partition, pruned_bounds(start, head), end)
        return timeline_of(i for i in found if entry_is_long(i) and i["id"] not in kept)

    def _entries(self, partition: str, bounds: tuple[str, str], end: datetime) -> list[dict[str, Any]]:
        """The timeline items of a key range that start before `end`."""
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :from AND :to",
            "FilterExpression": "starts_at < :end",
            "ExpressionAttributeValues": to_item(
                {":pk": partition, ":from": bounds[0], ":to": bounds[1], ":end": keys.utc_key(end)}
            ),
            "ConsistentRead": self._consistent,
        }
        return list(self._t.paginate_query(request))

    def head(self, project_id: str, resource_id: str) -> Timeline:
        return head_of(self._t.get(keys.schedule_version(project_id, resource_id), self._consistent))

    def read_resources(
        self, project_id: str, resource_ids: Sequence[str], records: bool = True
    ) -> tuple[dict[str, Record], dict[str, Timeline]]:
        """The resources (those that exist) and the heads of their timelines, by id: one BatchGetItem per
        50 resources, at once (per 100 for the heads alone, without `records`)."""

        def read(chunk: Sequence[str]) -> list[dict[str, Any]]:
            wanted = [keys.entity_read(project_id, "resource", r) for r in chunk] if records else []
            heads = [keys.schedule_version(project_id, r) for r in chunk]
            found = self._t.batch_get(wanted + heads, self._consistent)
            if not records:
                return found
            named = [("resource", r) for r in chunk]
            return found + listed_fallback(self._t, project_id, named, found, self._consistent)

        step = RESOURCES_PER_BATCH if records else 2 * RESOURCES_PER_BATCH
        chunks = [resource_ids[n : n + step] for n in range(0, len(resource_ids), step)]
        items = [i for found in parallel_map(read, chunks) for i in found]
        resources = {i["id"]: record_from(i) for i in items if i.get("entity") == "resource"}
        heads = {r: head_of(None) for r in resource_ids}
        for item in items:
            if item.get("entity") == "schedule_version":
                resource_id = keys.resource_of(item["PK"])
                assert resource_id is not None
                heads[resource_id] = head_of(item)
        return resources, heads

    # --- upgrading ----------------------------------------------------------------------------------------

    def backfill_timelines(self) -> int:
        """Gives the heads of timelines written before heads existed their copies of the recurring
        schedules and long entries (and drops copies of what is gone, which the previous version's writes
        may leave while an upgrade is under way): a Scan finds the resources that have a timeline, then
        each head is made right from a fresh read of its partition, if its version did not move meanwhile
        (else read again). Returns how many heads it updated; a second run updates none."""
        partitions = {str(i["PK"]) for i in scan_entities(self._t, TIMELINE_ENTITIES, projection="PK")}
        return sum(self._backfill_head(p) for p in sorted(partitions))

    def _backfill_head(self, partition: str) -> int:
        project_id, _, resource_id = partition.removeprefix("PROJECT#").partition("#RESOURCE#")
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item({":pk": partition, ":prefix": keys.TIMELINE_PREFIX}),
            "ConsistentRead": True,
        }
        while True:
            current = self._t.get(keys.schedule_version(project_id, resource_id)) or {}
            wanted: dict[str, dict[str, Any]] = {}
            for item in self._t.paginate_query(request):
                if item.get("entity") == "recurring_schedule":
                    wanted[recurring_attribute(item["id"])] = head_copy(item)
                elif (
                    item.get("entity") in ("timeline_block", "timeline_booking")
                    and entry_is_long(item)
                    and item["ends_at"] >= current.get(PRUNED_BEFORE, "")
                ):
                    kind = "sblock" if item["entity"] == "timeline_block" else "booking"
                    wanted[long_attribute(kind, item["id"])] = head_copy(item)
            missing = {name: copy for name, copy in wanted.items() if current.get(name) != copy}
            stale = [n for n in current if n.startswith(COPY_PREFIXES) and n not in wanted]
            if not missing and not stale:
                return 0
            condition = version_condition(int(current["version"]) if "version" in current else None)
            update: Any = head_update(self._t.name, project_id, resource_id, missing, stale, condition)
            try:
                self._t.client.transact_write_items(TransactItems=[update])
            except ClientError as error:
                if "ConditionalCheckFailed" in cancellation_reasons(error):
                    continue
                raise
            return 1


def _block_is_long(record: Record) -> bool:
    doc = record.doc
    return is_long(datetime.fromisoformat(doc["starts_at"]), datetime.fromisoformat(doc["ends_at"]))
