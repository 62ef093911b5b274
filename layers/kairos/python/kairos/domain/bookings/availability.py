"""When is a resource available, when is it fully booked, and which slots of a service can be booked:
the use cases that read schedules and bookings and hand them to the pure slot engine.

Data access for bookable slots, in two waves of reads that run at once (after the request count): the
service, location and resource (one BatchGetItem) beside the service's resource ids (one Query of its
associations); then the resources (one BatchGetItem) beside one key-range Query per associated resource
for the short blocks and bookings of the window (the resources' BatchGetItem brings the heads of their
timelines: recurring schedules and long entries). The number of waves grows neither with the window's length
nor with the resources. A warm instance takes the service, location, resource ids and resources from its
memory of the catalogue (at most a minute old) and reads only the heads and the windows: one wave. These
routes decide nothing, so their timelines are read eventually consistent (docs/slots.md, "Freshness").
"""

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kairos.domain.bookings.holds import LiveTimelines
from kairos.domain.catalogue.catalogue import RESOURCE, render
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import Page, page_params
from kairos.domain.shared.ports import (
    AssociationRepository,
    CatalogueMemory,
    CatalogueRepository,
    ScheduleRepository,
)
from kairos.domain.shared.queries import (
    Errors,
    bool_param,
    choice_param,
    duration_param,
    id_param,
    int_param,
    raise_if,
    window,
)
from kairos.domain.shared.records import CalendarBusy, Record, Timeline, TimelineBooking
from kairos.errors import Forbidden, NotFound, ValidationFailed
from kairos.parallel import both, parallel_map
from kairos.scheduling.availability import availability
from kairos.scheduling.engine import bookable_slots
from kairos.scheduling.limits import reach
from kairos.scheduling.model import (
    DayRules,
    FixedRules,
    FlexibleRules,
    OneOffBlock,
    RecurringSchedule,
    ResourceState,
    ServiceRules,
    Slot,
    Span,
    WeeklyBlock,
)
from kairos.scheduling.rules import rules_from_service
from kairos.scheduling.spans import full_ranges, in_order, intersect, subtract
from kairos.scheduling.wall_time import ONE_DAY, local_date, local_midnight
from kairos.values.bounds import MAX_PRIORITY_IDS
from kairos.values.formats import Duration, format_timestamp, now_utc, parse_time, stored_date, zone
from kairos.values.ids import is_uuid

UNBOUNDED_HORIZON = timedelta(days=31)  # how far past `to` an open-ended flexible or day booking may reach
# The longest from-to range of one schedule request: its recurring blocks are expanded day by day, so a
# range of centuries (once accepted) is seconds of work for one request.
MAX_SCHEDULE_WINDOW_DAYS = 366
MARGIN = timedelta(days=1)
MAX_NUM_RESOURCES = MAX_PRIORITY_IDS  # resources one slot may ask for together (as a location may rank)


def recurring_schedules(records: Sequence[Record], location_id: str) -> list[RecurringSchedule]:
    """The engine's view of the recurring schedules at one location."""
    schedules = []
    for record in records:
        doc = record.doc
        if doc["location_id"] != location_id:
            continue
        blocks = tuple(
            WeeklyBlock(
                b["weekday"], _time(b["start_time"]), parse_time(b["end_time"], allow_end_of_day=True)
            )
            for b in doc["blocks"].values()
        )
        end = stored_date(doc["end_date"]) if doc.get("end_date") else None
        schedules.append(RecurringSchedule(stored_date(doc["start_date"]), end, int(doc["interval"]), blocks))
    return schedules


def _time(text: str) -> time:
    """A block's start: always a time of day (only an end may be 24:00:00)."""
    parsed = parse_time(text)
    assert parsed is not None
    return parsed


def calendar_busy(timeline: Timeline, where: ZoneInfo, horizon: Span) -> list[tuple[CalendarBusy, Span]]:
    """The busy times of the resource's calendar subscriptions that overlap `horizon`, each with its
    calendar; all-day ones are the local days of `where`, the zone of the location being booked
    (docs/calendar-subscriptions.md)."""
    first, last = local_date(horizon.start, where) - ONE_DAY, local_date(horizon.end, where) + ONE_DAY
    found: list[tuple[CalendarBusy, Span]] = []
    for calendar in timeline.calendars:
        spans = calendar.spans
        for start, end in spans[bisect_right(spans, horizon.start, key=lambda s: s[1]) :]:
            if start >= horizon.end:
                break
            found.append((calendar, Span(start, end)))
        found += [
            (calendar, Span(local_midnight(day, where), local_midnight(after, where)))
            for day, after in calendar.days
            if day <= last and after > first
        ]
    return found


