"""Small patches to moto for the local store, each replacing one slow or unbounded moto path with one that
gives the same answers; tests/unit/local/test_moto_patches.py runs the same workload on moto with and
without them and compares. Listed in docs/local.md.

- `transactions`: TransactWriteItems without copying the whole table once per item;
- `query_index`: a Query reads the asked partition, not the whole table;
- `request_parsing`: DynamoDB requests are read with `json`, not moto's generic parser;
- `item_responses`: answers that carry items (the stream's too) are written with `json`, not moto's
  generic serializer;
- `queues`: an SQS receive costs what it returns, not the queue's length per message;
- `streams`: the table stream keeps 15 minutes of records and forgets old shard iterators;
- `request_overhead`: what moto recomputed on every request (its module list, compiled JSONPaths), kept;
- `string_values`: a string attribute value is compared and hashed as itself, without five type tests first;
- `cognito_passwords`: Cognito users keep a salted hash of their password, never the password;
- `cognito_refresh`: an unknown refresh token is refused as Cognito refuses it, not a dropped connection.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from kairos_local.moto_patches import (
    cognito_passwords,
    cognito_refresh,
    item_responses,
    query_index,
    queues,
    registry,
    request_overhead,
    request_parsing,
    streams,
    string_values,
    transactions,
)


def install() -> None:
    """Puts every patch in place (once: a second call changes nothing)."""
    if registry.any_installed():
        return
    for patch in (
        transactions,
        query_index,
        request_parsing,
        item_responses,
        streams,
        queues,
        request_overhead,
        string_values,
        cognito_passwords,
        cognito_refresh,
    ):
        patch.install(registry.replace)


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        registry.restore()
