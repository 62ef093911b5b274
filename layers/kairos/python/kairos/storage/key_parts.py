"""The parts every key family of the single table is built from (docs/table.md): a project's entity
partition, the partitions its entities own, sort-key prefixes, fixed-width UTC times and stable shards."""

import zlib
from datetime import UTC, datetime
from functools import lru_cache


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
    """A fixed-width UTC text that sorts as time does (`%Y-%m-%dT%H:%M:%SZ`)."""
    return _utc_text(instant.astimezone(UTC))


@lru_cache(maxsize=4096)
def _utc_text(instant: datetime) -> str:
    """`utc_key` of a UTC instant, made by `isoformat` (which costs less than `strftime`) and kept for the
    instants met last: a 52-week series makes some 630 of these of 110 instants (an occurrence's times in
    its booking's listing, its hold's key and item, its hold's finalize), and a lookup costs less.
    Keyed by the instant in UTC, where no two instants are equal (in a zone with a repeated hour, the two
    readings of a wall time compare equal)."""
    return f"{instant.isoformat(timespec='seconds')[:19]}Z"


def shard_of(identifier: str, shards: int) -> int:
    """A stable shard in `range(shards)` for an id or any text (the same on every instance and every run: a
    CRC, not Python's salted hash): how a hot family of keys spreads over several partitions by something
    each write already knows."""
    return zlib.crc32(identifier.encode()) % shards
