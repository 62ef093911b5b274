"""Temporary bookings that expire (holds): a checkout takes a temporary booking while the customer pays,
and a hold that is never finalized gives its place back by itself (docs/bookings.md, "Holds").

- A temporary booking may carry `expires_at`: sent in the body, or the project's default hold time from
  the moment it is written. Finalizing clears it; `null` keeps a hold forever (as before holds existed).
- From `expires_at` on, the hold takes no capacity: `LiveTimelines` leaves expired holds out of every
  timeline the slot listing and the booking checks read, so the place is free at once, whatever the
  sweep's pace.
- The sweep (`hold_sweep.HoldSweeper`, every minute deployed, every 5 seconds locally) then deletes
  expired holds; the stream mapper reports such a removal as `booking.expired`.
- A finalize (or any change but a cancelation) after `expires_at` is a 422. Before it, a change that keeps
  the place (finalize, a new `expires_at`) is a guarded write: it conditions on the capacity ledger like a
  checked booking, so a booking that took the place after the hold expired and a finalize that checked
  the clock just before cannot both commit (the later one is refused, plans again and sees the truth).
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kairos.domain.auth import Principal
from kairos.domain.errors import ValidationFailed
from kairos.domain.formats import format_timestamp, parse_timestamp, stored_duration, stored_timestamp
from kairos.domain.ports import TimelineReader
from kairos.domain.records import Booking, Record, Timeline

if TYPE_CHECKING:  # booking_commit reads availability, which reads this module
    from kairos.domain.booking_commit import Intent

# A hold's own re-commit (finalize, new expiry) checks no rule again: it keeps the place it has. It is
# still a checked (guarded) write, so that it serializes with bookings that saw the hold expired.
KEEPS_ITS_PLACE = frozenset(
    {"ignore_schedule", "ignore_fully_booked", "ignore_bookable_slots", "ignore_booking_window"}
)


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


def refuse_if_expired(before: Booking, canceling: bool, finalizing: bool, now: datetime, prefix: str) -> None:
    """An expired hold may still be canceled or deleted; any other change is refused: its place is gone."""
    if canceling or not is_expired(before, now):
        return
    field = f"{prefix}is_temporary" if finalizing else f"{prefix}expires_at"
    at = before.doc.get("expires_at")
    raise ValidationFailed.field(
        field, f"The temporary booking expired at {at}: its place is no longer held, book again."
    )


def keeps_place(intent: "Intent", before: Booking, resource: Record | None) -> "Intent":
    """The update of a live hold that finalizes it or moves its expiry, made a guarded write (see the
    module's docstring); any other intent is returned as it is."""
    after = intent.proposal
    if after is None or intent.checked or intent.location is None or resource is None:
        return intent
    if expires_at(before) is None or not after.holds_capacity or after.resource_id != resource.id:
        return intent
    if expires_at(after) == expires_at(before) and after.doc.get("is_temporary"):
        return intent
    return replace(intent, candidates=[resource], flags=set(KEEPS_ITS_PLACE), checked=True)


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
        now = self._clock()
        live = [b for b in found.bookings if b.expires_at is None or b.expires_at > now]
        return found if len(live) == len(found.bookings) else replace(found, bookings=live)

    def read_resources(
        self, project_id: str, resource_ids: Sequence[str]
    ) -> tuple[dict[str, Record], dict[str, Timeline]]:
        return self._timelines.read_resources(project_id, resource_ids)
