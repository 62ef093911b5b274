"""Bookings: create, read, list, replace, patch, delete. A request becomes `Intent`s (the booking as it
would be written, with the resources to check), which `BookingWriter` checks with the slot engine and
commits so that concurrent requests for the last place cannot both succeed (`booking_commit`,
`kairos.storage.booking_store`, docs/bookings.md). The catalogue reads an intent needs (from the warm
instance's memory, or fresh) live in `booking_context`, rendering in `booking_views`, the automatic price
and buffers in `booking_defaults`; what a new booking is planned from, in `inputs`."""

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kairos.domain.bookings import defaults as booking_defaults
from kairos.domain.bookings import holds
from kairos.domain.bookings.context import CatalogueReads, current_ids, known
from kairos.domain.bookings.series_state import KIND as SERIES
from kairos.domain.bookings.series_state import is_shown
from kairos.domain.bookings.views import (
    BOOKING_LIST,
    ID_FIELDS,
    Entities,
    flat,
    listing_owner,
    render_booking,
)
from kairos.domain.bookings.write_checks import check_abilities, check_cancelation
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import Page, select
from kairos.domain.shared.ports import (
    AssociationRepository,
    BookingRepository,
    CatalogueMemory,
    CatalogueRepository,
    ScheduleRepository,
)
from kairos.domain.shared.queries import Errors, raise_if, window
from kairos.domain.shared.records import Booking, Hold, Record, StaleCatalogue
from kairos.errors import TOO_LARGE_WRITE, Conflict, Forbidden, NotFound, Retryable, ValidationFailed
from kairos.parallel import both
from kairos.values.formats import format_timestamp, now_utc, parse_timestamp
from kairos.values.ids import Origin, identity, is_uuid

if TYPE_CHECKING:  # the input models (pydantic) are loaded by the first write: a listing never needs them
    from kairos.domain.bookings.commit import BookingWriter  # so are the rules and the slot engine
    from kairos.domain.bookings.inputs import BookingInput
    from kairos.domain.bookings.intents import Intent
    from kairos.domain.bookings.models import BookingFields, BookingPost, BookingUpdate

FRESH_PLANS = 4  # plans of a create from fresh reads, while a change of its service or location is written
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


