"""Calendar feeds: a resource's or a location's bookings as an iCalendar document that calendar apps
subscribe to (docs/bookings.md, "Calendar feeds"): with the API token, or by a secret feed URL for apps
that cannot send headers (created, listed and revoked like other entities; the secret is shown once).

Each booking is one VEVENT whose UID is the booking's id, so an edit (its SEQUENCE is the booking's
version) updates the same calendar entry; times are in the location's zone with its VTIMEZONE; a day
service's booking is an all-day event over the local dates it covers; a canceled booking is CANCELLED and a
temporary one TENTATIVE. A feed holds the bookings ending at most 90 days ago and every later one.
"""

import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from kairos.domain.bookings.bookings import Bookings
from kairos.domain.bookings.holds import is_expired
from kairos.domain.bookings.views import Entities, location_zone
from kairos.domain.projects.auth import Principal, system_principal
from kairos.domain.shared.fields import Name, Uuid
from kairos.domain.shared.listing import Page, page_params
from kairos.domain.shared.ports import BookingRepository, CatalogueRepository, ProjectRepository
from kairos.domain.shared.records import Booking, Record
from kairos.domain.shared.validation import parse
from kairos.errors import NotFound, ValidationFailed
from kairos.values import ical
from kairos.values.formats import format_timestamp
from kairos.values.ids import is_uuid, new_id

PAST = timedelta(days=90)
PRODID = "-//Kairos//Calendar feed//EN"
_INSTANT = timedelta(microseconds=1)


def _only(given: str, left_out: str) -> dict[str, Any]:
    """The schema of a body naming `given` and not `left_out` (absent or null)."""
    return {"required": [given], "properties": {given: {"type": "string"}, left_out: {"type": "null"}}}


