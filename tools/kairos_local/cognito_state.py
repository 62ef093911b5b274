"""Makes the local Cognito durable like the local DynamoDB, change by change: after every Cognito request
that may change state (anything but Describe/List/Get), what changed is journaled as one record, and every
snapshot holds the whole state, an entry a line.

Not the requests: a sign-up's body holds a password, and Cognito answers are not replayable (new ids, new
tokens). Instead the state is seen as entries, each moto object pickled on its own: per user pool its own
fields, and each app client, identity provider, group, user, resource server and issued token (users keep
their password as a salted hash only: `moto_patches.cognito_passwords` is installed before any user
exists). `Accounts` holds the pickle of each entry as last journaled; after a request it pickles the live
entries again and journals those that differ (and those gone), a few hundred bytes for a log-in however
many accounts there are. A reference from one entry to another (a user's groups) is pickled as the other's
key and resolved against the live objects when read back, so objects restored in place keep being shared.
If the record cannot be written (the disk is full), the changed entries are put back as they were
journaled, so memory and journal agree and the request is refused.

Tokens are signed with the data folder's own key (`signing_key`, installed by
`moto_patches.cognito_signing_key` as every pool's `json_web_key`), not the key pair moto ships: made at
the folder's first start, kept in `cognito-signing-key.json` (readable by its owner only) and never in the
journaled state, so ID tokens issued before a restart stay valid after it, and nobody without the folder
can sign one. A record of the previous version's kind (`WHOLE`: every pool, pickled whole) is read too.
"""

import base64
import io
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from kairos_local.journal import Record, write_atomically
from kairos_local.moto_patches.cognito_signing_key import new_key

TARGET = "Kairos.CognitoChanges"
WHOLE = "Kairos.CognitoState"
SIGNING_KEY_FILE = "cognito-signing-key.json"
COGNITO_PREFIX = "AWSCognitoIdentityProviderService."
READ_ONLY = ("Describe", "List", "Get", "AdminGet", "AdminList")
OBJECTS = ("clients", "identity_providers", "groups", "users", "resource_servers")
TOKENS = ("refresh_tokens", "access_tokens", "id_tokens")
LEFT_OUT = frozenset({*OBJECTS, *TOKENS, "json_web_key"})
POOL = ""  # the part of a pool's own fields
Key = tuple[str, str, str, str, str]  # account, region, pool id, part (POOL, OBJECTS, TOKENS), name
Change = tuple[Key, bytes | None]  # an entry's pickle, None when it is gone


def changes_state(target: str) -> bool:
    """A Cognito request that may change what a restart must keep."""
    if not target.startswith(COGNITO_PREFIX):
        return False
    return not target[len(COGNITO_PREFIX) :].startswith(READ_ONLY)


def _backends() -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends


def _pools() -> Iterator[tuple[str, str, Any]]:
    backends = _backends()
    for account in list(backends.keys()):
        for region, backend in list(backends[account].items()):
            for pool in list(backend.user_pools.values()):
                yield account, region, pool


def _live() -> dict[Key, Any]:
    """Every entry of moto's Cognito, each pool's own fields (as a dict) before its entries, in moto's
    order."""
    entries: dict[Key, Any] = {}
    for account, region, pool in _pools():
        entries[(account, region, pool.id, POOL, "")] = {
            k: v for k, v in pool.__dict__.items() if k not in LEFT_OUT
        }
        for part in OBJECTS + TOKENS:
            for name, value in getattr(pool, part).items():
                entries[(account, region, pool.id, part, name)] = value
    return entries


class _Pickler(pickle.Pickler):
    """Pickles one entry; the other entries it refers to become references to their keys."""

    def __init__(self, file: io.BytesIO, keys: dict[int, Key], root: object) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._keys = keys
        self._root = root

    def persistent_id(self, obj: Any) -> Any:
        key = self._keys.get(id(obj))
        if key is None or obj is self._root:
            return None
        return (key, type(obj))


def _dumps(value: Any, keys: dict[int, Key]) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, keys, value).dump(value)
    return buffer.getvalue()


_waiting: dict[Key, Any] = {}  # objects referred to before their own entry was read (a later record's)


class _Unpickler(pickle.Unpickler):
    """Reads an entry; a reference to another entry becomes the live object, or an empty one that is
    filled in, in place, when that entry is read."""

    def persistent_load(self, pid: Any) -> Any:
        key, kind = pid
        found = _existing(tuple(key))
        if found is None:
            found = _waiting.setdefault(tuple(key), kind.__new__(kind))
        return found


def _loads(blob: bytes) -> Any:
    return _Unpickler(io.BytesIO(blob)).load()


