"""The backfill `bookings`: moves the booking items written before bookings had partitions of their own
(`keys.legacy_booking`, in the project's entity partition) to their keys (`keys.booking`). Each move is
one transaction: the item put under its key, marked `moved` (its insertion is no event), only if none is
there, and the legacy item deleted only if its version is the one scanned; a booking changed meanwhile
is moved by the next run, and a second run moves none. While items are not moved, readers look under a
booking's key, then under its legacy key, and a write of a booking not found under its key is made again
under its legacy key (`kairos.storage.booking_store`): docs/table.md, "Bookings"."""

from typing import Any

from botocore.exceptions import ClientError

from kairos.storage import keys
from kairos.storage.backfill import scan_entities
from kairos.storage.dynamodb import Table, to_item


def move_bookings(table: Table) -> int:
    """How many booking items it moved."""
    moved = 0
    for item in scan_entities(table, ("booking",)):
        if keys.is_legacy_booking_key(item):
            moved += _move(table, item)
    return moved


def _move(table: Table, item: dict[str, Any]) -> int:
    target = {**item, **keys.booking(str(item["project_id"]), str(item["id"])), keys.BOOKING_MOVED: True}
    try:
        table.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table.name,
                        "Item": to_item(target),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Delete": {
                        "TableName": table.name,
                        "Key": to_item({"PK": item["PK"], "SK": item["SK"]}),
                        "ConditionExpression": "version = :version",
                        "ExpressionAttributeValues": to_item({":version": item["version"]}),
                    }
                },
            ]
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "TransactionCanceledException":
            return 0
        raise
    return 1
