"""Repository interfaces. The domain services take these in their constructors; the DynamoDB adapter in
`kairos.storage` implements them, and nothing else in the domain knows about storage."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from kairos.domain.shared.records import (
    NO_PREMISES,
    Admission,
    Association,
    Booking,
    BookingChange,
    GroupChange,
    Hold,
    LedgerState,
    Limits,
    Premises,
    Project,
    Record,
    Release,
    Timeline,
    Token,
)
from kairos.errors import NotFound
from kairos.values.ids import is_uuid


class CatalogueRepository(Protocol):
    def get(self, project_id: str, kind: str, entity_id: str) -> Record | None: ...

    def get_many(
        self, project_id: str, wanted: list[tuple[str, str]], consistent: bool = True
    ) -> dict[tuple[str, str], Record]:
        """Entities by (kind, id); missing ones are simply absent from the result. `consistent=False`:
        eventually consistent (half the read units), for what is only shown."""

    def list_all(self, project_id: str, kind: str) -> list[Record]: ...

    def create(self, project_id: str, record: Record) -> None: ...

    def replace(self, project_id: str, record: Record, expected_version: int) -> None:
        """Writes `record` if the stored version is still `expected_version`; else raises Conflict,
        or NotFound when the entity is gone."""

    def delete(self, project_id: str, kind: str, entity_id: str) -> bool:
        """Deletes the entity and what it owns (its associations); False if it did not exist."""


class CatalogueMemory(Protocol):
    """What a warm instance remembers of the catalogue records a booking write needs, for a short
    lifetime (`kairos.storage.catalogue_cache`). What it answers may be stale: a write planned from it
    checks it in its transaction (`Premises`); a slot listing, which decides nothing, shows it as it is,
    at most that lifetime old."""

    def recall(self, project_id: str, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Record] | None:
        """Every wanted entity as remembered; None when any is not remembered (read them instead: a
        read through the catalogue repository is remembered)."""

    def recall_linked(self, project_id: str, service_id: str) -> set[str] | None:
        """The ids of the resources that perform the service, as last listed; None when not remembered."""

    def remember(self, project_id: str, records: list[Record]) -> None:
        """Keeps records read otherwise than through the catalogue repository."""

    def forget(self, project_id: str) -> None:
        """Drops what is remembered of the project."""


class AssociationRepository(Protocol):
    def associate(
        self, project_id: str, service_id: str, resource_id: str, at: datetime
    ) -> tuple[Association, bool]:
        """Links the two (both must exist, else NotFound); returns the association and whether it is new."""

    def get_association(self, project_id: str, service_id: str, resource_id: str) -> Association | None: ...

    def list_associations(self, project_id: str, owner_kind: str, owner_id: str) -> list[Association]: ...

    def dissociate(self, project_id: str, service_id: str, resource_id: str) -> bool: ...


class ProjectRepository(Protocol):
    def create_project(self, project: Project) -> None: ...

    def get_project(self, project_id: str) -> Project | None: ...

    def list_projects(self) -> list[Project]: ...

    def create_token(self, token: Token) -> None: ...

    def get_token(self, token_hash: str) -> Token | None: ...

    def list_tokens(self, project_id: str) -> list[Token]: ...

    def revoke_token(self, project_id: str, token_id: str, at: datetime) -> bool: ...

    def set_default_hold_time(self, project_id: str, value: str | None, at: datetime) -> bool: ...

    def get_projects(self, project_ids: list[str]) -> list[Project]: ...

    def update_project(self, project_id: str, changes: Mapping[str, Any]) -> Project | None:
        """Sets attributes of an existing project; it as it is now (None: there is none). Not its plan or
        rate limit: those are `change_limits`'s."""

    def change_limits(
        self, project: Project, changes: Mapping[str, Any], limits: Limits, months: Sequence[tuple[str, int]]
    ) -> bool:
        """Sets `changes` on the project and stores `limits` on its request counters of `months` ((month,
        expiry) pairs) in one transaction, if its plan and rate limit are still those of `project`; False
        when they are not (or it is gone), and then nothing changed."""

    def update_token(self, token: Token, name: str, abilities: frozenset[str]) -> None: ...

    def disable_project(self, project_id: str, months: list[tuple[str, int]], at: datetime) -> Project | None:
        """Disables the project and closes its request counters of `months` ((YYYY-MM, expiry) pairs) in
        one transaction; the project as it is now (None: there is none)."""


class RateCounter(Protocol):
    def admit(
        self,
        subject: str,
        month: str,
        minute: str,
        limits: Limits,
        expires_at: int,
        *,
        project: bool,
        quota: bool = True,
    ) -> Admission:
        """Counts one request of `subject` (a project id, or `address:<ip>`) in its `minute` and `month`
        if both still have room under `limits` (the month's only with `quota`), atomically, whatever the
        request rate; a refused request is not counted. One round trip, as a rule. For a `project`, the
        month starts from its metered usage, so the limit holds from a counter's first request on, and the
        limits stored by its latest change (`ProjectRepository.change_limits`) win over `limits`: the
        admission says which applied. A counter closed by `ProjectRepository.disable_project` refuses
        every request (`closed`)."""


