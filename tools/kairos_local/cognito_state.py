"""Makes the local Cognito durable like the local DynamoDB: after every Cognito request that changes state
(sign-up, confirmation, password, attributes, log-in sessions), the whole Cognito state is journaled as one
record, and every snapshot holds it too (`persistence.Store`); at start the latest is put back.

The state is moto's own user pool objects, pickled: pools, app clients, users (with their password as a
salted hash only: `moto_patches.cognito_passwords` is installed before any user exists), groups and
issued refresh tokens, so accounts and sessions survive a restart and `kill -9`. moto signs tokens with one
fixed key pair shipped in its package; it is left out of the pickle and loaded again. A local pool holds a
few developers' accounts, so writing the whole state per change is cheap.
"""

import base64
import pickle
from typing import Any

from kairos_local.journal import Record

TARGET = "Kairos.CognitoState"
COGNITO_PREFIX = "AWSCognitoIdentityProviderService."
READ_ONLY = ("Describe", "List", "Get", "AdminGet", "AdminList")


def changes_state(target: str) -> bool:
    """A Cognito request that may change what a restart must keep."""
    if not target.startswith(COGNITO_PREFIX):
        return False
    return not target[len(COGNITO_PREFIX) :].startswith(READ_ONLY)


def _pools() -> list[tuple[str, str, Any]]:
    from moto.cognitoidp.models import cognitoidp_backends

    return [
        (account, region, pool)
        for account in list(cognitoidp_backends.keys())
        for region, backend in list(cognitoidp_backends[account].items())
        for pool in list(backend.user_pools.values())
    ]


def state_record() -> Record | None:
    """Every pool as one record (None when there is none); called with no request in progress."""
    pools = _pools()
    if not pools:
        return None
    keys = [pool.json_web_key for _, _, pool in pools]
    try:
        for _, _, pool in pools:
            pool.json_web_key = None
        payload = pickle.dumps(pools, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for (_, _, pool), key in zip(pools, keys, strict=True):
            pool.json_web_key = key
    return Record(TARGET, "local", "", base64.b64encode(payload).decode("ascii"))


def restore(record: Record) -> None:
    """Replaces moto's Cognito state with the record's."""
    from joserfc import jwk
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.utilities.utils import load_resource

    pools: list[tuple[str, str, Any]] = pickle.loads(base64.b64decode(record.body))
    for account in list(cognitoidp_backends.keys()):
        for backend in cognitoidp_backends[account].values():
            backend.user_pools.clear()
    key = load_resource("cognitoidp/resources/jwks-private.json")  # as moto loads it for a new pool
    for account, region, pool in pools:
        pool.json_web_key = jwk.RSAKey.import_key(key)
        cognitoidp_backends[account][region].user_pools[pool.id] = pool
