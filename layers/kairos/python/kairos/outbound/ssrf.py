"""The SSRF guard: a webhook may only point at a public address. Checked when a subscription is saved and
again at each delivery (DNS may change in between); the delivery then connects to the address that was
checked, so a second lookup cannot swap in a private one (DNS rebinding).

The local server sets KAIROS_ALLOW_LOOPBACK_WEBHOOKS=true so a receiver on 127.0.0.1 can be tested; that
allows loopback only, never the other private ranges.
"""

import ipaddress
import os
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

ALLOW_LOOPBACK_ENV = "KAIROS_ALLOW_LOOPBACK_WEBHOOKS"

Resolver = Callable[[str, int], list[str]]


class UnsafeUrl(ValueError):
    """The url cannot be used: not http(s), no host, unresolvable, or a non-public address."""


def loopback_allowed() -> bool:
    return os.environ.get(ALLOW_LOOPBACK_ENV, "").lower() == "true"


def resolve_host(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrl(f"the host {host} cannot be resolved") from error
    return sorted({str(info[4][0]) for info in infos})


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network(
    "64:ff9b::/96"
)  # RFC 6052's well-known prefix: the IPv4 address is the last 32 bits
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use only, never a public address
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d (:: and ::1 are not IPv4)


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which a tunnel or translator would reach: 6to4
    (2002:AABB:CCDD::/48), Teredo (2001::/32: its server and its client), NAT64 (64:ff9b::/96) and the
    IPv4-compatible form (::a.b.c.d). The IPv4-mapped form (::ffff:a.b.c.d) is the IPv4 address itself."""
    found = [address.sixtofour] if address.sixtofour is not None else []
    found.extend(address.teredo or ())
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _refused(address: Address, allow_loopback: bool) -> bool:
    """True unless `address` is public (loopback too when allowed). An IPv6 address that embeds IPv4
    addresses is refused if any of them would be (loopback included: only ::1 and 127.0.0.0/8 themselves
    are loopback), whatever Python's flags say of the IPv6 address; 64:ff9b:1::/48 is refused whole."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _refused(address.ipv4_mapped, allow_loopback)
        if address in NAT64_LOCAL or any(_refused(v4, False) for v4 in embedded_ipv4(address)):
            return True
    if address.is_loopback:
        return not allow_loopback
    return (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def checked_address(url: str, allow_loopback: bool, resolve: Resolver = resolve_host) -> tuple[str, int]:
    """The (address, port) to connect to for `url`, after checking every address the host resolves to.
    A url that cannot be parsed, names port 0 or carries credentials (`user:pass@`, which would be sent
    along and logged with every delivery) is refused like an unsafe one."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
        credentials = parts.username is not None or parts.password is not None
    except ValueError as error:  # `http://[::1/`, a port that is no number or out of range
        raise UnsafeUrl("the url cannot be parsed") from error
    if parts.scheme not in ("http", "https") or not hostname:
        raise UnsafeUrl("the url must be an absolute http or https url")
    if credentials:
        raise UnsafeUrl("the url must not contain credentials")
    if port == 0:
        raise UnsafeUrl("the url has an invalid port")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(hostname, port)
    if not addresses:
        raise UnsafeUrl(f"the host {hostname} cannot be resolved")
    for text in addresses:
        if _refused(ipaddress.ip_address(text.split("%")[0]), allow_loopback):
            raise UnsafeUrl(f"the host {hostname} resolves to a non-public address ({text})")
    return addresses[0], port