class Bookings:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        associations: AssociationRepository,
        schedules: ScheduleRepository,
        store: BookingRepository,
        clock: Callable[[], datetime] = now_utc,
        rng: random.Random | None = None,
        memory: CatalogueMemory | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._associations = associations
        self._memory = memory
        self._store = store
        self._clock = clock
        self._rng = rng or random.Random()
        self._schedules = schedules

    @cached_property
    def writer(self) -> "BookingWriter":  # by the first write: reads load no rules nor slot engine
        from kairos.domain.bookings.commit import BookingWriter

        return BookingWriter(self._store, self._schedules, self._clock, self._rng)

    # --- reading ----------------------------------------------------------------------------------------

    def load(self, viewer: Principal, booking_id: str) -> Booking:
        found = self._store.get(viewer.project_id, booking_id) if is_uuid(booking_id) else None
        if found is None:
            raise NotFound("booking")
        return found

    def get(self, viewer: Principal, booking_id: str) -> dict[str, Any]:
        booking = self.load(viewer, booking_id)
        return render_booking(viewer, booking, self.entities(viewer, [booking], consistent=False))

    def page(self, viewer: Principal, query: Mapping[str, str]) -> Page:
        if not viewer.can("booking:protected_metadata") and any(
            k.startswith("protected_metadata[") for k in query
        ):
            raise Forbidden()
        errors: Errors = {}
        start, end = window(query, errors, required=False)
        raise_if(errors)
        bookings = self._store.list_window(viewer.project_id, listing_owner(query), start, end)
        page = select([flat(b) for b in bookings], query, BOOKING_LIST)
        by_id = {b.id: b for b in bookings}
        shown = [by_id[item["id"]] for item in page.items]
        entities = self.entities(viewer, shown, consistent=False)
        return Page(
            [render_booking(viewer, b, entities) for b in shown], page.total, page.page, page.per_page
        )

    def entities(
        self, viewer: Principal, bookings: Sequence[Booking], groups: bool = True, consistent: bool = True
    ) -> Entities:
        """The records the bookings render with. `consistent=False` for a read (a list, a get): eventually
        consistent, half the read units (docs/bookings.md, "Reading bookings")."""
        wanted: set[tuple[str, str]] = set()
        for b in bookings:
            owners = (("resource", b.resource_id), ("service", b.service_id), ("location", b.location_id))
            wanted |= {(k, i) for k, i in owners if i}
            if groups and b.doc.get("booking_group_id"):
                wanted.add(("booking_group", b.doc["booking_group_id"]))
        records: dict[tuple[str, str], Record] = {}
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 100):
            chunk = ordered[start : start + 100]
            records.update(self._catalogue.get_many(viewer.project_id, chunk, consistent))
        return Entities(records)

    # --- writing one booking ----------------------------------------------------------------------------

    def require_fit(
        self, new: Sequence["BookingFields"], changed: Sequence["BookingFields"], *, group: bool
    ) -> None:
        """Refuses, before any read, a write that cannot fit one transaction (docs/api.md, "limits")."""
        if not self._store.fits([m.span() for m in new], [m.span() for m in changed], group):
            if group:
                raise ValidationFailed.field("bookings", TOO_LARGE_WRITE)
            raise ValidationFailed.field("ends_at", "The booking spans too many days to be written at once.")

    def create(self, viewer: Principal, body: dict[str, Any], origin: Origin | None = None) -> dict[str, Any]:
        from kairos.domain.bookings.models import BookingPost
        from kairos.domain.shared.validation import parse

        model = parse(BookingPost, body)
        self.require_fit([model], [], group=False)
        return self.planned(viewer, lambda reads: self._create(viewer, model, reads, origin))

    def planned(
        self, viewer: Principal, create: Callable[[CatalogueReads], dict[str, Any]]
    ) -> dict[str, Any]:
        """A create (a booking, a series) planned from the catalogue as this instance remembers it when it
        can (its transaction checks what it used); planned again from fresh reads when that moved or would
        refuse it (a refused create wrote nothing)."""
        if self._memory is not None:
            reads = self._reads(recall=True)
            try:
                return create(reads)
            except ValidationFailed:
                if not reads.recalled:
                    raise
            except StaleCatalogue:
                pass
            self._memory.forget(viewer.project_id)
        for _ in range(FRESH_PLANS):
            try:
                return create(self._reads())
            except StaleCatalogue:  # a change of its service or location was written meanwhile, or is
                time.sleep(self._rng.uniform(0, 0.1))  # being written: read them again, a moment later
        from kairos.domain.bookings.commit import CATALOGUE_MOVED

        raise Conflict(CATALOGUE_MOVED)

    def _create(
        self, viewer: Principal, model: "BookingPost", reads: CatalogueReads, origin: Origin | None
    ) -> dict[str, Any]:
        intent = self.intent_for_create(viewer, model, None, reads=reads, origin=origin)
        changes = self.writer.commit(viewer, [intent])
        booking = changes[0].after
        assert booking is not None
        return render_booking(viewer, booking, known(intent, booking))  # no second read for what we loaded

    def _reads(self, *, recall: bool = False) -> CatalogueReads:
        return CatalogueReads(self._catalogue, self._associations, self._store, self._memory, recall=recall)

    def replace(self, viewer: Principal, booking_id: str, body: dict[str, Any]) -> dict[str, Any]:
        from kairos.domain.bookings.models import BookingPut
        from kairos.domain.shared.validation import parse

        return self._update(viewer, booking_id, parse(BookingPut, body), full=True)

    def patch(self, viewer: Principal, booking_id: str, body: dict[str, Any]) -> dict[str, Any]:
        from kairos.domain.bookings.models import BookingPatch
        from kairos.domain.shared.validation import parse

        return self._update(viewer, booking_id, parse(BookingPatch, body), full=False)

    def _update(
        self, viewer: Principal, booking_id: str, model: "BookingUpdate", *, full: bool
    ) -> dict[str, Any]:
        from kairos.domain.bookings.commit import ATTEMPTS

        self.require_fit([], [model], group=False)
        for _ in range(ATTEMPTS):
            before = self.load(viewer, booking_id)
            self._require_settled(viewer, before)
            try:
                changes = self.writer.commit(
                    viewer, [self.intent_for_update(viewer, before, model, full=full)]
                )
            except Conflict:  # the booking itself changed under us: start from its new state
                continue
            except holds.HoldExpired as expired:  # said only once no write can keep its place any more
                if not self.writer.release(viewer, expired.booking):
                    continue
                raise
            after = changes[0].after
            assert after is not None
            return render_booking(viewer, after, self.entities(viewer, [after]))
        raise Retryable("The booking is being changed by other requests; try again.")

    def delete(self, viewer: Principal, booking_id: str, *, only_hold: bool = False) -> None:
        """`only_hold`: only while a hold, on the version read (one finalized meanwhile is kept)."""
        from kairos.domain.bookings.commit import ATTEMPTS
        from kairos.domain.bookings.intents import Intent

        for _ in range(ATTEMPTS):  # a conflict means the booking changed: read it again
            before = self.load(viewer, booking_id)
            if only_hold and not before.doc.get("is_temporary"):
                return
            self._require_settled(viewer, before)
            try:
                self.writer.commit(viewer, [Intent(before, None)])
            except Conflict:
                continue
            return
        raise Retryable("The booking is being changed by other requests; try again.")

    def _require_settled(self, viewer: Principal, booking: Booking) -> None:
        """A booking of a series still being written is not changed nor deleted: the series may yet take it
        back (docs/booking-series.md, "All or nothing"). A series once shown stays so, so the read decides."""
        series_id = booking.doc.get("booking_series_id")
        if series_id and not is_shown(self._catalogue.get(viewer.project_id, SERIES, series_id)):
            raise Conflict("The booking's series is still being written; try again.")

    # --- intents ----------------------------------------------------------------------------------------

    def intent_for_create(
        self,
        viewer: Principal,
        model: "BookingInput",
        group_id: str | None,
        prefix: str = "",
        reads: CatalogueReads | None = None,
        origin: Origin | None = None,
    ) -> "Intent":
        reads = reads or self._reads()
        sent = model.sent()
        check_abilities(viewer, model, sent)
        now = self._clock()
        service_id, resource_id = sent.get("service_id"), sent.get("resource_id")
        ids = {name: sent.get(name) for name in ID_FIELDS}
        starts, ends = parse_timestamp(sent["starts_at"]), parse_timestamp(sent["ends_at"])
        if service_id and resource_id:
            entities, linked = reads.named(viewer, ids, prefix, Hold(resource_id, starts, ends), service_id)
        else:
            entities, linked = both(  # independent reads, at once
                lambda: reads.context(viewer, ids, prefix),
                lambda: reads.linked(viewer.project_id, service_id) if service_id else set[str](),
            )
        service, location = (
            entities.get("service", sent["service_id"]),
            entities.get("location", sent["location_id"]),
        )
        buffer_starts, buffer_ends = booking_defaults.buffers(
            service, starts, ends, sent, model.flags(), prefix
        )
        doc = {
            "booking_group_id": group_id,
            "price": sent["price"]
            if "price" in sent
            else booking_defaults.price(service, location, starts, ends),
            "metadata": model.metadata,
            "protected_metadata": model.protected_metadata,
            "is_temporary": model.is_temporary,
            "finalized_at": None if model.is_temporary else format_timestamp(now),
            "canceled_at": None,
            "expires_at": holds.expiry_on_create(viewer, sent, model.is_temporary, now, prefix),
        }
        if origin is not None:  # a migrated booking: as it was finalized and canceled where it came from
            for name in ("finalized_at", "canceled_at"):
                when = getattr(origin, name)
                doc[name] = format_timestamp(when) if when else None
        booking_id, created, updated = identity(origin, now)
        proposal = Booking(
            id=booking_id,
            resource_id=sent.get("resource_id"),
            service_id=sent["service_id"],
            location_id=sent["location_id"],
            starts_at=starts,
            ends_at=ends,
            buffer_starts_at=buffer_starts,
            buffer_ends_at=buffer_ends,
            doc=doc,
            created_at=created,
            updated_at=updated,
            is_canceled=bool(origin and origin.canceled_at),
        )
        return reads.checked_intent(
            viewer, None, proposal, service, location, model.flags(), prefix, entities, linked
        )

    def intent_for_update(
        self, viewer: Principal, before: Booking, model: "BookingUpdate", *, full: bool, prefix: str = ""
    ) -> "Intent":
        from kairos.domain.bookings.intents import Intent

        sent = model.sent()
        check_abilities(viewer, model, sent)
        if full and "protected_metadata" not in sent and not viewer.can("booking:protected_metadata"):
            sent["protected_metadata"] = before.doc.get("protected_metadata")
        now = self._clock()
        ids = {name: sent.get(name, getattr(before, name)) for name in ID_FIELDS}
        entities = (reads := self._reads()).context(viewer, ids, prefix, before=before)
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
        buffer_starts, buffer_ends = booking_defaults.buffers_on_update(
            service, before, (starts, ends), sent, model.flags(), prefix, moved=moved or full
        )
        doc = dict(before.doc)
        for name in ("metadata", "protected_metadata"):
            if name in sent or full:
                doc[name] = sent.get(name)
        repriced = ids["service_id"] != before.service_id or moved or full
        if "price" in sent:
            doc["price"] = sent["price"]
        elif repriced and service is not None:
            doc["price"] = booking_defaults.price(service, location, starts, ends)
        temporary = sent.get("is_temporary", False if full else doc.get("is_temporary", False))
        canceled = sent.get("is_canceled", False if full else before.is_canceled)
        doc["expires_at"] = holds.expiry_on_update(viewer, before, sent, (temporary, canceled), now, prefix)
        if temporary and not doc.get("is_temporary"):  # temporary again: unfinalized until finalized again
            doc["finalized_at"] = None
        elif doc.get("is_temporary") and not temporary:
            doc["finalized_at"] = format_timestamp(now)
        doc["is_temporary"] = temporary
        if canceled and not before.is_canceled:
            check_cancelation(service, before, model.flags(), prefix, self._clock())
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
        current = {**{f: getattr(before, f) for f in CHECKED_FIELDS}, **current_ids(before, entities)}
        changed = any(getattr(after, f) != current[f] for f in CHECKED_FIELDS)
        if not changed or after.is_canceled:
            return Intent(before, after, service, location, prefix=prefix)
        linked = (
            reads.linked(viewer.project_id, service.id)
            if service is not None and location is not None
            else set[str]()
        )
        return reads.checked_intent(
            viewer, before, after, service, location, model.flags(), prefix, entities, linked
        )
