"""The request log and each token's last use in the table (see `kairos.usage.request_log`): a project's
log is spread over `keys.REQUEST_LOG_SHARDS` partitions by event id (`keys.request_log`), each sorted by
time, so that no partition takes every request of a busy project. A reader merges them: a time range is
the same key range in every shard, read newest first, all shards at once (one wave), then merged by
position (time, then event id: unique and the same in every shard), so a page and its cursor (a position)
are what one partition would give. Entries expire after 30 days (TTL). An entry's bodies are an item of
their own, read for a page's rows (`kairos.storage.request_log_bodies`); entries logged before carry them."""

import heapq
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kairos.parallel import parallel_map
from kairos.storage import keys
from kairos.storage.dynamodb import Table, from_item, to_item
from kairos.storage.request_log_bodies import expires_at, with_bodies
from kairos.usage.request_log import DEFAULT_PAGE, LoggedRequest

LAST = "~"  # sorts after every position
# Entries asked of each shard per round trip: a default page is spread over the shards, so the first wave
# usually holds it; a shard that runs out while the merge still needs it is asked for its next ones.
SHARD_PAGE = DEFAULT_PAGE


def log_position_ms(entry: LoggedRequest) -> int:
    return int(entry.at.timestamp() * 1000)


def log_item(entry: LoggedRequest) -> dict[str, Any]:
    """The entry as logged, without its bodies (`request_log_bodies.bodies_item`)."""
    epoch_ms = log_position_ms(entry)
    item: dict[str, Any] = {
        **keys.request_log(entry.project_id, epoch_ms, entry.event_id),
        "entity": "request_log",
        "event_id": entry.event_id,
        "epoch_ms": epoch_ms,
        "method": entry.method,
        "path": entry.path,
        "status": entry.status,
        "duration_ms": entry.duration_ms,
        "expires_at": expires_at(entry),
    }
    if entry.token_id:
        item.update(token_id=entry.token_id, token_name=entry.token_name or "")
    return item


def _entry(project_id: str, item: Mapping[str, Any]) -> LoggedRequest:
    return LoggedRequest(
        event_id=item["event_id"],
        project_id=project_id,
        at=datetime.fromtimestamp(int(item["epoch_ms"]) / 1000, tz=UTC),
        method=item["method"],
        path=item["path"],
        status=int(item["status"]),
        duration_ms=int(item["duration_ms"]),
        token_id=item.get("token_id"),
        token_name=item.get("token_name"),
        body=item.get("body"),  # an entry logged with its bodies, before they were kept apart
        request_body=item.get("request_body"),
    )


class RequestLogStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    def read_log(
        self, project_id: str, first: datetime | None, last: datetime | None, after: str | None
    ) -> Iterator[tuple[str, LoggedRequest]]:
        low = keys.request_log_position(int(first.timestamp() * 1000), "") if first else "0"
        high = keys.request_log_position(int(last.timestamp() * 1000), LAST) if last else LAST
        if after is not None:
            high = min(high, after)  # strictly before the cursor: BETWEEN is inclusive, so skip it below
        requests: list[dict[str, Any]] = [
            {
                "TableName": self._t.name,
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
                "ExpressionAttributeValues": to_item({":pk": partition, ":low": low, ":high": high}),
                "ScanIndexForward": False,
                "Limit": SHARD_PAGE,
            }
            for partition in keys.request_log_partitions(project_id)
        ]
        firsts = parallel_map(lambda request: self._t.client.query(**request), requests)
        shards = [self._rest(request, first) for request, first in zip(requests, firsts, strict=True)]
        for item in heapq.merge(*shards, key=lambda i: str(i["SK"]), reverse=True):
            if item["SK"] == after:
                continue
            yield item["SK"], _entry(project_id, item)

    def _rest(self, request: dict[str, Any], first: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """One shard's entries, newest first: the first page, read already, then the next ones as the
        merge reaches them."""
        yield from (from_item(i) for i in first.get("Items", []))
        if "LastEvaluatedKey" in first:
            yield from self._t.paginate_query({**request, "ExclusiveStartKey": first["LastEvaluatedKey"]})

    def with_bodies(self, entries: Sequence[LoggedRequest]) -> list[LoggedRequest]:
        return with_bodies(self._t, entries)

    def last_used(self, project_id: str) -> dict[str, datetime]:
        return {
            item["token_id"]: datetime.fromtimestamp(int(item["last_used_ms"]) / 1000, tz=UTC)
            for item in self._t.query(keys.token_use_partition(project_id), "TOKEN#")
        }
