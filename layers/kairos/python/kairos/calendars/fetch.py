"""Fetching a subscribed feed: a conditional GET (If-None-Match, If-Modified-Since), within limits a
hostile or broken server cannot stretch (docs/calendar-subscriptions.md, "Polling"):

- the SSRF guard of webhooks (`kairos.outbound.ssrf`) checks the url, and the connection goes to the
  address it checked (a second DNS answer cannot swap in a private one); loopback only where webhooks may
  use it (the local server);
- at most MAX_REDIRECTS redirects, each target checked by the guard again;
- FETCH_SECONDS for the whole exchange, redirects included: a watchdog shuts the socket at the deadline,
  so a server that answers a byte at a time is cut off too;
- at most MAX_BYTES of document (a larger Content-Length is refused before reading).
"""

import contextlib
import http.client
import time
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from kairos.calendars.ports import FeedError, Fetched
from kairos.outbound.sender import Watchdog, pinned_connection
from kairos.outbound.ssrf import Resolver, UnsafeUrl, checked_address, loopback_allowed, resolve_host

MAX_BYTES = 5 * 1024 * 1024
FETCH_SECONDS = 10.0
MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


def fetch_feed(
    url: str, etag: str | None, last_modified: str | None, resolve: Resolver = resolve_host
) -> Fetched:
    """The feed at `url`, or None as its document when the server says it has not changed."""
    deadline = time.monotonic() + FETCH_SECONDS
    headers = {
        "User-Agent": "Kairos calendar sync",
        "Accept": "text/calendar, */*",
        "Accept-Encoding": "identity",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _ in range(MAX_REDIRECTS + 1):
        try:
            address, port = checked_address(url, loopback_allowed(), resolve)
        except UnsafeUrl as error:
            raise FeedError(f"the url is not allowed: {error}") from None
        status, answer, body = _get(url, address, port, headers, deadline)
        if status in _REDIRECTS and answer.get("location"):
            url = urljoin(url, answer["location"])
            continue
        if status == 304:
            return Fetched(None, etag, last_modified)
        if status != 200:
            raise FeedError(f"the feed answered HTTP {status}")
        return Fetched(body, answer.get("etag"), answer.get("last-modified"))
    raise FeedError(f"the feed redirected more than {MAX_REDIRECTS} times")


def _get(
    url: str, address: str, port: int, headers: Mapping[str, str], deadline: float
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    left = deadline - time.monotonic()
    if left <= 0:
        raise FeedError(f"the feed did not answer within {FETCH_SECONDS:g} s")
    connection = pinned_connection(parts.scheme, parts.hostname or address, address, port, left)
    watchdog = Watchdog(connection)
    watchdog.arm(left)
    try:
        connection.connect()
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        answer = {name.lower(): value for name, value in response.getheaders()}
        if response.status != 200:
            return response.status, answer, b""
        with contextlib.suppress(ValueError):
            if int(answer.get("content-length", "0")) > MAX_BYTES:
                raise FeedError(f"the feed is larger than {MAX_BYTES // (1024 * 1024)} MB")
        body = bytearray()
        while chunk := response.read(_CHUNK):
            body += chunk
            if len(body) > MAX_BYTES:
                raise FeedError(f"the feed is larger than {MAX_BYTES // (1024 * 1024)} MB")
        if watchdog.fired.is_set():
            raise TimeoutError
        return 200, answer, bytes(body)
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, TimeoutError) or watchdog.fired.is_set():
            raise FeedError(f"the feed did not answer within {FETCH_SECONDS:g} s") from None
        raise FeedError(f"the feed could not be fetched ({type(error).__name__})") from None
    finally:
        watchdog.stop()
        connection.close()
