"""A resource's calendar subscriptions (docs/calendar-subscriptions.md): the secret ICS address of the
person's own calendar (Google, Outlook, Apple), polled so that its busy times block slots and bookings
exactly like one-off blocks that are not available, at every location of the resource.

A sync fetches the feed (conditional GET, `kairos.calendars.fetch`), reads its busy times
(`kairos.calendars.busy`) and replaces the subscription's whole busy set in one write of the resource's
timeline head, which every checked booking conditions on: a booking sees the old set or the new one, never
part of one. A feed that fails keeps the last good busy times; `status` is `failing` and `last_error` says
why. Bookings made before a busy time appeared are kept; `conflicts` counts those it overlaps.
"""

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from kairos.calendars.ports import (
    CalendarSubscriptionRepository,
    FeedError,
    FeedFetcher,
    TooManySubscriptions,
)
from kairos.domain.bookings.holds import is_expired
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import Page, page_params
from kairos.domain.shared.ports import BookingRepository, CatalogueRepository
from kairos.domain.shared.records import Booking, CalendarBusy, Record, Timeline
from kairos.errors import Conflict, NotFound, ValidationFailed
from kairos.outbound.ssrf import UnsafeUrl, checked_address, loopback_allowed
from kairos.parallel import parallel_map
from kairos.values.formats import format_timestamp, zone
from kairos.values.ids import is_uuid, new_id
from kairos.values.text import check_url_characters

KIND = "calendar_subscription"
MAX_PER_RESOURCE = 5
BATCH = 100  # resources read at once by the poller (one BatchGetItem)
PENDING, OK, FAILING = "pending", "ok", "failing"
_SCHEMES = {"webcal": "https", "webcals": "https", "https": "https", "http": "http"}
_PRIVATE = ("etag", "last_modified", "busy_digest")


def normal_url(url: str) -> str:
    """`url` with webcal(s):// read as https://; a ValidationFailed on `url` unless it is a public http(s)
    address (loopback too where webhooks may use it)."""
    scheme, separator, rest = url.strip().partition("://")
    normal = f"{_SCHEMES.get(scheme.lower(), scheme)}{separator}{rest}"
    try:
        check_url_characters(normal)
        checked_address(normal, loopback_allowed())
    except UnsafeUrl as error:
        raise ValidationFailed.field("url", f"The url is not allowed: {error}.") from None
    except ValueError as error:
        raise ValidationFailed.field("url", f"The url field {error}.") from None
    return normal


