"""What a booking gets when the request leaves it out: the buffers (from the service) and the price (from
the service and the booking's length), as Hapio's automatic behaviour describes them."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kairos.domain.bookings.views import location_zone
from kairos.domain.shared.records import Booking, Record
from kairos.errors import ValidationFailed
from kairos.values.formats import format_price, parse_timestamp, stored_duration


def buffers(
    service: Record | None,
    starts: datetime,
    ends: datetime,
    sent: Mapping[str, Any],
    flags: set[str],
    prefix: str,
) -> tuple[datetime, datetime]:
    """The service's buffers, unless the request sets its own, which then need `ignore_bookable_slots`."""
    before = stored_duration(service.doc["buffer_time_before"]).nominal() if service else timedelta(0)
    after = stored_duration(service.doc["buffer_time_after"]).nominal() if service else timedelta(0)
    derived = (starts - before, ends + after)
    chosen = (
        parse_timestamp(sent["buffer_starts_at"]) if sent.get("buffer_starts_at") else derived[0],
        parse_timestamp(sent["buffer_ends_at"]) if sent.get("buffer_ends_at") else derived[1],
    )
    if chosen[0] > starts or chosen[1] < ends:
        raise ValidationFailed.field(f"{prefix}buffer_starts_at", "The buffers must enclose the booking.")
    lenient = flags & {"ignore_bookable_slots", "ignore_schedule"} or service is None
    if chosen != derived and not lenient:
        raise ValidationFailed.field(
            f"{prefix}buffer_starts_at", "Buffers other than the service's need ignore_bookable_slots."
        )
    return chosen


def buffers_on_update(
    service: Record | None,
    before: Booking,
    span: tuple[datetime, datetime],
    sent: Mapping[str, Any],
    flags: set[str],
    prefix: str,
    *,
    moved: bool,
) -> tuple[datetime, datetime]:
    """The buffers after a PUT or PATCH (`moved`: a PUT, or new times). A PATCH that keeps the times and
    sends no other buffers keeps the booking's, whatever the service's are now: it changes nothing that
    a check would look at. Otherwise as `buffers`, a PATCH's unsent buffer kept from the booking."""
    stored = {"buffer_starts_at": before.buffer_starts_at, "buffer_ends_at": before.buffer_ends_at}
    keep = {k: v for k, v in sent.items() if k in stored}
    if not moved:
        if not any(v and parse_timestamp(v) != stored[k] for k, v in keep.items()):
            return before.buffer_starts_at, before.buffer_ends_at
        keep = {**{k: at.isoformat() for k, at in stored.items()}, **keep}
    return buffers(service, *span, keep, flags, prefix)


def price(service: Record | None, location: Record | None, starts: datetime, ends: datetime) -> str | None:
    """fixed: the price; flexible: the hourly rate times the hours; day: the daily rate times the days
    (days counted as day slots count them). Rounded half up to three decimals."""
    if service is None or service.doc.get("price") is None:
        return None
    rate = Decimal(service.doc["price"])
    kind = service.doc["type"]
    if kind == "fixed":
        return format_price(rate)
    if kind == "flexible":
        hours = Decimal((ends - starts).total_seconds()) / Decimal(3600)
        return format_price((rate * hours).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
    where = location_zone(location)
    first, last = starts.astimezone(where), ends.astimezone(where)
    days = (last.date() - first.date()).days + (1 if last.time() > first.time() else 0)
    return format_price(rate * max(days, 1))
