"""What the waitlists need of storage (a port; the adapter is `kairos.storage.waitlist_store`)."""

from typing import Protocol

from kairos.domain.shared.ports import BookingRepository
from kairos.domain.shared.records import Record


class EntryTaken(Exception):
    """The entry had left `waiting` (offered by another run, or deleted) when the offer's transaction was
    sent: nothing was written, neither the hold nor the entry."""


class WaitlistRepository(Protocol):
    def create(self, project_id: str, record: Record) -> None: ...

    def get(self, project_id: str, entry_id: str) -> Record | None: ...

    def list_all(self, project_id: str) -> list[Record]: ...

    def waiting(self, project_id: str, location_id: str) -> list[Record]:
        """The location's waiting entries, oldest first (the listing index: eventually consistent; every
        change of an entry is conditioned on its version, so a stale read only loses a condition)."""

    def delete(self, project_id: str, entry: Record) -> bool:
        """Deletes the entry if its stored version is `entry`'s, and, when `entry` is offered, the link of
        its hold to it, in one write; False when it changed or is gone."""

    def replace(
        self, project_id: str, record: Record, expected_version: int, unlink: str | None = None
    ) -> bool:
        """Writes `record` if its stored version is `expected_version` (and, with `unlink`, removes the link
        of that booking to it); False when it changed or is gone."""

    def offered_entry(self, project_id: str, booking_id: str) -> str | None:
        """The entry a hold was offered to, by the hold's id (strongly consistent), or None."""

    def offering(self, project_id: str, before: Record, after: Record, booking_id: str) -> BookingRepository:
        """The booking store whose transaction also writes `after` (the entry offered `booking_id`) if the
        entry is still `before`, and the link of the booking to it; refused with EntryTaken otherwise."""