def resource_state(
    resource: Record,
    timeline: Timeline,
    location_id: str,
    where: ZoneInfo,
    horizon: Span,
    service_id: str | None = None,
    schedules: Sequence[RecurringSchedule] | None = None,
    near: tuple[Sequence[TimelineBooking], tuple[datetime, ...]] | None = None,
) -> ResourceState:
    """A calendar's busy times take the resource away at every location, as a one-off block that is not
    available would at this one. `counted`: the starts of the timeline's bookings of `service_id` (the
    timeline of a limited service is read over the whole periods its limits count). `schedules`: the
    timeline's recurring schedules at the location, when the caller made them already (a booking write
    checks one resource for each of its bookings). `near`: the timeline's bookings that overlap `horizon`
    (all the capacity check looks at) and the starts its service's limits count, when the caller took
    them already (a booking write keeps each resource's timeline sorted for all its checks)."""
    bookings, counted = near or (timeline.bookings, None)
    blocks = [
        OneOffBlock(Span(b.starts_at, b.ends_at), b.is_available)
        for b in timeline.blocks
        if b.location_id == location_id
    ] + [OneOffBlock(span, False) for _, span in calendar_busy(timeline, where, horizon)]
    if schedules is None:
        schedules = recurring_schedules(timeline.recurring, location_id)
    spans = availability(schedules, blocks, where, horizon)
    busy = tuple(in_order(Span(b.buffer_starts_at, b.buffer_ends_at) for b in bookings))
    capacity = resource.doc.get("max_simultaneous_bookings")
    if counted is None:
        counted = tuple(b.starts_at for b in bookings if service_id and b.service_id == service_id)
    return ResourceState(resource.id, spans, busy, capacity, counted)


def _horizon(rules: ServiceRules, start: datetime, end: datetime) -> Span:
    """The data a window needs: slots starting in it may begin their buffer before it and end after it."""
    kind = rules.kind
    if isinstance(kind, FixedRules):
        longest = kind.duration
    elif isinstance(kind, FlexibleRules):
        longest = kind.max_duration or UNBOUNDED_HORIZON
    else:
        longest = timedelta(days=kind.max_days + 1) if kind.max_days is not None else UNBOUNDED_HORIZON
    return Span(start - rules.buffer_before - MARGIN, end + longest + rules.buffer_after + MARGIN)


