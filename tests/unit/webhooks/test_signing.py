"""Signatures: what the dispatcher sends verifies with the receiver helper, and replays are refused."""

import pytest

from kairos.webhooks.signing import SignatureError, signature_header, verify_signature

BODY = b'{"id":"e1","type":"booking.created"}'


def test_a_signature_verifies_with_the_secret_and_raw_body() -> None:
    header = signature_header(["s3cret"], 1_700_000_000, BODY)
    assert header.startswith("t=1700000000,v1=")
    assert verify_signature(header, BODY, "s3cret", now=1_700_000_010) == 1_700_000_000


def test_one_v1_per_secret_so_either_secret_verifies_during_a_rotation() -> None:
    header = signature_header(["new", "old"], 1_700_000_000, BODY)
    assert header.count("v1=") == 2
    for secret in ("new", "old"):
        verify_signature(header, BODY, secret, now=1_700_000_000)


@pytest.mark.parametrize(
    ("header", "body", "secret", "now"),
    [
        (signature_header(["s"], 1_700_000_000, BODY), BODY + b" ", "s", 1_700_000_000),  # altered body
        (signature_header(["s"], 1_700_000_000, BODY), BODY, "other", 1_700_000_000),  # wrong secret
        (signature_header(["s"], 1_700_000_000, BODY), BODY, "s", 1_700_000_301),  # replayed too late
        (
            signature_header(["s"], 1_700_000_000, BODY).replace("t=1700000000", "t=1700000100"),
            BODY,
            "s",
            1_700_000_100,
        ),  # timestamp swapped to look fresh
        ("v1=abc", BODY, "s", 1_700_000_000),  # no timestamp
        ("t=1700000000", BODY, "s", 1_700_000_000),  # no signature
        ("t=\u00b2,v1=00", BODY, "s", 1_700_000_000),  # a digit to str.isdigit, not to int()
    ],
)
def test_tampered_replayed_or_malformed_deliveries_are_refused(
    header: str, body: bytes, secret: str, now: int
) -> None:
    with pytest.raises(SignatureError):
        verify_signature(header, body, secret, now=now)
