"""A resource's timeline in two parts, so that a window reads what overlaps it and little more.

- Short entries (one-off blocks and booking holds whose span, buffers included, is at most a day) are
  timeline items keyed by when they end: a window [from, to) needs those ending after `from` and before
  `to + 1 day` (a short entry ending later starts after `to`), one bounded key range.
- The head: the resource's schedule-version item (`keys.schedule_version`) also holds a copy of each
  recurring schedule (`rs_<id>`) and of each long entry (`long_<kind>_<id>`), one top-level attribute each,
  so a write sets or removes its own without reading. Every change of the head bumps the version that
  checked bookings condition on, so the head read beside the ledger is exactly what a check may rely on.
  Long entries keep their timeline items too (the hold sweep finds expiring holds by them; a window
  merely skips them there).
- Pruning: a booking write that sets a long hold on a checked head (its version is conditioned, so the
  head is exactly as read) also removes the head's long entries that ended more than `RETENTION` ago and
  records that instant in `pruned_before`, so a resource booked for stay after stay keeps a head of its
  recent entries (an item holds at most 400 KB). A window that starts before `pruned_before` reads the
  pruned entries from their timeline items: one more bounded key range, `TL#<from>` to
  `TL#<pruned_before>` (`pruned_bounds`), only for windows reaching that far back.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from kairos.domain.shared.records import Timeline, TimelineBlock, TimelineBooking
from kairos.storage import keys
from kairos.storage.busy_codec import calendar_of
from kairos.storage.catalogue_stamps import Stamps, stamp_terms
from kairos.storage.dynamodb import from_item, record_from, to_item
from kairos.storage.hold_store import EXPIRY_ATTRIBUTE

LONGEST_SHORT = timedelta(days=1)
RETENTION = timedelta(days=30)  # long entries ended longer ago leave the head when a long hold is written
PRUNED_BEFORE = "pruned_before"
RECURRING_ATTRIBUTE = "rs_"
LONG_ATTRIBUTE = "long_"
COPY_PREFIXES = (RECURRING_ATTRIBUTE, LONG_ATTRIBUTE)
CALENDAR_ATTRIBUTE = "busy_"  # a calendar subscription's busy times (storage/busy_codec.py)
_KEY_ATTRIBUTES = ("PK", "SK", "GSI1PK", "GSI1SK")


def is_long(starts_at: datetime, ends_at: datetime) -> bool:
    return ends_at - starts_at > LONGEST_SHORT


def window_bounds(start: datetime, end: datetime) -> tuple[str, str]:
    """The sort-key range of the short entries that may overlap [start, end) (inclusive bounds)."""
    return keys.timeline_from(start), keys.timeline_from(end + LONGEST_SHORT)


def pruned_bounds(start: datetime, head: Timeline) -> tuple[str, str]:
    """The sort-key range of the long entries a window from `start` may need that `head` pruned."""
    assert head.pruned_before is not None
    return keys.timeline_from(start), keys.timeline_from(head.pruned_before)


def prunable(head: Timeline, horizon: datetime) -> set[str]:
    """The head's copies of long entries that ended before `horizon`."""
    return {long_attribute("sblock", b.id) for b in head.blocks if b.ends_at < horizon} | {
        long_attribute("booking", b.id) for b in head.bookings if b.buffer_ends_at < horizon
    }


def prunings(
    heads: Mapping[str, Timeline], written: Iterable[str], now: datetime
) -> tuple[dict[str, set[str]], dict[str, datetime]]:
    """What a booking write that sets long holds on the resources `written` prunes of their heads (as read
    and conditioned on: `heads`): the copies to remove and each head's new `pruned_before`, by resource."""
    horizon = now - RETENTION
    removes: dict[str, set[str]] = {}
    pruned: dict[str, datetime] = {}
    for resource_id in written:
        head = heads.get(resource_id)
        gone = prunable(head, horizon) if head is not None else set()
        if gone:
            removes[resource_id] = gone
            pruned[resource_id] = max(horizon, head.pruned_before or horizon) if head else horizon
    return removes, pruned


def recurring_attribute(schedule_id: str) -> str:
    return f"{RECURRING_ATTRIBUTE}{schedule_id}"


def calendar_attribute(subscription_id: str) -> str:
    return f"{CALENDAR_ATTRIBUTE}{subscription_id}"


def long_attribute(kind: str, item_id: str) -> str:
    return f"{LONG_ATTRIBUTE}{kind}_{item_id}"


def head_copy(item: Mapping[str, Any]) -> dict[str, Any]:
    """What the head keeps of a recurring schedule's or a timeline entry's item: all but its keys."""
    return {name: value for name, value in item.items() if name not in _KEY_ATTRIBUTES}


def entry_is_long(item: Mapping[str, Any]) -> bool:
    return is_long(_utc(item["starts_at"]), _utc(item["ends_at"]))


