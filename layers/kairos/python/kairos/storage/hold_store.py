"""A temporary booking's timeline hold carries its expiry, which decides the race between keeping a hold's
place and taking it (docs/bookings.md, "The race"): a write that keeps the place conditions the hold's
item on the expiry lying after its commit-time clock and on the hold not being released
(`kept_hold_condition`); a write that takes the place of an expired hold marks the item released
(`release_operation`), conditioned on it still holding that expiry.

The hold sweep finds expired holds the same way: the hold is listed in GSI1 by its expiry, in a partition
of its resource's (`keys.hold_expiry_listing`), so a timer due for a resource's hold reads only what has
expired there, with one Query. A finalized or canceled booking's hold loses the listing with the rewrite
(or the delete) of its item: the index holds only live holds. Holds listed before in the partitions every
projects shared (`HOLDEXPIRY#<0-31>`) are read by `legacy_expired` until none is left."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from kairos.domain.bookings.holds import expires_at
from kairos.domain.shared.records import Booking, Release
from kairos.storage import keys
from kairos.storage.dynamodb import Table, to_item

EXPIRY_ATTRIBUTE = "hold_expires_at"  # not `expires_at`: that is the table's TTL attribute (epoch seconds)
RELEASED_ATTRIBUTE = "released"
KEPT_HOLD = "attribute_not_exists(#released) AND #hold_expiry > :commit_clock"


def hold_expiry_attributes(project_id: str, booking: Booking) -> dict[str, str]:
    """What a booking's timeline hold adds when the booking is a hold that expires."""
    at = expires_at(booking)
    if at is None:
        return {}
    assert booking.resource_id is not None  # a hold is on its resource's timeline
    listing = keys.hold_expiry_listing(project_id, booking.resource_id, booking.id, at)
    return {EXPIRY_ATTRIBUTE: keys.utc_key(at), **listing}


def kept_hold_condition(now: datetime) -> dict[str, Any]:
    """The condition on a hold's item of a write that keeps the hold's place (a finalize, a new expiry, a
    move): the hold is not released, and expires after `now`, the clock read when the write is sent."""
    return {
        "ConditionExpression": KEPT_HOLD,
        "ExpressionAttributeNames": {"#released": RELEASED_ATTRIBUTE, "#hold_expiry": EXPIRY_ATTRIBUTE},
        "ExpressionAttributeValues": to_item({":commit_clock": keys.utc_key(now)}),
    }


def keeps_hold(operation: dict[str, Any]) -> bool:
    """Whether a transaction's operation is a write conditioned by `kept_hold_condition`."""
    ((_, request),) = operation.items()
    return bool(request.get("ConditionExpression") == KEPT_HOLD)


def release_operation(table_name: str, project_id: str, release: Release) -> dict[str, Any]:
    """The Update that releases an expired hold, if its item still holds the expiry the release saw."""
    key = keys.timeline_entry(
        project_id, release.resource_id, release.buffer_ends_at, "booking", release.booking_id
    )
    return {
        "TableName": table_name,
        "Key": to_item(key),
        "UpdateExpression": "SET #released = :released",
        "ConditionExpression": "#hold_expiry = :expiry",
        "ExpressionAttributeNames": {"#released": RELEASED_ATTRIBUTE, "#hold_expiry": EXPIRY_ATTRIBUTE},
        "ExpressionAttributeValues": to_item(
            {":released": True, ":expiry": keys.utc_key(release.expires_at)}
        ),
    }


class HoldExpiryStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    def expired(self, project_id: str, resource_id: str, now: datetime, limit: int) -> list[str]:
        """The ids of the resource's holds expired at `now`, oldest first, up to `limit`."""
        partition = keys.hold_expiry_partition(project_id, resource_id)
        return [sort_key.rpartition("#")[2] for sort_key in self._query(partition, now, limit)]

    def legacy_expired(self, now: datetime, limit: int) -> Iterator[tuple[str, str]]:
        """(project id, booking id) of holds expired at `now` still listed in the shared partitions of
        before, up to `limit` from each."""
        for shard in range(keys.LEGACY_HOLD_EXPIRY_SHARDS):
            for sort_key in self._query(keys.legacy_hold_expiry_partition(shard), now, limit):
                _, project_id, booking_id = sort_key.split("#")
                yield project_id, booking_id

    def _query(self, partition: str, now: datetime, limit: int) -> list[str]:
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK < :before",
            "ExpressionAttributeValues": to_item({":pk": partition, ":before": keys.hold_expiry_before(now)}),
            "Limit": limit,
        }
        return [item["GSI1SK"]["S"] for item in self._t.client.query(**request).get("Items", [])]