def _existing(key: Key) -> Any:
    account, region, pool_id, part, name = key
    pool = _backends()[account][region].user_pools.get(pool_id)
    if part == POOL or pool is None:
        return pool
    return getattr(pool, part).get(name)


def _apply(changes: list[Change]) -> None:
    """Puts entries into moto's live Cognito, pools' fields first, then entries, then what is gone;
    objects are updated in place, so the references other objects hold stay valid."""
    for key, blob in sorted(changes, key=lambda change: (change[1] is None, change[0][3] != POOL)):
        if blob is None:
            _remove(key)
        elif key[3] == POOL:
            _put_pool(key, _loads(blob))
        else:
            _put(key, _loads(blob))


def _put_pool(key: Key, fields: dict[str, Any]) -> None:
    from collections import OrderedDict

    from moto.cognitoidp.models import CognitoIdpUserPool

    account, region, pool_id, _, _ = key
    pools = _backends()[account][region].user_pools
    pool: Any = pools.get(pool_id) or _waiting.pop(key, None)
    if pool is None:
        pool = CognitoIdpUserPool.__new__(CognitoIdpUserPool)
    for part in OBJECTS + TOKENS:
        pool.__dict__.setdefault(part, OrderedDict() if part in OBJECTS else {})
    pool.__dict__.update(fields)  # its signing key is the folder's (moto_patches.cognito_signing_key)
    pools[pool_id] = pool


def _put(key: Key, value: Any) -> None:
    account, region, pool_id, part, name = key
    pool = _backends()[account][region].user_pools[pool_id]
    if part in OBJECTS:
        live = getattr(pool, part).get(name) or _waiting.pop(key, None)
        if live is not None:
            live.__dict__.clear()
            live.__dict__.update(value.__dict__)
            value = live
    getattr(pool, part)[name] = value


def _remove(key: Key) -> None:
    account, region, pool_id, part, name = key
    pools = _backends()[account][region].user_pools
    if part == POOL:
        pools.pop(pool_id, None)
    elif pool_id in pools:
        getattr(pools[pool_id], part).pop(name, None)


def signing_key(folder: Path) -> RSAKey:
    """The folder's signing key, made (and written for its owner alone) at the folder's first start."""
    path = folder / SIGNING_KEY_FILE
    if path.exists():
        return RSAKey.import_key(json.loads(path.read_text()))
    key = new_key()
    write_atomically(path, key.as_dict(private=True), mode=0o600)
    return key


class Accounts:
    """moto's Cognito as last journaled, entry by entry, and what has changed since."""

    def __init__(self) -> None:
        self._kept: dict[Key, bytes] = {}

    def changes(self) -> list[Change]:
        """Every entry whose pickle differs from the one journaled, and every entry gone."""
        live = _live()
        keys = {id(value): key for key, value in live.items() if key[3] in OBJECTS}
        keys.update({id(pool): (a, r, pool.id, POOL, "") for a, r, pool in _pools()})
        changed: list[Change] = []
        for key, value in live.items():
            blob = _dumps(value, keys)
            if self._kept.get(key) != blob:
                changed.append((key, blob))
        changed += [(key, None) for key in self._kept.keys() - live.keys()]
        return changed

    def commit(self, changes: list[Change]) -> None:
        """The changes are journaled: they are what is kept now."""
        for key, blob in changes:
            if blob is None:
                self._kept.pop(key, None)
            else:
                self._kept[key] = blob

    def undo(self, changes: list[Change]) -> None:
        """Puts the changed entries back as they were journaled (their record could not be written)."""
        _apply([(key, self._kept.get(key)) for key, _ in changes])

    def records(self) -> Iterator[Record]:
        """The whole state as kept, an entry a record (for the snapshot)."""
        for key, blob in self._kept.items():
            yield changes_record([(key, blob)])


def changes_record(changes: list[Change]) -> Record:
    return Record(TARGET, "local", "", base64.b64encode(pickle.dumps(changes)).decode("ascii"))


def apply(record: Record) -> None:
    """Puts a journaled record's entries into moto's Cognito (a WHOLE record replaces every pool)."""
    payload = base64.b64decode(record.body)
    if record.target == WHOLE:
        _restore_whole(pickle.loads(payload))
    else:
        _apply(pickle.loads(payload))


def _restore_whole(pools: list[tuple[str, str, Any]]) -> None:
    backends = _backends()
    for account in list(backends.keys()):
        for backend in backends[account].values():
            backend.user_pools.clear()
    for account, region, pool in pools:
        backends[account][region].user_pools[pool.id] = pool
