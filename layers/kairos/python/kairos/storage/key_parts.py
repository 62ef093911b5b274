"""The parts every key family of the single table is built from (docs/table.md): a project's entity
partition, the partitions its entities own, sort-key prefixes, fixed-width UTC times and stable shards."""

import zlib
from datetime import UTC, datetime


def entity_prefix(kind: str) -> str:
    """Sort-key prefix of a catalogue entity kind (`location` -> `LOCATION#`)."""
    return f"{kind.upper()}#"


def entity_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def owned_partition(project_id: str, kind: str, entity_id: str) -> str:
    """The partition of what belongs to one entity: a service's resources, a resource's services (and,
    later, its schedules and bookings)."""
    return f"PROJECT#{project_id}#{kind.upper()}#{entity_id}"


def utc_key(instant: datetime) -> str:
    """A fixed-width UTC text that sorts as time does (`%Y-%m-%dT%H:%M:%SZ`; made by `isoformat`, which
    costs less than `strftime`: a series builds some 900 of these)."""
    return f"{instant.astimezone(UTC).isoformat(timespec='seconds')[:19]}Z"


def shard_of(identifier: str, shards: int) -> int:
    """A stable shard in `range(shards)` for an id or any text (the same on every instance and every run: a
    CRC, not Python's salted hash): how a hot family of keys spreads over several partitions by something
    each write already knows."""
    return zlib.crc32(identifier.encode()) % shards
