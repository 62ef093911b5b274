"""The waitlist entries' API (docs/waitlists.md): create, get, list, delete. Creating writes only the
entry: offers are made from the change stream (`kairos.waitlists.offers`), never on the request's path."""

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import FieldType, ListSpec, Page, select
from kairos.domain.shared.ports import AssociationRepository, CatalogueRepository
from kairos.domain.shared.records import Record
from kairos.errors import NotFound, Retryable, ValidationFailed
from kairos.values.formats import format_timestamp, parse_timestamp, zone
from kairos.values.ids import is_uuid, new_id, normal_id
from kairos.waitlists.entries import KIND, QUEUED, WAITING, render
from kairos.waitlists.ports import WaitlistRepository

if TYPE_CHECKING:  # the input model (pydantic) is loaded by the create that parses a body: reads need none
    from kairos.waitlists.entry_input import WaitlistEntryInput

ENTRY_LIST = ListSpec(
    bracket_fields={
        **{name: FieldType.TIMESTAMP for name in ("from", "to", "created_at", "updated_at")},
        "metadata": FieldType.JSON,
    },
    sort_keys=("from", "to", "created_at", "updated_at"),
    plain_filters={
        "status": lambda item, value: item["status"] == value,
        "service": lambda item, value: item["service_id"] == normal_id(value),
        "location": lambda item, value: item["location_id"] == normal_id(value),
        "resource": lambda item, value: item["resource_id"] == normal_id(value),
    },
)
ATTEMPTS = 3  # reads of an entry to delete, when it changes between the read and the delete


class Waitlists:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        associations: AssociationRepository,
        store: WaitlistRepository,
        clock: Callable[[], datetime],
        longest_days: int,
    ) -> None:
        self._catalogue = catalogue
        self._associations = associations
        self._store = store
        self._clock = clock
        self._longest_days = longest_days  # the KAIROS_MAX_SLOT_WINDOW_DAYS setting

    def create(self, viewer: Principal, body: dict[str, Any]) -> dict[str, Any]:
        from kairos.domain.shared.validation import parse
        from kairos.waitlists.entry_input import WaitlistEntryInput, check_window

        given = parse(WaitlistEntryInput, body)
        now = self._clock()
        check_window(given, now, self._longest_days)
        location = self._checked_catalogue(viewer.project_id, given)
        where = zone(location.doc["time_zone"])
        doc = {
            "status": WAITING,
            "service_id": given.service_id,
            "location_id": given.location_id,
            "resource_id": given.resource_id,
            "from": format_timestamp(parse_timestamp(given.from_), where),
            "to": format_timestamp(parse_timestamp(given.to), where),
            "metadata": given.metadata,
            "booking_id": None,
            "offered_at": None,
            QUEUED: time.time_ns(),
        }
        record = Record(KIND, new_id(), doc, now, now)
        self._store.create(viewer.project_id, record)
        return render(record)

    def get(self, viewer: Principal, entry_id: str) -> dict[str, Any]:
        return render(self._existing(viewer.project_id, entry_id))

    def page(self, viewer: Principal, query: Mapping[str, str]) -> Page:
        return select([render(r) for r in self._store.list_all(viewer.project_id)], query, ENTRY_LIST)

    def delete(self, viewer: Principal, entry_id: str) -> None:
        """Removes the entry whatever its status, with the link of its hold when it is offered: one write
        conditioned on the entry as read, read again when an offer or its hold's settlement got in between.
        The hold itself is deleted next, from the change stream, by the offer step (`WaitlistOffers`), unless
        finalized by then."""
        for _ in range(ATTEMPTS):
            if self._store.delete(viewer.project_id, self._existing(viewer.project_id, entry_id)):
                return
        raise Retryable("The waitlist entry is being changed; try again.")

    def _existing(self, project_id: str, entry_id: str) -> Record:
        found = self._store.get(project_id, entry_id) if is_uuid(entry_id) else None
        if found is None:
            raise NotFound("waitlist entry")
        return found

    def _checked_catalogue(self, project_id: str, given: "WaitlistEntryInput") -> Record:
        """The location; a 422 on each id that names nothing or something disabled, and on a resource that
        does not perform the service."""
        wanted = [("service", given.service_id), ("location", given.location_id)]
        if given.resource_id is not None:
            wanted.append(("resource", given.resource_id))
        found = self._catalogue.get_many(project_id, wanted)
        errors: dict[str, list[str]] = {}
        for kind, entity_id in wanted:
            record = found.get((kind, entity_id))
            if record is None:
                errors[f"{kind}_id"] = [f"The selected {kind}_id is invalid."]
            elif not record.doc.get("enabled", True):
                errors[f"{kind}_id"] = [f"The selected {kind} is disabled."]
        resource_id = given.resource_id
        performs = (
            errors
            or resource_id is None
            or self._associations.get_association(project_id, given.service_id, resource_id) is not None
        )
        if not performs:
            errors["resource_id"] = ["The selected resource does not perform this service."]
        if errors:
            raise ValidationFailed(errors)
        return found[("location", given.location_id)]
