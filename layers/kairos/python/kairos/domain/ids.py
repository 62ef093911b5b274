"""Entity ids are UUIDs, kept in lower case; a malformed id is simply an id that matches nothing (404, not
422). An id in upper case is the same id wherever it is sent (path, query or body): `normal_id`."""

import re
import uuid

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def normal_id(value: str) -> str:
    """The id as Kairos stores it: a UUID in lower case; anything else as it is (it matches nothing)."""
    return value.lower() if is_uuid(value) else value
