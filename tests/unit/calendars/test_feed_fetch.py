"""The poller's limits against a real HTTP server on loopback (allowed as for webhooks locally)."""

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kairos.calendars import fetch
from kairos.calendars.fetch import MAX_BYTES, fetch_feed
from kairos.calendars.ports import FeedError
from kairos.outbound.ssrf import ALLOW_LOOPBACK_ENV

Answer = Callable[[BaseHTTPRequestHandler], None]
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Answer], str]]:
    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "true")
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer(self)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()  # quick shutdown()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/cal.ics"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _send(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes = b"") -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def test_a_feed_is_read_with_its_validators_and_a_304_says_not_modified(
    serve: Callable[[Answer], str],
) -> None:
    def answer(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            _send(h, 304, {})
        else:
            _send(h, 200, {"ETag": '"v1"', "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"}, ICS)

    url = serve(answer)
    first = fetch_feed(url, None, None)
    assert (first.document, first.etag) == (ICS, '"v1"')
    again = fetch_feed(url, first.etag, first.last_modified)
    assert again.document is None and again.etag == '"v1"'


def test_an_oversized_feed_is_refused_whether_it_says_its_length_or_not(
    serve: Callable[[Answer], str],
) -> None:
    big = b"X" * (MAX_BYTES + 1)
    declared = serve(lambda h: _send(h, 200, {"Content-Length": str(len(big))}, big))
    streamed = serve(
        lambda h: (_send(h, 200, {"Connection": "close"}, big), setattr(h, "close_connection", True))
    )
    for url in (declared, streamed):
        with pytest.raises(FeedError, match="larger than 5 MB"):
            fetch_feed(url, None, None)


def test_a_slow_feed_is_cut_off_at_the_deadline(
    serve: Callable[[Answer], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "FETCH_SECONDS", 0.5)

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.end_headers()
        for _ in range(30):  # a byte every 0.1 s: no single read waits long, the whole takes 3 s
            h.wfile.write(b"B")
            h.wfile.flush()
            time.sleep(0.1)

    with pytest.raises(FeedError, match=r"did not answer within 0\.5 s"):
        fetch_feed(serve(drip), None, None)


def test_a_redirect_to_a_private_address_is_refused(serve: Callable[[Answer], str]) -> None:
    url = serve(lambda h: _send(h, 302, {"Location": "http://10.0.0.7/cal.ics"}))
    with pytest.raises(FeedError, match="non-public address"):
        fetch_feed(url, None, None)


def test_redirects_are_followed_three_times_at_most(serve: Callable[[Answer], str]) -> None:
    final = serve(lambda h: _send(h, 200, {}, ICS))
    hops = [final]
    for _ in range(3):
        target = hops[-1]
        hops.append(serve(lambda h, target=target: _send(h, 301, {"Location": target})))  # type: ignore[misc]
    assert fetch_feed(hops[-1], None, None).document == ICS  # 3 redirects
    looping = serve(lambda h: _send(h, 302, {"Location": "/cal.ics"}))
    with pytest.raises(FeedError, match="redirected more than 3 times"):
        fetch_feed(looping, None, None)


def test_an_error_status_is_a_reason(serve: Callable[[Answer], str]) -> None:
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch_feed(serve(lambda h: _send(h, 404, {})), None, None)
