"""Checking a webhook delivery as a receiver must (docs/webhooks.md, "Verifying a delivery"):
`X-Kairos-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=...]`, with a
timestamp within the tolerance (a captured delivery replayed later fails), any `v1` matching (during a
secret's rotation either secret does), compared in constant time."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Kairos-Signature"
DELIVERY_HEADER = "X-Kairos-Delivery"
TOLERANCE_SECONDS = 300


class WebhookSignatureError(ValueError):
    """The header is missing or malformed, its timestamp is too far from now, or no signature matches."""


def verify_webhook(
    body: bytes,
    header: str | None,
    secret: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> int:
    """The delivery's timestamp when `header` signs `body` (the raw bytes received) with `secret`."""
    fields = [part.strip().partition("=") for part in (header or "").split(",")]
    stamps = [value for name, _, value in fields if name == "t" and value.isdigit() and len(value) <= 12]
    signatures = [value for name, _, value in fields if name == "v1"]
    if len(stamps) != 1 or not signatures:
        raise WebhookSignatureError("malformed signature header")
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise WebhookSignatureError("timestamp outside the tolerance: a replay or a wrong clock")
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise WebhookSignatureError("no signature matches the secret")
    return timestamp
