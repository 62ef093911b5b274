"""Bookings: create, read, list, replace, patch, delete, with every rule of the bookable-slots listing
checked again for the exact interval by the same engine, and written so that concurrent requests for the
last place cannot both succeed (see `kairos.storage.booking_store` and docs/bookings.md).

A write is planned as a list of `BookingChange`s (one for a booking, several for a group) and committed in
one transaction. The plan is made from state read in a fixed order (ledger versions, then timelines), and
the transaction conditions on those versions: when another write got in between, the plan is made again.
"""

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from kairos.domain.auth import Principal
from kairos.domain.availability import resource_state
from kairos.domain.booking_models import BookingPatch, BookingPost, BookingPut, _BookingFields
from kairos.domain.catalogue import LOCATION, RESOURCE, SERVICE, render
from kairos.domain.errors import Conflict, Forbidden, NotFound, Retryable, ValidationFailed
from kairos.domain.formats import (
    Duration,
    format_price,
    format_timestamp,
    now_utc,
    parse_duration,
    parse_timestamp,
    zone,
)
from kairos.domain.ids import is_uuid, new_id
from kairos.domain.listing import FieldType, ListSpec, Page, select
from kairos.domain.parallel import parallel_map
from kairos.domain.ports import (
    AssociationRepository,
    BookingRepository,
    CatalogueRepository,
    ScheduleRepository,
)
from kairos.domain.queries import Errors, raise_if, window
from kairos.domain.records import Booking, BookingChange, GroupChange, Hold, LedgerState, Record, Timeline
from kairos.domain.validation import parse
from kairos.scheduling.engine import Violation, check_booking
from kairos.scheduling.model import FixedRules, ServiceRules, Span
from kairos.scheduling.rules import rules_from_service

ATTEMPTS = 12
DAY = timedelta(days=1)
UTC_ZONE = ZoneInfo("UTC")
VIOLATION_MESSAGES = {
    Violation.SCHEDULE: "The resource is not available at this time.",
    Violation.FULLY_BOOKED: "The resource is fully booked at this time.",
    Violation.BOOKABLE_SLOT: "The booking does not match a bookable slot.",
    Violation.BOOKING_WINDOW: "The booking is outside the service's booking window.",
}
# Fields whose change makes a PUT or PATCH check availability again (Hapio's rule).
CHECKED_FIELDS = (
    "starts_at",
    "ends_at",
    "buffer_starts_at",
    "buffer_ends_at",
    "resource_id",
    "service_id",
    "location_id",
    "is_canceled",
)
BOOKING_FIELDS = (
    "id",
    "resource_id",
    "resource",
    "service_id",
    "service",
    "location_id",
    "location",
    "booking_group_id",
    "booking_group",
    "price",
    "metadata",
    "protected_metadata",
    "is_temporary",
    "is_canceled",
    "starts_at",
    "ends_at",
    "buffer_starts_at",
    "buffer_ends_at",
    "created_at",
    "updated_at",
    "finalized_at",
    "canceled_at",
)
_TIMES = ("starts_at", "ends_at", "buffer_starts_at", "buffer_ends_at", "created_at", "updated_at")
BOOKING_LIST = ListSpec(
    bracket_fields={
        "price": FieldType.PRICE,
        **{name: FieldType.TIMESTAMP for name in (*_TIMES, "finalized_at", "canceled_at")},
        "metadata": FieldType.JSON,
        "protected_metadata": FieldType.JSON,
    },
    sort_keys=_TIMES,
    plain_filters={
        "resource": lambda item, value: item["resource_id"] == value,
        "service": lambda item, value: item["service_id"] == value,
        "location": lambda item, value: item["location_id"] == value,
    },
    tri_state={
        "temporary": lambda item: bool(item["is_temporary"]),
        "canceled": lambda item: bool(item["is_canceled"]),
    },
    default_sort=(("starts_at", False), ("id", False)),
)


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


@dataclass(frozen=True)
class Entities:
    """Everything a booking renders with, read in one round trip."""

    records: dict[tuple[str, str], Record]

    def get(self, kind: str, entity_id: str | None) -> Record | None:
        return self.records.get((kind, entity_id)) if entity_id else None


