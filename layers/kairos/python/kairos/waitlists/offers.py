"""The offer step (docs/waitlists.md): fed by the domain events of the change stream (the rule
`kairos-domain-events-to-waitlist-offers`, queue `kairos-waitlist-offers`), never by a request.

- A booking event that may have freed a place at a location (canceled, deleted, expired, updated), a new
  entry, and a vacancy signal (a schedule, catalogue or busy-times change: `kairos.stream.vacancies`; one
  naming no location, at every location where an entry it concerns waits: of the service it names, naming
  the resource it names or none) make the step offer what is free there: the location's waiting entries
  (those the signal concerns) in turn, oldest first; each is offered the earliest bookable slot inside its
  window, as a hold (a temporary booking with `expires_at`, the project's default hold time, else PT15M).
  The hold is a normal checked booking write (schedules, capacity, limits, busy times, booking window), and
  the same transaction moves the entry from `waiting` to `offered` on the version read: of two runs
  offering one entry, or one place, only one commits.
- A booking event about an offered hold settles its entry: finalized -> `booked`, expired -> `expired`,
  canceled or deleted -> `declined` (and the place it gave back is offered on, as above).
- An offered entry deleted (`waitlist_entry.deleted`; the API removed it with its hold's link) has its hold
  deleted unless finalized by then; that deletion's own event offers the place on.

Events come at least once and in any order: every step is a conditioned write, so a repeat changes nothing.
"""

import random
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from kairos.abilities import ALL_ABILITIES
from kairos.domain.bookings.availability import Availability
from kairos.domain.bookings.bookings import Bookings
from kairos.domain.bookings.commit import BookingWriter
from kairos.domain.bookings.inputs import GivenBooking
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import MAX_PER_PAGE
from kairos.domain.shared.ports import ProjectRepository, TimelineReader
from kairos.domain.shared.records import Record, StaleCatalogue
from kairos.errors import Conflict, NotFound, Retryable, ValidationFailed
from kairos.events.definitions import (
    WAITLIST_FREEING,
    WAITLIST_SETTLING,
    WAITLIST_VACANCY,
    WAITLIST_WITHDRAWN,
)
from kairos.values.formats import format_timestamp, stored_duration
from kairos.waitlists.entries import (
    ANY_PLACE,
    BOOKED,
    DECLINED,
    DEFAULT_OFFER_HOLD,
    EXPIRED,
    LAPSED,
    OFFERED,
    WAITING,
    Freed,
    Group,
    changed,
    fitting_slots,
    group_of,
    in_turn,
    lapsed,
    reach,
)
from kairos.waitlists.ports import EntryTaken, WaitlistRepository

# What becomes of an offered entry when its hold's event comes (WAITLIST_SETTLING, in that order).
SETTLES = dict(zip(WAITLIST_SETTLING, (BOOKED, EXPIRED, DECLINED, DECLINED), strict=True))
SLOTS_TRIED = 3  # slots of one entry tried, earliest first, when places go to others meanwhile
MOST_IN_TURN = 100  # waiting entries of a location looked at per run (the rest wait for a later one)
SETTLE_ATTEMPTS = 3


