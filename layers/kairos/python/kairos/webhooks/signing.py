"""The signature of a webhook delivery, and the check a receiver runs (docs/webhooks.md shows it).

`X-Kairos-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`: each v1 is HMAC-SHA256 over `<t>.<raw body>`
with one valid secret of the subscription (two while a rotated-out secret is still valid), so a receiver
keeps working during a rotation whichever secret it holds. The timestamp is signed too: a receiver that
refuses old timestamps refuses a captured delivery replayed later.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable

SIGNATURE_HEADER = "X-Kairos-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The signature header is missing, malformed, too old, or matches none of the receiver's secrets."""


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={_digest(s, timestamp, body)}" for s in secrets)])


def verify_signature(
    header: str, body: bytes, secret: str, now: int, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> int:
    """Checks a delivery as a receiver should; returns its timestamp or raises SignatureError.

    `body` must be the raw bytes received (not re-serialized JSON). A timestamp more than `tolerance`
    seconds away from `now` is refused, so a replayed delivery fails once the window has passed; within
    it, a receiver that must never act twice also remembers the X-Kairos-Delivery ids it has seen.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and re.fullmatch(r"[0-9]{1,12}", value):
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("malformed signature header")
    if abs(now - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance: a replay or a wrong clock")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureError("no signature matches the secret")
    return timestamp
