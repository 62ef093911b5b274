"""What a booking write is made of before its checks: an `Intent` per booking a request wants written,
and what planning them reads (the ledger items and the timeline spans of each candidate resource)."""

from dataclasses import dataclass, field
from datetime import timedelta

from kairos.domain.bookings.limits import limit_counters, limit_spans
from kairos.domain.bookings.views import location_zone
from kairos.domain.shared.records import Booking, Hold, LedgerState, Record, Timeline
from kairos.scheduling.model import Span
from kairos.scheduling.wall_time import local_date, local_midnight

DAY = timedelta(days=1)


@dataclass
class Intent:
    """One booking a request wants written, before the checks pick its resource."""

    before: Booking | None
    proposal: Booking | None  # None: delete `before`
    service: Record | None = None
    location: Record | None = None
    candidates: list[Record] = field(default_factory=list)  # resources to check, in the order to try
    flags: set[str] = field(default_factory=set)
    checked: bool = False
    strategy: str = "randomize"
    prefix: str = ""  # error keys of a group's item: "bookings.2."
    remembered: bool = False  # planned from the instance's memory of the catalogue: checked on commit
    ledger: LedgerState | None = None  # ledger items read with the catalogue, for the first plan
    timelines: dict[str, Timeline] | None = None  # by resource, read after `ledger`: for the first plan
    as_written: bool = False  # `before` was written by this request, as stored (BookingChange.as_written)


def plan_reads(intents: list[Intent]) -> tuple[list[Hold], dict[str, list[Span]]]:
    """What a plan of the checked intents reads: each candidate's ledger holds, each resource's spans."""
    holds: list[Hold] = []
    spans: dict[str, list[Span]] = {}
    for intent in intents:
        if intent.proposal is None or not intent.checked:
            continue
        buffer = Span(intent.proposal.buffer_starts_at, intent.proposal.buffer_ends_at)
        starts_at = intent.proposal.starts_at
        counters = limit_counters(intent.service, intent.location, starts_at)
        needed = [
            buffer,
            local_day(intent.proposal, intent.location),
            *limit_spans(intent.service, intent.location, starts_at),
        ]
        for resource in intent.candidates:
            holds.append(Hold(resource.id, buffer.start, buffer.end, counters))
            spans.setdefault(resource.id, []).extend(needed)
    return holds, spans


def local_day(booking: Booking, location: Record | None) -> Span:
    """The local date the booking starts on, in its location's zone, as UTC instants (compared with the
    timelines' own, UTC too, without converting them)."""
    where = location_zone(location)
    day = local_date(booking.starts_at, where)
    return Span(local_midnight(day, where), local_midnight(day + DAY, where))
