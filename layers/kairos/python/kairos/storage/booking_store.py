"""Bookings on the single table, and the capacity ledger that makes their writes safe under concurrency.

A booking is stored by id in its project's partition (listed by end time: the project's through GSI1, its
resource's, location's and service's through GSI2-4) and, while it holds capacity, as a hold on its
resource's timeline. Every booking write is one transaction that also bumps the
resource's capacity ledger where the hold lies; a checked write conditions those bumps on the versions read
before its check (and on the resource's schedule version), so two requests that checked the same state
cannot both commit: the loser's transaction is cancelled and it checks again (the ledger:
`kairos.storage.ledger`).
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.errors import TOO_LARGE_WRITE, Conflict, ValidationFailed
from kairos.domain.formats import now_utc
from kairos.domain.holds import expires_at
from kairos.domain.parallel import parallel_map
from kairos.domain.records import (
    NO_PREMISES,
    Booking,
    BookingChange,
    GroupChange,
    Hold,
    HoldGone,
    LedgerState,
    LostRace,
    Premises,
    Record,
    Release,
    StaleCatalogue,
)
from kairos.storage import keys
from kairos.storage.booking_items import booking_from, booking_item, hold_item, hold_key, listing_keys
from kairos.storage.dynamodb import (
    Table,
    cancellation_reasons,
    from_item,
    record_attributes,
    record_from,
    to_item,
    translate,
)
from kairos.storage.hold_store import (
    keeps_hold,
    kept_hold_condition,
    release_operation,
)
from kairos.storage.ledger import (
    DAY,
    ledger_keys,
    ledger_operations,
    ledger_state,
    moved_counters,
    nodes_of,
)
from kairos.storage.timeline_head import (
    head_copy,
    head_operations,
    is_long,
    long_attribute,
    prunings,
)

TRANSACTION_LIMIT = 100
_INSTANT = timedelta(microseconds=1)  # a span [start, end) touches the day of `end` only after its midnight
Span = tuple[datetime, datetime]


def _hold_of(booking: Booking | None, limits: tuple[str, ...] = ()) -> list[Hold]:
    if booking is None or not booking.holds_capacity or booking.resource_id is None:
        return []
    return [Hold(booking.resource_id, booking.buffer_starts_at, booking.buffer_ends_at, limits)]


class BookingStore:
    def __init__(
        self, table: Table, *, indexed: bool = True, clock: Callable[[], datetime] = now_utc
    ) -> None:
        self._t = table
        self._indexed = indexed  # False while a stack is upgraded: lists read as before the listing indexes
        self._clock = clock  # for pruning ended long entries from timeline heads

    # --- reads ------------------------------------------------------------------------------------------

    def get(self, project_id: str, booking_id: str) -> Booking | None:
        item = self._t.get(keys.booking(project_id, booking_id))
        return booking_from(item) if item else None

    def list_window(
        self, project_id: str, owner: tuple[str, str] | None, start: datetime | None, end: datetime | None
    ) -> list[Booking]:
        """The bookings of the project, or of one owner (`("resource", id)`, location, service), that end
        after `start` and start before `end` (either may be None: unbounded), by one key-range query per
        length class at once on the owner's listing index (keys.booking_listing_ranges)."""
        if not self._indexed:
            found = self._project_ending_after(project_id, start)
        else:
            kind, owner_id = owner or ("project", "")
            index = keys.BOOKING_LISTING_INDEXES[kind]
            partition = keys.booking_listing_partition(project_id, kind, owner_id)

            def read(bounds: tuple[str, str]) -> list[dict[str, Any]]:
                request: dict[str, Any] = {
                    "TableName": self._t.name,
                    "IndexName": index,
                    "KeyConditionExpression": f"{index}PK = :pk AND {index}SK BETWEEN :low AND :high",
                    "ExpressionAttributeValues": to_item(
                        {":pk": partition, ":low": bounds[0], ":high": bounds[1]}
                    ),
                }
                return list(self._t.paginate_query(request))

            ranges = keys.booking_listing_ranges(start, end)
            found = [booking_from(i) for items in parallel_map(read, ranges) for i in items]
        return [
            b
            for b in found
            if (start is None or b.ends_at > start)
            and (end is None or b.starts_at < end)
            and (owner is None or getattr(b, f"{owner[0]}_id") == owner[1])
        ]

    def _project_ending_after(self, project_id: str, start: datetime | None) -> list[Booking]:
        """The read of the version before the listing indexes, exact whatever the items' keys: GSI1 after
        `from` by end time (keys with a length class sort after every time, so all of those too)."""
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk" + (" AND GSI1SK > :after" if start else ""),
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": keys.booking_listing_partition(project_id),
                    **({":after": keys.utc_key(start) + "#~"} if start else {}),
                }
            ),
        }
        return [booking_from(i) for i in self._t.paginate_query(request)]

    def backfill_listings(self) -> int:
        """Gives the booking items written before the listing indexes existed their keys (GSI2-4, and
        GSI1's sort key with its length class): a Scan of the table, then one update per item whose keys
        differ, made only if the booking is unchanged since the Scan (a newer write brought its own keys).
        Returns how many items it updated; a second run updates none."""
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "FilterExpression": "entity = :booking",
            "ExpressionAttributeValues": to_item({":booking": "booking"}),
        }
        updated = 0
        while True:
            page = self._t.client.scan(**request)
            for item in (from_item(i) for i in page.get("Items", [])):
                wanted = listing_keys(item["project_id"], booking_from(item))
                if all(item.get(name) == value for name, value in wanted.items()):
                    continue
                updated += self._set_listing_keys(item, wanted)
            if "LastEvaluatedKey" not in page:
                return updated
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

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

    def read_ledgers(
        self, project_id: str, holds: list[Hold], checked: set[str], have: LedgerState | None = None
    ) -> LedgerState:
        nodes = nodes_of(holds)
        wanted = ledger_keys(project_id, nodes, checked, have)
        return ledger_state(project_id, nodes, checked, self._found(wanted), have)

    def read_catalogue_and_ledgers(
        self,
        project_id: str,
        wanted: list[tuple[str, str]],
        associations: list[tuple[str, str]],
        holds: list[Hold],
        checked: set[str],
    ) -> tuple[dict[tuple[str, str], Record], set[tuple[str, str]], LedgerState]:
        entity_keys = [keys.entity(project_id, kind, entity_id) for kind, entity_id in wanted]
        pair_keys = [keys.association(project_id, "service", s, "resource", r) for s, r in associations]
        nodes = nodes_of(holds)
        found = self._found(entity_keys + pair_keys + ledger_keys(project_id, nodes, checked, None))
        records = [record_from(item) for key in entity_keys if (item := found.get((key["PK"], key["SK"])))]
        pairs = {
            pair for pair, key in zip(associations, pair_keys, strict=True) if (key["PK"], key["SK"]) in found
        }
        ledgers = ledger_state(project_id, nodes, checked, found, None)
        return {(r.kind, r.id): r for r in records}, pairs, ledgers

    def _found(self, wanted: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(i["PK"], i["SK"]): i for i in self._t.batch_get(wanted)}

    # --- writes -----------------------------------------------------------------------------------------

    def add(self, project_id: str, booking: Booking) -> None:
        self.commit(project_id, [BookingChange(None, booking, guarded=False)], LedgerState({}, {}))

    def get_many(self, project_id: str, booking_ids: list[str]) -> list[Booking]:
        found = self._t.batch_get([keys.booking(project_id, i) for i in booking_ids])
        return [booking_from(item) for item in found]

    def fits(self, new: Sequence[Span | None], changed: Sequence[Span | None], group: bool) -> bool:
        """Whether a write of these bookings can fit one transaction, told before any read: it holds at
        least each new booking and its hold, each changed booking, the group's item, and one ledger item
        for every UTC day the spans touch (buffer spans only add days). Hours at a span's edges, the
        schedule checks and other resources can only add items, so a False here is certain."""
        fixed = 2 * len(new) + len(changed) + (1 if group else 0)
        days: set[date] = set()
        for span in (*new, *changed):
            if span is None:
                continue
            first, last = span[0].astimezone(UTC).date(), (span[1].astimezone(UTC) - _INSTANT).date()
            if (last - first).days >= TRANSACTION_LIMIT:
                return False
            days.update(first + n * DAY for n in range((last - first).days + 1))
            if fixed + len(days) > TRANSACTION_LIMIT:
                return False
        return True

    def commit(
        self,
        project_id: str,
        changes: list[BookingChange],
        seen: LedgerState,
        group: GroupChange | None = None,
        premises: Premises = NO_PREMISES,
        releases: Sequence[Release] = (),
    ) -> None:
        items = self._transaction(project_id, changes, seen) + self._group_items(project_id, group)
        items += [{"Update": release_operation(self._t.name, project_id, r)} for r in releases]
        if len(items) > TRANSACTION_LIMIT:
            raise ValidationFailed.field("bookings", TOO_LARGE_WRITE)
        if len(items) + len(premises) > TRANSACTION_LIMIT:
            raise StaleCatalogue()  # no room to check them: the plan is made again from fresh reads
        checked = len(items)
        items += self._premise_checks(project_id, premises)
        try:
            self._t.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            reasons = cancellation_reasons(error)
            for operation, reason in zip(items, reasons, strict=False):
                if reason == "ConditionalCheckFailed" and keeps_hold(operation):
                    ((_, request),) = operation.items()
                    key = from_item(request.get("Key") or request["Item"])
                    raise HoldGone(str(key["SK"]).rsplit("#", 1)[-1]) from None
            if "ConditionalCheckFailed" in reasons[checked:]:
                raise StaleCatalogue() from None
            if "ConditionalCheckFailed" in reasons:
                moved = moved_counters(items, error)
                if moved is not None:
                    raise LostRace(moved) from None
                raise Conflict("The booking's resource changed while it was being written.") from None
            raise translate(error, "booking") from None

    def release(self, project_id: str, release: Release) -> bool:
        try:
            self._t.client.update_item(**release_operation(self._t.name, project_id, release))
        except self._t.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _transaction(self, project_id: str, changes: list[BookingChange], seen: LedgerState) -> list[Any]:
        items: list[Any] = []
        touched: list[Hold] = []
        guarded: list[Hold] = []
        checked_schedules: set[str] = set()
        now = self._clock()  # read as the transaction is sent: a kept hold must expire after it
        for change in changes:
            items += self._booking_items(project_id, change, now)
            # Only a hold that takes capacity it did not hold bumps the ledger (a checked one always):
            # capacity given back cannot make a concurrent check wrong, only cautious, so deletes,
            # cancelations and unchanged holds leave concurrent bookings of those hours alone.
            if change.guarded or _hold_of(change.after) != _hold_of(change.before):
                touched += _hold_of(change.after, change.limits)
            if change.guarded:
                guarded += _hold_of(change.after, change.limits)
                if change.after is not None and change.after.resource_id is not None:
                    checked_schedules.add(change.after.resource_id)
        items += ledger_operations(self._t.name, project_id, touched, guarded, seen)
        return items + self._head_items(project_id, changes, checked_schedules, seen)

    def _head_items(
        self, project_id: str, changes: list[BookingChange], checked: set[str], seen: LedgerState
    ) -> list[Any]:
        """The operations on the resources' timeline heads: the long holds the changes set and remove, and
        the checks on the schedule versions the plan read."""
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
        pruned_copies, pruned = prunings(heads, sets, self._clock())
        for resource_id, names in pruned_copies.items():
            removes.setdefault(resource_id, set()).update(names)
        return head_operations(self._t.name, project_id, sets, removes, versions, pruned)

    def _premise_checks(self, project_id: str, premises: Premises) -> list[Any]:
        """A ConditionCheck for each remembered record (its version unchanged, so it still exists) and
        each remembered association (its item still exists)."""
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
                    "TableName": self._t.name,
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
        key = keys.entity(project_id, "booking_group", record.id)
        condition = (
            _version_is(before.version) if before else {"ConditionExpression": "attribute_not_exists(PK)"}
        )
        if after is None:
            return [{"Delete": {"TableName": self._t.name, "Key": to_item(key), **condition}}]
        item = {**key, **record_attributes(project_id, after)}
        return [{"Put": {"TableName": self._t.name, "Item": to_item(item), **condition}}]

    def _booking_items(self, project_id: str, change: BookingChange, now: datetime) -> list[Any]:
        before, after = change.before, change.after
        items: list[Any] = []
        key = keys.booking(project_id, (after or before).id)  # type: ignore[union-attr]
        if after is None:
            assert before is not None
            items.append(
                {"Delete": {"TableName": self._t.name, "Key": to_item(key), **_version_is(before.version)}}
            )
        else:
            condition = (
                _version_is(before.version) if before else {"ConditionExpression": "attribute_not_exists(PK)"}
            )
            item = booking_item(project_id, after)
            items.append({"Put": {"TableName": self._t.name, "Item": to_item(item), **condition}})
        old_hold = hold_key(project_id, before) if before and before.holds_capacity else None
        new_hold = hold_item(project_id, after) if after and after.holds_capacity else None
        # A hold that still holds its place after this write (finalized, given a new expiry, moved) must
        # not have expired or been released: its item says so at commit.
        kept = kept_hold_condition(now) if before and expires_at(before) and new_hold else {}
        moved = old_hold != ({"PK": new_hold["PK"], "SK": new_hold["SK"]} if new_hold else None)
        if old_hold and moved:
            items.append({"Delete": {"TableName": self._t.name, "Key": to_item(old_hold), **kept}})
        if new_hold:
            condition = {} if moved else kept
            items.append({"Put": {"TableName": self._t.name, "Item": to_item(new_hold), **condition}})
        return items


def _version_is(version: int) -> dict[str, Any]:
    return {
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": {"N": str(version)}},
    }