def timeline_of(items: Iterable[Mapping[str, Any]]) -> Timeline:
    """The recurring schedules, blocks and holds among stored items (timeline items or head copies)."""
    timeline = Timeline([], [], [])
    for item in items:
        entity = item.get("entity")
        if entity == "recurring_schedule":
            timeline.recurring.append(record_from(item))
        elif entity == "timeline_block":
            timeline.blocks.append(
                TimelineBlock(
                    item["id"],
                    item["location_id"],
                    _utc(item["starts_at"]),
                    _utc(item["ends_at"]),
                    bool(item["is_available"]),
                )
            )
        elif entity == "timeline_booking":
            timeline.bookings.append(
                TimelineBooking(
                    item["id"],
                    item.get("location_id"),
                    _utc(item["starts_at"]),
                    _utc(item["ends_at"]),
                    _utc(item["core_starts_at"]),
                    _utc(item["core_ends_at"]),
                    _utc(item[EXPIRY_ATTRIBUTE]) if EXPIRY_ATTRIBUTE in item else None,
                    item.get("service_id"),
                )
            )
    return timeline


def head_of(item: Mapping[str, Any] | None) -> Timeline:
    """The recurring schedules, long entries and calendars' busy times a schedule-version item holds
    (none when absent)."""
    attributes = sorted((item or {}).items())
    found = timeline_of(
        value for name, value in attributes if name.startswith(COPY_PREFIXES) and isinstance(value, Mapping)
    )
    calendars = tuple(
        calendar_of(value)
        for name, value in attributes
        if name.startswith(CALENDAR_ATTRIBUTE) and isinstance(value, Mapping)
    )
    pruned = (item or {}).get(PRUNED_BEFORE)
    return replace(found, pruned_before=_utc(pruned) if pruned else None, calendars=calendars)


def version_condition(version: int | None) -> dict[str, Any]:
    """The condition a checked booking puts on the schedule version it read (None: there was none)."""
    if version is None:
        return {"ConditionExpression": "attribute_not_exists(version)"}
    return {
        "ConditionExpression": "version = :seen",
        "ExpressionAttributeValues": to_item({":seen": version}),
    }


def head_update(
    table_name: str,
    project_id: str,
    resource_id: str,
    sets: Mapping[str, Mapping[str, Any]],
    removes: Iterable[str] = (),
    condition: Mapping[str, Any] | None = None,
    pruned_before: datetime | None = None,
    stamps: Stamps | None = None,
    *,
    bump: bool = True,
) -> dict[str, Any]:
    """One transaction operation on the head: sets and removes copies, bumps the version (a condition,
    from `version_condition`, makes it a check as well), records a new `pruned_before`; checks and sets
    a booking's catalogue stamps (`kairos.storage.catalogue_stamps`). Without `bump` (a booking write that
    changes no copy) the version is left alone, as stamps are not what it guards, and with no stamp to set
    either the operation is a ConditionCheck."""
    terms, stamped, names, values = stamp_terms(stamps or {})
    assignments = [*stamped]
    if bump or stamped:
        values[":entity"] = "schedule_version"
        assignments.insert(0, "entity = :entity")
    if pruned_before is not None:
        values[":pruned"] = keys.utc_key(pruned_before)
        assignments.append(f"{PRUNED_BEFORE} = :pruned")
    for n, (name, copy) in enumerate(sorted(sets.items())):
        names[f"#s{n}"] = name
        values[f":s{n}"] = dict(copy)
        assignments.append(f"#s{n} = :s{n}")
    removed = sorted(set(removes) - set(sets))
    for n, name in enumerate(removed):
        names[f"#r{n}"] = name
    if condition:
        terms.insert(0, condition["ConditionExpression"])
        values.update(from_item(condition.get("ExpressionAttributeValues", {})))
    operation: dict[str, Any] = {
        "TableName": table_name,
        "Key": to_item(keys.schedule_version(project_id, resource_id)),
    }
    if bump:
        values[":one"] = 1
        expression = "ADD version :one SET " + ", ".join(assignments)
        expression += (" REMOVE " + ", ".join(f"#r{n}" for n in range(len(removed)))) if removed else ""
        operation["UpdateExpression"] = expression
    elif stamped:
        operation["UpdateExpression"] = "SET " + ", ".join(assignments)
    if names:
        operation["ExpressionAttributeNames"] = names
    if values:
        operation["ExpressionAttributeValues"] = to_item(values)
    if terms:
        operation["ConditionExpression"] = " AND ".join(terms)
        operation["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {"Update" if "UpdateExpression" in operation else "ConditionCheck": operation}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def head_operations(
    table_name: str,
    project_id: str,
    sets: Mapping[str, Mapping[str, Mapping[str, Any]]],
    removes: Mapping[str, Iterable[str]],
    checked: Mapping[str, int | None],
    pruned: Mapping[str, datetime] | None = None,
    stamps: Mapping[str, Stamps] | None = None,
) -> list[dict[str, Any]]:
    """One transaction operation per resource on its head (`head_update`): the copies a booking write sets
    and removes (by resource), the check on the schedule version the plan read when the resource was
    checked (`checked`: the versions, by resource), the new `pruned_before` of a head it prunes
    (`pruned`), and the catalogue stamps its checks used (`stamps`, by resource)."""
    stamps = stamps or {}
    return [
        head_update(
            table_name,
            project_id,
            resource_id,
            sets.get(resource_id, {}),
            removes.get(resource_id, ()),
            version_condition(checked[resource_id]) if resource_id in checked else None,
            (pruned or {}).get(resource_id),
            stamps.get(resource_id),
            bump=resource_id in sets or resource_id in removes,
        )
        for resource_id in sorted(set(checked) | set(sets) | set(removes) | set(stamps))
    ]
