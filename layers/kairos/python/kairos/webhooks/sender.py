"""One webhook POST: to the address the SSRF guard checked (TLS still verifies the url's host name), no
redirects followed, and the whole exchange bounded by the timeout.

A socket timeout bounds each read, not the exchange: a receiver that answers a byte at a time would keep
the sender for as long as it likes. A watchdog shuts the socket down at the deadline instead, which ends a
read in progress at once, so the dispatcher's time budget holds whatever the receiver does."""

import contextlib
import http.client
import socket
import ssl
import threading
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


class _Watchdog:
    """Shuts the connection's socket down when `seconds` have passed, unless stopped first."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = threading.Event()
        self._connection = connection
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        self.fired.set()
        if self._connection.sock is not None:  # the plain socket's shutdown, also under TLS
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._connection.sock, socket.SHUT_RDWR)

    def stop(self) -> None:
        self._timer.cancel()


def post(
    url: str, address: str, port: int, headers: Mapping[str, str], body: bytes, timeout: float
) -> Outcome:
    parts = urlsplit(url)
    host = parts.hostname or address
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    connection = _connection(parts.scheme, host, address, port, timeout)
    watchdog = _Watchdog(connection, timeout)
    try:
        connection.connect()  # bounded by the socket timeout; the watchdog covers what follows
        if watchdog.fired.is_set():
            raise TimeoutError
        connection.request("POST", path, body=body, headers=dict(headers))
        response = connection.getresponse()
        response.read(RESPONSE_BYTES_READ)
        code = response.status
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, TimeoutError) or watchdog.fired.is_set():
            return Outcome(None, _ms_since(started), _too_slow(timeout))
        return Outcome(None, _ms_since(started), f"{type(error).__name__}: {error}"[:300])
    finally:
        watchdog.stop()
        connection.close()
    elapsed = _ms_since(started)
    if watchdog.fired.is_set() or elapsed > timeout * 1000:
        return Outcome(code, elapsed, _too_slow(timeout))
    return Outcome(code, elapsed)


def _too_slow(timeout: float) -> str:
    return f"no answer within {timeout:g} s"


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
