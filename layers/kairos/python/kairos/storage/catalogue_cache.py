"""The catalogue as a warm instance sees it: `CatalogueStore` behind a memory of what was read (services,
locations, resources, and the resources of each service), so that a booking write can be planned, and
slots listed, without reading them again (docs/bookings.md, "Cost per booking";
docs/slots.md, "Freshness": what a read shows of the catalogue may be up to `LIFETIME` old).

What is remembered may be stale: another function (or instance) may have changed the catalogue since. A
booking write planned from memory therefore checks, in its own transaction, every record it used (its
`version`) and the association of the resource it chose (`Premises`), and is planned again from fresh
reads when one moved. Memory never decides alone; it only saves reads. Entries live `LIFETIME` seconds
(after which a resource associated meanwhile is seen by a warm instance too), at most `PROJECTS` projects
of `RECORDS` records each, and this instance's own catalogue writes drop their project's entry at once.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from kairos.domain.records import Association, Record
from kairos.storage.catalogue_store import CatalogueStore

LIFETIME = 60.0  # seconds, as the token cache's
PROJECTS = 256
RECORDS = 1_000


@dataclass
class _Entry:
    born: float
    records: dict[tuple[str, str], Record] = field(default_factory=dict)
    linked: dict[str, set[str]] = field(default_factory=dict)  # service id -> resource ids


class CachedCatalogue:
    """Implements the catalogue and association repositories by `CatalogueStore`, remembering the
    records and service resources it reads (`recall`, `recall_linked`); writes go to the store and make
    the instance forget the project."""

    def __init__(self, store: CatalogueStore, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()  # a request's reads run on worker threads

    # --- memory -----------------------------------------------------------------------------------------

    def recall(self, project_id: str, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Record] | None:
        with self._lock:
            entry = self._entry(project_id)
            if entry is None or any(key not in entry.records for key in wanted):
                return None
            return {key: entry.records[key] for key in wanted}

    def recall_linked(self, project_id: str, service_id: str) -> set[str] | None:
        with self._lock:
            entry = self._entry(project_id)
            found = entry.linked.get(service_id) if entry is not None else None
            return set(found) if found is not None else None

    def forget(self, project_id: str) -> None:
        with self._lock:
            self._entries.pop(project_id, None)

    def _entry(self, project_id: str, create: bool = False) -> _Entry | None:
        """The project's live entry (made when `create`), most recently used last. Call with the lock."""
        now = self._clock()
        entry = self._entries.get(project_id)
        if entry is not None and now - entry.born >= LIFETIME:
            del self._entries[project_id]
            entry = None
        if entry is None and create:
            entry = self._entries[project_id] = _Entry(now)
            while len(self._entries) > PROJECTS:
                self._entries.popitem(last=False)
        if entry is not None:
            self._entries.move_to_end(project_id)
        return entry

    def remember(self, project_id: str, records: list[Record]) -> None:
        with self._lock:
            entry = self._entry(project_id, create=True)
            assert entry is not None
            if len(entry.records) + len(records) > RECORDS:
                entry.records.clear()
            entry.records.update({(r.kind, r.id): r for r in records})

    # --- reads (remembered) -----------------------------------------------------------------------------

    def get(self, project_id: str, kind: str, entity_id: str) -> Record | None:
        return self._store.get(project_id, kind, entity_id)

    def get_many(
        self, project_id: str, wanted: list[tuple[str, str]], consistent: bool = True
    ) -> dict[tuple[str, str], Record]:
        found = self._store.get_many(project_id, wanted, consistent)
        self.remember(project_id, list(found.values()))
        return found

    def list_all(self, project_id: str, kind: str) -> list[Record]:
        return self._store.list_all(project_id, kind)

    def get_association(self, project_id: str, service_id: str, resource_id: str) -> Association | None:
        return self._store.get_association(project_id, service_id, resource_id)

    def list_associations(self, project_id: str, owner_kind: str, owner_id: str) -> list[Association]:
        found = self._store.list_associations(project_id, owner_kind, owner_id)
        if owner_kind == "service":
            with self._lock:
                entry = self._entry(project_id, create=True)
                assert entry is not None
                entry.linked[owner_id] = {a.resource_id for a in found}
        return found

    # --- writes (forget the project once written) ------------------------------------------------------

    @contextmanager
    def _forgetting(self, project_id: str) -> Iterator[None]:
        try:
            yield
        finally:
            self.forget(project_id)

    def create(self, project_id: str, record: Record) -> None:
        with self._forgetting(project_id):
            self._store.create(project_id, record)

    def replace(self, project_id: str, record: Record, expected_version: int) -> None:
        with self._forgetting(project_id):
            self._store.replace(project_id, record, expected_version)

    def delete(self, project_id: str, kind: str, entity_id: str) -> bool:
        with self._forgetting(project_id):
            return self._store.delete(project_id, kind, entity_id)

    def associate(
        self, project_id: str, service_id: str, resource_id: str, at: datetime
    ) -> tuple[Association, bool]:
        with self._forgetting(project_id):
            return self._store.associate(project_id, service_id, resource_id, at)

    def dissociate(self, project_id: str, service_id: str, resource_id: str) -> bool:
        with self._forgetting(project_id):
            return self._store.dissociate(project_id, service_id, resource_id)
