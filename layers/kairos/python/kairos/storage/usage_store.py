"""Usage counters in the table: one item per project and UTC day (`requests`, `processing_ms`,
`webhook_attempts`), so a month is one key-range query of at most 31 items. Every count is written in the
same transaction as what marks its subject counted, so no retry counts it twice: a usage event's request
log entry (expiring after 30 days, `kairos.storage.request_log_store`), which a redelivered event finds;
a webhook attempt's delivery log entry, whose recorded attempts the write is conditioned on
(`kairos.storage.webhook_store`). Each token's last use is
written after the transaction, one conditional update per token of the batch."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from kairos.storage import keys
from kairos.storage.dynamodb import Table, cancellation_reasons, to_item, translate
from kairos.storage.request_log_store import log_item, log_position_ms
from kairos.usage.metering import CountedRequest


@dataclass(frozen=True)
class UsageDay:
    day: str  # YYYY-MM-DD, UTC
    requests: int
    processing_ms: int
    webhook_attempts: int


def _day(item: Mapping[str, Any]) -> UsageDay:
    return UsageDay(
        day=item["day"],
        requests=int(item.get("requests", 0)),
        processing_ms=int(item.get("processing_ms", 0)),
        webhook_attempts=int(item.get("webhook_attempts", 0)),
    )


class UsageStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    def count_requests(self, requests: Sequence[CountedRequest]) -> bool:
        """Adds the requests to their days in one transaction (each event's marker, and one update per
        project and day), once per event id; False, and nothing counted, if any was counted before."""
        totals: dict[tuple[str, str], dict[str, int]] = {}
        for request in requests:
            total = totals.setdefault((request.project_id, request.day), {"requests": 0, "processing_ms": 0})
            total["requests"] += 1
            total["processing_ms"] += request.duration_ms
        markers: list[Any] = [
            {
                "Put": {
                    "TableName": self._t.name,
                    "Item": to_item(log_item(r.logged)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
            for r in requests
        ]
        updates: list[Any] = [
            {"Update": day_update(self._t.name, project, day, total)}
            for (project, day), total in totals.items()
        ]
        try:
            self._t.client.transact_write_items(TransactItems=[*markers, *updates])
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_reasons(error)[: len(markers)]:
                return False
            raise translate(error, "usage") from None
        last_use: dict[tuple[str, str], int] = {}
        for r in requests:
            if r.logged.token_id:
                key = (r.project_id, r.logged.token_id)
                last_use[key] = max(last_use.get(key, 0), log_position_ms(r.logged))
        for (project_id, token_id), epoch_ms in last_use.items():
            self._note_use(project_id, token_id, epoch_ms)
        return True

    def _note_use(self, project_id: str, token_id: str, epoch_ms: int) -> None:
        try:
            self._t.client.update_item(
                TableName=self._t.name,
                Key=to_item(keys.token_use(project_id, token_id)),
                UpdateExpression="SET entity = :entity, token_id = :t, last_used_ms = :ms",
                ConditionExpression="attribute_not_exists(last_used_ms) OR last_used_ms < :ms",
                ExpressionAttributeValues=to_item({":entity": "token_use", ":t": token_id, ":ms": epoch_ms}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise translate(error, "token") from None

    def days(self, project_id: str, first: str, last: str) -> list[UsageDay]:
        """The counters of the days from `first` to `last` (inclusive) that have any, in date order."""
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :first AND :last",
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": keys.usage_partition(project_id),
                    ":first": keys.usage_day_sort_key(first),
                    ":last": keys.usage_day_sort_key(last),
                }
            ),
        }
        return [_day(i) for i in self._t.paginate_query(request)]

    def month_requests(self, project_id: str, month: str) -> int:
        """The requests metered in a month (`YYYY-MM`): where a new quota counter starts."""
        return sum(d.requests for d in self.days(project_id, f"{month}-01", f"{month}-31"))


def day_update(table_name: str, project_id: str, day: str, amounts: Mapping[str, int]) -> dict[str, Any]:
    """The update that adds `amounts` to a project's counters of a day (made if need be): in a transaction
    with what marks the counted thing as counted, so a retried write never counts it twice."""
    names = {f"#c{i}": name for i, name in enumerate(amounts)}
    values = {f":c{i}": amount for i, amount in enumerate(amounts.values())}
    adds = ", ".join(f"#c{i} :c{i}" for i in range(len(amounts)))
    return {
        "TableName": table_name,
        "Key": to_item(keys.usage_day(project_id, day)),
        "UpdateExpression": f"ADD {adds} SET entity = :entity, project_id = :p, #day = :day",
        "ExpressionAttributeNames": {**names, "#day": "day"},
        "ExpressionAttributeValues": to_item(
            {**values, ":entity": "usage_day", ":p": project_id, ":day": day}
        ),
    }
