"""RFC 6238 time-based one-time passwords, as an authenticator app computes them (HMAC-SHA1, 6 digits,
30-second steps): the tests type real codes, so a patch that accepted any code would fail them."""

import base64
import hashlib
import hmac
import struct
import time

STEP = 30


def totp(secret: str, at: float | None = None, steps: int = 0) -> str:
    """The code of base32 `secret` at time `at` (now), `steps` steps later (negative: earlier)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = int((time.time() if at is None else at) // STEP) + steps
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wrong_code(secret: str) -> str:
    """A code no window of the secret accepts now (not the previous, current or next step's)."""
    near = {totp(secret, steps=s) for s in (-2, -1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in near)
