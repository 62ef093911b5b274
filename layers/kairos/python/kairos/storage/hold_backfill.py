"""The backfill that gives the holds written before booking limits existed their booking's service
(`service_id`, which a service's limits count them by: docs/bookings.md, "Booking limits"), on the hold's
timeline item and, for a hold longer than a day, on its copy in the resource's timeline head. Each update
is conditioned on the item (or copy) still being there without a service, so a run beside live traffic is
safe (a newer write brought its own) and a second run updates none."""

from typing import Any

from botocore.exceptions import ClientError

from kairos.storage import keys
from kairos.storage.backfill import scan_entities
from kairos.storage.booking_items import booking_from, hold_key
from kairos.storage.dynamodb import Table, to_item
from kairos.storage.timeline_head import is_long, long_attribute


def backfill_hold_services(table: Table) -> int:
    """How many hold items and head copies it gave their service."""
    updated = 0
    for item in scan_entities(table, ("booking",)):
        booking = booking_from(item)
        if not booking.holds_capacity or booking.service_id is None:
            continue
        project_id = str(item["project_id"])
        updated += _set(table, hold_key(project_id, booking), None, booking.service_id)
        if is_long(booking.buffer_starts_at, booking.buffer_ends_at):
            assert booking.resource_id is not None
            head = keys.schedule_version(project_id, booking.resource_id)
            updated += _set(table, head, long_attribute("booking", booking.id), booking.service_id)
    return updated


def _set(table: Table, key: dict[str, str], copy: str | None, service_id: str) -> int:
    """Sets `service_id` on the item (or on its map attribute `copy`) if it is there without one."""
    there, path = ("#copy", "#copy.service_id") if copy else ("PK", "service_id")
    request: dict[str, Any] = {
        "TableName": table.name,
        "Key": to_item(key),
        "UpdateExpression": f"SET {path} = :service",
        "ConditionExpression": f"attribute_exists({there}) AND attribute_not_exists({path})",
        "ExpressionAttributeValues": to_item({":service": service_id}),
    }
    if copy:
        request["ExpressionAttributeNames"] = {"#copy": copy}
    try:
        table.client.update_item(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return 0
        raise
    return 1
