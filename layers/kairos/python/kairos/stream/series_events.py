"""Which event a change of a booking series' item makes (docs/events.md, docs/booking-series.md).

A series' item is written in every transaction of its write (`pending` until the last), so an INSERT or
MODIFY makes `booking_series.created` only when it makes the series shown (`active`); a later change
that moves `canceled_from` (PATCH `cancel`, DELETE) makes `booking_series.canceled`. A series whose write
failed is deleted while pending and was never shown: no event. Metadata changes make none (the two types
are the contract). The occurrences make their own booking events as bookings do."""

from typing import Any

from kairos.domain.bookings.bookings import Bookings
from kairos.domain.bookings.series_reads import render_with_bookings
from kairos.domain.bookings.series_state import is_shown
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.ports import BookingRepository
from kairos.storage.dynamodb import record_from

Image = dict[str, Any]


def series_event(
    viewer: Principal, old: Image | None, new: Image | None, bookings: Bookings, store: BookingRepository
) -> tuple[str, dict[str, Any], list[str] | None] | None:
    """The event type, the series as `GET` shows it now, and the fields changed; None: no event."""
    before = record_from(old) if old else None
    after = record_from(new) if new else None
    if after is None or not is_shown(after):
        return None
    if not is_shown(before):
        return "booking_series.created", render_with_bookings(viewer, after, store, bookings), None
    assert before is not None
    if after.doc.get("canceled_from") != before.doc.get("canceled_from"):
        return (
            "booking_series.canceled",
            render_with_bookings(viewer, after, store, bookings),
            ["canceled_from"],
        )
    return None
