"""A table stream that keeps what DynamoDB keeps, not everything.

moto 5 keeps every stream record of a table for as long as it runs, and every shard iterator ever handed
out (each GetRecords hands out a new one), so a long-running local API grows without end. DynamoDB keeps
stream records for 24 hours and lets iterators expire after 15 minutes. Locally the only reader (the event
chain's stream reader) reads within a second, so records older than RETENTION are dropped, as DynamoDB
trims its shards: the shard's starting sequence number moves past them, so sequence numbers, LATEST and
TRIM_HORIZON keep their meaning, and an iterator that points into trimmed records reads from the oldest
record kept. Iterators older than 15 minutes are forgotten.
"""

import bisect
import time
from datetime import timedelta
from typing import Any

from kairos_local.moto_patches.registry import Replace

RETENTION = timedelta(minutes=15)
TRIM_EVERY = 1_000  # records added between two looks at the oldest ones
ITERATOR_LIFETIME_SECONDS = 15 * 60


def _created(record: Any) -> Any:
    return record.record["dynamodb"]["ApproximateCreationDateTime"]


def trim(shard: Any, now: Any) -> int:
    """Drops the records older than RETENTION; how many."""
    horizon = now - RETENTION
    expired = bisect.bisect_left(shard.items, horizon, key=_created)
    if expired:
        del shard.items[:expired]
        shard.starting_sequence_number += expired
    return expired


def install(replace: Replace) -> None:
    from moto.core.utils import utcnow
    from moto.dynamodb.models.table import StreamShard
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

    original_add = StreamShard.add
    original_get = StreamShard.get
    original_iterator = ShardIterator.__init__
    original_get_records = DynamoDBStreamsBackend.get_records

    def add(self: Any, old: Any, new: Any) -> None:
        original_add(self, old, new)
        if len(self.items) % TRIM_EVERY == 0:
            trim(self, utcnow())

    def get(self: Any, start: int, quantity: int) -> Any:
        return original_get(self, max(start, self.starting_sequence_number), quantity)

    def iterator(self: Any, *args: Any, **kwargs: Any) -> None:
        original_iterator(self, *args, **kwargs)
        self.kairos_created = time.monotonic()

    def get_records(self: Any, iterator_arn: str, limit: int) -> Any:
        result = original_get_records(self, iterator_arn, limit)
        horizon = time.monotonic() - ITERATOR_LIFETIME_SECONDS
        while self.shard_iterators:  # oldest first: a dict keeps insertion order
            arn, oldest = next(iter(self.shard_iterators.items()))
            if getattr(oldest, "kairos_created", horizon) > horizon:
                break
            del self.shard_iterators[arn]
        return result

    replace(StreamShard, "add", add)
    replace(StreamShard, "get", get)
    replace(ShardIterator, "__init__", iterator)
    replace(DynamoDBStreamsBackend, "get_records", get_records)