class WaitlistOffers:
    def __init__(
        self,
        store: WaitlistRepository,
        projects: ProjectRepository,
        bookings: Bookings,
        availability: Availability,
        schedules: TimelineReader,
        clock: Callable[[], datetime],
        longest_days: int,
        rng: random.Random | None = None,
    ) -> None:
        self._longest_days = longest_days  # the KAIROS_MAX_SLOT_WINDOW_DAYS setting: one listing's most
        self._store = store
        self._projects = projects
        self._bookings = bookings
        self._availability = availability
        self._schedules = schedules
        self._clock = clock
        self._rng = rng or random.Random()

    def handle(self, envelope: Mapping[str, Any]) -> int:
        """One domain event (the envelope of docs/events.md); how many entries were offered a place."""
        kind, project_id, data = str(envelope["type"]), str(envelope["project_id"]), envelope["data"]
        if kind in SETTLES and (kind == "booking.finalized" or data.get("is_temporary")):
            self._settle(project_id, str(data["id"]), SETTLES[kind])
        if kind == WAITLIST_WITHDRAWN and data.get("status") == OFFERED:
            self._release(project_id, str(data["booking_id"]))  # its event offers the place on
        if kind not in WAITLIST_FREEING:
            return 0
        freed = (
            Freed(data.get("service_id"), data.get("resource_id")) if kind == WAITLIST_VACANCY else ANY_PLACE
        )
        location_id = data.get("location_id")
        if location_id:
            return self.offer(project_id, str(location_id), freed)
        if kind != WAITLIST_VACANCY:
            return 0
        waiting = {
            e.doc["location_id"]
            for e in self._store.list_all(project_id)
            if e.doc["status"] == WAITING and freed.concerns(e)
        }
        return sum(self.offer(project_id, location, freed) for location in sorted(waiting))

    def offer(self, project_id: str, location_id: str, freed: Freed = ANY_PLACE) -> int:
        """Offers what is free at the location to its waiting entries that `freed` concerns, oldest first.
        The free places are listed once, before any is offered: a place that frees up while this runs is
        left to the run its own event makes, which again goes oldest first (so a younger entry never takes a
        place an older one fitting it was not shown; an entry `freed` does not concern could take none of
        the places this run is for)."""
        viewer = self._viewer(project_id)
        if viewer is None:
            return 0
        entries = self._store.waiting(project_id, location_id)
        now = self._clock()
        for entry in lapsed(entries, now):
            self._store.replace(project_id, changed(entry, now, status=LAPSED), entry.version)
        turn = [e for e in in_turn(entries, now) if freed.concerns(e)][:MOST_IN_TURN]
        groups: dict[Group, list[Record]] = {}
        for entry in turn:
            groups.setdefault(group_of(entry), []).append(entry)
        free = {
            group: self._free(viewer, location_id, group, members, now) for group, members in groups.items()
        }
        used: dict[Group, Counter[tuple[str, str]]] = {group: Counter() for group in groups}
        offered = 0
        for entry in turn:
            group = group_of(entry)
            place = self._offer_one(viewer, entry, fitting_slots(entry, free[group], used[group]))
            if place is not None:
                used[group][place] += 1
                offered += 1
        return offered

    def _viewer(self, project_id: str) -> Principal | None:
        """The step acts for an enabled project with every ability; None for another."""
        project = self._projects.get_project(project_id)
        if project is None or not project.enabled:
            return None
        return Principal(project, token_id="waitlist", abilities=frozenset(ALL_ABILITIES))

    def _free(
        self, viewer: Principal, location_id: str, group: Group, entries: list[Record], now: datetime
    ) -> list[dict[str, Any]]:
        """The bookable slots of the group's service (on its resource) over its entries' windows; none when
        the service or location is gone or disabled."""
        service_id, resource_id = group
        found: list[dict[str, Any]] = []
        for window in reach(entries, now, timedelta(days=self._longest_days)):
            query = {
                "from": format_timestamp(window.start),
                "to": format_timestamp(window.end),
                "location": location_id,
                "per_page": str(MAX_PER_PAGE),
                **({"resource": resource_id} if resource_id else {}),
            }
            try:
                found += self._availability.bookable_slots(viewer, service_id, query).items
            except (NotFound, ValidationFailed):
                return []
        return found

    def _offer_one(
        self, viewer: Principal, entry: Record, places: list[tuple[str, str]]
    ) -> tuple[str, str] | None:
        """The place held for the entry, trying its first few in turn; None when none could be."""
        for starts_at, ends_at in places[:SLOTS_TRIED]:
            try:
                self._hold(viewer, entry, starts_at, ends_at)
            except EntryTaken:  # offered by another run, or deleted
                return None
            except (ValidationFailed, StaleCatalogue, Conflict):  # the place went meanwhile: the next one
                continue
            return starts_at, ends_at
        return None

    def _hold(self, viewer: Principal, entry: Record, starts_at: str, ends_at: str) -> None:
        doc, now = entry.doc, self._clock()
        body: dict[str, Any] = {
            "service_id": doc["service_id"],
            "location_id": doc["location_id"],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "is_temporary": True,
            "metadata": doc.get("metadata"),
        }
        if doc.get("resource_id"):
            body["resource_id"] = doc["resource_id"]
        if not viewer.project.default_hold_time:
            body["expires_at"] = format_timestamp(now + stored_duration(DEFAULT_OFFER_HOLD).nominal())
        # The entry's ids and metadata were checked when it was made, the place is a slot the engine listed:
        # the hold is planned from them as given, with no body to parse (no pydantic at this cold start).
        intent = self._bookings.intent_for_create(viewer, GivenBooking(body), None)
        assert intent.proposal is not None
        booking_id = intent.proposal.id
        after = changed(entry, now, status=OFFERED, booking_id=booking_id, offered_at=format_timestamp(now))
        store = self._store.offering(viewer.project_id, entry, after, booking_id)
        BookingWriter(store, self._schedules, self._clock, self._rng).commit(viewer, [intent])

    def _settle(self, project_id: str, booking_id: str, status: str) -> None:
        """The entry offered this hold follows it; nothing when the hold was no offer."""
        entry_id = self._store.offered_entry(project_id, booking_id)
        for _ in range(SETTLE_ATTEMPTS if entry_id else 0):
            entry = self._store.get(project_id, str(entry_id))
            if entry is None or entry.doc["status"] != OFFERED or entry.doc.get("booking_id") != booking_id:
                return
            if self._store.replace(
                project_id, changed(entry, self._clock(), status=status), entry.version, booking_id
            ):
                return

    def _release(self, project_id: str, booking_id: str) -> None:
        """Deletes the hold offered to an entry that was deleted, while it is still a hold (a finalized one
        is kept: the person booked it)."""
        viewer = self._viewer(project_id)
        if viewer is None:
            return
        with suppress(NotFound, Retryable):  # gone already; or changed by others each time it was read
            self._bookings.delete(viewer, booking_id, only_hold=True)
