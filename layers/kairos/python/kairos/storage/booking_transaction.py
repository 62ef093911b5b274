"""The operations of one booking transaction (`BookingStore.commit`): each booking's item and its hold on
its resource's timeline, the capacity ledger's bumps (`kairos.storage.ledger`), the timeline heads' long
copies and schedule-version checks (`kairos.storage.timeline_head`) with the catalogue stamps the plan was
checked with (`kairos.storage.catalogue_stamps`), a group's items (listed and own), the released holds, and
the checks of what a warm instance remembered of its resources (`Premises`). Every item but the group's and
the premises' belongs to one booking or one resource, so bookings of different resources share none."""

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.bookings.holds import expires_at
from kairos.domain.shared.records import (
    Booking,
    BookingChange,
    GroupChange,
    Hold,
    LedgerState,
    Premises,
    Release,
)
from kairos.storage import keys
from kairos.storage.booking_items import booking_item, hold_item, hold_key, own_changes, same_place
from kairos.storage.catalogue_stamps import Stamps, stamp_name, written
from kairos.storage.dynamodb import from_item, record_attributes, to_item
from kairos.storage.hold_store import hold_expiry_attributes, kept_hold_condition, release_operation
from kairos.storage.ledger import ledger_operations
from kairos.storage.table_definition import TTL_ATTRIBUTE
from kairos.storage.timeline_head import head_copy, head_operations, is_long, long_attribute, prunings


def hold_of(booking: Booking | None, limits: tuple[str, ...] = ()) -> list[Hold]:
    if booking is None or not booking.holds_capacity or booking.resource_id is None:
        return []
    return [Hold(booking.resource_id, booking.buffer_starts_at, booking.buffer_ends_at, limits)]


def stamps_of(premises: Premises) -> dict[str, Stamps]:
    """The catalogue stamps each resource's head must show, by resource: a service or location version
    remembered must be stamped as such; one read fresh may be unstamped yet (and is stamped then)."""
    found: dict[str, dict[str, tuple[int, bool]]] = {}
    for resource_id, kind, entity_id, version, remembered in sorted(premises.catalogue):
        name = stamp_name(kind, entity_id)
        _, required = found.get(resource_id, {}).get(name, (0, False))
        found.setdefault(resource_id, {})[name] = (written(version), required or remembered)
    return dict(found)


