"""`GET /v1/services/{service}/bookable-slots/explain`: for one interval at one location, whether each
candidate resource could be booked, and every reason it could not (docs/slots.md, "Why can't I book
this?").

The reasons are the booking's own: the entity rules a booking request meets first (service, location and
resource enabled, the resource performing the service), then `check_booking`'s violations for the interval
with the service's buffers, read from the same timeline (expired holds left out) over the same horizon as
a booking write. The engine adds the details (`kairos.scheduling.explain`).
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kairos.domain.bookings import defaults as booking_defaults
from kairos.domain.bookings.availability import calendar_busy, resource_state
from kairos.domain.bookings.holds import LiveTimelines
from kairos.domain.bookings.intents import DAY
from kairos.domain.bookings.planning import VIOLATION_MESSAGES
from kairos.domain.catalogue.catalogue import RESOURCE, render
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.ports import AssociationRepository, CatalogueRepository, TimelineReader
from kairos.domain.shared.queries import Errors, id_param, raise_if, timestamp_param
from kairos.domain.shared.records import Record, Timeline
from kairos.errors import NotFound
from kairos.parallel import parallel_map
from kairos.scheduling.engine import Violation
from kairos.scheduling.explain import SEARCH, Finding, explain_booking
from kairos.scheduling.limits import reach
from kairos.scheduling.model import Span
from kairos.scheduling.rules import rules_from_service
from kairos.values.bounds import MAX_LENGTH
from kairos.values.formats import format_timestamp, zone
from kairos.values.ids import is_uuid

# The entity rules, with the messages a booking request gets for them.
SERVICE_DISABLED = ("service_disabled", "The selected service is disabled.")
LOCATION_DISABLED = ("location_disabled", "The selected location is disabled.")
RESOURCE_DISABLED = ("resource_disabled", "The selected resource is disabled.")
NOT_ASSOCIATED = ("not_associated", "The selected resource does not perform this service.")
_INSTANT = timedelta(microseconds=1)


class SlotExplainer:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        associations: AssociationRepository,
        timelines: TimelineReader,
        clock: Callable[[], datetime],
    ) -> None:
        self._catalogue = catalogue
        self._associations = associations
        self._timelines = LiveTimelines(timelines, clock)
        self._clock = clock

    def explain(self, viewer: Principal, service_id: str, query: Mapping[str, str]) -> dict[str, Any]:
        errors: Errors = {}
        location_id = id_param(query, "location", errors, required=True)
        only = id_param(query, "resource", errors, required=False)
        starts = timestamp_param(query, "starts_at", errors, required=True)
        ends = timestamp_param(query, "ends_at", errors, required=True)
        if starts is not None and ends is not None and not starts < ends <= starts + MAX_LENGTH:
            errors["ends_at"] = ["The ends_at must be a date after starts_at, at most 366 days after it."]
        raise_if(errors)
        assert location_id is not None and starts is not None and ends is not None
        wanted = [("service", service_id), ("location", location_id)]
        if only is not None:
            wanted.append(("resource", only))
        found = self._load(viewer, wanted)
        service, location = found[("service", service_id)], found[("location", location_id)]
        where = zone(location.doc["time_zone"])
        buffer = Span(*booking_defaults.buffers(service, starts, ends, {}, set(), ""))
        linked = {
            a.resource_id
            for a in self._associations.list_associations(viewer.project_id, "service", service_id)
        }
        candidates, heads = (
            ([found[("resource", only)]], {}) if only is not None else self._resources(viewer, linked)
        )
        shared = [_entity_reason(*SERVICE_DISABLED)] if not service.doc.get("enabled", True) else []
        if not location.doc.get("enabled", True):
            shared.append(_entity_reason(*LOCATION_DISABLED))
        limited = reach(rules_from_service(service.doc).limits, Span(starts, starts + _INSTANT), where)
        context = _context_window(buffer, where)
        context = Span(min(context.start, limited.start), max(context.end, limited.end))
        timelines = parallel_map(
            lambda r: self._timelines.timeline(
                viewer.project_id, r.id, context.start, context.end, heads.get(r.id)
            ),
            candidates,
        )
        now = self._clock()
        results = []
        for resource, timeline in zip(candidates, timelines, strict=True):
            reasons = [*shared]
            if not resource.doc.get("enabled", True):
                reasons.append(_entity_reason(*RESOURCE_DISABLED))
            if resource.id not in linked:
                reasons.append(_entity_reason(*NOT_ASSOCIATED))
            findings = self._findings(service, location, resource, timeline, Span(starts, ends), buffer, now)
            reasons += [_render(f, timeline, where, viewer, buffer) for f in findings]
            results.append(
                {
                    "resource_id": resource.id,
                    "resource": render(RESOURCE, resource, viewer),
                    "bookable": not reasons,
                    "reasons": reasons,
                }
            )
        return {
            "starts_at": format_timestamp(starts, where),
            "ends_at": format_timestamp(ends, where),
            "buffer_starts_at": format_timestamp(buffer.start, where),
            "buffer_ends_at": format_timestamp(buffer.end, where),
            "bookable": any(r["bookable"] for r in results),
            "reasons": shared,
            "resources": results,
        }

    def _findings(
        self,
        service: Record,
        location: Record,
        resource: Record,
        timeline: Timeline,
        booking: Span,
        buffer: Span,
        now: datetime,
    ) -> list[Finding]:
        """The engine's findings, from the state a booking write would check (horizon: the buffer span
        and a day on each side) and, for the details, the wider window read."""
        where = zone(location.doc["time_zone"])
        verdict = resource_state(
            resource, timeline, location.id, where, Span(buffer.start - DAY, buffer.end + DAY), service.id
        )
        context = resource_state(resource, timeline, location.id, where, _context_window(buffer, where))
        rules = rules_from_service(service.doc)
        return explain_booking(rules, verdict, context, booking, buffer, now, where)

    def _load(self, viewer: Principal, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Record]:
        """Several entities in one read; a malformed or unknown id is a 404 naming its kind."""
        if not all(is_uuid(entity_id) for _, entity_id in wanted):
            raise NotFound(next(kind for kind, entity_id in wanted if not is_uuid(entity_id)))
        found = self._catalogue.get_many(viewer.project_id, wanted)
        for key in wanted:
            if key not in found:
                raise NotFound(key[0])
        return found

    def _resources(self, viewer: Principal, linked: set[str]) -> tuple[list[Record], dict[str, Timeline]]:
        """Every resource that performs the service, disabled ones too (they are explained), by id, and the
        heads of their timelines (read with them)."""
        ids = sorted(linked)
        found, heads = self._timelines.read_resources(viewer.project_id, ids) if ids else ({}, {})
        return [found[i] for i in ids if i in found], heads


def _context_window(buffer: Span, where: ZoneInfo) -> Span:
    """What is read around the interval: the booking's own horizon and the local days it touches, widened
    by the span in which the nearest starts are looked for."""
    margin = SEARCH + DAY + timedelta(days=1)
    return Span(buffer.start - margin, buffer.end + margin)


def _entity_reason(rule: str, message: str) -> dict[str, Any]:
    return {"rule": rule, "message": message}


def _render(
    finding: Finding, timeline: Timeline, where: ZoneInfo, viewer: Principal, buffer: Span
) -> dict[str, Any]:
    reason: dict[str, Any] = {
        "rule": finding.violation.value,
        "message": VIOLATION_MESSAGES[finding.violation],
    }

    def spans(found: tuple[Span, ...]) -> list[dict[str, str]]:
        return [
            {"starts_at": format_timestamp(s.start, where), "ends_at": format_timestamp(s.end, where)}
            for s in found
        ]

    if finding.violation is Violation.SCHEDULE:
        reason["buffers_only"] = finding.buffers_only
        reason["nearest_spans"] = spans(finding.nearest_spans)
        reason["calendars"] = [
            {
                "calendar_subscription_id": calendar.subscription_id,
                "name": calendar.name or None,
                "message": f"Busy in calendar {calendar.name or calendar.subscription_id}.",
                "starts_at": format_timestamp(span.start, where),
                "ends_at": format_timestamp(span.end, where),
            }
            for calendar, span in calendar_busy(timeline, where, buffer)
        ]
    elif finding.violation is Violation.FULLY_BOOKED:
        reason["buffers_only"] = finding.buffers_only
        reason["full_spans"] = spans(finding.full_spans)
        reason["booking_ids"] = (
            sorted(
                {
                    b.id
                    for b in timeline.bookings
                    for s in finding.full_spans
                    if b.buffer_starts_at < s.end and s.start < b.buffer_ends_at
                }
            )
            if viewer.can("booking:view")
            else None
        )
    elif finding.violation is Violation.BOOKING_LIMIT:
        assert finding.limit is not None
        period, limit, count = finding.limit.period, finding.limit.limit, finding.limit.count
        reason.update(period=period, limit=limit, count=count)
        reason["message"] = (
            f"The resource has {count} bookings of this service this {period}: "
            f"the service's limit is {limit}."
        )
    elif finding.violation is Violation.BOOKABLE_SLOT:
        reason["starts_on_grid"] = finding.starts_on_grid
        reason["nearest_starts"] = [format_timestamp(s, where) for s in finding.nearest_starts]
    else:
        assert finding.window is not None
        earliest, latest = finding.window.earliest, finding.window.latest
        reason["window"] = {
            "earliest": format_timestamp(earliest, where) if earliest else None,
            "latest": format_timestamp(latest, where) if latest else None,
        }
    return reason
