"""Committing booking writes: all of a request's bookings are written in one transaction conditioned on
the state their checks read (`planning`: the slot engine's checks, the resource's choice), see
docs/bookings.md.

The plan is made from state read in a fixed order (ledger versions, then timelines), and the transaction
conditions on those versions: when another write got in between, the plan is made again. Holds that
expired take no place in a plan; the transaction releases those whose place it takes (`holds`).
"""

import random
import time
from collections.abc import Callable
from datetime import datetime
from functools import reduce

from kairos.domain.bookings.holds import HoldExpired, finalizes, release_of, split_expired
from kairos.domain.bookings.intents import DAY, Intent, plan_reads
from kairos.domain.bookings.planning import Planner, Timelines
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.ports import BookingRepository, TimelineReader
from kairos.domain.shared.records import (
    NO_PREMISES,
    Booking,
    BookingChange,
    GroupChange,
    HoldGone,
    LedgerState,
    LostRace,
    Premises,
    StaleCatalogue,
    Timeline,
)
from kairos.errors import Conflict, Overloaded, Retryable
from kairos.observability import Metric, count
from kairos.parallel import parallel_map
from kairos.scheduling.model import Span

ATTEMPTS = 12
CATALOGUE_MOVED = "The booking's service or location changed while it was being written; try again."


class BookingWriter:
    """Checks and writes the intents of one request together."""

    def __init__(
        self,
        store: BookingRepository,
        schedules: TimelineReader,
        clock: Callable[[], datetime],
        rng: random.Random,
    ) -> None:
        self._store = store
        self._schedules = schedules
        self._clock = clock
        self._rng = rng
        self._planner = Planner(clock, rng)

    def commit(
        self, viewer: Principal, intents: list[Intent], group: GroupChange | None = None
    ) -> list[BookingChange]:
        """Checks and writes the intents together, planning again whenever another write got in first.
        Counts the bookings created and each new plan (the race retries) for the function's metrics."""
        delay = 0.01
        known: LedgerState | None = None  # the versions a lost race reported: no need to read them again
        prefetched = _prefetched(intents)
        ahead = next((i.timelines for i in intents if i.timelines is not None), None)
        for _ in range(ATTEMPTS):
            seen, timelines = self._read(viewer, intents, known, prefetched, ahead)
            prefetched = ahead = None  # good for the first plan only: a later one reads what moved since
            plan = self._planner.plan(intents, seen, timelines)
            changes = plan.changes
            try:
                self._store.commit(
                    viewer.project_id, changes, seen, group, _premises(intents, changes), plan.releases
                )
            except HoldGone as gone:
                raise _expired(intents, gone.booking_id) from None
            except StaleCatalogue:
                # its service or location changed since it was read: a create, and any write planned from
                # the instance's memory (a series' chunks too), is planned again from fresh reads
                # (`Bookings.planned`); a change of bookings or of a group reloads what it changes
                remembered = any(i.remembered for i in intents)
                if not remembered and (any(i.before is not None for i in intents) or group is not None):
                    raise Conflict(CATALOGUE_MOVED) from None
                raise
            except Overloaded:
                raise  # planning again would only add to the load: the client tries later (503)
            except (Conflict, Retryable) as lost:
                if any(i.before is not None for i in intents) or (
                    group is not None and group.before is not None
                ):
                    raise Conflict("The booking changed while it was being written.") from None  # reload it
                known = seen.updated(lost.moved) if isinstance(lost, LostRace) else None
                count(Metric.BOOKING_RACE_RETRIES)
                time.sleep(self._rng.uniform(0, delay))
                delay = min(delay * 2, 0.2)
                continue
            count(
                Metric.BOOKINGS_CREATED, sum(1 for c in changes if c.before is None and c.after is not None)
            )
            return changes
        raise Retryable("The resource is busy with other bookings; try again.")

    def release(self, viewer: Principal, hold: Booking) -> bool:
        """Releases an expired hold before a refusal says it expired (so that no write can keep its place
        afterwards); False when the hold changed since it was read (read it again)."""
        found = release_of(hold)
        return found is None or self._store.release(viewer.project_id, found)

    def _read(
        self,
        viewer: Principal,
        intents: list[Intent],
        known: LedgerState | None,
        prefetched: LedgerState | None,
        ahead: dict[str, Timeline] | None,
    ) -> tuple[LedgerState, Timelines]:
        """Ledger versions first, timelines second (with the holds expired by the clock read after them
        apart): a write that lands after the versions were read moves them, and then our transaction is
        refused (see docs/bookings.md). Only checked intents read any: the ledger items their candidates'
        spans lie in, whose bumps the transaction conditions (what an unchecked write bumps, it bumps
        unconditioned). `known`: versions a refused transaction reported, which it read after every
        other value we hold, so they stand in for a new read of the ledger. `prefetched`: versions read
        with the catalogue (before the timelines too), so only the rest is read. `ahead`: timelines read
        after `prefetched` over spans holding these intents' (`read_timelines`), used instead of a read."""
        holds, spans = plan_reads(intents)
        checked = {r.id for i in intents if i.checked for r in i.candidates}
        seen = (
            known
            if known is not None
            else self._store.read_ledgers(viewer.project_id, holds, checked, prefetched)
        )

        resource_ids = sorted(spans.keys() & checked)  # only checks read a timeline
        if ahead is not None and all(r in ahead for r in resource_ids):
            read = [ahead[r] for r in resource_ids]
        else:
            read = self._timelines(viewer, spans, resource_ids, seen)
        now = self._clock()
        split = {r: split_expired(found, now) for r, found in zip(resource_ids, read, strict=True)}
        return seen, Timelines({r: s[0] for r, s in split.items()}, {r: s[1] for r, s in split.items()})

    def read_timelines(
        self, viewer: Principal, spans: dict[str, list[Span]], checked: set[str], seen: LedgerState
    ) -> dict[str, Timeline]:
        """The timelines of every `checked` resource, each over all its `spans` at once (those `plan_reads`
        gives for a series' occurrences), read after `seen` (the ledger versions whose heads they use):
        given to the intents' first plans as `Intent.timelines`, whose transactions condition on `seen`."""
        resource_ids = sorted(spans.keys() & checked)
        return dict(zip(resource_ids, self._timelines(viewer, spans, resource_ids, seen), strict=True))

    def _timelines(
        self, viewer: Principal, spans: dict[str, list[Span]], resource_ids: list[str], seen: LedgerState
    ) -> list[Timeline]:
        def timeline(resource_id: str) -> Timeline:
            needed = spans[resource_id]
            start, end = min(s.start for s in needed) - DAY, max(s.end for s in needed) + DAY
            head = seen.heads[resource_id]  # read with its schedule version, which the write checks
            return self._schedules.timeline(viewer.project_id, resource_id, start, end, head)

        return parallel_map(timeline, resource_ids)


