"""Repository interfaces. The domain services take these in their constructors; the DynamoDB adapter in
`kairos.storage` implements them, and nothing else in the domain knows about storage."""

from datetime import datetime
from typing import Protocol

from kairos.domain.records import Association, Project, Record, Token


class CatalogueRepository(Protocol):
    def get(self, project_id: str, kind: str, entity_id: str) -> Record | None: ...

    def list_all(self, project_id: str, kind: str) -> list[Record]: ...

    def create(self, project_id: str, record: Record) -> None: ...

    def replace(self, project_id: str, record: Record, expected_version: int) -> None:
        """Writes `record` if the stored version is still `expected_version`; else raises Conflict,
        or NotFound when the entity is gone."""

    def delete(self, project_id: str, kind: str, entity_id: str) -> bool:
        """Deletes the entity and what it owns (its associations); False if it did not exist."""


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


class RateCounter(Protocol):
    def hit(self, project_id: str, minute: str, expires_at: int) -> int:
        """Counts one request in the project's window and returns the count so far (one round trip)."""
