"""What a booking write reads of the catalogue before its checks: the service, location and resource it
names (and those the booking has), the resources that perform its service, and the candidates among them.

`CatalogueReads` reads them fresh, or (`remembered`) takes them from the warm instance's memory when it
holds them all (`CatalogueMemory`). An intent planned from memory is marked `remembered`: its transaction
checks every record and the association it used (`Premises`), and the booking service plans it again from
fresh reads when one moved or when memory would refuse it (docs/bookings.md, "Cost per booking").
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kairos.domain.bookings.views import ID_FIELDS, Entities
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.ports import (
    AssociationRepository,
    BookingRepository,
    CatalogueMemory,
    CatalogueRepository,
)
from kairos.domain.shared.queries import Errors, raise_if
from kairos.domain.shared.records import Booking, Hold, LedgerState, Record
from kairos.errors import ValidationFailed

if TYPE_CHECKING:  # the booking rules and the slot engine are loaded by the first write
    from kairos.domain.bookings.intents import Intent


class CatalogueReads:
    """The catalogue reads of one plan; `recalled` tells whether memory answered any of them, `ledger`
    holds the ledger versions read along with them (the first plan reads only the rest)."""

    def __init__(
        self,
        catalogue: CatalogueRepository,
        associations: AssociationRepository,
        store: BookingRepository,
        memory: CatalogueMemory | None,
        *,
        recall: bool,
    ) -> None:
        self._catalogue = catalogue
        self._associations = associations
        self._store = store
        self._memory = memory  # None: nothing to remember in
        self._recall_from = memory if recall else None  # None: read everything fresh
        self.recalled = False
        self.ledger: LedgerState | None = None

    def _recalled(
        self, project_id: str, wanted: list[tuple[str, str]]
    ) -> dict[tuple[str, str], Record] | None:
        memory = self._recall_from
        found = memory.recall(project_id, wanted) if memory is not None else None
        self.recalled |= found is not None
        return found

    def _recalled_linked(self, project_id: str, service_id: str) -> set[str] | None:
        memory = self._recall_from
        found = memory.recall_linked(project_id, service_id) if memory is not None else None
        self.recalled |= found is not None
        return found

    def records(self, project_id: str, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Record]:
        if not wanted:
            return {}
        found = self._recalled(project_id, wanted)
        return found if found is not None else self._catalogue.get_many(project_id, wanted)

    def linked(self, project_id: str, service_id: str) -> set[str]:
        """The ids of the resources that perform the service."""
        found = self._recalled_linked(project_id, service_id)
        if found is None:
            listed = self._associations.list_associations(project_id, "service", service_id)
            return {a.resource_id for a in listed}
        return found

    def _with_ledgers(
        self,
        project_id: str,
        wanted: list[tuple[str, str]],
        associations: list[tuple[str, str]],
        holds: list[Hold],
    ) -> tuple[dict[tuple[str, str], Record], set[tuple[str, str]]]:
        """Entities and associations read fresh, with the ledger versions of `holds` (and the schedule
        versions of their resources) in the same round trip."""
        checked = {h.resource_id for h in holds}
        found, pairs, self.ledger = self._store.read_catalogue_and_ledgers(
            project_id, wanted, associations, holds, checked
        )
        if self._memory is not None:
            self._memory.remember(project_id, list(found.values()))
        return found, pairs

    def named(
        self, viewer: Principal, ids: Mapping[str, str | None], prefix: str, hold: Hold, service_id: str
    ) -> tuple[Entities, set[str]]:
        """`context` and `linked` for a request that names its resource (`hold`: where it asks to book
        it): from memory when it holds them all, else in one read with the resource's ledger versions
        (their keys need only the resource and the span; a buffer's hours are read later if needed).
        `linked` then holds the named resource only if it performs the service."""
        wanted = _named(ids)
        memory = self._recall_from
        if memory is not None:
            found = memory.recall(viewer.project_id, wanted)
            linked = memory.recall_linked(viewer.project_id, service_id) if found is not None else None
            if found is not None and linked is not None:
                self.recalled = True
                return _validated(found, ids, wanted, prefix), linked
        association = [(service_id, hold.resource_id)]
        found, pairs = self._with_ledgers(viewer.project_id, wanted, association, [hold])
        linked = {resource_id for _, resource_id in pairs}
        return _validated(found, ids, wanted, prefix), linked

    def context(
        self,
        viewer: Principal,
        ids: Mapping[str, str | None],
        prefix: str,
        before: Booking | None = None,
    ) -> Entities:
        """The service, location and resource the request names (and those the booking has) in one read.
        An unknown or disabled id the request sent is a 422; so is a null for an entity the booking still
        has: Hapio lets an id be null only when it already is, after its entity was deleted."""
        wanted = _named(ids)
        had = [(name.removesuffix("_id"), i) for name in ID_FIELDS if before and (i := getattr(before, name))]
        found = self.records(viewer.project_id, sorted(set(wanted + had)))
        return _validated(found, ids, wanted, prefix, before)

    def checked_intent(
        self,
        viewer: Principal,
        before: Booking | None,
        proposal: Booking,
        service: Record | None,
        location: Record | None,
        flags: set[str],
        prefix: str,
        entities: Entities,
        linked: set[str],
    ) -> "Intent":
        """An intent whose resource (given, or to choose by the location's strategy) must pass the checks.
        `linked`: the ids of the resources that perform the service; `entities`: what the request named,
        already read (a named resource is not read again)."""
        from kairos.domain.bookings.intents import Intent  # with the limits' model: writes only
        from kairos.domain.bookings.limits import limit_counters

        if location is None:
            return Intent(
                before, proposal, service, location, flags=flags, prefix=prefix, remembered=self.recalled
            )
        if proposal.resource_id is not None:
            if service is not None and proposal.resource_id not in linked:
                raise ValidationFailed.field(
                    f"{prefix}resource_id", "The selected resource does not perform this service."
                )
            named = entities.get("resource", proposal.resource_id)
            found = {("resource", named.id): named} if named is not None else {}
            ids = [proposal.resource_id]
        else:
            ids = sorted(linked)
            wanted = [("resource", i) for i in ids]
            recalled = self._recalled(viewer.project_id, wanted)
            span = (proposal.buffer_starts_at, proposal.buffer_ends_at)
            counters = limit_counters(service, location, proposal.starts_at)  # read with the ledger
            holds = [Hold(i, *span, counters) for i in ids]
            found = (
                recalled
                if recalled is not None
                else self._with_ledgers(viewer.project_id, wanted, [], holds)[0]
            )
        candidates = [found[("resource", i)] for i in ids if ("resource", i) in found]
        candidates = [r for r in candidates if r.doc.get("enabled", True)]
        if not candidates:
            raise ValidationFailed.field(f"{prefix}resource_id", "No resource performs this service.")
        strategy = location.doc.get("resource_selection_strategy", "randomize")
        return Intent(
            before,
            proposal,
            service,
            location,
            candidates,
            flags,
            True,
            strategy,
            prefix,
            self.recalled,
            self.ledger,
        )


def _named(ids: Mapping[str, str | None]) -> list[tuple[str, str]]:
    return [(name.removesuffix("_id"), i) for name in ID_FIELDS if (i := ids[name])]


def _validated(
    records: dict[tuple[str, str], Record],
    ids: Mapping[str, str | None],
    wanted: list[tuple[str, str]],
    prefix: str,
    before: Booking | None = None,
) -> Entities:
    """The entities read, if those the request names (`wanted`) exist and are enabled (see `context`)."""
    found = Entities(records)
    errors: Errors = {}
    for kind, entity_id in wanted:
        kept_deleted = before is not None and getattr(before, f"{kind}_id") == entity_id
        record = found.get(kind, entity_id)
        if record is None and not kept_deleted:
            errors[f"{prefix}{kind}_id"] = [f"The selected {kind}_id is invalid."]
        elif record is not None and not record.doc.get("enabled", True):
            errors[f"{prefix}{kind}_id"] = [f"The selected {kind} is disabled."]
    if before is not None:
        for name, current in current_ids(before, found).items():
            if ids[name] is None and current is not None:
                errors[f"{prefix}{name}"] = [f"The {name} can only be null when it is already null."]
    raise_if(errors)
    return found


def known(intent: "Intent", booking: Booking) -> Entities:
    """The entities an intent already loaded, for rendering the booking it wrote."""
    records = [
        intent.service,
        intent.location,
        *(r for r in intent.candidates if r.id == booking.resource_id),
    ]
    return Entities({(r.kind, r.id): r for r in records if r is not None})


def current_ids(booking: Booking, entities: Entities) -> dict[str, str | None]:
    """The ids as the booking shows them now: null where the entity was deleted."""
    return {
        name: entity_id if entities.get(name.removesuffix("_id"), entity_id) is not None else None
        for name in ID_FIELDS
        for entity_id in [getattr(booking, name)]
    }
