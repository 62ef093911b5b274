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


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
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
