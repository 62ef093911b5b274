"""The sweep that removes expired holds (see `kairos.domain.holds`): deployed, a scheduled function runs it
every minute; locally, `kairos-local` runs it every 5 seconds. Removing a hold frees no capacity (it stopped
holding any when it expired); it tidies the table and makes the `booking.expired` event, which the stream
mapper emits for the removal of a temporary booking past its `expires_at`.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import islice
from typing import Protocol

from kairos.domain.auth import system_principal
from kairos.domain.booking_commit import BookingWriter, Intent
from kairos.domain.errors import Conflict, Retryable
from kairos.domain.holds import is_expired
from kairos.domain.ports import BookingRepository

SWEEP_BATCH = 200  # expired holds one sweep removes at most (the next run takes the rest)


class ExpiringHolds(Protocol):
    def expired(self, now: datetime, limit: int) -> Iterable[tuple[str, str]]:
        """(project id, booking id) of holds whose expiry is at or before `now`, oldest first."""
        ...


class HoldSweeper:
    """Deletes expired holds (the stream mapper turns each removal into `booking.expired`)."""

    def __init__(
        self,
        expiring: ExpiringHolds,
        store: BookingRepository,
        writer: BookingWriter,
        clock: Callable[[], datetime],
    ) -> None:
        self._expiring = expiring
        self._store = store
        self._writer = writer
        self._clock = clock

    def sweep(self, limit: int = SWEEP_BATCH) -> int:
        """Removes up to `limit` expired holds (the oldest of each index partition first); returns how
        many. A hold finalized, extended or changed in the meantime is left alone (the delete is
        conditioned on the version read)."""
        now = self._clock()
        removed = 0
        for project_id, booking_id in islice(self._expiring.expired(now, limit), limit):
            booking = self._store.get(project_id, booking_id)
            if booking is None or not is_expired(booking, now):
                continue
            try:
                self._writer.commit(system_principal(project_id, "hold-sweeper"), [Intent(booking, None)])
            except (Conflict, Retryable):
                continue
            removed += 1
        return removed
