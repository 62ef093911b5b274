"""The capacity ledger that makes booking writes safe under concurrency (docs/bookings.md).

The ledger has two levels, so that short bookings on the same day do not contend and long ones still fit a
transaction. A span covers whole UTC days (day nodes) and, at its edges, UTC hours (hour nodes). An hour
item has a `version`; a day item has `full` (bumped by spans covering the whole day) and `part` (bumped by
spans covering hours of it). A checked write conditions its hour items on `version`, the days it covers in
part on `full`, and the days it covers whole on `full` and `part`. Any two overlapping spans therefore
meet on a counter one of them bumps and the other conditions on (docs/bookings.md has the argument).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.shared.records import Hold, LedgerState
from kairos.storage import keys
from kairos.storage.dynamodb import from_item, to_item
from kairos.storage.timeline_head import head_of

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
COUNTERS = ("version", "full", "part")


@dataclass
class LedgerNodes:
    """Where one resource's holds lie in the ledger."""

    hours: set[str] = field(default_factory=set)
    partial_days: set[str] = field(default_factory=set)
    full_days: set[str] = field(default_factory=set)
    limits: set[str] = field(default_factory=set)  # booking-limit counters: `version` only, like hours

    def add(self, start: datetime, end: datetime, limits: tuple[str, ...] = ()) -> None:
        self.limits.update(limits)
        hours, partial_days, full_days = _span_nodes(start, end)
        self.hours |= hours
        self.partial_days |= partial_days
        self.full_days |= full_days

    def node_keys(self) -> list[str]:
        return (
            [f"H#{h}" for h in sorted(self.hours)]
            + [f"D#{d}" for d in sorted(self.partial_days | self.full_days)]
            + sorted(self.limits)
        )


@lru_cache(maxsize=4096)
def _span_nodes(start: datetime, end: datetime) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The hours, partial days and full days a span lies in. Kept for the spans met last: a write reads
    and writes the same spans several times (a series' 52 occurrences in each of its reads and
    transactions)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    hours: set[str] = set()
    partial_days: set[str] = set()
    full_days: set[str] = set()
    day = start.date()
    while _midnight(day) < end:
        day_start, day_end = _midnight(day), _midnight(day + DAY)
        if start <= day_start and end >= day_end:
            full_days.add(day.isoformat())
        else:
            partial_days.add(day.isoformat())
            hour = max(start, day_start).replace(minute=0, second=0, microsecond=0)
            while hour < min(end, day_end):
                hours.add(hour.strftime("%Y-%m-%dT%H"))
                hour += HOUR
        day += DAY
    return frozenset(hours), frozenset(partial_days), frozenset(full_days)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def nodes_of(holds: list[Hold]) -> dict[str, LedgerNodes]:
    by_resource: dict[str, LedgerNodes] = {}
    for hold in holds:
        by_resource.setdefault(hold.resource_id, LedgerNodes()).add(hold.start, hold.end, hold.limits)
    return by_resource


def ledger_keys(
    project_id: str, nodes: dict[str, LedgerNodes], checked: set[str], have: LedgerState | None
) -> list[dict[str, str]]:
    """The keys of the ledger items and schedule versions to read: those `have` does not hold yet."""
    ledgers, schedules = (have.ledgers, have.schedules) if have is not None else ({}, {})
    return [
        keys.ledger(project_id, r, node)
        for r, n in sorted(nodes.items())
        for node in n.node_keys()
        if (r, node) not in ledgers
    ] + [keys.schedule_version(project_id, r) for r in sorted(checked) if r not in schedules]


def ledger_state(
    project_id: str,
    nodes: dict[str, LedgerNodes],
    checked: set[str],
    found: Mapping[tuple[str, str], Mapping[str, Any]],
    have: LedgerState | None,
) -> LedgerState:
    """The counters of the items `nodes` and `checked` name, from `have` or else as `found` (an item
    not found: no counters, no version)."""
    state = LedgerState({}, {}).updated(have) if have is not None else LedgerState({}, {})
    for resource_id, resource_nodes in nodes.items():
        for node in resource_nodes.node_keys():
            if (resource_id, node) not in state.ledgers:
                key = keys.ledger(project_id, resource_id, node)
                item = found.get((key["PK"], key["SK"]), {})
                state.ledgers[(resource_id, node)] = {a: int(item[a]) for a in COUNTERS if a in item}
    for resource_id in checked:
        if resource_id not in state.schedules:
            key = keys.schedule_version(project_id, resource_id)
            item = found.get((key["PK"], key["SK"]), {})
            state.schedules[resource_id] = int(item["version"]) if "version" in item else None
            state.heads[resource_id] = head_of(item)
    return state


