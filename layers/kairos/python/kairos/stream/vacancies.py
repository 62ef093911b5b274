"""Changes that may free places without a booking event (docs/waitlists.md, "When a place is offered"):

- a one-off schedule block or a recurring schedule (its weekly blocks inside) written or removed, at its
  location (so a resource added to a location's schedule too);
- a resource given more places or enabled again; a service or location enabled again, or an enabled one
  whose fields that shape slots changed (all but its name, price, metadata, cancelation threshold and
  resource selection);
- a resource associated with a service (it now performs it);
- a calendar subscription's busy times removed or changed at a sync, or the subscription deleted: one of the
  busy times (or all-day ranges) its resource's timeline head held before is not there after.

The stream function puts a `waitlist.vacancy` signal on the bus for each (source `kairos.waitlists`, so no
domain-event rule and no webhook sees it), which the waitlist offer step reads as it reads the booking
events: at the location the change names, or (`location_id` null) at every location where an entry the
change may concern waits: the signal names the service (a service's change), the resource (a resource's
places or busy times), or both (an association), and only entries of that service, and entries naming that
resource or none, can use what it freed. A signal may come for a change that frees nothing: the step then
finds nothing to offer."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kairos.domain.shared.records import CalendarBusy
from kairos.events.definitions import WAITLIST_SOURCE, WAITLIST_VACANCY
from kairos.messaging.publisher import BusEvent
from kairos.storage import keys
from kairos.storage.busy_codec import calendar_of
from kairos.storage.dynamodb import from_item, load_document
from kairos.storage.timeline_head import CALENDAR_ATTRIBUTE

SCHEDULES = ("schedule_block", "recurring_schedule")
UNLIMITED = float("inf")  # a resource without `max_simultaneous_bookings`
# What a change of a service or location may leave alone and still free nothing: fields no slot depends on.
NOT_SHAPING = frozenset(
    {
        "name",
        "price",
        "metadata",
        "protected_metadata",
        "cancelation_threshold",
        "resource_selection_strategy",
        "resource_selection_priority",
    }
)
Image = Mapping[str, Any]


@dataclass(frozen=True)
class Vacancy:
    project_id: str
    location_id: str | None  # None: every location (a resource's or service's places are not tied to one)
    service_id: str | None = None  # the service whose places the change may free (None: any service's)
    resource_id: str | None = None  # the resource whose places it may free (None: any resource's)


def vacancy(old: Image | None, new: Image | None) -> Vacancy | None:
    """What one item's change may have freed, from its images; None when it frees nothing."""
    image = new or old
    if image is None:
        return None
    entity, project_id = image.get("entity"), str(image.get("project_id", ""))
    if entity == "association":
        linked = str(image["service_id"]), str(image["resource_id"])  # its two mirrors name the same pair
        return Vacancy(project_id, None, *linked) if old is None else None
    head = keys.schedule_version_owner(image)
    if head is not None:  # a timeline head, for its busy times (one removed went with its resource)
        freed = new is not None and _busy_freed(old or {}, new)
        return Vacancy(head[0], None, resource_id=head[1]) if freed else None
    if "data" not in image:
        return None
    if entity in SCHEDULES:
        return Vacancy(project_id, load_document(str(image["data"])).get("location_id"))
    if old is None or new is None or entity not in ("resource", "service", "location"):
        return None
    before, after = load_document(str(old["data"])), load_document(str(new["data"]))
    if not after.get("enabled", True):
        return None
    if entity == "resource":
        freed = _places(after) > _places(before)
    else:
        shaping = (before.keys() | after.keys()) - NOT_SHAPING
        freed = any(before.get(name) != after.get(name) for name in shaping)
    if not freed and before.get("enabled", True):
        return None
    changed_id = str(new["id"])
    if entity == "location":
        return Vacancy(project_id, changed_id)
    if entity == "service":
        return Vacancy(project_id, None, service_id=changed_id)
    return Vacancy(project_id, None, resource_id=changed_id)


def _places(doc: Mapping[str, Any]) -> float:
    found = doc.get("max_simultaneous_bookings")
    return UNLIMITED if found is None else float(found)


def _busy_freed(old: Image, new: Image) -> bool:
    """Whether a calendar's busy times shrank in a timeline head: some time a busy time or all-day range
    covered before is covered by none after (one removed or shortened, or its subscription deleted). A set
    that only grew, or a subscription renamed, frees nothing."""
    for name, copy in old.items():
        if not name.startswith(CALENDAR_ATTRIBUTE) or new.get(name) == copy:
            continue
        before = calendar_of(copy)
        after = calendar_of(new[name]) if name in new else CalendarBusy(before.subscription_id, "")
        if _uncovered(before.spans, after.spans) or _uncovered(before.days, after.days):
            return True
    return False


def _uncovered(before: Sequence[tuple[date, date]], after: Sequence[tuple[date, date]]) -> bool:
    """Whether some part of the half-open ranges `before` lies outside those of `after` (sorted, not
    overlapping, as a busy set keeps them; instants or dates)."""
    for start, end in before:
        reached = start
        for first, last in after:
            if first <= reached < last:
                reached = last
        if reached < end:
            return True
    return False


def vacancies(records: Sequence[Mapping[str, Any]]) -> list[Vacancy]:
    """The vacancies a stream batch (Lambda's records) shows, each once."""
    found: list[Vacancy] = []
    for record in records:
        stream = record.get("dynamodb", {})
        old = from_item(stream["OldImage"]) if "OldImage" in stream else None
        new = from_item(stream["NewImage"]) if "NewImage" in stream else None
        made = vacancy(old, new)
        if made is not None and made not in found:
            found.append(made)
    return found


def vacancy_event(found: Vacancy) -> BusEvent:
    """The signal, shaped as the envelopes the offer step reads (`type`, `project_id`, `data`)."""
    detail = {
        "type": WAITLIST_VACANCY,
        "project_id": found.project_id,
        "data": {
            "location_id": found.location_id,
            "service_id": found.service_id,
            "resource_id": found.resource_id,
        },
    }
    return BusEvent(WAITLIST_SOURCE, WAITLIST_VACANCY, json.dumps(detail))
