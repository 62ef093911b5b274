"""What a booking write needs of its service's booking limits (docs/bookings.md, "Booking limits"): the
counters it conditions and bumps, the span of timeline it reads to count, and the expired holds whose
count it takes over.

The count is made from the resource's timeline (its live bookings of the service starting in the period);
the counters carry no count, only a version that every write adding a counted booking to the period bumps,
so two writes that counted the same bookings cannot both commit (the ledger's argument, one counter per
period). The counters live in the resource's partition: no item is shared by two resources.
"""

from collections.abc import Sequence
from datetime import datetime

from kairos.domain.bookings.holds import release_of
from kairos.domain.bookings.views import location_zone
from kairos.domain.shared.records import Booking, Record, Release, TimelineBooking
from kairos.scheduling.limits import limited_periods, limits_from_service, period_key, period_span, reached
from kairos.scheduling.model import Span


def limit_counters(service: Record | None, location: Record | None, starts_at: datetime) -> tuple[str, ...]:
    """The ledger nodes of the limits a booking of `service` starting at `starts_at` counts in."""
    if service is None:
        return ()
    where = location_zone(location)
    periods = limited_periods(limits_from_service(service.doc))
    return tuple(f"L#{service.id}#{period_key(p, starts_at, where)}" for p in periods)


def limit_spans(service: Record | None, location: Record | None, starts_at: datetime) -> list[Span]:
    """The periods whose bookings the check counts: the timeline must be read over them."""
    if service is None:
        return []
    where = location_zone(location)
    return [period_span(p, starts_at, where) for p in limited_periods(limits_from_service(service.doc))]


def counted_starts(bookings: Sequence[Booking | TimelineBooking], service: Record | None) -> list[datetime]:
    """The starts of the bookings that count for `service`'s limits."""
    return [b.starts_at for b in bookings if service is not None and b.service_id == service.id]


def limit_releases(
    service: Record | None,
    location: Record | None,
    booking: Booking,
    live: Sequence[Booking | TimelineBooking],
    expired: Sequence[TimelineBooking],
) -> dict[str, Release]:
    """The expired holds of the service in the booking's periods (by id), when without leaving them out
    the booking would exceed a limit: it takes their count, so it gives them up for good in its own
    transaction (as it does the expired holds whose hours it takes; docs/bookings.md, "The race").
    `live`: the resource's other bookings that hold their place, this request's planned ones included."""
    if service is None or booking.resource_id is None:
        return {}
    limits = limits_from_service(service.doc)
    if limits is None:
        return {}
    mine = [h for h in expired if h.service_id == service.id]
    counted = counted_starts([*live, *mine], service)
    if reached(limits, counted, booking.starts_at, location_zone(location)) is None:
        return {}
    spans = limit_spans(service, location, booking.starts_at)
    return {
        h.id: found
        for h in mine
        if any(s.start <= h.starts_at < s.end for s in spans)
        and (found := release_of(h, booking.resource_id))
    }
