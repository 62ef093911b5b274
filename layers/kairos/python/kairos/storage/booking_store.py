"""Bookings on the single table, and the capacity ledger that makes their writes safe under concurrency.

A booking is stored by id in a partition of its own (listed by end time: the project's through GSI1, its
resource's, location's and service's through GSI2-4) and, while it holds capacity, as a hold on its
resource's timeline. Every booking write is one transaction that also bumps the
resource's capacity ledger where the hold lies; a checked write conditions those bumps on the versions read
before its check (and on the resource's schedule version), so two requests that checked the same state
cannot both commit: the loser's transaction is cancelled and it checks again (the ledger:
`kairos.storage.ledger`).
"""

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NoReturn

from botocore.exceptions import ClientError

from kairos.domain.shared.records import (
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
from kairos.errors import TOO_LARGE_WRITE, Conflict, ValidationFailed
from kairos.storage import keys
from kairos.storage.booking_items import booking_from
from kairos.storage.booking_lists import BookingLists
from kairos.storage.booking_transaction import BookingTransaction, stamps_of, unmoved_bookings
from kairos.storage.catalogue_stamps import Stamps, stamps_hold
from kairos.storage.dynamodb import Table, cancellation_reasons, from_item, record_from, translate
from kairos.storage.entity_reads import listed_fallback
from kairos.storage.hold_store import keeps_hold, release_operation
from kairos.storage.ledger import DAY, ledger_keys, ledger_state, moved_counters, nodes_of
from kairos.values.formats import now_utc

TRANSACTION_LIMIT = 100
_INSTANT = timedelta(microseconds=1)  # a span [start, end) touches the day of `end` only after its midnight
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Rider:
    """An operation on another item that a booking's transaction carries (a waitlist entry leaving
    `waiting`: docs/waitlists.md), and the error raised when its condition refuses the transaction."""

    operation: dict[str, Any]
    refusal: Exception


class BookingStore:
    _riders: tuple[Rider, ...] = ()

    def __init__(
        self, table: Table, *, indexed: bool = True, clock: Callable[[], datetime] = now_utc
    ) -> None:
        self._t = table
        self._lists = BookingLists(table, indexed=indexed)
        self._transaction = BookingTransaction(table.name, clock)

    # --- reads ------------------------------------------------------------------------------------------

    def get(self, project_id: str, booking_id: str) -> Booking | None:
        """Under its key, else (not moved yet by the backfill `bookings`) under its legacy key."""
        item = self._t.get(keys.booking(project_id, booking_id)) or self._t.get(
            keys.legacy_booking(project_id, booking_id)
        )
        return booking_from(item) if item else None

    def list_window(
        self, project_id: str, owner: tuple[str, str] | None, start: datetime | None, end: datetime | None
    ) -> list[Booking]:
        return self._lists.list_window(project_id, owner, start, end)

    def backfill_listings(self) -> int:
        return self._lists.backfill_listings()

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
        entity_keys = [keys.entity_read(project_id, kind, entity_id) for kind, entity_id in wanted]
        pair_keys = [keys.association(project_id, "service", s, "resource", r) for s, r in associations]
        nodes = nodes_of(holds)
        found = self._found(entity_keys + pair_keys + ledger_keys(project_id, nodes, checked, None))
        entities = [item for key in entity_keys if (item := found.get((key["PK"], key["SK"])))]
        entities += listed_fallback(self._t, project_id, wanted, entities, True)
        records = [record_from(item) for item in entities]
        pairs = {
            pair for pair, key in zip(associations, pair_keys, strict=True) if (key["PK"], key["SK"]) in found
        }
        ledgers = ledger_state(project_id, nodes, checked, found, None)
        return {(r.kind, r.id): r for r in records}, pairs, ledgers

    def _found(self, wanted: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(i["PK"], i["SK"]): i for i in self._t.batch_get(wanted)}

    # --- writes -----------------------------------------------------------------------------------------

    def with_riders(self, riders: Sequence[Rider]) -> "BookingStore":
        """This store, whose transactions also carry `riders` (all commit or none)."""
        joined = copy.copy(self)
        joined._riders = tuple(riders)
        return joined

    def add(self, project_id: str, booking: Booking) -> None:
        self.commit(project_id, [BookingChange(None, booking, guarded=False)], LedgerState({}, {}))

    def get_many(self, project_id: str, booking_ids: list[str]) -> list[Booking]:
        """Under their keys, and those not found there under their legacy keys (as `get`)."""
        found = self._t.batch_get([keys.booking(project_id, i) for i in booking_ids])
        missing = set(booking_ids) - {str(item["id"]) for item in found}
        if missing:
            found += self._t.batch_get([keys.legacy_booking(project_id, i) for i in sorted(missing)])
        return [booking_from(item) for item in found]

    def fits(self, new: Sequence[Span | None], changed: Sequence[Span | None], group: bool) -> bool:
        """Whether a write of these bookings can fit one transaction, told before any read: it holds at
        least each new booking and its hold, each changed booking, the group's two items, and one ledger item
        for every UTC day the spans touch (buffer spans only add days). Hours at a span's edges, the
        schedule checks and other resources can only add items, so a False here is certain."""
        fixed = 2 * len(new) + len(changed) + (2 if group else 0)
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
        stamps = stamps_of(premises)
        legacy: frozenset[str] = frozenset()  # bookings changed under their legacy key (not moved yet)
        while True:
            items = self._transaction.operations(project_id, changes, seen, group, releases, stamps, legacy)
            first_rider = len(items)
            items += [r.operation for r in self._riders]
            if len(items) > TRANSACTION_LIMIT:
                raise ValidationFailed.field("bookings", TOO_LARGE_WRITE)
            if len(items) + len(premises) > TRANSACTION_LIMIT:
                raise StaleCatalogue()  # no room to check them: the plan is made again from fresh reads
            checked = len(items)
            items += self._transaction.premise_checks(project_id, premises)
            try:
                self._t.client.transact_write_items(TransactItems=items)
                return
            except ClientError as error:
                reasons = cancellation_reasons(error)
                for rider, reason in zip(self._riders, reasons[first_rider:], strict=False):
                    if reason == "ConditionalCheckFailed":
                        raise rider.refusal from None
                unmoved = unmoved_bookings(items, error)
                if not unmoved or legacy:
                    self._refused(items, checked, error, stamps)
                legacy = unmoved  # written before the move to their own partitions: written there, once

    def _refused(
        self, items: list[Any], checked: int, error: ClientError, stamps: Mapping[str, Stamps]
    ) -> NoReturn:
        """Raises what a cancelled booking transaction means (`checked`: where the premises' checks begin)."""
        reasons = cancellation_reasons(error)
        for operation, reason in zip(items, reasons, strict=False):
            if reason == "ConditionalCheckFailed" and keeps_hold(operation):
                ((_, request),) = operation.items()
                key = from_item(request.get("Key") or request["Item"])
                raise HoldGone(str(key["SK"]).rsplit("#", 1)[-1]) from None
        if "ConditionalCheckFailed" in reasons[checked:] or _stamps_moved(items, error, stamps):
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


def _stamps_moved(items: list[Any], error: ClientError, stamps: Mapping[str, Stamps]) -> bool:
    """Whether a refused transaction found a resource's head without the catalogue stamps it was checked
    with (from the items its cancellation reasons return: ALL_OLD)."""
    for operation, reason in zip(items, error.response.get("CancellationReasons", []), strict=False):
        ((_, request),) = operation.items()
        key = from_item(request["Key"]) if "Key" in request else {}
        resource_id = keys.resource_of(str(key.get("PK", "")))
        if reason.get("Code") != "ConditionalCheckFailed" or resource_id is None:
            continue
        if key["SK"] != keys.schedule_version("", resource_id)["SK"]:
            continue
        if not stamps_hold(stamps.get(resource_id, {}), from_item(reason.get("Item", {}))):
            return True
    return False