def ledger_operations(
    table_name: str, project_id: str, touched: list[Hold], guarded: list[Hold], seen: LedgerState
) -> list[Any]:
    """The bumps of every ledger item the `touched` holds lie in, each conditioned, where a `guarded`
    (checked) hold lies, on the counters the plan read (`seen`)."""
    operations: list[Any] = []
    bumped, conditioned = nodes_of(touched), nodes_of(guarded)
    for resource_id, nodes in sorted(bumped.items()):
        checks = conditioned.get(resource_id, LedgerNodes())
        for hour in sorted(nodes.hours):
            watch = {"version"} if hour in checks.hours else set()
            operations.append(
                ledger_update(table_name, project_id, resource_id, f"H#{hour}", {"version"}, watch, seen)
            )
        for day in sorted(nodes.partial_days | nodes.full_days):
            bump = ({"part"} if day in nodes.partial_days else set()) | (
                {"full"} if day in nodes.full_days else set()
            )
            watch = ({"full"} if day in checks.partial_days else set()) | (
                {"full", "part"} if day in checks.full_days else set()
            )
            operations.append(
                ledger_update(table_name, project_id, resource_id, f"D#{day}", bump, watch, seen)
            )
        for limit in sorted(nodes.limits):
            watch = {"version"} if limit in checks.limits else set()
            operations.append(
                ledger_update(table_name, project_id, resource_id, limit, {"version"}, watch, seen)
            )
    return operations


def ledger_update(
    table_name: str,
    project_id: str,
    resource_id: str,
    node: str,
    bump: set[str],
    watch: set[str],
    seen: LedgerState,
) -> dict[str, Any]:
    """Bumps counters of one ledger item; each watched counter must still be what the check saw. Its values
    typed directly (a 52-week series sends some 110 of these): what `to_item` would make of them."""
    values: dict[str, Any] = {":one": {"N": "1"}, ":entity": {"S": "ledger"}}
    conditions: list[str] = []
    counters = seen.ledgers.get((resource_id, node), {})
    for name in sorted(watch):
        if name in counters:
            values[f":{name}"] = {"N": str(counters[name])}
            conditions.append(f"#{name} = :{name}")
        else:
            conditions.append(f"attribute_not_exists(#{name})")
    update: dict[str, Any] = {
        "TableName": table_name,
        "Key": to_item(keys.ledger(project_id, resource_id, node)),
        "UpdateExpression": _bumps(frozenset(bump)),
        "ExpressionAttributeNames": {f"#{n}": n for n in bump | watch},  # `full` is a reserved word
        "ExpressionAttributeValues": values,
    }
    if conditions:
        update["ConditionExpression"] = " AND ".join(conditions)
        update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"  # what moved: see moved_counters
    return {"Update": update}


@lru_cache(maxsize=8)
def _bumps(bump: frozenset[str]) -> str:
    """The update expression that adds one to each counter of `bump` (a handful of sets, made once)."""
    return "ADD " + ", ".join(f"#{n} :one" for n in sorted(bump)) + " SET entity = :entity"


def moved_counters(items: list[Any], error: ClientError) -> LedgerState | None:
    """The ledger counters and schedule versions a refused transaction found moved, from the items its
    cancellation reasons return (ALL_OLD); None when something else failed a condition (a booking's or
    a group's version), which only a fresh read can tell about."""
    moved = LedgerState({}, {})
    reasons = error.response.get("CancellationReasons", [])
    for operation, reason in zip(items, reasons, strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue
        found = from_item(reason.get("Item", {}))
        entity = found.get("entity")
        ((_, request),) = operation.items()
        key = from_item(request["Key"]) if "Key" in request else {}
        resource_id = keys.resource_of(key.get("PK", ""))
        if entity == "ledger" and resource_id is not None:
            node = str(key["SK"]).removeprefix(keys.LEDGER_PREFIX)
            moved.ledgers[(resource_id, node)] = {a: int(found[a]) for a in COUNTERS if a in found}
        elif entity == "schedule_version" and resource_id is not None:
            moved.schedules[resource_id] = int(found["version"]) if "version" in found else None
            moved.heads[resource_id] = head_of(found)
        else:
            return None
    return moved