def masked(url: str) -> str:
    """What lists and reads show of the secret address: its scheme and host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def render(record: Record, *, full_url: bool = False) -> dict[str, Any]:
    doc = record.doc
    return {
        "id": record.id,
        "resource_id": doc["resource_id"],
        "url": doc["url"] if full_url else masked(doc["url"]),
        "name": doc.get("name"),
        "status": doc["status"],
        "last_synced_at": doc.get("last_synced_at"),
        "last_error": doc.get("last_error"),
        "conflicts": doc.get("conflicts", 0),
        "created_at": format_timestamp(record.created_at),
        "updated_at": format_timestamp(record.updated_at),
    }


class CalendarSubscriptions:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        store: CalendarSubscriptionRepository,
        bookings: BookingRepository,
        fetch: FeedFetcher,
        clock: Callable[[], datetime],
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._bookings = bookings
        self._fetch = fetch
        self._clock = clock

    # --- the API ------------------------------------------------------------------------------------------

    def page(self, viewer: Principal, resource_id: str, query: Mapping[str, str]) -> Page:
        page, per_page = page_params(query)
        self._resource(viewer.project_id, resource_id)
        records = sorted(
            self._store.list_all(viewer.project_id, resource_id), key=lambda r: (r.created_at, r.id)
        )
        shown = records[(page - 1) * per_page : page * per_page]
        return Page([render(r) for r in shown], len(records), page, per_page)

    def get(self, viewer: Principal, resource_id: str, subscription_id: str) -> dict[str, Any]:
        return render(self._existing(viewer.project_id, resource_id, subscription_id))

    def create(self, viewer: Principal, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        from kairos.calendars.subscription_models import CalendarSubscriptionInput  # pydantic: bodies only
        from kairos.domain.shared.validation import parse

        given = parse(CalendarSubscriptionInput, body)
        url = normal_url(given.url)
        self._resource(viewer.project_id, resource_id)
        now = self._clock()
        doc = {"resource_id": resource_id, "url": url, "name": given.name, "status": PENDING, "conflicts": 0}
        record = Record(KIND, new_id(), doc, now, now)
        try:
            self._store.create(viewer.project_id, resource_id, record, MAX_PER_RESOURCE)
        except TooManySubscriptions:
            raise ValidationFailed.field(
                "url", f"A resource may have at most {MAX_PER_RESOURCE} calendar subscriptions."
            ) from None
        return render(record, full_url=True)

    def patch(
        self, viewer: Principal, resource_id: str, subscription_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """A new url starts afresh (`pending`, no validators); its busy times stay until it syncs."""
        from kairos.calendars.subscription_models import CalendarSubscriptionPatch
        from kairos.domain.shared.validation import parse

        given = parse(CalendarSubscriptionPatch, body)
        url = normal_url(given.url) if given.url is not None else None
        record = self._existing(viewer.project_id, resource_id, subscription_id)
        changes: dict[str, Any] = {"name": given.name} if "name" in given.model_fields_set else {}
        if url is not None and url != record.doc["url"]:
            changes |= {
                "url": url,
                "status": PENDING,
                "last_error": None,
                "etag": None,
                "last_modified": None,
            }
        updated = self._write(viewer.project_id, resource_id, record, changes, None)
        return render(updated, full_url=url is not None)

    def delete(self, viewer: Principal, resource_id: str, subscription_id: str) -> None:
        record = self._existing(viewer.project_id, resource_id, subscription_id)
        self._store.delete(viewer.project_id, resource_id, record)

    def sync_now(self, viewer: Principal, resource_id: str, subscription_id: str) -> dict[str, Any]:
        record = self._existing(viewer.project_id, resource_id, subscription_id)
        return render(self._sync(viewer.project_id, resource_id, record))

    # --- polling ------------------------------------------------------------------------------------------

    def sync_all(self) -> dict[str, int]:
        """Syncs every subscription whose resource still exists (the scheduled poller; the resources are
        read in batches); counts by status. A sync that raced a change of its subscription is dropped
        (`raced`): the next poll syncs what it became. The least recently synced go first, so a run cut
        short by the function's timeout never leaves the same ones behind twice."""
        every = sorted(self._store.every(), key=lambda found: str(found[2].doc.get("last_synced_at") or ""))
        wanted = sorted({(project_id, resource_id) for project_id, resource_id, _ in every})
        existing: set[tuple[str, str]] = set()
        for project_id in sorted({p for p, _ in wanted}):
            ids = [("resource", r) for p, r in wanted if p == project_id]
            for start in range(0, len(ids), BATCH):
                found = self._catalogue.get_many(project_id, ids[start : start + BATCH])
                existing |= {(project_id, r) for _, r in found}

        def one(found: tuple[str, str, Record]) -> str:
            project_id, resource_id, record = found
            if (project_id, resource_id) not in existing:
                return "skipped"
            try:
                return str(self._sync(project_id, resource_id, record, again=False).doc["status"])
            except Conflict:
                return "raced"

        counts: dict[str, int] = {}
        for status in parallel_map(one, every):
            counts[status] = counts.get(status, 0) + 1
        return counts

    def _sync(self, project_id: str, resource_id: str, record: Record, *, again: bool = True) -> Record:
        """One sync; one that raced a change of the subscription is tried once more on what it became
        (`again`), else refused (Conflict)."""
        changes, busy = self._fetched(project_id, record)
        try:
            return self._write(project_id, resource_id, record, changes, busy)
        except Conflict:
            if not again:
                raise
        record = self._existing(project_id, resource_id, record.id)
        changes, busy = self._fetched(project_id, record)
        return self._write(project_id, resource_id, record, changes, busy)

    def _fetched(self, project_id: str, record: Record) -> tuple[dict[str, Any], CalendarBusy | None]:
        from kairos.calendars.busy import FeedUnreadable, busy_times  # its parser loads with the first body

        doc, now = record.doc, self._clock()
        try:
            fetched = self._fetch(doc["url"], doc.get("etag"), doc.get("last_modified"))
            times = busy_times(fetched.document, now) if fetched.document is not None else None
        except (FeedError, FeedUnreadable) as error:
            return {"status": FAILING, "last_error": str(error)}, None
        changes = {
            "status": OK,
            "last_error": None,
            "last_synced_at": format_timestamp(now),
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
        }
        if times is None:
            return changes, None  # not modified: the busy set stays
        busy = CalendarBusy(record.id, str(doc.get("name") or ""), times.spans, times.days)
        digest = hashlib.sha256(repr((busy.spans, busy.days)).encode()).hexdigest()
        if digest == doc.get("busy_digest"):
            return changes, None  # the feed changed, its busy times did not: no booking need plan again
        conflicts = self._conflicts(project_id, doc["resource_id"], busy, now)
        return {**changes, "busy_digest": digest, "conflicts": conflicts}, busy

    def _conflicts(self, project_id: str, resource_id: str, busy: CalendarBusy, now: datetime) -> int:
        """How many of the resource's live bookings from now on overlap the busy times (all-day ones in
        the zone of each booking's location). The slot engine's reading of busy times is loaded here, by the
        first sync whose busy times changed."""
        from kairos.domain.bookings.availability import calendar_busy
        from kairos.scheduling.model import Span

        bookings = [
            b
            for b in self._bookings.list_window(project_id, ("resource", resource_id), now, None)
            if b.holds_capacity and not is_expired(b, now)
        ]
        wanted = sorted({("location", b.location_id) for b in bookings if b.location_id})
        locations = self._catalogue.get_many(project_id, wanted) if wanted else {}
        timeline = Timeline([], [], [], calendars=(busy,))

        def overlaps(booking: Booking) -> bool:
            location = locations.get(("location", booking.location_id or ""))
            where = zone(location.doc["time_zone"]) if location else zone("UTC")
            return bool(calendar_busy(timeline, where, Span(booking.starts_at, booking.ends_at)))

        return sum(1 for b in bookings if overlaps(b))

    # --- helpers ------------------------------------------------------------------------------------------

    def _write(
        self,
        project_id: str,
        resource_id: str,
        record: Record,
        changes: Mapping[str, Any],
        busy: CalendarBusy | None,
    ) -> Record:
        doc = {k: v for k, v in {**record.doc, **changes}.items() if v is not None or k not in _PRIVATE}
        updated = Record(KIND, record.id, doc, record.created_at, self._clock(), record.version + 1)
        self._store.replace(project_id, resource_id, updated, record.version, busy)
        return updated

    def _resource(self, project_id: str, resource_id: str) -> Record:
        found = self._catalogue.get(project_id, "resource", resource_id) if is_uuid(resource_id) else None
        if found is None:
            raise NotFound("resource")
        return found

    def _existing(self, project_id: str, resource_id: str, subscription_id: str) -> Record:
        self._resource(project_id, resource_id)
        found = (
            self._store.get(project_id, resource_id, subscription_id) if is_uuid(subscription_id) else None
        )
        if found is None:
            raise NotFound("calendar subscription")
        return found