class Bookings:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        associations: AssociationRepository,
        schedules: ScheduleRepository,
        store: BookingRepository,
        clock: Callable[[], datetime] = now_utc,
        rng: random.Random | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._associations = associations
        self._schedules = schedules
        self._store = store
        self._clock = clock
        self._rng = rng or random.Random()

    # --- reading ----------------------------------------------------------------------------------------

    def load(self, viewer: Principal, booking_id: str) -> Booking:
        found = self._store.get(viewer.project_id, booking_id) if is_uuid(booking_id) else None
        if found is None:
            raise NotFound("booking")
        return found

    def get(self, viewer: Principal, booking_id: str) -> dict[str, Any]:
        booking = self.load(viewer, booking_id)
        return self.render(viewer, booking, self.entities(viewer, [booking]))

    def page(self, viewer: Principal, query: Mapping[str, str]) -> Page:
        if not viewer.can("booking:protected_metadata") and any(
            k.startswith("protected_metadata[") for k in query
        ):
            raise Forbidden()
        errors: Errors = {}
        start, end = window(query, errors, required=False)
        raise_if(errors)
        bookings = [
            b
            for b in self._store.list_ending_after(viewer.project_id, start)
            if end is None or b.starts_at < end
        ]
        page = select([self.flat(b) for b in bookings], query, BOOKING_LIST)
        by_id = {b.id: b for b in bookings}
        shown = [by_id[item["id"]] for item in page.items]
        entities = self.entities(viewer, shown)
        return Page([self.render(viewer, b, entities) for b in shown], page.total, page.page, page.per_page)

    @staticmethod
    def flat(booking: Booking) -> dict[str, Any]:
        """The fields lists filter and sort on (instants as UTC text; the order of time is kept)."""
        return {
            **booking.doc,
            "id": booking.id,
            "resource_id": booking.resource_id,
            "service_id": booking.service_id,
            "location_id": booking.location_id,
            "starts_at": format_timestamp(booking.starts_at),
            "ends_at": format_timestamp(booking.ends_at),
            "buffer_starts_at": format_timestamp(booking.buffer_starts_at),
            "buffer_ends_at": format_timestamp(booking.buffer_ends_at),
            "created_at": format_timestamp(booking.created_at),
            "updated_at": format_timestamp(booking.updated_at),
            "is_canceled": booking.is_canceled,
        }

    def entities(self, viewer: Principal, bookings: Sequence[Booking], groups: bool = True) -> Entities:
        wanted: set[tuple[str, str]] = set()
        for b in bookings:
            wanted |= {
                (k, i)
                for k, i in (
                    ("resource", b.resource_id),
                    ("service", b.service_id),
                    ("location", b.location_id),
                )
                if i
            }
            if groups and b.doc.get("booking_group_id"):
                wanted.add(("booking_group", b.doc["booking_group_id"]))
        records: dict[tuple[str, str], Record] = {}
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 100):
            records.update(self._catalogue.get_many(viewer.project_id, ordered[start : start + 100]))
        return Entities(records)

    def render(
        self, viewer: Principal, booking: Booking, entities: Entities, *, embedded: bool = False
    ) -> dict[str, Any]:
        """The booking as the API shows it; ids of deleted entities, and their objects, are null."""
        resource = entities.get("resource", booking.resource_id)
        service = entities.get("service", booking.service_id)
        location = entities.get("location", booking.location_id)
        where = zone(location.doc["time_zone"]) if location else UTC_ZONE
        group = entities.get("booking_group", booking.doc.get("booking_group_id"))
        doc = booking.doc
        values: dict[str, Any] = {
            "id": booking.id,
            "resource_id": resource.id if resource else None,
            "resource": render(RESOURCE, resource, viewer) if resource else None,
            "service_id": service.id if service else None,
            "service": render(SERVICE, service, viewer) if service else None,
            "location_id": location.id if location else None,
            "location": render(LOCATION, location, viewer) if location else None,
            "price": doc.get("price"),
            "metadata": doc.get("metadata"),
            "protected_metadata": doc.get("protected_metadata"),
            "is_temporary": bool(doc.get("is_temporary")),
            "is_canceled": booking.is_canceled,
            "starts_at": format_timestamp(booking.starts_at, where),
            "ends_at": format_timestamp(booking.ends_at, where),
            "buffer_starts_at": format_timestamp(booking.buffer_starts_at, where),
            "buffer_ends_at": format_timestamp(booking.buffer_ends_at, where),
            "created_at": format_timestamp(booking.created_at),
            "updated_at": format_timestamp(booking.updated_at),
            "finalized_at": doc.get("finalized_at"),
            "canceled_at": doc.get("canceled_at"),
        }
        if not embedded:
            values["booking_group_id"] = group.id if group else None
            values["booking_group"] = _group_summary(group, viewer) if group else None
        if not viewer.can("booking:protected_metadata"):
            values.pop("protected_metadata")
        return {f: values[f] for f in BOOKING_FIELDS if f in values}

    # --- writing one booking ----------------------------------------------------------------------------

    def create(self, viewer: Principal, body: dict[str, Any], group_id: str | None = None) -> dict[str, Any]:
        intent = self.intent_for_create(viewer, parse(BookingPost, body), group_id)
        changes = self.commit(viewer, [intent])
        booking = changes[0].after
        assert booking is not None
        if group_id is not None:
            return self.render(viewer, booking, self.entities(viewer, [booking]))
        return self.render(viewer, booking, _known(intent, booking))  # no second read for what we loaded

    def replace(self, viewer: Principal, booking_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._update(viewer, booking_id, parse(BookingPut, body), full=True)

    def patch(self, viewer: Principal, booking_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._update(viewer, booking_id, parse(BookingPatch, body), full=False)

    def _update(
        self, viewer: Principal, booking_id: str, model: _BookingFields, *, full: bool
    ) -> dict[str, Any]:
        for _ in range(ATTEMPTS):
            before = self.load(viewer, booking_id)
            intent = self.intent_for_update(viewer, before, model, full=full)
            try:
                changes = self.commit(viewer, [intent])
            except Conflict:  # the booking itself changed under us: start from its new state
                continue
            after = changes[0].after
            assert after is not None
            return self.render(viewer, after, self.entities(viewer, [after]))
        raise Retryable("The booking is being changed by other requests; try again.")

    def delete(self, viewer: Principal, booking_id: str) -> None:
        for _ in range(ATTEMPTS):  # a conflict means the booking changed: read it again
            before = self.load(viewer, booking_id)
            try:
                self.commit(viewer, [Intent(before, None)])
            except Conflict:
                continue
            return
        raise Retryable("The booking is being changed by other requests; try again.")

    # --- intents ----------------------------------------------------------------------------------------

    def intent_for_create(
        self, viewer: Principal, model: _BookingFields, group_id: str | None, prefix: str = ""
    ) -> Intent:
        sent = model.sent()
        _check_abilities(viewer, model, sent, prefix)
        now = self._clock()
        entities = self._context(
            viewer, sent.get("service_id"), sent.get("location_id"), sent.get("resource_id"), prefix
        )
        service, location = (
            entities.get("service", sent["service_id"]),
            entities.get("location", sent["location_id"]),
        )
        starts, ends = parse_timestamp(sent["starts_at"]), parse_timestamp(sent["ends_at"])
        buffer_starts, buffer_ends = _buffers(service, starts, ends, sent, model.flags(), prefix)
        doc = {
            "booking_group_id": group_id,
            "price": sent["price"] if "price" in sent else _price(service, location, starts, ends),
            "metadata": model.metadata,
            "protected_metadata": model.protected_metadata,
            "is_temporary": model.is_temporary,
            "finalized_at": None if model.is_temporary else format_timestamp(now),
            "canceled_at": None,
        }
        proposal = Booking(
            id=new_id(),
            resource_id=sent.get("resource_id"),
            service_id=sent["service_id"],
            location_id=sent["location_id"],
            starts_at=starts,
            ends_at=ends,
            buffer_starts_at=buffer_starts,
            buffer_ends_at=buffer_ends,
            doc=doc,
            created_at=now,
            updated_at=now,
        )
        return self._checked_intent(viewer, None, proposal, service, location, model.flags(), prefix)

    def intent_for_update(
        self, viewer: Principal, before: Booking, model: _BookingFields, *, full: bool, prefix: str = ""
    ) -> Intent:
        sent = model.sent()
        _check_abilities(viewer, model, sent, prefix)
        if full and "protected_metadata" not in sent and not viewer.can("booking:protected_metadata"):
            sent["protected_metadata"] = before.doc.get("protected_metadata")
        now = self._clock()
        ids = {
            name: sent.get(name, getattr(before, name))
            for name in ("resource_id", "service_id", "location_id")
        }
        entities = self._context(
            viewer, ids["service_id"], ids["location_id"], ids["resource_id"], prefix, before=before
        )
        service, location = (
            entities.get("service", ids["service_id"]),
            entities.get("location", ids["location_id"]),
        )
        if service is None:
            ids["service_id"] = None
        if location is None:
            ids["location_id"] = None
        if entities.get("resource", ids["resource_id"]) is None:
            ids["resource_id"] = None
        starts = parse_timestamp(sent["starts_at"]) if "starts_at" in sent else before.starts_at
        ends = parse_timestamp(sent["ends_at"]) if "ends_at" in sent else before.ends_at
        if ends <= starts:
            raise ValidationFailed.field(f"{prefix}ends_at", "The ends_at must be a date after starts_at.")
        moved = starts != before.starts_at or ends != before.ends_at
        keep = {k: v for k, v in sent.items() if k in ("buffer_starts_at", "buffer_ends_at")}
        if not moved and not full:
            keep = {
                "buffer_starts_at": before.buffer_starts_at.isoformat(),
                "buffer_ends_at": before.buffer_ends_at.isoformat(),
                **keep,
            }
        buffer_starts, buffer_ends = _buffers(service, starts, ends, keep, model.flags(), prefix)
        doc = dict(before.doc)
        for name in ("metadata", "protected_metadata"):
            if name in sent or full:
                doc[name] = sent.get(name)
        repriced = ids["service_id"] != before.service_id or moved or full
        if "price" in sent:
            doc["price"] = sent["price"]
        elif repriced and service is not None:
            doc["price"] = _price(service, location, starts, ends)
        temporary = sent.get("is_temporary", False if full else doc.get("is_temporary", False))
        if temporary and not doc.get("is_temporary"):
            raise ValidationFailed.field(
                f"{prefix}is_temporary", "A finalized booking cannot become temporary again."
            )
        if doc.get("is_temporary") and not temporary:
            doc["finalized_at"] = format_timestamp(now)
        doc["is_temporary"] = temporary
        canceled = sent.get("is_canceled", False if full else before.is_canceled)
        if canceled and not before.is_canceled:
            self._check_cancelation(service, before, model.flags(), prefix)
            doc["canceled_at"] = format_timestamp(now)
        elif not canceled:
            doc["canceled_at"] = None
        after = replace(
            before,
            resource_id=ids["resource_id"],
            service_id=ids["service_id"],
            location_id=ids["location_id"],
            starts_at=starts,
            ends_at=ends,
            buffer_starts_at=buffer_starts,
            buffer_ends_at=buffer_ends,
            doc=doc,
            updated_at=now,
            is_canceled=canceled,
            version=before.version + 1,
        )
        changed = any(_value(after, f) != _value(before, f) for f in CHECKED_FIELDS)
        if not changed or after.is_canceled:
            return Intent(before, after, service, location, prefix=prefix)
        return self._checked_intent(viewer, before, after, service, location, model.flags(), prefix)

    def _check_cancelation(
        self, service: Record | None, booking: Booking, flags: set[str], prefix: str
    ) -> None:
        if service is None or "ignore_cancelation_threshold" in flags:
            return
        threshold = parse_duration(service.doc.get("cancelation_threshold", "PT0S")).nominal()
        if booking.starts_at - self._clock() < threshold:
            raise ValidationFailed.field(
                f"{prefix}is_canceled",
                "The booking can no longer be canceled: it is inside the cancelation threshold.",
            )

    def _context(
        self,
        viewer: Principal,
        service_id: str | None,
        location_id: str | None,
        resource_id: str | None,
        prefix: str,
        before: Booking | None = None,
    ) -> Entities:
        """The service, location and resource in one read; an unknown id the request sent is a 422."""
        wanted = [
            (k, i)
            for k, i in (("service", service_id), ("location", location_id), ("resource", resource_id))
            if i
        ]
        found = Entities(self._catalogue.get_many(viewer.project_id, wanted) if wanted else {})
        errors: Errors = {}
        for kind, entity_id in wanted:
            kept_deleted = before is not None and getattr(before, f"{kind}_id") == entity_id
            record = found.get(kind, entity_id)
            if record is None and not kept_deleted:
                errors[f"{prefix}{kind}_id"] = [f"The selected {kind}_id is invalid."]
            elif record is not None and not record.doc.get("enabled", True):
                errors[f"{prefix}{kind}_id"] = [f"The selected {kind} is disabled."]
        raise_if(errors)
        return found

    def _checked_intent(
        self,
        viewer: Principal,
        before: Booking | None,
        proposal: Booking,
        service: Record | None,
        location: Record | None,
        flags: set[str],
        prefix: str,
    ) -> Intent:
        """An intent whose resource (given, or to choose by the location's strategy) must pass the checks."""
        if location is None:
            return Intent(before, proposal, service, location, flags=flags, prefix=prefix)
        linked = set()
        if service is not None:
            linked = {
                a.resource_id
                for a in self._associations.list_associations(viewer.project_id, "service", service.id)
            }
        if proposal.resource_id is not None:
            if service is not None and proposal.resource_id not in linked:
                raise ValidationFailed.field(
                    f"{prefix}resource_id", "The selected resource does not perform this service."
                )
            ids = [proposal.resource_id]
        else:
            ids = sorted(linked)
        found = self._catalogue.get_many(viewer.project_id, [("resource", i) for i in ids]) if ids else {}
        candidates = [found[("resource", i)] for i in ids if ("resource", i) in found]
        candidates = [r for r in candidates if r.doc.get("enabled", True)]
        if not candidates:
            raise ValidationFailed.field(f"{prefix}resource_id", "No resource performs this service.")
        strategy = location.doc.get("resource_selection_strategy", "randomize")
        return Intent(before, proposal, service, location, candidates, flags, True, strategy, prefix)

    # --- committing -------------------------------------------------------------------------------------

    def commit(
        self, viewer: Principal, intents: list[Intent], group: GroupChange | None = None
    ) -> list[BookingChange]:
        """Checks and writes the intents together, planning again whenever another write got in first."""
        delay = 0.01
        for _ in range(ATTEMPTS):
            seen, timelines = self._read(viewer, intents)
            changes = self._plan(intents, seen, timelines)
            try:
                self._store.commit(viewer.project_id, changes, seen, group)
            except (Conflict, Retryable):
                if any(i.before is not None for i in intents) or (
                    group is not None and group.before is not None
                ):
                    raise Conflict("The booking changed while it was being written.") from None  # reload it
                time.sleep(self._rng.uniform(0, delay))
                delay = min(delay * 2, 0.2)
                continue
            return changes
        raise Retryable("The resource is busy with other bookings; try again.")

    def _read(self, viewer: Principal, intents: list[Intent]) -> tuple[LedgerState, dict[str, Timeline]]:
        """Ledger versions first, timelines second: a write that lands after the versions were read moves
        them, and then our transaction is refused (see docs/bookings.md)."""
        holds: list[Hold] = []
        spans: dict[str, list[Span]] = {}
        for intent in intents:
            for booking in (intent.before, None if intent.checked else intent.proposal):
                if booking is not None and booking.holds_capacity and booking.resource_id is not None:
                    holds.append(Hold(booking.resource_id, booking.buffer_starts_at, booking.buffer_ends_at))
            if intent.proposal is None:
                continue
            buffer = Span(intent.proposal.buffer_starts_at, intent.proposal.buffer_ends_at)
            for resource in intent.candidates:
                holds.append(Hold(resource.id, buffer.start, buffer.end))
                spans.setdefault(resource.id, []).extend(
                    [buffer, _local_day(intent.proposal, intent.location)]
                )
        checked = {r.id for i in intents if i.checked for r in i.candidates}
        seen = self._store.read_ledgers(viewer.project_id, holds, checked)

        def timeline(resource_id: str) -> Timeline:
            needed = spans[resource_id]
            start, end = min(s.start for s in needed) - DAY, max(s.end for s in needed) + DAY
            return self._schedules.timeline(viewer.project_id, resource_id, start, end)

        resource_ids = sorted(spans)
        return seen, dict(zip(resource_ids, parallel_map(timeline, resource_ids), strict=True))

    def _plan(
        self, intents: list[Intent], seen: LedgerState, timelines: dict[str, Timeline]
    ) -> list[BookingChange]:
        replaced = {i.before.id for i in intents if i.before is not None}
        added: dict[str, list[Span]] = {}
        booked: dict[str, list[tuple[datetime, datetime]]] = {}
        changes: list[BookingChange] = []
        for intent in intents:
            proposal = intent.proposal
            if proposal is None or not intent.checked:
                changes.append(BookingChange(intent.before, proposal, guarded=False))
                continue
            assert intent.location is not None
            where = zone(intent.location.doc["time_zone"])
            failures: dict[str, list[Violation]] = {}
            passing: list[Record] = []
            for resource in intent.candidates:
                violations = self._violations(
                    intent, resource, timelines[resource.id], replaced, added, where
                )
                if violations:
                    failures[resource.id] = violations
                else:
                    passing.append(resource)
            if not passing:
                raise _refusal(intent, failures)
            chosen = self._choose(intent, passing, timelines, replaced, booked, where)
            after = replace(proposal, resource_id=chosen.id)
            added.setdefault(chosen.id, []).append(Span(after.buffer_starts_at, after.buffer_ends_at))
            booked.setdefault(chosen.id, []).append((after.starts_at, after.ends_at))
            changes.append(BookingChange(intent.before, after, guarded=True))
        return changes

    def _violations(
        self,
        intent: Intent,
        resource: Record,
        timeline: Timeline,
        replaced: set[str],
        added: dict[str, list[Span]],
        where: ZoneInfo,
    ) -> list[Violation]:
        proposal = intent.proposal
        assert proposal is not None and intent.location is not None
        others = Timeline(
            timeline.recurring, timeline.blocks, [b for b in timeline.bookings if b.id not in replaced]
        )
        horizon = Span(proposal.buffer_starts_at - DAY, proposal.buffer_ends_at + DAY)
        state = resource_state(resource, others, intent.location.id, where, horizon)
        state = replace(state, busy=tuple(sorted([*state.busy, *added.get(resource.id, [])])))
        flags = intent.flags
        rules = (
            rules_from_service(intent.service.doc) if intent.service is not None else _bare_rules(proposal)
        )
        return check_booking(
            rules,
            state,
            proposal.starts_at,
            proposal.ends_at,
            proposal.buffer_starts_at,
            proposal.buffer_ends_at,
            self._clock(),
            where,
            ignore_schedule="ignore_schedule" in flags,
            ignore_fully_booked="ignore_fully_booked" in flags,
            ignore_bookable_slots="ignore_bookable_slots" in flags or intent.service is None,
            ignore_booking_window="ignore_booking_window" in flags or intent.service is None,
        )

    def _choose(
        self,
        intent: Intent,
        passing: list[Record],
        timelines: dict[str, Timeline],
        replaced: set[str],
        booked: dict[str, list[tuple[datetime, datetime]]],
        where: ZoneInfo,
    ) -> Record:
        """The location's strategy, applied only when the request named no resource."""
        if len(passing) == 1 or intent.proposal is None:
            return passing[0]
        if intent.strategy == "prioritize":
            assert intent.location is not None
            priority = intent.location.doc.get("resource_selection_priority") or []
            rank = {resource_id: n for n, resource_id in enumerate(priority)}
            return min(passing, key=lambda r: (rank.get(r.id, len(rank)), r.id))
        if intent.strategy == "equalize":
            day = _local_day(intent.proposal, intent.location)

            def booked_time(resource: Record) -> timedelta:
                spans = [
                    (b.starts_at, b.ends_at) for b in timelines[resource.id].bookings if b.id not in replaced
                ]
                spans += booked.get(resource.id, [])
                return sum(
                    (max(timedelta(0), min(e, day.end) - max(s, day.start)) for s, e in spans), timedelta(0)
                )

            least = min(booked_time(r) for r in passing)
            passing = [r for r in passing if booked_time(r) == least]
        return self._rng.choice(passing)


def _known(intent: Intent, booking: Booking) -> Entities:
    """The entities an intent already loaded, for rendering the booking it wrote."""
    records = [
        intent.service,
        intent.location,
        *(r for r in intent.candidates if r.id == booking.resource_id),
    ]
    return Entities({(r.kind, r.id): r for r in records if r is not None})


def _bare_rules(booking: Booking) -> ServiceRules:
    """Rules for a booking whose service was deleted: only schedule and capacity can still be checked."""
    zero = Duration("PT0S")
    return ServiceRules(
        FixedRules(booking.ends_at - booking.starts_at, None), timedelta(0), timedelta(0), zero, None
    )


def _local_day(booking: Booking, location: Record | None) -> Span:
    where = zone(location.doc["time_zone"]) if location else UTC_ZONE
    local = booking.starts_at.astimezone(where)
    start = datetime(local.year, local.month, local.day, tzinfo=where)
    end = start.date() + DAY
    return Span(start, datetime(end.year, end.month, end.day, tzinfo=where))


def _refusal(intent: Intent, failures: dict[str, list[Violation]]) -> ValidationFailed:
    field_name = f"{intent.prefix}starts_at"
    if intent.proposal is not None and intent.proposal.resource_id is not None:
        reasons = failures.get(intent.proposal.resource_id, [])
        return ValidationFailed({field_name: [VIOLATION_MESSAGES[v] for v in reasons]})
    seen = sorted({v for found in failures.values() for v in found}, key=list(Violation).index)
    return ValidationFailed(
        {field_name: ["No resource is available for this booking.", *(VIOLATION_MESSAGES[v] for v in seen)]}
    )


def _value(booking: Booking, name: str) -> Any:
    return getattr(booking, name)


def _check_abilities(viewer: Principal, model: _BookingFields, sent: Mapping[str, Any], prefix: str) -> None:
    for flag in model.flags():
        viewer.require(f"booking:{flag}")
    if "protected_metadata" in sent:
        viewer.require("booking:protected_metadata")


def _buffers(
    service: Record | None,
    starts: datetime,
    ends: datetime,
    sent: Mapping[str, Any],
    flags: set[str],
    prefix: str,
) -> tuple[datetime, datetime]:
    """The service's buffers, unless the request sets its own, which then need `ignore_bookable_slots`."""
    before = parse_duration(service.doc["buffer_time_before"]).nominal() if service else timedelta(0)
    after = parse_duration(service.doc["buffer_time_after"]).nominal() if service else timedelta(0)
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


def _price(service: Record | None, location: Record | None, starts: datetime, ends: datetime) -> str | None:
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
    where = zone(location.doc["time_zone"]) if location else UTC_ZONE
    first, last = starts.astimezone(where), ends.astimezone(where)
    days = (last.date() - first.date()).days + (1 if last.time() > first.time() else 0)
    return format_price(rate * max(days, 1))


def _group_summary(group: Record, viewer: Principal) -> dict[str, Any]:
    values = {
        "id": group.id,
        "metadata": group.doc.get("metadata"),
        "protected_metadata": group.doc.get("protected_metadata"),
        "created_at": format_timestamp(group.created_at),
        "updated_at": format_timestamp(group.updated_at),
    }
    if not viewer.can("booking_group:protected_metadata") and not viewer.can(
        "booking_group:read_protected_metadata"
    ):
        values.pop("protected_metadata")
    return values
