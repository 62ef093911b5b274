"""A hold's timer (docs/bookings.md, "Removed at expiry"): started by the stream path when a booking write
leaves a hold that expires, due at the expiry, when the sweeper (`kairos.domain.bookings.hold_sweep`) removes
the expired holds of the hold's resource. Apart from the sweeper, so the stream function starts timers without
loading the booking rules."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kairos.domain.bookings.holds import expires_at
from kairos.domain.shared.records import Booking


@dataclass(frozen=True)
class HoldTimer:
    """Due when the hold expires; names the resource whose expired holds are then removed, and the hold's
    booking series, if any (`HoldSweeper` then removes the booking if its series can no longer be shown)."""

    project_id: str
    resource_id: str
    booking_id: str
    expires_at: datetime
    series_id: str | None = None


def hold_timer(project_id: str, before: Booking | None, after: Booking | None) -> HoldTimer | None:
    """The timer a booking write starts: when it leaves a hold that expires, at a time or on a resource it
    did not have before."""
    if after is None or after.resource_id is None:
        return None
    at = expires_at(after)
    if at is None or (
        before is not None and (before.resource_id, expires_at(before)) == (after.resource_id, at)
    ):
        return None
    series = after.doc.get("booking_series_id")
    return HoldTimer(project_id, after.resource_id, after.id, at, str(series) if series else None)


class HoldTimers(Protocol):
    def start(self, timers: Sequence[HoldTimer], now: datetime) -> None:
        """Each timer fires at its expiry, or earlier when the wait is longer than a timer can wait (it
        is then started again); one already due fires at once."""
        ...
