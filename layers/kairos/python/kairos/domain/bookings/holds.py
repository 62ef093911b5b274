"""Temporary bookings that expire (holds): a checkout takes a temporary booking while the customer pays,
and a hold that is never finalized gives its place back by itself (docs/bookings.md, "Holds").

- A temporary booking may carry `expires_at`: sent in the body, or the project's default hold time from
  the moment it is written. Finalizing clears it; `null` keeps a hold forever (as before holds existed).
- From `expires_at` on, the hold takes no capacity: `LiveTimelines` leaves expired holds out of every
  timeline the slot listing and the booking checks read, so the place is free at once, whatever the
  sweep's pace.
- The sweep (`hold_sweep.HoldSweeper`, run by each hold's timer when it expires: `hold_timers`) then
  deletes expired holds; the stream mapper reports such a removal as `booking.expired`.
- A finalize (or any change but a cancelation) after `expires_at` is a 422. Whether a hold still holds
  is decided on its timeline item, in the conditioned writes themselves (docs/bookings.md, "The race"):
  a write that keeps a hold's place (finalize, a new `expires_at`, a move) conditions that item on
  `expires_at` lying after its commit-time clock and on the hold not being released; a write that takes
  the place of an expired hold releases it (`Release`) in its own transaction, conditioned on the hold
  being unchanged; and a refusal as expired releases it first. So of a finalize and a booking that took
  the place, exactly one commits, and a hold once called expired is never finalized.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from kairos.domain.projects.auth import Principal
from kairos.domain.shared.ports import TimelineReader
from kairos.domain.shared.records import Booking, Record, Release, Timeline, TimelineBooking
from kairos.errors import ValidationFailed
from kairos.values.formats import format_timestamp, parse_timestamp, stored_duration, stored_timestamp


def expires_at(booking: Booking) -> datetime | None:
    """When a temporary booking stops holding its place; None: never (or not temporary)."""
    text = booking.doc.get("expires_at")
    return stored_timestamp(text) if text and booking.doc.get("is_temporary") else None


def is_expired(booking: Booking, now: datetime) -> bool:
    at = expires_at(booking)
    return at is not None and at <= now


def expiry_on_create(
    viewer: Principal, sent: dict[str, Any], temporary: bool, now: datetime, prefix: str
) -> str | None:
    """`expires_at` of a new booking: the one sent, else the project's default hold time for a temporary
    booking; never for a booking that is not temporary."""
    return _expiry(viewer, sent, temporary, None, now, prefix)


def expiry_on_update(
    viewer: Principal,
    before: Booking,
    sent: dict[str, Any],
    flags: tuple[bool, bool],
    now: datetime,
    prefix: str,
) -> str | None:
    """`expires_at` after a PUT or PATCH that leaves the booking (temporary, canceled) as `flags` say: the
    one sent; else a hold keeps its expiry, and a booking made temporary again gets the project's default
    hold time; a finalized booking has none. A change to an expired hold is refused first."""
    temporary, canceled = flags
    finalizing = bool(before.doc.get("is_temporary")) and not temporary
    refuse_if_expired(before, canceled, finalizing, now, prefix)
    return _expiry(viewer, sent, temporary, before, now, prefix)


def _expiry(
    viewer: Principal,
    sent: dict[str, Any],
    temporary: bool,
    before: Booking | None,
    now: datetime,
    prefix: str,
) -> str | None:
    field = f"{prefix}expires_at"
    if not temporary:
        if sent.get("expires_at") is not None:
            raise ValidationFailed.field(
                field, "The expires_at field is only allowed on a temporary booking."
            )
        return None
    if "expires_at" in sent:
        if sent["expires_at"] is None:
            return None
        at = parse_timestamp(sent["expires_at"])
        if at <= now:
            raise ValidationFailed.field(field, "The expires_at must be a date in the future.")
        return format_timestamp(at)
    if before is not None and before.doc.get("is_temporary"):
        kept = before.doc.get("expires_at")
        return str(kept) if kept else None
    default = viewer.project.default_hold_time
    return format_timestamp(now + stored_duration(default).nominal()) if default else None


class HoldExpired(ValidationFailed):
    """A change to a hold that expired (a 422): `booking` is the hold as read. The booking service
    releases it before answering, so the answer stays true (`BookingWriter.release`)."""

    def __init__(self, booking: Booking, finalizing: bool, prefix: str) -> None:
        field = f"{prefix}is_temporary" if finalizing else f"{prefix}expires_at"
        at = booking.doc.get("expires_at")
        super().__init__(
            {field: [f"The temporary booking expired at {at}: its place is no longer held, book again."]}
        )
        self.booking = booking


def refuse_if_expired(before: Booking, canceling: bool, finalizing: bool, now: datetime, prefix: str) -> None:
    """An expired hold may still be canceled or deleted; any other change is refused: its place is gone."""
    if canceling or not is_expired(before, now):
        return
    raise HoldExpired(before, finalizing, prefix)


def finalizes(before: Booking, after: Booking) -> bool:
    return bool(before.doc.get("is_temporary")) and not after.doc.get("is_temporary")


def refuse_change_of_expired(before: Booking, after: Booking, now: datetime, prefix: str) -> None:
    """`refuse_if_expired` for a planned change from `before` to `after` (what a plan checks again with
    its own clock, read after the state it plans from)."""
    refuse_if_expired(before, after.is_canceled, finalizes(before, after), now, prefix)


def release_of(hold: Booking | TimelineBooking, resource_id: str | None = None) -> Release | None:
    """The release of a hold that has an expiry and a place on a resource's timeline; None otherwise."""
    if isinstance(hold, Booking):
        at, resource_id = expires_at(hold), hold.resource_id if hold.holds_capacity else None
    else:
        at = hold.expires_at
    if at is None or resource_id is None:
        return None
    return Release(resource_id, hold.id, hold.buffer_ends_at, at)


def split_expired(found: Timeline, now: datetime) -> tuple[Timeline, list[TimelineBooking]]:
    """The timeline without the holds expired at `now`, and those holds."""
    expired = [b for b in found.bookings if b.expires_at is not None and b.expires_at <= now]
    if not expired:
        return found, []
    return replace(found, bookings=[b for b in found.bookings if b not in expired]), expired


class LiveTimelines:
    """A timeline reader that leaves out the holds expired at the reader's `now`: what the slot listing,
    the fully-booked spans and the booking checks see."""

    def __init__(self, timelines: TimelineReader, clock: Callable[[], datetime]) -> None:
        self._timelines = timelines
        self._clock = clock

    def timeline(
        self, project_id: str, resource_id: str, start: datetime, end: datetime, head: Timeline | None = None
    ) -> Timeline:
        return self.live(self._timelines.timeline(project_id, resource_id, start, end, head))

    def pruned(
        self, project_id: str, resource_id: str, start: datetime, end: datetime, head: Timeline
    ) -> Timeline:
        return self._timelines.pruned(project_id, resource_id, start, end, head)

    def live(self, found: Timeline) -> Timeline:
        """The timeline without the holds expired now."""
        return split_expired(found, self._clock())[0]

    def read_resources(
        self, project_id: str, resource_ids: Sequence[str], records: bool = True
    ) -> tuple[dict[str, Record], dict[str, Timeline]]:
        return self._timelines.read_resources(project_id, resource_ids, records)
