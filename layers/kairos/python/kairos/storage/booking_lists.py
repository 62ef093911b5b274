"""Booking lists on the listing indexes (docs/table.md, "Booking lists"): an owner's bookings in a window
are one key range per length class in each shard of the owner's listing, all queried at once (one wave) and
merged by sort key, so that a list reads the same bookings, in the same order, as one unsharded partition
did. Also the backfill that gives older booking items the keys this version writes."""

import heapq
from collections.abc import Iterator, Mapping
from datetime import datetime
from itertools import groupby
from typing import Any

from kairos.domain.shared.records import Booking
from kairos.parallel import parallel_map
from kairos.storage import keys
from kairos.storage.backfill import scan_entities
from kairos.storage.booking_items import booking_from, listing_keys
from kairos.storage.dynamodb import Table, to_item


def _once(bookings: list[Booking]) -> Iterator[Booking]:
    """Each booking once: while the backfill `bookings` moves an item to its own partition, an index may
    show it under both keys for a moment (indexes are updated after the table)."""
    seen: set[str] = set()
    for booking in bookings:
        if booking.id not in seen:
            seen.add(booking.id)
            yield booking


def _merged(pages: list[list[dict[str, Any]]], sort_key: str) -> Iterator[dict[str, Any]]:
    """The pages' items as one unsharded listing held them: class by class (`keys.LENGTH_CLASSES`'s
    order), each class's items merged by sort key. A page is one range of a shard, sorted by its key: of
    one class, or of every class when the list has no window."""
    by_class: dict[str, list[list[dict[str, Any]]]] = {}
    for page in pages:
        for name, items in groupby(page, key=lambda i: str(i[sort_key]).partition("#")[0]):
            by_class.setdefault(name, []).append(list(items))
    for name, _ in keys.LENGTH_CLASSES:
        yield from heapq.merge(*by_class.get(name, []), key=lambda i: str(i[sort_key]))


class BookingLists:
    def __init__(self, table: Table, *, indexed: bool = True) -> None:
        self._t = table
        self._indexed = indexed  # False while a stack is upgraded: lists read the project's every listing

    def list_window(
        self, project_id: str, owner: tuple[str, str] | None, start: datetime | None, end: datetime | None
    ) -> list[Booking]:
        """The bookings of the project, or of one owner (`("resource", id)`, location, service), that end
        after `start` and start before `end` (either may be None: unbounded): one key-range Query per
        length class and shard of the owner's listing (one per shard without a window), all at once, merged
        by sort key per class."""
        if not self._indexed:
            found = self._project_ending_after(project_id, start)
        else:
            kind, owner_id = owner or ("project", "")
            index = keys.BOOKING_LISTING_INDEXES[kind]
            shards = keys.booking_listing_shards(project_id, kind, owner_id)
            ranges = keys.booking_listing_ranges(start, end)
            reads = [(shard, bounds) for bounds in ranges for shard in shards]

            def read(where: tuple[str, tuple[str, str]]) -> list[dict[str, Any]]:
                partition, (low, high) = where
                condition = f"{index}PK = :pk AND {index}SK BETWEEN :low AND :high"
                return self._query(index, condition, {":pk": partition, ":low": low, ":high": high})

            found = [booking_from(item) for item in _merged(parallel_map(read, reads), f"{index}SK")]
        return [
            b
            for b in _once(found)
            if (start is None or b.ends_at > start)
            and (end is None or b.starts_at < end)
            and (owner is None or getattr(b, f"{owner[0]}_id") == owner[1])
        ]

    def _project_ending_after(self, project_id: str, start: datetime | None) -> list[Booking]:
        """The read while a stack is upgraded, exact whatever the items' keys: GSI1 after `from` by end
        time, in the partition of the versions before the shards and in every shard (keys with a length
        class sort after every time, so all of those too)."""
        partitions = [keys.booking_listing_partition(project_id), *keys.booking_listing_shards(project_id)]
        after = {":after": keys.utc_key(start) + "#~"} if start else {}
        condition = "GSI1PK = :pk" + (" AND GSI1SK > :after" if start else "")
        pages = parallel_map(lambda p: self._query("GSI1", condition, {":pk": p, **after}), partitions)
        return [booking_from(item) for page in pages for item in page]

    def _query(self, index: str, condition: str, values: Mapping[str, str]) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
        }
        return list(self._t.paginate_query(request))

    def backfill_listings(self) -> int:
        """Gives the booking items written by an earlier version the listing keys this one writes (GSI2-4
        and GSI1's length class before the indexes; the shard of each partition before the shards): a Scan
        of the booking items, then one update per item whose keys differ, made only if the booking is
        unchanged since the Scan (a newer write brought its own keys). Returns how many items it updated;
        a second run updates none."""
        updated = 0
        for item in scan_entities(self._t, ("booking",)):
            wanted = listing_keys(item["project_id"], booking_from(item))
            if any(item.get(name) != value for name, value in wanted.items()):
                updated += self._set_listing_keys(item, wanted)
        return updated

    def _set_listing_keys(self, item: Mapping[str, Any], wanted: Mapping[str, str]) -> int:
        names = {f"#{n}": n for n in wanted}
        values = {f":{n}": v for n, v in wanted.items()}
        try:
            self._t.client.update_item(
                TableName=self._t.name,
                Key=to_item({"PK": item["PK"], "SK": item["SK"]}),
                UpdateExpression="SET " + ", ".join(f"#{n} = :{n}" for n in wanted),
                ConditionExpression="version = :version",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item({**values, ":version": item["version"]}),
            )
        except self._t.client.exceptions.ConditionalCheckFailedException:
            return 0
        return 1
