"""What the storage layer keeps and returns: entities as documents with their bookkeeping fields."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Record:
    """A catalogue entity: `doc` holds the validated fields as the API renders them."""

    kind: str
    id: str
    doc: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    version: int = 1


@dataclass(frozen=True)
class Association:
    service_id: str
    resource_id: str
    created_at: datetime


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    enabled: bool
    plan: str
    rate_limit_per_minute: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Token:
    id: str
    project_id: str
    name: str
    abilities: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None = None
    token_hash: str = field(default="", repr=False)
