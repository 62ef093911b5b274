"""One webhook POST: to the address the SSRF guard checked (TLS still verifies the url's host name), no
redirects followed, and the whole exchange bounded by the timeout."""

import http.client
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_BYTES_READ = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    response_code: int | None  # None: no HTTP answer (refused, timeout, unsafe address)
    duration_ms: int
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300 and self.error is None


def _connection(
    scheme: str, host: str, address: str, port: int, timeout: float
) -> http.client.HTTPConnection:
    """A connection for `host` whose socket goes to `address`, whatever the host resolves to by now."""
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def connect_to_checked_address(
        target: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
    ) -> socket.socket:
        return socket.create_connection((address, target[1]), timeout, source_address)

    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    return connection


def post(
    url: str, address: str, port: int, headers: Mapping[str, str], body: bytes, timeout: float
) -> Outcome:
    parts = urlsplit(url)
    host = parts.hostname or address
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    connection = _connection(parts.scheme, host, address, port, timeout)
    try:
        connection.request("POST", path, body=body, headers=dict(headers))
        response = connection.getresponse()
        response.read(RESPONSE_BYTES_READ)
        code = response.status
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, _ms_since(started), f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
    elapsed = _ms_since(started)
    if elapsed > timeout * 1000:
        return Outcome(code, elapsed, f"the receiver took longer than {timeout:g} s")
    return Outcome(code, elapsed)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
