"""Mailed one-time secrets (verification, password reset, invitations): random, shown only in the mail,
stored only as their SHA-256 hash, with an expiry, and usable once."""

import hashlib
import secrets

TOKEN_BYTES = 32


def new_secret() -> tuple[str, str]:
    """A secret for a link and the hash under which it is stored."""
    value = secrets.token_urlsafe(TOKEN_BYTES)
    return value, hash_secret(value)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.strip().encode()).hexdigest()
