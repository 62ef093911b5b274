"""moto's Cognito keeps each user's password in clear (`CognitoIdpUser.password`, compared with `!=`).
The local store journals and snapshots Cognito's state (`kairos_local.cognito_state`), so a clear password
would land on disk. This patch makes `password` a property: setting it keeps only a salted scrypt hash, and
reading it gives a `PasswordHash` that compares equal to the right password alone. moto's own checks
(`user.password != password` in InitiateAuth, AdminInitiateAuth, ChangePassword) then work unchanged, and
the user object holds no password to write."""

import hashlib
import hmac
import secrets
from typing import Any

from kairos_local.moto_patches.registry import Replace

SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # about 50 ms on this machine: a stolen data folder resists guessing
SALT_BYTES = 16
ATTRIBUTE = "_kairos_password_hash"


class PasswordHash:
    """A salted scrypt digest that compares with the clear password it was made from."""

    def __init__(self, salt: bytes, digest: bytes) -> None:
        self.salt = salt
        self.digest = digest

    @classmethod
    def of(cls, password: str) -> "PasswordHash":
        salt = secrets.token_bytes(SALT_BYTES)
        return cls(salt, _derive(password, salt))

    def matches(self, password: object) -> bool:
        return isinstance(password, str) and hmac.compare_digest(self.digest, _derive(password, self.salt))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PasswordHash):
            return self.salt == other.salt and self.digest == other.digest
        return self.matches(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "PasswordHash(...)"


def _derive(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)


def _get(user: Any) -> PasswordHash | None:
    found: PasswordHash | None = user.__dict__.get(ATTRIBUTE)
    return found


def _set(user: Any, password: str | PasswordHash | None) -> None:
    if password is None or isinstance(password, PasswordHash):
        user.__dict__[ATTRIBUTE] = password
    else:
        user.__dict__[ATTRIBUTE] = PasswordHash.of(password)


def install(replace: Replace) -> None:
    from moto.cognitoidp.models import CognitoIdpUser

    replace(CognitoIdpUser, "password", property(_get, _set))