class CalendarFeedInput(BaseModel):
    """A secret feed URL for one resource or one location (exactly one of the two, as the schema says)."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_extra={
            "oneOf": [_only("resource_id", "location_id"), _only("location_id", "resource_id")]
        },
    )

    resource_id: Uuid | None = None
    location_id: Uuid | None = None
    name: Name | None = None


class CalendarFeedRepository(Protocol):
    def create(self, project_id: str, record: Record, key_hash: str) -> None: ...

    def list_all(self, project_id: str) -> list[Record]: ...

    def get(self, project_id: str, feed_id: str) -> Record | None: ...

    def by_key(self, key_hash: str) -> tuple[str, Record] | None: ...

    def delete(self, project_id: str, record: Record) -> None: ...


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class CalendarFeeds:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        bookings: Bookings,
        store: BookingRepository,
        feeds: CalendarFeedRepository,
        projects: ProjectRepository,
        clock: Callable[[], datetime],
    ) -> None:
        self._catalogue = catalogue
        self._bookings = bookings
        self._store = store
        self._feeds = feeds
        self._projects = projects
        self._clock = clock

    # --- the feeds --------------------------------------------------------------------------------------

    def resource_calendar(self, viewer: Principal, resource_id: str) -> str:
        return self._calendar(viewer, "resource", resource_id)

    def location_calendar(self, viewer: Principal, location_id: str) -> str:
        return self._calendar(viewer, "location", location_id)

    def public_calendar(self, key: str) -> str:
        """The feed a secret URL opens; 404 for an unknown or revoked secret, and for a feed of a deleted
        (disabled) project: its data stays, but no one reads it any more, with a token or without."""
        found = self._feeds.by_key(_hash(key))
        project = self._projects.get_project(found[0]) if found else None
        if found is None or project is None or not project.enabled:
            raise NotFound("calendar feed")
        project_id, feed = found
        kind = "resource" if feed.doc.get("resource_id") else "location"
        return self._calendar(system_principal(project_id, "calendar-feed"), kind, feed.doc[f"{kind}_id"])

    def _calendar(self, viewer: Principal, kind: str, entity_id: str) -> str:
        owner = self._catalogue.get(viewer.project_id, kind, entity_id) if is_uuid(entity_id) else None
        if owner is None:
            raise NotFound(kind)
        now = self._clock()
        bookings = [
            b
            for b in self._store.list_window(viewer.project_id, (kind, owner.id), now - PAST, None)
            if not is_expired(b, now)
        ]
        bookings.sort(key=lambda b: (b.starts_at, b.id))
        return calendar(str(owner.doc.get("name", "")), bookings, self._bookings.entities(viewer, bookings))

    # --- secret feed URLs -------------------------------------------------------------------------------

    def create(self, viewer: Principal, body: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """A new secret feed; returns it rendered and its secret (shown in this answer only)."""
        model = parse(CalendarFeedInput, body)
        if (model.resource_id is None) == (model.location_id is None):
            message = "Exactly one of resource_id and location_id is required."
            raise ValidationFailed({"resource_id": [message], "location_id": [message]})
        kind, entity_id = (
            ("resource", model.resource_id) if model.resource_id else ("location", model.location_id)
        )
        assert entity_id is not None
        if self._catalogue.get(viewer.project_id, kind, entity_id) is None:
            raise ValidationFailed.field(f"{kind}_id", f"The selected {kind}_id is invalid.")
        key = secrets.token_hex(32)
        key_hash = _hash(key)
        now = self._clock()
        doc = {
            "resource_id": model.resource_id,
            "location_id": model.location_id,
            "name": model.name,
            "key_hash": key_hash,
        }
        record = Record("calendar_feed", new_id(), doc, now, now)
        self._feeds.create(viewer.project_id, record, key_hash)
        return render_feed(record), key

    def page(self, viewer: Principal, query: Mapping[str, str]) -> Page:
        page, per_page = page_params(query)
        records = sorted(self._feeds.list_all(viewer.project_id), key=lambda r: (r.created_at, r.id))
        shown = records[(page - 1) * per_page : page * per_page]
        return Page([render_feed(r) for r in shown], len(records), page, per_page)

    def delete(self, viewer: Principal, feed_id: str) -> None:
        """Revokes the feed: its URL answers 404 from now on."""
        record = self._feeds.get(viewer.project_id, feed_id) if is_uuid(feed_id) else None
        if record is None:
            raise NotFound("calendar feed")
        self._feeds.delete(viewer.project_id, record)


def render_feed(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "resource_id": record.doc.get("resource_id"),
        "location_id": record.doc.get("location_id"),
        "name": record.doc.get("name"),
        "created_at": format_timestamp(record.created_at),
    }


# --- the document -------------------------------------------------------------------------------------


def calendar(name: str, bookings: Sequence[Booking], entities: Entities) -> str:
    """The iCalendar document of these bookings, with a VTIMEZONE for each zone their events use."""
    zones: dict[str, tuple[ZoneInfo, datetime, datetime]] = {}
    events: list[str] = []
    for booking in bookings:
        location = entities.get("location", booking.location_id)
        where = location_zone(location)
        service = entities.get("service", booking.service_id)
        all_day = service is not None and service.doc.get("type") == "day"
        if not all_day and where.key != "UTC":
            _, first, last = zones.get(where.key, (where, booking.starts_at, booking.ends_at))
            zones[where.key] = (where, min(first, booking.starts_at), max(last, booking.ends_at))
        events += _event(booking, entities, where, all_day)
    timezones = [
        line
        for where, first, last in zones.values()
        for line in ical.vtimezone(where, first - timedelta(days=1), last + timedelta(days=1))
    ]
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical.escape(name)}",
    ]
    return ical.document([*head, *timezones, *events, "END:VCALENDAR"])


def _event(booking: Booking, entities: Entities, where: ZoneInfo, all_day: bool) -> list[str]:
    service = entities.get("service", booking.service_id)
    location = entities.get("location", booking.location_id)
    resource = entities.get("resource", booking.resource_id)
    if all_day:
        first = booking.starts_at.astimezone(where).date()
        last = (booking.ends_at - _INSTANT).astimezone(where).date()
        times = [
            f"DTSTART;VALUE=DATE:{ical.date_stamp(first)}",
            f"DTEND;VALUE=DATE:{ical.date_stamp(last + timedelta(days=1))}",
        ]
    elif where.key == "UTC":
        times = [f"DTSTART:{ical.utc_stamp(booking.starts_at)}", f"DTEND:{ical.utc_stamp(booking.ends_at)}"]
    else:
        times = [
            f"DTSTART;TZID={where.key}:{ical.local_stamp(booking.starts_at, where)}",
            f"DTEND;TZID={where.key}:{ical.local_stamp(booking.ends_at, where)}",
        ]
    status = (
        "CANCELLED"
        if booking.is_canceled
        else "TENTATIVE"
        if booking.doc.get("is_temporary")
        else "CONFIRMED"
    )
    details = [
        f"Booking {booking.id}",
        f"{format_timestamp(booking.starts_at, where)} to {format_timestamp(booking.ends_at, where)}",
        *([f"Resource: {resource.doc.get('name')}"] if resource else []),
    ]
    return [
        "BEGIN:VEVENT",
        f"UID:{booking.id}@kairos",
        f"DTSTAMP:{ical.utc_stamp(booking.updated_at)}",
        f"CREATED:{ical.utc_stamp(booking.created_at)}",
        f"LAST-MODIFIED:{ical.utc_stamp(booking.updated_at)}",
        f"SEQUENCE:{booking.version - 1}",
        *times,
        f"SUMMARY:{ical.escape(str(service.doc.get('name')) if service else 'Booking')}",
        *([f"LOCATION:{ical.escape(str(location.doc.get('name')))}"] if location else []),
        f"DESCRIPTION:{ical.escape(chr(10).join(details))}",
        f"STATUS:{status}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