class TimelineReader(Protocol):
    def timeline(
        self, project_id: str, resource_id: str, start: datetime, end: datetime, head: Timeline | None = None
    ) -> Timeline:
        """Recurring schedules, and the one-off blocks and bookings overlapping [start, end). `head`: the
        resource's recurring schedules and long entries as read beforehand (`read_resources`,
        `BookingRepository.read_ledgers`); None: read with the window."""

    def pruned(
        self, project_id: str, resource_id: str, start: datetime, end: datetime, head: Timeline
    ) -> Timeline:
        """The long entries `head` pruned that overlap [start, end): none, without a read, unless the
        window reaches back before the head's `pruned_before` (`timeline` adds them itself)."""

    def read_resources(
        self, project_id: str, resource_ids: Sequence[str], records: bool = True
    ) -> tuple[dict[str, Record], dict[str, Timeline]]:
        """The resources that exist, and the heads of the timelines of all, by id, in one read; without
        `records`, the heads alone (the caller knows the resources) and no resource."""


class ScheduleRepository(TimelineReader, Protocol):
    """A resource's recurring schedules (with their weekly blocks inside) and one-off schedule blocks."""

    def get_recurring(self, project_id: str, resource_id: str, schedule_id: str) -> Record | None: ...

    def list_recurring(self, project_id: str, resource_id: str) -> list[Record]: ...

    def put_recurring(
        self, project_id: str, resource_id: str, record: Record, expected_version: int | None
    ) -> None:
        """Creates (expected_version None) or replaces if unchanged since read; else raises Conflict."""

    def delete_recurring(self, project_id: str, resource_id: str, schedule_id: str) -> bool: ...

    def get_block(self, project_id: str, resource_id: str, block_id: str) -> Record | None: ...

    def list_blocks(self, project_id: str, resource_id: str) -> list[Record]: ...

    def put_block(self, project_id: str, resource_id: str, record: Record, previous: Record | None) -> None:
        """Writes the block and its timeline copy together; `previous` (as read) for a replace."""

    def delete_block(self, project_id: str, resource_id: str, record: Record) -> None: ...


class BookingRepository(Protocol):
    def add(self, project_id: str, booking: Booking) -> None:
        """Stores a booking and, unless canceled, its hold on the resource's timeline (no checks)."""

    def get(self, project_id: str, booking_id: str) -> Booking | None: ...

    def list_window(
        self, project_id: str, owner: tuple[str, str] | None, start: datetime | None, end: datetime | None
    ) -> list[Booking]:
        """The bookings of the project, or of one `(kind, id)` owner (resource, location, service), that
        end after `start` and start before `end` (None: unbounded)."""
        ...

    def read_ledgers(
        self, project_id: str, holds: list[Hold], checked: set[str], have: LedgerState | None = None
    ) -> LedgerState:
        """Reads the ledger versions covering `holds` and the schedule versions of the `checked`
        resources, but those `have` holds already (read with the catalogue); call it BEFORE reading the
        timelines the check uses."""

    def read_catalogue_and_ledgers(
        self,
        project_id: str,
        wanted: list[tuple[str, str]],
        associations: list[tuple[str, str]],
        holds: list[Hold],
        checked: set[str],
    ) -> tuple[dict[tuple[str, str], Record], set[tuple[str, str]], LedgerState]:
        """In one read: catalogue entities by (kind, id) (missing ones absent), which of the
        (service_id, resource_id) associations exist, and what `read_ledgers` reads for `holds` and
        `checked`. Before the timelines, as `read_ledgers`."""

    def get_many(self, project_id: str, booking_ids: list[str]) -> list[Booking]: ...

    def fits(
        self,
        new: Sequence[tuple[datetime, datetime] | None],
        changed: Sequence[tuple[datetime, datetime] | None],
        group: bool,
    ) -> bool:
        """Whether new and changed bookings covering at least these spans (None: unknown) can be written
        in one transaction; False only when they certainly cannot. Answered without a read."""

    def commit(
        self,
        project_id: str,
        changes: list[BookingChange],
        seen: LedgerState,
        group: GroupChange | None = None,
        premises: Premises = NO_PREMISES,
        releases: Sequence[Release] = (),
    ) -> None:
        """Writes every change (and the group's item) in one transaction; raises Conflict if a guarded
        ledger, a schedule version, a booking's or the group's own version moved since they were read:
        LostRace (with the moved values) when only ledger counters and schedule versions moved. With
        `premises` (catalogue state the plan took from memory), the transaction also checks that each
        still holds, and raises StaleCatalogue if one does not or they would not fit it. `releases`: the
        expired holds whose places the changes take, released in the same transaction (Conflict when
        one changed since it was read). A change that keeps a hold's place raises HoldGone when the
        hold expired by the commit's clock or was released."""

    def release(self, project_id: str, release: Release) -> bool:
        """Releases an expired hold on its own; False when it is no longer the hold that expired."""


def require(
    repository: CatalogueRepository, project_id: str, kind: str, entity_id: str, label: str | None = None
) -> Record:
    """The project's entity of `kind` with that id, or NotFound (a malformed id matches nothing)."""
    found = repository.get(project_id, kind, entity_id) if is_uuid(entity_id) else None
    if found is None:
        raise NotFound(label or kind)
    return found
