"""Changes that may free places without a booking event (docs/waitlists.md, "When a place is offered"):
a one-off schedule block or a recurring schedule (its weekly blocks inside) written or removed, and a
resource given more places or enabled again. The stream function puts a `waitlist.vacancy` signal on the
bus for each (source `kairos.waitlists`, so no domain-event rule and no webhook sees it), which the waitlist
offer step reads as it reads the booking events. A signal may come for a change that frees nothing: the
step then finds nothing to offer."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kairos.events.definitions import WAITLIST_SOURCE, WAITLIST_VACANCY
from kairos.messaging.publisher import BusEvent
from kairos.storage.dynamodb import from_item, load_document

SCHEDULES = ("schedule_block", "recurring_schedule")
UNLIMITED = float("inf")  # a resource without `max_simultaneous_bookings`


@dataclass(frozen=True)
class Vacancy:
    project_id: str
    location_id: str | None  # None: every location (a resource's places are not tied to one)


def vacancy(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> Vacancy | None:
    """What one item's change may have freed, from its images; None when it frees nothing."""
    image = new or old
    if image is None or "data" not in image:
        return None
    entity, project_id = image.get("entity"), str(image.get("project_id", ""))
    if entity in SCHEDULES:
        return Vacancy(project_id, load_document(str(image["data"])).get("location_id"))
    if entity == "resource" and old is not None and new is not None:
        before, after = load_document(str(old["data"])), load_document(str(new["data"]))
        more = _places(after) > _places(before)
        if more or (after.get("enabled", True) and not before.get("enabled", True)):
            return Vacancy(project_id, None)
    return None


def _places(doc: Mapping[str, Any]) -> float:
    found = doc.get("max_simultaneous_bookings")
    return UNLIMITED if found is None else float(found)


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
        "data": {"location_id": found.location_id},
    }
    return BusEvent(WAITLIST_SOURCE, WAITLIST_VACANCY, json.dumps(detail))