class BookingTransaction:
    def __init__(self, table_name: str, clock: Callable[[], datetime]) -> None:
        self._name = table_name
        self._clock = clock  # for kept holds' expiry and pruning ended long entries from timeline heads

    def operations(
        self,
        project_id: str,
        changes: list[BookingChange],
        seen: LedgerState,
        group: GroupChange | None,
        releases: Sequence[Release],
        stamps: dict[str, Stamps],
        legacy: frozenset[str] = frozenset(),
    ) -> list[Any]:
        """Every operation but the premises' checks (`premise_checks`), which come last; the bookings in
        `legacy` are changed under their legacy key (`keys.legacy_booking`: not moved yet)."""
        items: list[Any] = []
        touched: list[Hold] = []
        guarded: list[Hold] = []
        checked_schedules: set[str] = set()
        now = self._clock()  # read as the transaction is sent: a kept hold must expire after it
        for change in changes:
            items += self._booking_items(project_id, change, now, legacy)
            # Only a hold that takes capacity it did not hold bumps the ledger (a checked one always):
            # capacity given back cannot make a concurrent check wrong, only cautious, so deletes,
            # cancelations and unchanged holds leave concurrent bookings of those hours alone.
            if change.guarded or hold_of(change.after) != hold_of(change.before):
                touched += hold_of(change.after, change.limits)
            if change.guarded:
                guarded += hold_of(change.after, change.limits)
                if change.after is not None and change.after.resource_id is not None:
                    checked_schedules.add(change.after.resource_id)
        items += ledger_operations(self._name, project_id, touched, guarded, seen)
        items += self._head_items(project_id, changes, checked_schedules, seen, now, stamps)
        items += self._group_items(project_id, group)
        return items + [{"Update": release_operation(self._name, project_id, r)} for r in releases]

    def _head_items(
        self,
        project_id: str,
        changes: list[BookingChange],
        checked: set[str],
        seen: LedgerState,
        now: datetime,
        stamps: dict[str, Stamps],
    ) -> list[Any]:
        """The operations on the resources' timeline heads: the long holds the changes set and remove, the
        checks on the schedule versions the plan read, and the catalogue stamps it was checked with."""
        sets: dict[str, dict[str, dict[str, Any]]] = {}
        removes: dict[str, set[str]] = {}
        for change in changes:
            for booking, removed in ((change.before, True), (change.after, False)):
                if booking is None or not booking.holds_capacity or booking.resource_id is None:
                    continue
                if not is_long(booking.buffer_starts_at, booking.buffer_ends_at):
                    continue
                name = long_attribute("booking", booking.id)
                if removed:
                    removes.setdefault(booking.resource_id, set()).add(name)
                else:
                    sets.setdefault(booking.resource_id, {})[name] = head_copy(hold_item(project_id, booking))
        versions = {resource_id: seen.schedules.get(resource_id) for resource_id in checked}
        heads = {r: seen.heads[r] for r in checked if r in seen.heads}  # as conditioned on: safe to prune
        pruned_copies, pruned = prunings(heads, sets, now)
        for resource_id, names in pruned_copies.items():
            removes.setdefault(resource_id, set()).update(names)
        return head_operations(self._name, project_id, sets, removes, versions, pruned, stamps)

    def premise_checks(self, project_id: str, premises: Premises) -> list[Any]:
        """A ConditionCheck for each remembered record (its version unchanged, so it still exists) and
        each remembered association (its item still exists): a resource's own items."""
        checks = [
            (keys.entity(project_id, kind, entity_id), "version = :seen", {":seen": version})
            for kind, entity_id, version in sorted(premises.records)
        ] + [
            (
                keys.association(project_id, "service", service_id, "resource", resource_id),
                "attribute_exists(PK)",
                {},
            )
            for service_id, resource_id in sorted(premises.associations)
        ]
        return [
            {
                "ConditionCheck": {
                    "TableName": self._name,
                    "Key": to_item(key),
                    "ConditionExpression": condition,
                    **({"ExpressionAttributeValues": to_item(values)} if values else {}),
                }
            }
            for key, condition, values in checks
        ]

    def _group_items(self, project_id: str, group: GroupChange | None) -> list[Any]:
        if group is None:
            return []
        before, after = group.before, group.after
        record = after or before
        assert record is not None
        key = keys.entity(project_id, record.kind, record.id)  # a group's or a series' item
        # a group's copy read by key, written with it (a series is read where it is listed: no copy)
        copies = [own] if (own := keys.entity_read(project_id, record.kind, record.id)) != key else []
        condition = (
            _version_is(before.version) if before else {"ConditionExpression": "attribute_not_exists(PK)"}
        )
        if after is None:
            return [
                {"Delete": {"TableName": self._name, "Key": to_item(key), **condition}},
                *({"Delete": {"TableName": self._name, "Key": to_item(copy)}} for copy in copies),
            ]
        attributes = record_attributes(project_id, after)
        if group.expires_at is not None:
            attributes[TTL_ATTRIBUTE] = int(group.expires_at.timestamp())
        return [
            {"Put": {"TableName": self._name, "Item": to_item({**key, **attributes}), **condition}},
            *({"Put": {"TableName": self._name, "Item": to_item({**copy, **attributes})}} for copy in copies),
        ]

    def _booking_items(
        self, project_id: str, change: BookingChange, now: datetime, legacy: frozenset[str]
    ) -> list[Any]:
        before, after = change.before, change.after
        items: list[Any] = []
        booking_id = (after or before).id  # type: ignore[union-attr]
        key = (keys.legacy_booking if booking_id in legacy else keys.booking)(project_id, booking_id)
        # A changed booking's item missing under its key is told by the refusal (ALL_OLD: no item), so that
        # one not moved yet is written again under its legacy key (`unmoved_bookings`).
        changed = (
            {**_version_is(before.version), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
            if before
            else {}
        )
        # A series' hold finalized (`as_written`): only what changes is sent, under the same conditions.
        partial = before is not None and after is not None and change.as_written and same_place(before, after)
        if after is None:
            items.append({"Delete": {"TableName": self._name, "Key": to_item(key), **changed}})
        elif partial:
            assert before is not None
            items += _update_operations(self._name, key, own_changes(before, after), [], changed)
        else:
            condition = changed or {"ConditionExpression": "attribute_not_exists(PK)"}
            item = {**booking_item(project_id, after), **key}
            items.append({"Put": {"TableName": self._name, "Item": to_item(item), **condition}})
        old_hold = hold_key(project_id, before) if before and before.holds_capacity else None
        holds = after is not None and after.holds_capacity
        new_key: dict[str, str] | None
        if partial and holds and old_hold:  # the same place: the hold stays under its key, updated
            new_hold, new_key = None, old_hold
        else:
            new_hold = hold_item(project_id, after) if after and holds else None
            new_key = {"PK": new_hold["PK"], "SK": new_hold["SK"]} if new_hold else None
        # A hold that still holds its place after this write (finalized, given a new expiry, moved) must
        # not have expired or been released: its item says so at commit.
        kept = kept_hold_condition(now) if before and expires_at(before) and new_key else {}
        moved = old_hold != new_key
        if old_hold and moved:
            items.append({"Delete": {"TableName": self._name, "Key": to_item(old_hold), **kept}})
        if new_key and old_hold and not moved and partial:
            assert before is not None and after is not None
            held, stored = (hold_expiry_attributes(project_id, b) for b in (after, before))
            sets = {name: value for name, value in held.items() if stored.get(name) != value}
            items += _update_operations(
                self._name, old_hold, sets, [n for n in stored if n not in held], kept
            )
        elif new_hold:
            condition = {} if moved else kept
            items.append({"Put": {"TableName": self._name, "Item": to_item(new_hold), **condition}})
        return items


def _update_operations(
    table_name: str, key: dict[str, str], sets: dict[str, Any], removes: list[str], condition: dict[str, Any]
) -> list[Any]:
    """An Update of the item at `key` that SETs `sets` and REMOVEs `removes`, so that only they are sent,
    not the whole item, under `condition`; a ConditionCheck when nothing changes; nothing when nothing
    changes and nothing is conditioned."""
    request = {"TableName": table_name, "Key": to_item(key), **condition}
    if not sets and not removes:
        return [{"ConditionCheck": request}] if condition else []
    expression, names = _update_expression(tuple(sets), tuple(removes))
    values = {
        **condition.get("ExpressionAttributeValues", {}),
        **to_item({f":u{n}": value for n, value in enumerate(sets.values())}),
    }
    request |= {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": {**condition.get("ExpressionAttributeNames", {}), **names},
        **({"ExpressionAttributeValues": values} if values else {}),
    }
    return [{"Update": request}]


@lru_cache(maxsize=64)
def _update_expression(sets: tuple[str, ...], removes: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """The update expression and its attribute names for these attributes: made once for each set of
    names (a series' finalizes all change the same ones), copied into each request."""
    names = {f"#u{n}": name for n, name in enumerate([*sets, *removes])}
    clauses = [f"SET {', '.join(f'#u{n} = :u{n}' for n in range(len(sets)))}"] if sets else []
    if removes:
        clauses.append(f"REMOVE {', '.join(list(names)[len(sets) :])}")
    return " ".join(clauses), names


def _version_is(version: int) -> dict[str, Any]:
    return {
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": {"N": str(version)}},
    }


def unmoved_bookings(items: list[Any], error: ClientError) -> frozenset[str]:
    """The changed bookings a refused transaction found no item of under their key: written before the
    bookings had partitions of their own and not moved yet (or deleted meanwhile, which the write under
    the legacy key then finds too)."""
    found: set[str] = set()
    for operation, reason in zip(items, error.response.get("CancellationReasons", []), strict=False):
        ((_, request),) = operation.items()
        key = from_item(request.get("Key") or request["Item"])
        if (
            reason.get("Code") == "ConditionalCheckFailed"
            and "Item" not in reason
            and key["SK"] == keys.BOOKING_SORT_KEY
            and "ReturnValuesOnConditionCheckFailure" in request
        ):
            found.add(str(key["PK"]).rsplit("#", 1)[-1])
    return frozenset(found)
