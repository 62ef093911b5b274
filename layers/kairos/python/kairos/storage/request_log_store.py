"""The request log and each token's last use in the table (see `kairos.usage.request_log`): a project's
log is one partition sorted by time (`keys.request_log`), so a time range is a key range read newest
first, page by page; entries expire after 30 days (TTL)."""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from kairos.storage import keys
from kairos.storage.dynamodb import Table, to_item
from kairos.usage.request_log import KEPT_FOR, LoggedRequest

LAST = "~"  # sorts after every position


def log_position_ms(entry: LoggedRequest) -> int:
    return int(entry.at.timestamp() * 1000)


def log_item(entry: LoggedRequest) -> dict[str, Any]:
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
        "expires_at": int((entry.at + KEPT_FOR).timestamp()),
    }
    if entry.token_id:
        item.update(token_id=entry.token_id, token_name=entry.token_name or "")
    if entry.body is not None:
        item["body"] = entry.body
    if entry.request_body is not None:
        item["request_body"] = entry.request_body
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
        body=item.get("body"),
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
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.request_log_partition(project_id), ":low": low, ":high": high}
            ),
            "ScanIndexForward": False,
        }
        for item in self._t.paginate_query(request):
            if item["SK"] == after:
                continue
            yield item["SK"], _entry(project_id, item)

    def last_used(self, project_id: str) -> dict[str, datetime]:
        return {
            item["token_id"]: datetime.fromtimestamp(int(item["last_used_ms"]) / 1000, tz=UTC)
            for item in self._t.query(keys.token_use_partition(project_id), "TOKEN#")
        }
