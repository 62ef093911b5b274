"""Secret calendar feed URLs on the single table: the feed as a project entity (`CALENDAR_FEED#<id>`, its
document holds the resource or location and the hash of its secret) and a lookup item keyed by that hash,
written and deleted together in one transaction. The secret itself is never stored."""

from typing import Any

from kairos.domain.shared.records import Record
from kairos.storage import keys
from kairos.storage.dynamodb import Table, record_attributes, record_from, to_item

KIND = "calendar_feed"


class CalendarFeedStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    def create(self, project_id: str, record: Record, key_hash: str) -> None:
        feed = {**keys.entity(project_id, KIND, record.id), **record_attributes(project_id, record)}
        lookup = {
            **keys.calendar_feed_key(key_hash),
            "entity": "calendar_feed_key",
            "project_id": project_id,
            "feed_id": record.id,
        }
        self._t.client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self._t.name, "Item": to_item(feed)}},
                {
                    "Put": {
                        "TableName": self._t.name,
                        "Item": to_item(lookup),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )

    def list_all(self, project_id: str) -> list[Record]:
        return [
            record_from(i) for i in self._t.query(keys.entity_partition(project_id), keys.entity_prefix(KIND))
        ]

    def get(self, project_id: str, feed_id: str) -> Record | None:
        item = self._t.get(keys.entity(project_id, KIND, feed_id))
        return record_from(item) if item else None

    def by_key(self, key_hash: str) -> tuple[str, Record] | None:
        """The project and feed a secret's hash opens, or None (unknown or revoked)."""
        lookup = self._t.get(keys.calendar_feed_key(key_hash), consistent=False)
        if lookup is None:
            return None
        feed = self.get(str(lookup["project_id"]), str(lookup["feed_id"]))
        return (str(lookup["project_id"]), feed) if feed is not None else None

    def delete(self, project_id: str, record: Record) -> None:
        items: list[Any] = [
            {"Delete": {"TableName": self._t.name, "Key": to_item(keys.entity(project_id, KIND, record.id))}},
            {
                "Delete": {
                    "TableName": self._t.name,
                    "Key": to_item(keys.calendar_feed_key(str(record.doc["key_hash"]))),
                }
            },
        ]
        self._t.client.transact_write_items(TransactItems=items)
