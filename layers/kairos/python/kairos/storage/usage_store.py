"""Usage counters in the table: per project and UTC day, one item per writer (`requests`,
`processing_ms`, `webhook_attempts`), summed when read; a month is one key-range query per usage partition.
Every count is written in the same transaction as what marks its subject counted, so no retry counts it
twice: a usage event's request log entry (expiring after 30 days, `kairos.storage.request_log_store`),
which a redelivered event finds (its bodies are written just before, apart: `request_log_bodies`); a
webhook attempt's delivery log entry, whose recorded attempts the write is conditioned on
(`kairos.storage.webhook_store`). Each token's last use is written after the
transaction, one conditional update per token of the batch, at most once a minute per token and writer
(`LAST_USE_STEP_MS`): a token used 11,000 times a second would otherwise have its item written by every
batch (over a partition's 1,000 writes a second); the Portal shows a last use to the minute.

Why one item per writer: a day item updated by every metering batch and every webhook attempt of a project
made concurrent transactions collide (TransactionConflict), and a collision cancels the whole batch. A
writer is a counting slot of this process (`usage_writer`), taken by one transaction at a time and given
back after it: two transactions in flight never share a counter item, whatever the concurrency, so none
conflicts on one. A process makes as many slots as it ever runs transactions at once (one in a Lambda
execution environment), so a day has about as many items per project as environments counted for it."""

import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from kairos.parallel import parallel_map
from kairos.storage import keys
from kairos.storage.dynamodb import Table, cancellation_reasons, to_item, translate
from kairos.storage.request_log_bodies import write_bodies
from kairos.storage.request_log_store import log_item, log_position_ms
from kairos.usage.metering import CountedRequest
from kairos.usage.report import UsageDay

FIGURES = ("requests", "processing_ms", "webhook_attempts")
LAST_USE_STEP_MS = 60_000  # a token's last use is written again once it moved on by this much
MEMORY_ENTRIES = 4096  # tokens whose noted last use a store remembers (cleared when full)
_free_writers: list[str] = []  # the process's counting slots not in use (see the module's docstring)
_writers_lock = threading.Lock()


@contextmanager
def usage_writer() -> Iterator[str]:
    """A counting slot for one transaction: no other transaction of this process holds it meanwhile, and
    no other process ever has it (a random id)."""
    with _writers_lock:
        writer = _free_writers.pop() if _free_writers else uuid.uuid4().hex[:16]
    try:
        yield writer
    finally:
        with _writers_lock:
            _free_writers.append(writer)


class UsageStore:
    def __init__(self, table: Table) -> None:
        self._t = table
        self._noted: dict[tuple[str, str], int] = {}  # the last use this store wrote, per token

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
        write_bodies(self._t, [r.logged for r in requests])  # before their entries: a listed one has them
        with usage_writer() as writer:
            updates: list[Any] = [
                {"Update": day_update(self._t.name, project, day, total, writer)}
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
            if epoch_ms >= self._noted.get((project_id, token_id), -LAST_USE_STEP_MS) + LAST_USE_STEP_MS:
                self._note_use(project_id, token_id, epoch_ms)
                if len(self._noted) >= MEMORY_ENTRIES:
                    self._noted.clear()
                self._noted[(project_id, token_id)] = epoch_ms
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
        """The counters of the days from `first` to `last` (inclusive) that have any, in date order: each
        day the sum of its writers' items (and of its item written before the split), all partitions read
        at once."""
        requests = [
            {
                "TableName": self._t.name,
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :first AND :last",
                "ExpressionAttributeValues": to_item(
                    {
                        ":pk": partition,
                        ":first": keys.usage_day_sort_key(first),
                        ":last": keys.usage_days_end(last),
                    }
                ),
            }
            for partition in keys.usage_partitions(project_id)
        ]
        sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
        for items in parallel_map(lambda request: list(self._t.paginate_query(request)), requests):
            for item in items:
                for figure in FIGURES:
                    sums[item["day"]][figure] += int(item.get(figure, 0))
        return [UsageDay(day, **figures) for day, figures in sorted(sums.items())]

    def month_requests(self, project_id: str, month: str) -> int:
        """The requests metered in a month (`YYYY-MM`): where a new quota counter starts."""
        return sum(d.requests for d in self.days(project_id, f"{month}-01", f"{month}-31"))


def day_update(
    table_name: str, project_id: str, day: str, amounts: Mapping[str, int], writer: str
) -> dict[str, Any]:
    """The update that adds `amounts` to a writer's counters of a project's day (made if need be): in a
    transaction with what marks the counted thing as counted, so a retried write never counts it twice,
    under the writer slot (`usage_writer`) the transaction holds, so it meets no other transaction."""
    names = {f"#c{i}": name for i, name in enumerate(amounts)}
    values = {f":c{i}": amount for i, amount in enumerate(amounts.values())}
    adds = ", ".join(f"#c{i} :c{i}" for i in range(len(amounts)))
    return {
        "TableName": table_name,
        "Key": to_item(keys.usage_day(project_id, day, writer)),
        "UpdateExpression": f"ADD {adds} SET entity = :entity, project_id = :p, #day = :day",
        "ExpressionAttributeNames": {**names, "#day": "day"},
        "ExpressionAttributeValues": to_item(
            {**values, ":entity": "usage_day", ":p": project_id, ":day": day}
        ),
    }
