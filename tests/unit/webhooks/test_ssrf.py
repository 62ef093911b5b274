"""The SSRF guard refuses every non-public address; loopback only when allowed (the local server)."""

import pytest

from kairos.outbound.ssrf import UnsafeUrl, checked_address


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
        # IPv6 forms that embed a non-public IPv4 address (169.254.169.254: the instance metadata service)
        "2002:a9fe:a9fe::",  # 6to4
        "2002:a9fe:a9fe:1:2:3:4:5",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1: loopback only as itself, even where loopback is allowed
        "2001:0:a9fe:a9fe::5efe",  # Teredo, its server
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, its client (obfuscated 10.0.0.1)
        "64:ff9b::a9fe:a9fe",  # NAT64, well-known prefix
        "64:ff9b::10.0.0.1",
        "64:ff9b:1::a9fe:a9fe",  # NAT64, local-use prefix
        "64:ff9b:1:ffff::808:808",
        "::a9fe:a9fe",  # IPv4-compatible
        "::ffff:a9fe:a9fe",  # IPv4-mapped
        "::ffff:7f00:1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(UnsafeUrl):
        checked_address("https://hooks.example.com/x", allow_loopback=False, resolve=resolver(address))


@pytest.mark.parametrize("address", ["2002:a9fe:a9fe::", "2002:7f00:1::", "64:ff9b::7f00:1", "::7f00:1"])
def test_an_embedded_loopback_address_is_refused_where_loopback_is_allowed(address: str) -> None:
    with pytest.raises(UnsafeUrl):
        checked_address("http://hooks.example.com/x", allow_loopback=True, resolve=resolver(address))


def test_a_6to4_address_of_a_public_ipv4_address_is_public() -> None:
    found = checked_address("https://h.example.com/x", False, resolver("2002:5db8:d822::1"))
    assert found == ("2002:5db8:d822::1", 443)


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