class Availability:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        associations: AssociationRepository,
        schedules: ScheduleRepository,
        max_window_days: int,
        clock: Callable[[], datetime] = now_utc,
        memory: CatalogueMemory | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._associations = associations
        self._memory = memory  # what slot listings may take the catalogue from (docs/slots.md, "freshness")
        self._schedules = LiveTimelines(schedules, clock)  # expired holds take no capacity
        self._max_window_days = max_window_days  # the KAIROS_MAX_SLOT_WINDOW_DAYS setting
        self._clock = clock

    def _timelines(
        self, project_id: str, resource_ids: Sequence[str], horizon: Span, head: Timeline | None = None
    ) -> list[Timeline]:
        def read(resource_id: str) -> Timeline:
            return self._schedules.timeline(project_id, resource_id, horizon.start, horizon.end, head)

        return parallel_map(read, resource_ids)

    def _load(
        self, viewer: Principal, wanted: list[tuple[str, str]], recall: bool = False
    ) -> dict[tuple[str, str], Record]:
        """Several entities in one read (none when `recall` and the instance's memory holds them all); a
        malformed or unknown id is a 404 naming its kind."""
        for kind, entity_id in wanted:
            if not is_uuid(entity_id):
                raise NotFound(kind)
        found = self._recall(viewer.project_id, wanted) if recall else None
        if found is None:
            found = self._catalogue.get_many(viewer.project_id, wanted)
        for key in wanted:
            if key not in found:
                raise NotFound(key[0])
        return found

    # --- a resource's schedule and fully-booked spans ---------------------------------------------------

    def schedule(self, viewer: Principal, resource_id: str, query: Mapping[str, str]) -> Page:
        errors: Errors = {}
        start, end = window(query, errors)
        _limit_window(start, end, MAX_SCHEDULE_WINDOW_DAYS, "schedule request", errors)
        location_id = id_param(query, "location", errors, required=True)
        mode = choice_param(query, "fully_booked", ("include", "exclude"), errors)
        page, per_page = _page(query, errors)
        raise_if(errors)
        assert start is not None and end is not None and location_id is not None
        found = self._load(viewer, [("resource", resource_id), ("location", location_id)])
        resource, location = found[("resource", resource_id)], found[("location", location_id)]
        where = zone(location.doc["time_zone"])
        requested = Span(start, end)
        horizon = Span(start - MARGIN, end + MARGIN)
        timeline = self._timelines(viewer.project_id, [resource_id], horizon)[0]
        state = resource_state(resource, timeline, location_id, where, horizon)
        spans = intersect(state.available, requested)
        if mode == "exclude":
            spans = subtract(spans, full_ranges(state.busy, state.capacity))
        return _span_page(spans, where, page, per_page)

    def fully_booked(self, viewer: Principal, resource_id: str, query: Mapping[str, str]) -> Page:
        errors: Errors = {}
        start, end = window(query, errors)
        page, per_page = _page(query, errors)
        raise_if(errors)
        assert start is not None and end is not None
        resource = self._load(viewer, [("resource", resource_id)])[("resource", resource_id)]
        timeline = self._timelines(viewer.project_id, [resource_id], Span(start, end))[0]
        busy = [Span(b.buffer_starts_at, b.buffer_ends_at) for b in timeline.bookings]
        full = full_ranges(in_order(busy), resource.doc.get("max_simultaneous_bookings"))
        return _span_page(intersect(full, Span(start, end)), None, page, per_page)

    # --- bookable slots ---------------------------------------------------------------------------------

    def bookable_slots(self, viewer: Principal, service_id: str, query: Mapping[str, str]) -> Page:
        errors: Errors = {}
        start, end = window(query, errors)
        limit = "bookable-slots request (the KAIROS_MAX_SLOT_WINDOW_DAYS setting)"
        _limit_window(start, end, self._max_window_days, limit, errors)
        location_id = id_param(query, "location", errors, required=True)
        only = id_param(query, "resource", errors, required=False)
        ignore_window = bool_param(query, "ignore_booking_window", errors)
        num_resources = int_param(query, "num_resources", errors, default=1, low=1, high=MAX_NUM_RESOURCES)
        asked = duration_param(query, "duration", errors)  # checked for every type, used by two
        page, per_page = _page(query, errors)
        raise_if(errors)
        assert start is not None and end is not None and location_id is not None
        if ignore_window and not viewer.can("booking:ignore_booking_window"):
            raise Forbidden()
        wanted = [("service", service_id), ("location", location_id)]
        if only is not None:
            wanted.append(("resource", only))
        found, linked = both(
            lambda: self._load(viewer, wanted, recall=True), lambda: self._linked(viewer, service_id, only)
        )
        service, location = found[("service", service_id)], found[("location", location_id)]
        rules = rules_from_service(service.doc)
        duration, days = _duration(asked, rules)
        if not service.doc.get("enabled", True) or not location.doc.get("enabled", True) or not linked:
            return Page([], 0, page, per_page)
        where = zone(location.doc["time_zone"])
        horizon = _horizon(rules, start, end)
        counted = reach(rules.limits, Span(start, end), where)  # the periods the limits count in
        read_span = Span(min(horizon.start, counted.start), max(horizon.end, counted.end))
        known = self._recall(viewer.project_id, [("resource", r) for r in linked])
        (records, heads), read = both(
            lambda: self._schedules.read_resources(viewer.project_id, linked, records=known is None),
            lambda: self._timelines(viewer.project_id, linked, read_span, Timeline([], [], [])),
        )
        if known is None:
            self._remember(viewer.project_id, list(records.values()))
        else:
            records = {entity_id: record for (_, entity_id), record in known.items()}
        windows = dict(zip(linked, read, strict=True))  # the short entries: the heads come with the resources
        resources = [r for r in (records.get(i) for i in linked) if r and r.doc.get("enabled", True)]
        timelines = {
            r.id: windows[r.id].joined(heads[r.id], read_span.start, read_span.end) for r in resources
        }

        # A window reaching back before what a head keeps of its long entries reads those it pruned.
        def pruned(resource_id: str) -> Timeline:
            head = heads[resource_id]
            return self._schedules.pruned(
                viewer.project_id, resource_id, read_span.start, read_span.end, head
            )

        reaching = [r.id for r in resources if heads[r.id].misses(read_span.start)]
        for resource_id, older in zip(reaching, parallel_map(pruned, reaching), strict=True):
            timelines[resource_id] = timelines[resource_id].merged(older)
        timelines = {resource_id: self._schedules.live(t) for resource_id, t in timelines.items()}
        states = [
            resource_state(r, timelines[r.id], location_id, where, horizon, service.id) for r in resources
        ]
        slots = bookable_slots(
            rules,
            states,
            Span(start, end),
            self._clock(),
            where,
            duration=duration,
            days=days,
            num_resources=num_resources,
            ignore_booking_window=ignore_window,
        )
        shown = slots[(page - 1) * per_page : page * per_page]
        by_id = {r.id: r for r in resources}
        items = [
            _render_slot(s, rules, where, [render(RESOURCE, by_id[i], viewer) for i in s.resource_ids])
            for s in shown
        ]
        return Page(items, len(slots), page, per_page)

    def _linked(self, viewer: Principal, service_id: str, only: str | None) -> list[str]:
        """The ids of the resources associated with the service (just `only`, when asked), in a stable
        order, as remembered or else read. Beside the service itself: an unknown service has none, and is a
        404 anyway."""
        linked = (
            self._memory.recall_linked(viewer.project_id, service_id) if self._memory is not None else None
        )
        if linked is None:
            listed = self._associations.list_associations(viewer.project_id, "service", service_id)
            linked = {a.resource_id for a in listed}
        return sorted(linked if only is None else linked & {only})

    def _recall(self, project_id: str, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Record] | None:
        return self._memory.recall(project_id, wanted) if self._memory is not None else None

    def _remember(self, project_id: str, records: list[Record]) -> None:
        if self._memory is not None:
            self._memory.remember(project_id, records)


