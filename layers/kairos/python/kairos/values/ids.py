"""Entity ids are UUIDs, kept in lower case; a malformed id is simply an id that matches nothing (404, not
422). An id in upper case is the same id wherever it is sent (path, query or body): `normal_id`."""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Origin:
    """Who an entity was before it came here: a migration (`kairos migrate from-hapio`) keeps the id and
    the times a customer's app already stored, and every other rule of a create still applies. For a
    booking, also when it was finalized and canceled."""

    id: str
    created_at: datetime
    updated_at: datetime
    finalized_at: datetime | None = None
    canceled_at: datetime | None = None


def identity(origin: Origin | None, now: datetime) -> tuple[str, datetime, datetime]:
    """The id, created_at and updated_at of a new entity: fresh, or as its origin had them."""
    return (origin.id, origin.created_at, origin.updated_at) if origin else (new_id(), now, now)


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def normal_id(value: str) -> str:
    """The id as Kairos stores it: a UUID in lower case; anything else as it is (it matches nothing)."""
    return value.lower() if is_uuid(value) else value
