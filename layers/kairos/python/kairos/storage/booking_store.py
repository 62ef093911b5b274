"""Bookings on the single table, and the capacity ledger that makes their writes safe under concurrency.

A booking is stored by id in its project's partition (listed by end time through GSI1) and, while it holds
capacity, as a hold on its resource's timeline. Every booking write is one transaction that also bumps the
resource's ledger item for each UTC day the hold touches; a checked write conditions each bump on the
version read before the check (and on the resource's schedule version), so two requests that checked the
same state cannot both commit: the loser's transaction is cancelled and it checks again.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.errors import Conflict, ValidationFailed
from kairos.domain.records import Booking, BookingChange, GroupChange, LedgerState
from kairos.storage import keys
from kairos.storage.dynamodb import Table, cancellation_reasons, record_attributes, to_item, translate

TRANSACTION_LIMIT = 100


def ledger_days(start: datetime, end: datetime) -> list[str]:
    """The UTC days a half-open span touches."""
    first = start.astimezone(UTC).date()
    last = (end - timedelta(microseconds=1)).astimezone(UTC).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def hold_days(booking: Booking) -> set[tuple[str, str]]:
    if not booking.holds_capacity or booking.resource_id is None:
        return set()
    return {
        (booking.resource_id, day) for day in ledger_days(booking.buffer_starts_at, booking.buffer_ends_at)
    }


class BookingStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    # --- reads ------------------------------------------------------------------------------------------

    def get(self, project_id: str, booking_id: str) -> Booking | None:
        item = self._t.get(keys.booking(project_id, booking_id))
        return self._booking(item) if item else None

    def list_ending_after(self, project_id: str, instant: datetime | None) -> list[Booking]:
        """Bookings whose end is after `instant` (all when None), by a key-range query on GSI1."""
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk" + (" AND GSI1SK > :after" if instant else ""),
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": keys.booking_listing_partition(project_id),
                    **({":after": keys.utc_key(instant) + "#~"} if instant else {}),
                }
            ),
        }
        return [self._booking(i) for i in self._t.paginate_query(request)]

    def read_ledgers(
        self, project_id: str, resource_days: set[tuple[str, str]], resources: set[str]
    ) -> LedgerState:
        wanted = [keys.ledger(project_id, r, d) for r, d in sorted(resource_days)]
        wanted += [keys.schedule_version(project_id, r) for r in sorted(resources)]
        found = {(i["PK"], i["SK"]): int(i["version"]) for i in self._t.batch_get(wanted) if "version" in i}

        def version(key: dict[str, str]) -> int | None:
            return found.get((key["PK"], key["SK"]))

        ledgers = {(r, d): version(keys.ledger(project_id, r, d)) for r, d in resource_days}
        schedules = {r: version(keys.schedule_version(project_id, r)) for r in resources}
        return LedgerState(ledgers, schedules)

    # --- writes -----------------------------------------------------------------------------------------

    def add(self, project_id: str, booking: Booking) -> None:
        self.commit(project_id, [BookingChange(None, booking, guarded=False)], LedgerState({}, {}))

    def get_many(self, project_id: str, booking_ids: list[str]) -> list[Booking]:
        found = self._t.batch_get([keys.booking(project_id, i) for i in booking_ids])
        return [self._booking(item) for item in found]

    def commit(
        self,
        project_id: str,
        changes: list[BookingChange],
        seen: LedgerState,
        group: GroupChange | None = None,
    ) -> None:
        items = self._transaction(project_id, changes, seen) + self._group_items(project_id, group)
        if len(items) > TRANSACTION_LIMIT:
            raise ValidationFailed.field(
                "bookings", "These bookings touch too many days and resources to be written together."
            )
        try:
            self._t.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_reasons(error):
                raise Conflict("The booking's resource changed while it was being written.") from None
            raise translate(error, "booking") from None

    def _transaction(self, project_id: str, changes: list[BookingChange], seen: LedgerState) -> list[Any]:
        items: list[Any] = []
        guarded_days: set[tuple[str, str]] = set()
        touched_days: set[tuple[str, str]] = set()
        guarded_schedules: set[str] = set()
        for change in changes:
            items += self._booking_items(project_id, change)
            for booking in (change.before, change.after):
                if booking is not None:
                    touched_days |= hold_days(booking)
            if change.guarded and change.after is not None:
                guarded_days |= hold_days(change.after)
                if change.after.resource_id is not None:
                    guarded_schedules.add(change.after.resource_id)
        for resource_id, day in sorted(touched_days):
            items.append(
                self._ledger_bump(project_id, resource_id, day, seen, (resource_id, day) in guarded_days)
            )
        for resource_id in sorted(guarded_schedules):
            items.append(self._schedule_check(project_id, resource_id, seen.schedules.get(resource_id)))
        return items

    def _group_items(self, project_id: str, group: GroupChange | None) -> list[Any]:
        if group is None:
            return []
        before, after = group.before, group.after
        record = after or before
        assert record is not None
        key = keys.entity(project_id, "booking_group", record.id)
        condition = (
            _version_is(before.version) if before else {"ConditionExpression": "attribute_not_exists(PK)"}
        )
        if after is None:
            return [{"Delete": {"TableName": self._t.name, "Key": to_item(key), **condition}}]
        item = {**key, **record_attributes(project_id, after)}
        return [{"Put": {"TableName": self._t.name, "Item": to_item(item), **condition}}]

    def _booking_items(self, project_id: str, change: BookingChange) -> list[Any]:
        before, after = change.before, change.after
        items: list[Any] = []
        key = keys.booking(project_id, (after or before).id)  # type: ignore[union-attr]
        if after is None:
            assert before is not None
            items.append(
                {"Delete": {"TableName": self._t.name, "Key": to_item(key), **_version_is(before.version)}}
            )
        else:
            condition = (
                _version_is(before.version) if before else {"ConditionExpression": "attribute_not_exists(PK)"}
            )
            item = {
                **key,
                **keys.booking_listing(project_id, after.ends_at, after.id),
                **self._attributes(project_id, after),
            }
            items.append({"Put": {"TableName": self._t.name, "Item": to_item(item), **condition}})
        old_hold = self._hold_key(project_id, before) if before and before.holds_capacity else None
        new_hold = self._hold(project_id, after) if after and after.holds_capacity else None
        if old_hold and (new_hold is None or old_hold != {"PK": new_hold["PK"], "SK": new_hold["SK"]}):
            items.append({"Delete": {"TableName": self._t.name, "Key": to_item(old_hold)}})
        if new_hold:
            items.append({"Put": {"TableName": self._t.name, "Item": to_item(new_hold)}})
        return items

    def _ledger_bump(
        self, project_id: str, resource_id: str, day: str, seen: LedgerState, guarded: bool
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._t.name,
            "Key": to_item(keys.ledger(project_id, resource_id, day)),
            "UpdateExpression": "ADD version :one SET entity = :entity",
            "ExpressionAttributeValues": to_item({":one": 1, ":entity": "ledger"}),
        }
        if guarded:
            version = seen.ledgers.get((resource_id, day))
            if version is None:
                update["ConditionExpression"] = "attribute_not_exists(version)"
            else:
                update["ConditionExpression"] = "version = :seen"
                update["ExpressionAttributeValues"] = to_item(
                    {":one": 1, ":entity": "ledger", ":seen": version}
                )
        return {"Update": update}

    def _schedule_check(self, project_id: str, resource_id: str, version: int | None) -> dict[str, Any]:
        check: dict[str, Any] = {
            "TableName": self._t.name,
            "Key": to_item(keys.schedule_version(project_id, resource_id)),
        }
        if version is None:
            check["ConditionExpression"] = "attribute_not_exists(version)"
        else:
            check["ConditionExpression"] = "version = :seen"
            check["ExpressionAttributeValues"] = to_item({":seen": version})
        return {"ConditionCheck": check}

    # --- item shapes ------------------------------------------------------------------------------------

    @staticmethod
    def _hold_key(project_id: str, booking: Booking) -> dict[str, str]:
        assert booking.resource_id is not None
        return keys.timeline_entry(
            project_id, booking.resource_id, booking.buffer_ends_at, "booking", booking.id
        )

    def _hold(self, project_id: str, booking: Booking) -> dict[str, Any]:
        return {
            **self._hold_key(project_id, booking),
            "entity": "timeline_booking",
            "id": booking.id,
            "location_id": booking.location_id,
            "starts_at": keys.utc_key(booking.buffer_starts_at),
            "ends_at": keys.utc_key(booking.buffer_ends_at),
            "core_starts_at": keys.utc_key(booking.starts_at),
            "core_ends_at": keys.utc_key(booking.ends_at),
        }

    @staticmethod
    def _attributes(project_id: str, booking: Booking) -> dict[str, Any]:
        return {
            "entity": "booking",
            "project_id": project_id,
            "id": booking.id,
            "resource_id": booking.resource_id,
            "service_id": booking.service_id,
            "location_id": booking.location_id,
            "starts_at": booking.starts_at.isoformat(),
            "ends_at": booking.ends_at.isoformat(),
            "buffer_starts_at": booking.buffer_starts_at.isoformat(),
            "buffer_ends_at": booking.buffer_ends_at.isoformat(),
            "is_canceled": booking.is_canceled,
            "data": json.dumps(booking.doc, ensure_ascii=False, separators=(",", ":")),
            "created_at": booking.created_at.isoformat(),
            "updated_at": booking.updated_at.isoformat(),
            "version": booking.version,
        }

    @staticmethod
    def _booking(item: Mapping[str, Any]) -> Booking:
        return Booking(
            id=item["id"],
            resource_id=item.get("resource_id"),
            service_id=item.get("service_id"),
            location_id=item.get("location_id"),
            starts_at=datetime.fromisoformat(item["starts_at"]),
            ends_at=datetime.fromisoformat(item["ends_at"]),
            buffer_starts_at=datetime.fromisoformat(item["buffer_starts_at"]),
            buffer_ends_at=datetime.fromisoformat(item["buffer_ends_at"]),
            doc=json.loads(item["data"]),
            created_at=datetime.fromisoformat(item["created_at"]),
            updated_at=datetime.fromisoformat(item["updated_at"]),
            is_canceled=bool(item.get("is_canceled", False)),
            version=int(item["version"]),
        )


def _version_is(version: int) -> dict[str, Any]:
    return {
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": {"N": str(version)}},
    }