def _limit_window(
    start: datetime | None, end: datetime | None, days: int, limit: str, errors: Errors
) -> None:
    """A 422 on `to` for a range longer than one request of the kind may ask for (`limit` names it)."""
    if start is not None and end is not None and end - start > timedelta(days=days):
        errors["to"] = [
            f"The to field must be at most {days} days after from: Kairos' limit on one {limit}; ask for a "
            "longer range in several requests."
        ]


def _page(query: Mapping[str, str], errors: Errors) -> tuple[int, int]:
    try:
        return page_params(query)
    except ValidationFailed as failed:
        errors.update(failed.errors)
        return 1, 100


def _duration(parsed: Duration | None, rules: ServiceRules) -> tuple[timedelta | None, int | None]:
    """`duration` for flexible services (a length) and day services (whole days); ignored for fixed."""
    if parsed is None or isinstance(rules.kind, FixedRules):
        return None, None
    if isinstance(rules.kind, DayRules):
        if parsed.years or parsed.months or parsed.time_part:
            raise ValidationFailed.field(
                "duration", "The duration field must be whole days for a day service."
            )
        return None, parsed.weeks * 7 + parsed.days
    return parsed.nominal(), None


def _span_page(spans: Sequence[Span], where: ZoneInfo | None, page: int, per_page: int) -> Page:
    items = [
        {"starts_at": format_timestamp(s.start, where), "ends_at": format_timestamp(s.end, where)}
        for s in spans[(page - 1) * per_page : page * per_page]
    ]
    return Page(items, len(spans), page, per_page)


def _render_slot(
    slot: Slot, rules: ServiceRules, where: ZoneInfo, resources: list[dict[str, Any]]
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "buffer_starts_at": format_timestamp(slot.buffer_starts_at, where),
        "starts_at": format_timestamp(slot.starts_at, where),
        "ends_at": format_timestamp(slot.ends_at, where),
        "buffer_ends_at": format_timestamp(slot.buffer_ends_at, where),
    }
    if not isinstance(rules.kind, FixedRules):
        assert slot.min_ends_at is not None and slot.min_buffer_ends_at is not None
        values["min_ends_at"] = format_timestamp(slot.min_ends_at, where)
        values["min_buffer_ends_at"] = format_timestamp(slot.min_buffer_ends_at, where)
    values["resources"] = resources
    return values
