"""The removal of expired holds (see `kairos.domain.bookings.holds`), by a timer per hold: when a hold is
written with an expiry, the stream path starts a timer for it (`hold_timer`), which is due at the expiry; the
sweeper then removes the expired holds of that hold's resource (docs/bookings.md, "Removed at expiry").
No partition is shared by projects: a resource's expired holds are listed in a partition of its own, and
the timers are messages on a queue. Removing a hold frees no capacity (it stopped holding any when it
expired); it tidies the table and makes the `booking.expired` event, which the stream mapper emits for the
removal of a temporary booking past its `expires_at`.

A timer may fire more than once (a stream batch retried, a message redelivered), or for a hold extended,
finalized or moved since: it then finds nothing expired and does nothing, so repeats need no bookkeeping.

A timer of a booking series' hold also removes its booking, finalized or not, when the series is not shown
at the hold's expiry (pending, or its item gone): a series still pending then lost its writer between two
transactions, and can never be completed (its last finalize would find its holds expired). Its holds free
their places at expiry anyway; the occurrences it had already finalized (a series of 46 or more finalizes
45 at once, then the rest with its item) would otherwise stay for good, keeping their places and refusing
every change, since their series is never shown (docs/booking-series.md, "If the writer itself dies").
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import islice
from typing import Protocol

from kairos.domain.bookings.commit import BookingWriter
from kairos.domain.bookings.hold_timers import HoldTimer, HoldTimers
from kairos.domain.bookings.holds import is_expired
from kairos.domain.bookings.intents import Intent
from kairos.domain.bookings.series_state import KIND as SERIES
from kairos.domain.bookings.series_state import is_shown
from kairos.domain.projects.auth import system_principal
from kairos.domain.shared.ports import BookingRepository, CatalogueRepository
from kairos.domain.shared.records import Booking
from kairos.errors import Conflict

SWEEP_BATCH = 25  # expired holds of one resource a due timer removes at most (it starts again for the rest)
LEGACY_SWEEP_BATCH = 200  # expired holds listed the old way one scheduled run removes at most
SHOWN_REMEMBERED = 1_000  # series an instance remembers as shown (their ids: some 80 KB at the most)


class ExpiringHolds(Protocol):
    def expired(self, project_id: str, resource_id: str, now: datetime, limit: int) -> list[str]:
        """Ids of the resource's holds whose expiry is at or before `now`, oldest first."""
        ...

    def legacy_expired(self, now: datetime, limit: int) -> Iterable[tuple[str, str]]:
        """(project id, booking id) of expired holds listed the old way (shared by every project)."""
        ...


class HoldSweeper:
    """Deletes expired holds (the stream mapper turns each removal into `booking.expired`)."""

    def __init__(
        self,
        expiring: ExpiringHolds,
        timers: HoldTimers,
        store: BookingRepository,
        writer: BookingWriter,
        clock: Callable[[], datetime],
        catalogue: CatalogueRepository,
    ) -> None:
        self._expiring = expiring
        self._timers = timers
        self._store = store
        self._writer = writer
        self._clock = clock
        self._catalogue = catalogue  # a series' item
        # Series this instance found shown, oldest first: a shown series stays shown, so its other
        # occurrences' timers (52 for 52 weeks, due together) need not read its item again.
        self._shown: dict[tuple[str, str], None] = {}

    def fire(self, timer: HoldTimer) -> int:
        """Handles a timer that fired: not yet due, it starts again; due, it removes its resource's expired
        holds, and starts again at once when it left some (more than a batch). Returns how many holds it
        removed. A throttled write raises `Retryable`: the timer fires again later."""
        now = self._clock()
        if timer.expires_at > now:
            self._timers.start([timer], now)
            return 0
        expired = self._expiring.expired(timer.project_id, timer.resource_id, now, SWEEP_BATCH)
        removed = sum(self._remove(timer.project_id, booking_id, now) for booking_id in expired)
        if len(expired) == SWEEP_BATCH:
            self._timers.start([timer], now)
        return removed + self._remove_orphan(timer)

    def sweep_legacy(self, limit: int = LEGACY_SWEEP_BATCH) -> int:
        """Removes up to `limit` expired holds listed the old way (the scheduled run; the next takes the
        rest); returns how many."""
        now = self._clock()
        expired = islice(self._expiring.legacy_expired(now, limit), limit)
        return sum(self._remove(project_id, booking_id, now) for project_id, booking_id in expired)

    def _remove(self, project_id: str, booking_id: str, now: datetime) -> bool:
        """Deletes the booking if it is still an expired hold. A hold finalized, extended or changed in the
        meantime is left alone (the delete is conditioned on the version read)."""
        booking = self._store.get(project_id, booking_id)
        if booking is None or not is_expired(booking, now):
            return False
        return self._delete(project_id, booking)

    def _remove_orphan(self, timer: HoldTimer) -> int:
        """Deletes the timer's booking if it is an occurrence of a series that can no longer be shown (see
        the module's docstring); due, so at or after the hold's expiry. A series shown costs one read, the
        first time this instance meets it."""
        if timer.series_id is None or self._series_shown(timer.project_id, timer.series_id):
            return 0
        booking = self._store.get(timer.project_id, timer.booking_id)
        if booking is None or booking.doc.get("booking_series_id") != timer.series_id:
            return 0
        return int(self._delete(timer.project_id, booking))

    def _series_shown(self, project_id: str, series_id: str) -> bool:
        key = (project_id, series_id)
        if key in self._shown:
            return True
        if not is_shown(self._catalogue.get(project_id, SERIES, series_id)):
            return False
        if len(self._shown) >= SHOWN_REMEMBERED:
            del self._shown[next(iter(self._shown))]
        self._shown[key] = None
        return True

    def _delete(self, project_id: str, booking: Booking) -> bool:
        """Deletes the booking as read: one changed meanwhile is left alone."""
        try:
            self._writer.commit(system_principal(project_id, "hold-sweeper"), [Intent(booking, None)])
        except Conflict:
            return False
        return True
