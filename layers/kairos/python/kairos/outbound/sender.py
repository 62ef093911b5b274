"""One webhook POST: to the address the SSRF guard checked (TLS still verifies the url's host name), no
redirects followed, in two bounded phases (the rule of docs/webhooks.md, "A delivery"):

1. sending: connecting (TCP, TLS) and writing the whole request, within CONNECT_SECONDS. A receiver cut
   off here never had the whole request, so retrying it can never deliver an event twice;
2. the answer: the status line and headers, within `timeout` seconds of the request being sent: that is
   the receiver's own time to answer, whatever connecting took. An answer received in time is the outcome
   (a 2xx is success); its body is read until the same deadline at most and never changes the outcome.

Kairos hangs up at the deadline: a later answer is not heard, and the attempt is a failure (retried).

A socket timeout bounds each read, not a phase: a receiver that answers a byte at a time would keep the
sender for as long as it likes. A watchdog shuts the socket down at each phase's deadline instead, which
ends a read in progress at once, so no attempt takes longer than `longest_attempt(timeout)`."""

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
CONNECT_SECONDS = 5.0  # to connect and send the whole request


def longest_attempt(timeout: float) -> float:
    """The most one `post` takes: sending, then waiting `timeout` seconds for the answer."""
    return CONNECT_SECONDS + timeout


@dataclass(frozen=True)
class Outcome:
    response_code: int | None  # None: no HTTP answer (refused, timeout, unsafe address)
    duration_ms: int
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300 and self.error is None


def pinned_connection(
    scheme: str, host: str, address: str, port: int, timeout: float
) -> http.client.HTTPConnection:
    """A connection for `host` whose socket goes to `address`, whatever the host resolves to by now (the
    address the SSRF guard checked): webhook deliveries and calendar feed fetches alike."""
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


class Watchdog:
    """Shuts the connection's socket down when the current phase's seconds have passed, unless the next
    phase started (`arm`) or the exchange ended (`stop`) first."""

    def __init__(self, connection: http.client.HTTPConnection) -> None:
        self.fired = threading.Event()
        self._connection = connection
        self._timer: threading.Timer | None = None

    def arm(self, seconds: float) -> None:
        self.stop()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        self.fired.set()
        if self._connection.sock is not None:  # the plain socket's shutdown, also under TLS
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._connection.sock, socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def post(
    url: str, address: str, port: int, headers: Mapping[str, str], body: bytes, timeout: float
) -> Outcome:
    """Sends the request within CONNECT_SECONDS, then waits `timeout` seconds for the answer."""
    parts = urlsplit(url)
    host = parts.hostname or address
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    connection = pinned_connection(parts.scheme, host, address, port, CONNECT_SECONDS)
    watchdog = Watchdog(connection)
    sent = False
    try:
        watchdog.arm(CONNECT_SECONDS)
        connection.connect()  # TCP is bounded by the socket timeout (the watchdog has no socket to cut yet)
        if watchdog.fired.is_set():
            raise TimeoutError  # connected, but too late: nothing was sent
        connection.request("POST", path, body=body, headers=dict(headers))
        sent = True
        watchdog.arm(timeout)
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, TimeoutError) or watchdog.fired.is_set():
            return Outcome(None, _ms_since(started), _too_slow(timeout) if sent else _not_sent())
        return Outcome(None, _ms_since(started), f"{type(error).__name__}: {error}"[:300])
    else:
        with contextlib.suppress(OSError, http.client.HTTPException):  # the answer is in: the rest is moot
            response.read(RESPONSE_BYTES_READ)
        return Outcome(response.status, _ms_since(started))
    finally:
        watchdog.stop()
        connection.close()


def _not_sent() -> str:
    return f"could not connect and send within {CONNECT_SECONDS:g} s"


def _too_slow(timeout: float) -> str:
    return f"no answer within {timeout:g} s"


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
