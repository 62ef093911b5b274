"""Where the hold sweep finds expired holds: a temporary booking's timeline hold carries its expiry and is
listed in GSI1 by it (`keys.hold_expiry_listing`, spread over a few partitions), so the sweep reads only
what has expired, across projects, with one Query per partition. A finalized or canceled booking's hold
loses the listing with the rewrite (or the delete) of its item: the index holds only live holds."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from kairos.domain.holds import expires_at
from kairos.domain.records import Booking
from kairos.storage import keys
from kairos.storage.dynamodb import Table, to_item

EXPIRY_ATTRIBUTE = "hold_expires_at"  # not `expires_at`: that is the table's TTL attribute (epoch seconds)


def hold_expiry_attributes(project_id: str, booking: Booking) -> dict[str, str]:
    """What a booking's timeline hold adds when the booking is a hold that expires."""
    at = expires_at(booking)
    if at is None:
        return {}
    return {EXPIRY_ATTRIBUTE: keys.utc_key(at), **keys.hold_expiry_listing(project_id, booking.id, at)}


class HoldExpiryStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    def expired(self, now: datetime, limit: int) -> Iterator[tuple[str, str]]:
        """(project id, booking id) of holds expired at `now`, up to `limit` from each partition."""
        for shard in range(keys.HOLD_EXPIRY_SHARDS):
            request: dict[str, Any] = {
                "TableName": self._t.name,
                "IndexName": "GSI1",
                "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK < :before",
                "ExpressionAttributeValues": to_item(
                    {":pk": keys.hold_expiry_partition(shard), ":before": keys.hold_expiry_before(now)}
                ),
                "Limit": limit,
            }
            for item in self._t.client.query(**request).get("Items", []):
                _, project_id, booking_id = item["GSI1SK"]["S"].split("#")
                yield project_id, booking_id
