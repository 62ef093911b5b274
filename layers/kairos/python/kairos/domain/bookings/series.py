"""Booking series (Kairos): a booking repeated by a recurrence rule in the location's wall time, written
all or nothing (or only where it fits), given metadata and canceled from a date on (docs/booking-series.md;
reading one, and the list, is `series_reads`). The occurrences are normal bookings, checked and written by
the booking writer (`series_commit`); their rules, abilities and events are the bookings' own."""

import random
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kairos.domain.bookings import defaults as booking_defaults
from kairos.domain.bookings.bookings import Bookings
from kairos.domain.bookings.commit import ATTEMPTS
from kairos.domain.bookings.context import CatalogueReads
from kairos.domain.bookings.explain import SlotExplainer
from kairos.domain.bookings.intents import Intent
from kairos.domain.bookings.models import BookingPost
from kairos.domain.bookings.recurrence import Recurrence, occurrences, parse_recurrence
from kairos.domain.bookings.series_commit import SeriesWriter
from kairos.domain.bookings.series_models import SeriesInput, SeriesPatch
from kairos.domain.bookings.series_reads import SeriesReads, render_series
from kairos.domain.bookings.series_state import KIND, PENDING
from kairos.domain.bookings.views import Entities
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.fields import Metadata
from kairos.domain.shared.ports import BookingRepository, CatalogueRepository
from kairos.domain.shared.records import GroupChange, Record
from kairos.domain.shared.validation import parse
from kairos.errors import Conflict, Retryable, ValidationFailed
from kairos.parallel import parallel_map
from kairos.values.formats import format_timestamp, now_utc, parse_timestamp, stored_duration, zone
from kairos.values.ids import new_id

CANCEL_CHUNK = 40  # bookings canceled a transaction: each is its item and its hold's


