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
- `cognito_refresh`: an unknown refresh token is refused as Cognito refuses it, not a dropped connection;
- `cognito_totp`: software tokens get a secret of their own and codes are checked (RFC 6238, one step
  either side); a challenge's session answers once, for its own user;
- `cognito_signing_key`: tokens are signed with the store's own key, not the key pair moto ships.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from joserfc.jwk import RSAKey

from kairos_local.moto_patches import (
    cognito_passwords,
    cognito_refresh,
    cognito_signing_key,
    cognito_totp,
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

# The store's patches: DynamoDB, its stream and SQS. The unit tests' in-process moto runs with these alone
# (tests/conftest.py); the local store adds Cognito's.
STORE = (
    transactions,
    query_index,
    request_parsing,
    item_responses,
    streams,
    queues,
    request_overhead,
    string_values,
)
COGNITO = (cognito_passwords, cognito_refresh, cognito_totp)


def install(signing_key: RSAKey | None = None, *, cognito: bool = True) -> None:
    """Puts the store's patches in place, and with `cognito` Cognito's, which sign with `signing_key` or
    with a key made now (the store passes the data folder's). A patch already in place stays as it is."""
    for patch in (*STORE, *(COGNITO if cognito else ())):
        registry.install_once(patch.__name__, functools.partial(patch.install, registry.replace))
    if cognito:

        def sign() -> None:
            cognito_signing_key.install(registry.replace, signing_key or cognito_signing_key.new_key())

        registry.install_once(cognito_signing_key.__name__, sign)


@contextmanager
def installed(signing_key: RSAKey | None = None, *, cognito: bool = True) -> Iterator[None]:
    """The patches in place inside; every patch (those already in place before too) taken out after."""
    install(signing_key, cognito=cognito)
    try:
        yield
    finally:
        registry.restore()
