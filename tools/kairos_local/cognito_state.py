"""Makes the local Cognito durable like the local DynamoDB: after every Cognito request that changes state
(sign-up, confirmation, password, attributes, log-in sessions), the whole Cognito state is journaled as one
record, and every snapshot holds it too (`persistence.Store`); at start the latest is put back.

The state is moto's own user pool objects, pickled: pools, app clients, users (with their password as a
salted hash only: `moto_patches.cognito_passwords` is installed before any user exists), groups and
issued refresh tokens, so accounts and sessions survive a restart and `kill -9`. A local pool holds a few
developers' accounts, so writing the whole state per change is cheap.

Tokens are signed with the data folder's own key (`signing_key`, installed by
`moto_patches.cognito_signing_key`), not the key pair moto ships: made at the folder's first start, kept in
`cognito-signing-key.json` (readable by its owner only) and never in the pickled state, so ID tokens issued
before a restart stay valid after it, and nobody without the folder can sign one.
"""

import base64
import json
import pickle
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from kairos_local.journal import Record, write_atomically
from kairos_local.moto_patches.cognito_signing_key import new_key

TARGET = "Kairos.CognitoState"
SIGNING_KEY_FILE = "cognito-signing-key.json"
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


def signing_key(folder: Path) -> RSAKey:
    """The folder's signing key, made (and written for its owner alone) at the folder's first start."""
    path = folder / SIGNING_KEY_FILE
    if path.exists():
        return RSAKey.import_key(json.loads(path.read_text()))
    key = new_key()
    write_atomically(path, key.as_dict(private=True), mode=0o600)
    return key


def state_record() -> Record | None:
    """Every pool as one record (None when there is none); called with no request in progress."""
    pools = _pools()
    if not pools:
        return None
    payload = pickle.dumps(pools, protocol=pickle.HIGHEST_PROTOCOL)
    return Record(TARGET, "local", "", base64.b64encode(payload).decode("ascii"))


def restore(record: Record) -> None:
    """Replaces moto's Cognito state with the record's (a record of an earlier version holds moto's key as
    `None`: the patch's property reads past it)."""
    from moto.cognitoidp.models import cognitoidp_backends

    pools: list[tuple[str, str, Any]] = pickle.loads(base64.b64decode(record.body))
    for account in list(cognitoidp_backends.keys()):
        for backend in cognitoidp_backends[account].values():
            backend.user_pools.clear()
    for account, region, pool in pools:
        cognitoidp_backends[account][region].user_pools[pool.id] = pool