class BookingSeries:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        store: BookingRepository,
        bookings: Bookings,
        explainer: SlotExplainer,
        reads: SeriesReads,
        clock: Callable[[], datetime] = now_utc,
        rng: random.Random | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._bookings = bookings
        self._explainer = explainer
        self._reads = reads
        self._clock = clock
        self._rng = rng or random.Random()

    def create(self, viewer: Principal, body: dict[str, Any]) -> dict[str, Any]:
        model = parse(SeriesInput, body)
        rule = parse_recurrence(model.recurrence)
        if model.is_temporary:
            raise ValidationFailed.field(
                "is_temporary", "A booking series holds confirmed bookings: is_temporary must be false."
            )
        booking = model.booking_body()
        self._bookings.require_fit([booking], [], group=False)
        return self._bookings.planned(viewer, lambda reads: self._create(viewer, model, rule, booking, reads))

    def _create(
        self,
        viewer: Principal,
        model: SeriesInput,
        rule: Recurrence,
        booking: BookingPost,
        reads: CatalogueReads,
    ) -> dict[str, Any]:
        """The series planned with `reads` (from the warm instance's memory, or fresh: `Bookings.planned`)."""
        series_id, now = new_id(), self._clock()
        first = self._bookings.intent_for_create(viewer, booking, None, reads=reads)
        assert first.proposal is not None and first.location is not None
        where = zone(first.location.doc["time_zone"])
        starts = occurrences(rule, first.proposal.starts_at, where)
        intents = [_occurrence(first, n, start, series_id, booking) for n, start in enumerate(starts)]
        doc = {
            "recurrence": rule.text,
            "mode": model.mode,
            "status": PENDING,
            "service_id": first.proposal.service_id,
            "location_id": first.proposal.location_id,
            "resource_id": booking.resource_id,
            "starts_at": format_timestamp(first.proposal.starts_at, where),
            "ends_at": format_timestamp(first.proposal.ends_at, where),
            "metadata": model.metadata,
            "protected_metadata": model.protected_metadata,
            "canceled_from": None,
        }
        record = Record(KIND, series_id, doc, now, now)
        written = SeriesWriter(self._bookings.writer, self._store, self._clock, self._rng).write(
            viewer, record, intents, keep_going=model.mode == "available_only"
        )
        entities = _known(first)
        answer = render_series(viewer, written.series, written.bookings, entities)
        if model.mode == "available_only":
            answer["skipped"] = parallel_map(lambda i: self._skipped(viewer, i), written.skipped)
        return answer

    def _skipped(self, viewer: Principal, intent: Intent) -> dict[str, Any]:
        """An occurrence left out, with the reasons `explain` gives for it now."""
        proposal = intent.proposal
        assert proposal is not None and proposal.service_id is not None and proposal.location_id is not None
        query = {
            "location": proposal.location_id,
            "starts_at": format_timestamp(proposal.starts_at),
            "ends_at": format_timestamp(proposal.ends_at),
        }
        if proposal.resource_id is not None:
            query["resource"] = proposal.resource_id
        found = self._explainer.explain(viewer, proposal.service_id, query)
        return {
            "starts_at": found["starts_at"],
            "ends_at": found["ends_at"],
            "reasons": found["reasons"],
            "resources": [
                {"resource_id": r["resource_id"], "reasons": r["reasons"]} for r in found["resources"]
            ],
        }

    def patch(self, viewer: Principal, series_id: str, body: dict[str, Any]) -> dict[str, Any]:
        model = parse(SeriesPatch, body)
        sent = model.model_fields_set
        if "protected_metadata" in sent:
            viewer.require("booking:protected_metadata")
        if model.ignore_cancelation_threshold:
            viewer.require("booking:ignore_cancelation_threshold")
        changes: dict[str, Metadata] = {
            n: getattr(model, n) for n in ("metadata", "protected_metadata") if n in sent
        }
        cancel_from = parse_timestamp(model.cancel.from_) if model.cancel is not None else None
        series = self._change(viewer, series_id, changes, cancel_from, model.ignore_cancelation_threshold)
        return self._reads.render(viewer, series)

    def delete(self, viewer: Principal, series_id: str) -> None:
        """Cancels the occurrences still to come; the series and its past bookings stay."""
        self._change(viewer, series_id, {}, self._clock(), ignore_threshold=False)

    def _change(
        self,
        viewer: Principal,
        series_id: str,
        changes: Mapping[str, Any],
        cancel_from: datetime | None,
        ignore_threshold: bool,
    ) -> Record:
        """Cancels the occurrences from `cancel_from` on (in chunks, each conditioned on its bookings'
        versions: a booking changed meanwhile is read again), then writes the series' own item."""
        for _ in range(ATTEMPTS):
            series = self._reads.load(viewer, series_id)
            doc = {**series.doc, **changes}
            try:
                if cancel_from is not None:
                    self._cancel(viewer, series, cancel_from, ignore_threshold)
                    earlier = series.doc.get("canceled_from")
                    kept = min(cancel_from, parse_timestamp(earlier)) if earlier else cancel_from
                    doc["canceled_from"] = format_timestamp(kept)
                after = replace(series, doc=doc, updated_at=self._clock(), version=series.version + 1)
                self._bookings.writer.commit(viewer, [], GroupChange(series, after))
            except Conflict:
                continue
            return after
        raise Retryable("The booking series is being changed by other requests; try again.")

    def _cancel(
        self, viewer: Principal, series: Record, cancel_from: datetime, ignore_threshold: bool
    ) -> None:
        now = self._clock()
        members = self._reads.members(viewer, series)
        service = self._catalogue.get(viewer.project_id, "service", str(series.doc.get("service_id")))
        threshold = (
            stored_duration(service.doc.get("cancelation_threshold", "PT0S")).nominal()
            if service is not None and not ignore_threshold
            else None
        )
        due = [
            b
            for b in members
            if not b.is_canceled
            and b.starts_at >= cancel_from
            and b.starts_at > now
            and (threshold is None or b.starts_at - now >= threshold)
        ]
        stamp = format_timestamp(now)
        intents = [
            Intent(
                b,
                replace(
                    b,
                    is_canceled=True,
                    doc={**b.doc, "canceled_at": stamp},
                    updated_at=now,
                    version=b.version + 1,
                ),
            )
            for b in due
        ]
        for start in range(0, len(intents), CANCEL_CHUNK):
            self._bookings.writer.commit(viewer, intents[start : start + CANCEL_CHUNK])


def _occurrence(first: Intent, n: int, start: datetime, series_id: str, body: BookingPost) -> Intent:
    """The n-th occurrence: the first booking moved to `start`, its length and buffers kept, its price
    computed for its own times unless the body set one. Its instants are UTC, as `start` is (the request's
    offset is no part of a booking: it is shown in its location's zone), so that the plan's checks compare
    them with the timelines' without converting them."""
    proposal = first.proposal
    assert proposal is not None
    shift = start - proposal.starts_at
    ends = (proposal.ends_at + shift).astimezone(UTC)
    doc = {**proposal.doc, "booking_series_id": series_id}
    if "price" not in body.model_fields_set and first.service is not None:
        doc["price"] = booking_defaults.price(first.service, first.location, start, ends)
    moved = replace(
        proposal,
        id=proposal.id if n == 0 else new_id(),
        starts_at=start,
        ends_at=ends,
        buffer_starts_at=(proposal.buffer_starts_at + shift).astimezone(UTC),
        buffer_ends_at=(proposal.buffer_ends_at + shift).astimezone(UTC),
        doc=doc,
    )
    return replace(first, proposal=moved, prefix=f"occurrences.{n}.", ledger=first.ledger if n == 0 else None)


def _known(first: Intent) -> Entities:
    """The entities the first occurrence loaded: what every occurrence renders with."""
    records = [first.service, first.location, *first.candidates]
    return Entities({(r.kind, r.id): r for r in records if r is not None})