def _expired(intents: list[Intent], booking_id: str) -> HoldExpired:
    """The refusal of the intent whose hold a transaction found expired or released."""
    for intent in intents:
        if intent.before is not None and intent.before.id == booking_id and intent.proposal is not None:
            return HoldExpired(intent.before, finalizes(intent.before, intent.proposal), intent.prefix)
    raise AssertionError(f"no intent changes the hold {booking_id}")


def _prefetched(intents: list[Intent]) -> LedgerState | None:
    """The ledger versions the intents' reads brought along, together."""
    found = [i.ledger for i in intents if i.ledger is not None]
    return reduce(LedgerState.updated, found) if found else None


def _premises(intents: list[Intent], changes: list[BookingChange]) -> Premises:
    """What the transaction must check of the catalogue: of each checked booking, the service and location
    its resource was checked with; of each intent planned from memory, also the chosen resource it used,
    and that the resource performs the service."""
    premises = NO_PREMISES
    for intent, change in zip(intents, changes, strict=True):
        chosen = change.after.resource_id if change.after is not None else None
        if not change.guarded or chosen is None:
            continue
        used = [r for r in (intent.service, intent.location) if r is not None]
        catalogue = frozenset((chosen, r.kind, r.id, r.version, intent.remembered) for r in used)
        premises |= Premises(catalogue=catalogue)
        if intent.remembered:
            resources = frozenset((r.kind, r.id, r.version) for r in intent.candidates if r.id == chosen)
            performs = {(intent.service.id, chosen)} if intent.service is not None else set()
            premises |= Premises(resources, frozenset(performs))
    return premises
