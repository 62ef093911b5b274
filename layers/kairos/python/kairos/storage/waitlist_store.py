"""Waitlist entries on the single table (docs/waitlists.md, docs/table.md): one item per entry in the
project's waitlist partition, listed in GSI1 by location while it waits (oldest first), and, once offered,
a link item from its hold's booking id to it. An offer writes the entry and the link in the hold's own
transaction (`BookingStore.with_riders`), so the entry leaves `waiting` exactly when its hold is written."""

from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.shared.records import Record
from kairos.storage import keys
from kairos.storage.booking_store import BookingStore, Rider
from kairos.storage.dynamodb import Table, record_attributes, record_from, to_item, translate
from kairos.waitlists.entries import OFFERED, WAITING, turn_of
from kairos.waitlists.ports import EntryTaken

LINK = "waitlist_offer"


class WaitlistStore:
    def __init__(self, table: Table, bookings: BookingStore) -> None:
        self._t = table
        self._bookings = bookings

    def _item(self, project_id: str, record: Record) -> dict[str, Any]:
        doc = record.doc
        listed = (
            keys.waiting_listing(project_id, doc["location_id"], turn_of(record))
            if doc["status"] == WAITING
            else {}
        )
        return {
            **keys.waitlist_entry(project_id, record.id),
            **listed,
            **record_attributes(project_id, record),
        }

    def _put(self, project_id: str, record: Record, expected_version: int | None) -> dict[str, Any]:
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(PK)"}
            if expected_version is None
            else {
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": to_item({":expected": expected_version}),
            }
        )
        return {"TableName": self._t.name, "Item": to_item(self._item(project_id, record)), **condition}

    def create(self, project_id: str, record: Record) -> None:
        try:
            self._t.client.put_item(**self._put(project_id, record, None))
        except ClientError as error:
            raise translate(error, "waitlist entry") from None

    def get(self, project_id: str, entry_id: str) -> Record | None:
        item = self._t.get(keys.waitlist_entry(project_id, entry_id))
        return record_from(item) if item else None

    def list_all(self, project_id: str) -> list[Record]:
        partition = keys.waitlist_partition(project_id)
        return [record_from(i) for i in self._t.query(partition, keys.WAITLIST_ENTRY_PREFIX)]

    def waiting(self, project_id: str, location_id: str) -> list[Record]:
        listing = keys.waiting_listing_partition(project_id, location_id)
        return [record_from(i) for i in self._t.query(listing, index="GSI1")]

    def delete(self, project_id: str, entry: Record) -> bool:
        operations: list[Any] = [
            {
                "Delete": {
                    "TableName": self._t.name,
                    "Key": to_item(keys.waitlist_entry(project_id, entry.id)),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": to_item({":expected": entry.version}),
                }
            }
        ]
        if entry.doc["status"] == OFFERED:  # its hold's link, which only an offered entry has
            link = to_item(keys.waitlist_offer(project_id, str(entry.doc["booking_id"])))
            operations.append({"Delete": {"TableName": self._t.name, "Key": link}})
        return self._transact(operations)

    def replace(
        self, project_id: str, record: Record, expected_version: int, unlink: str | None = None
    ) -> bool:
        operations: list[Any] = [{"Put": self._put(project_id, record, expected_version)}]
        if unlink is not None:
            link = to_item(keys.waitlist_offer(project_id, unlink))
            operations.append({"Delete": {"TableName": self._t.name, "Key": link}})
        return self._transact(operations)

    def _transact(self, operations: list[Any]) -> bool:
        """False when a condition refused the transaction (nothing was written)."""
        try:
            self._t.client.transact_write_items(TransactItems=operations)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                return False
            raise translate(error, "waitlist entry") from None
        return True

    def offered_entry(self, project_id: str, booking_id: str) -> str | None:
        item = self._t.get(keys.waitlist_offer(project_id, booking_id))
        return str(item["entry_id"]) if item else None

    def offering(self, project_id: str, before: Record, after: Record, booking_id: str) -> BookingStore:
        link = {
            **keys.waitlist_offer(project_id, booking_id),
            "entity": LINK,
            "project_id": project_id,
            "entry_id": after.id,
        }
        riders = [
            Rider({"Put": self._put(project_id, after, before.version)}, EntryTaken()),
            Rider({"Put": {"TableName": self._t.name, "Item": to_item(link)}}, EntryTaken()),
        ]
        return self._bookings.with_riders(riders)
