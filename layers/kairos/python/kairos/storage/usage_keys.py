"""Keys of what counts and logs a project's requests (docs/table.md): the rate counters, the usage
counters, the request log, the tokens' last use and the idempotency records."""

from typing import Final

from kairos.storage.key_parts import shard_of

# A project's request counter of a month is spread over several items when its per-minute limit is more
# than one item should take (RATE_SHARD_PER_MINUTE: about 170 writes a second, a sixth of a partition's
# 1,000), its limits split between them (kairos/storage/rate_store.py): up to RATE_MAX_SHARDS, so that at a
# project's 1,000 booking writes and 10,000 reads a second (a limit of 660,000 a minute) no item takes more
# than 1 in 64 of its requests, nor of one location's or service's booking writes. Its items are all
# alike, `RATE#<project>#<n>` (shard 0 is a plan's one item), so a counter that spreads over more or fewer
# keeps its first ones. The counter of a source address (or of the Portal's attempts) is one item,
# `RATE#<subject>`, as were projects' before the spread (no longer read: docs/table.md, "Spread keys").

RATE_SHARD_PER_MINUTE: Final = 10_000
RATE_MAX_SHARDS: Final = 64


def rate_counter_shards(per_minute: int) -> int:
    """How many items a project's counter spreads over at this per-minute limit."""
    return max(1, min(RATE_MAX_SHARDS, -(-per_minute // RATE_SHARD_PER_MINUTE)))


def rate_counter(subject: str, month: str, shard: int | None = None) -> dict[str, str]:
    """The request counter of a source address without a token (`shard` None), or shard `shard` of a
    project's (its id), for one UTC month (`YYYY-MM`): its admitted requests that month and in its latest
    minute."""
    return {"PK": f"RATE#{subject}" + ("" if shard is None else f"#{shard}"), "SK": f"MONTH#{month}"}


# A project's usage of a day is the sum of its day items, one per writer (a counting slot of one process,
# `kairos.storage.usage_store.usage_writer`, used by one transaction at a time): no two transactions ever
# update the same counter item at once, so none conflicts. The items spread over USAGE_SHARDS partitions by
# writer; a reader queries them all (and the legacy partition, of the items written before: one per day).

USAGE_SHARDS: Final = 8


def usage_partition(project_id: str) -> str:
    """The legacy partition of a project's usage (one item per day, before the counters were split)."""
    return f"USAGE#{project_id}"


def usage_shard(project_id: str, shard: int | str) -> str:
    return f"{usage_partition(project_id)}#{shard}"


def usage_partitions(project_id: str) -> list[str]:
    return [*(usage_shard(project_id, s) for s in range(USAGE_SHARDS)), usage_partition(project_id)]


def usage_day(project_id: str, day: str, writer: str) -> dict[str, str]:
    """One writer's usage counters of a project for one UTC day (`YYYY-MM-DD`)."""
    return {
        "PK": usage_shard(project_id, shard_of(writer, USAGE_SHARDS)),
        "SK": f"{usage_day_sort_key(day)}#{writer}",
    }


def usage_day_sort_key(day: str) -> str:
    """Where a day's items begin in a usage partition (the legacy item's whole key)."""
    return f"DAY#{day}"


def usage_days_end(day: str) -> str:
    """Past every item of `day` in a usage partition: a range of days is one key range."""
    return f"DAY#{day}~"


# A project's request log is spread over REQUEST_LOG_SHARDS partitions by event id (every request writes
# one entry, in a transaction: 2 write units), each sorted by time; a reader merges them. Entries written
# before the spread sit in the legacy partition `REQLOG#<p>` until they expire (30 days), read beside.

REQUEST_LOG_SHARDS: Final = (
    63  # with the legacy partition, 64 Queries: one wave at the client's 64 connections
)


def request_log_partition(project_id: str) -> str:
    """The legacy partition of a project's log (one for all its entries, before the spread)."""
    return f"REQLOG#{project_id}"


def request_log_shard(project_id: str, shard: int | str) -> str:
    return f"{request_log_partition(project_id)}#{shard}"


def request_log_partitions(project_id: str) -> list[str]:
    """Every partition a project's log may have entries in: its shards, and the legacy one."""
    return [
        *(request_log_shard(project_id, s) for s in range(REQUEST_LOG_SHARDS)),
        request_log_partition(project_id),
    ]


def request_log_position(epoch_ms: int, event_id: str) -> str:
    """A log entry's sort key: the time to the millisecond, fixed width, so a time range is a key range
    (in every shard), and the event id, so that positions are unique and ordered across shards."""
    return f"{epoch_ms:015d}#{event_id}"


def request_log(project_id: str, epoch_ms: int, event_id: str) -> dict[str, str]:
    """A project's request log entry (expires after 30 days), in the shard of its event id. It also marks
    its usage event as counted: a redelivered event has the same key, finds it and is not counted twice."""
    return {
        "PK": request_log_shard(project_id, shard_of(event_id, REQUEST_LOG_SHARDS)),
        "SK": request_log_position(epoch_ms, event_id),
    }


def request_log_bodies(project_id: str, event_id: str) -> dict[str, str]:
    """The request's and the answer's bodies of one log entry, apart from it (a few KB: in the entry they
    would make every log write several units), each entry's in a partition of its own, read by key."""
    return {"PK": f"{request_log_partition(project_id)}#BODY#{event_id}", "SK": "BODIES"}


def token_use_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#TOKENUSE"


def token_use(project_id: str, token_id: str) -> dict[str, str]:
    """When a token was last used (written by the metering consumer, never by the API request)."""
    return {"PK": token_use_partition(project_id), "SK": f"TOKEN#{token_id}"}


# --- idempotency ------------------------------------------------------------------------------------------
# Powertools' idempotency records (kairos/api/idempotency.py) sit in their project's partitions, spread over
# IDEMPOTENCY_SHARDS by the record's key (a hash of project, operation and Idempotency-Key, so a key always
# finds its record), and expire through the table's TTL. Records written before this layout, all under
# `LEGACY_IDEMPOTENCY`, are no longer read: they expire within 24 hours.

IDEMPOTENCY_PREFIX: Final = "IDEMPOTENCY#"
IDEMPOTENCY_SHARDS: Final = 16
LEGACY_IDEMPOTENCY: Final = "IDEMPOTENCY"


def idempotency_partition(project_id: str, shard: int | str) -> str:
    return f"{IDEMPOTENCY_PREFIX}{project_id}#{shard}"


def idempotency_record(project_id: str, record_key: str) -> dict[str, str]:
    """A project's idempotency record by Powertools' key for it (`<function>#<hash>`)."""
    shard = shard_of(record_key, IDEMPOTENCY_SHARDS)
    return {"PK": idempotency_partition(project_id, shard), "SK": record_key}
