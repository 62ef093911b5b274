"""The bodies of the request log's entries (`kairos.usage.request_log`), in items of their own
(`keys.request_log_bodies`). Every counted API request writes its log entry in the metering transaction,
in one of the project's log shards; with the request's and the answer's bodies in it (up to 4,000
characters each, `kairos.usage.events.kept_body`) an entry was about 8 KB: 16 write units in a
transaction instead of 2, four times the load the shards were sized for (docs/scale.md). Apart, the
entry stays under 1 KB, and the bodies are written once, outside the transaction, compressed (zlib: a
JSON body of ids and times shrinks to a third or so; DynamoDB charges by the stored bytes), each entry's
in a partition of its own, and only for an entry that has a body. A page of the log reads them by key,
in one round trip, once it knows its rows.

Written before the transaction that logs and counts the entry (`kairos.storage.usage_store`), so a listed
entry always finds its bodies (read strongly consistent); a redelivered event writes the same item again.
Entries logged before the split carry their bodies themselves and are read as they are until they expire
(30 days): no backfill."""

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from kairos.storage import keys
from kairos.storage.dynamodb import Table, to_item
from kairos.usage.request_log import KEPT_FOR, LoggedRequest


def expires_at(entry: LoggedRequest) -> int:
    """When an entry and its bodies expire (the table's TTL attribute), KEPT_FOR after the request."""
    return int((entry.at + KEPT_FOR).timestamp())


def bodies_item(entry: LoggedRequest) -> dict[str, Any] | None:
    """The entry's bodies as stored (typed), or None when it has none: nothing is written for it."""
    if entry.request_body is None and entry.body is None:
        return None
    packed = zlib.compress(json.dumps([entry.request_body, entry.body], ensure_ascii=False).encode())
    return to_item(
        {
            **keys.request_log_bodies(entry.project_id, entry.event_id),
            "entity": "request_log_bodies",
            "bodies": packed,
            "expires_at": expires_at(entry),
        }
    )


def write_bodies(table: Table, entries: Sequence[LoggedRequest]) -> None:
    """The bodies of the entries that have any, in batches of 25 (retried as `Table.put_items` does)."""
    items = [item for item in map(bodies_item, entries) if item is not None]
    if items:
        table.put_items(items)


def with_bodies(table: Table, entries: Sequence[LoggedRequest]) -> list[LoggedRequest]:
    """The entries with their bodies: those kept apart read by key in one round trip (an entry without
    any is simply not found), those logged before the split as they are."""
    apart = [e for e in entries if e.request_body is None and e.body is None]
    if not apart:
        return list(entries)
    found = {
        item["PK"]: item
        for item in table.batch_get([keys.request_log_bodies(e.project_id, e.event_id) for e in apart])
    }
    return [
        _filled(entry, found.get(keys.request_log_bodies(entry.project_id, entry.event_id)["PK"]))
        for entry in entries
    ]


def _filled(entry: LoggedRequest, item: Mapping[str, Any] | None) -> LoggedRequest:
    if item is None:
        return entry
    request_body, body = json.loads(zlib.decompress(bytes(item["bodies"])))
    return replace(entry, request_body=request_body, body=body)
