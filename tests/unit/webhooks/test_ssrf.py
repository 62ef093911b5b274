"""The SSRF guard refuses every non-public address; loopback only when allowed (the local server)."""

import pytest

from kairos.webhooks.ssrf import UnsafeUrl, checked_address


def resolver(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.1.1",
        "192.168.1.1",
        "169.254.169.254",
        "127.0.0.1",
        "::1",
        "fe80::1",
        "224.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "::ffff:10.0.0.1",
        "fd00::1",
        "240.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(UnsafeUrl):
        checked_address("https://hooks.example.com/x", allow_loopback=False, resolve=resolver(address))


def test_a_host_with_any_private_address_is_refused() -> None:
    with pytest.raises(UnsafeUrl):
        checked_address("https://h.example.com", False, resolve=resolver("93.184.216.34", "10.1.1.1"))


def test_a_public_address_is_returned_with_the_default_port() -> None:
    assert checked_address("https://h.example.com/x", False, resolver("93.184.216.34")) == (
        "93.184.216.34",
        443,
    )
    assert checked_address("http://h.example.com:8081", False, resolver("93.184.216.34")) == (
        "93.184.216.34",
        8081,
    )


def test_loopback_is_allowed_locally_but_other_private_ranges_still_are_not() -> None:
    assert checked_address("http://127.0.0.1:9000/", True) == ("127.0.0.1", 9000)
    with pytest.raises(UnsafeUrl):
        checked_address("http://h.example.com", True, resolver("192.168.0.10"))


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "https://", "not a url"])
def test_only_absolute_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        checked_address(url, True, resolver("93.184.216.34"))


def test_an_unresolvable_host_is_refused() -> None:
    with pytest.raises(UnsafeUrl):
        checked_address("https://no-such-host.invalid/", False)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/",  # once a ValueError from urlsplit: a 500
        "http://hooks.example.com:0/x",  # port 0 used to fall back silently to the default port
        "http://hooks.example.com:99999/x",
        "http://hooks.example.com:http/x",
        "https://user:secret@hooks.example.com/x",
        "https://token@hooks.example.com/x",
        "https://@hooks.example.com/x",
    ],
)
def test_unparsable_urls_port_zero_and_credentials_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        checked_address(url, False, resolver("93.184.216.34"))
