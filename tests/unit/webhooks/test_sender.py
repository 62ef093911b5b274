"""One webhook POST: sending is bounded by CONNECT_SECONDS, the answer (status line and headers) by the
timeout from the moment the request is sent, each phase as a whole, not read by read; an answer received in
time is the outcome, whatever its body does."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from kairos.outbound import sender
from kairos.outbound.sender import post
from tests.unit.webhooks.receiver import receiver

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + b"X-Padding: " + b"." * 200 + b"\r\n\r\n"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n"
DRIP_SECONDS = 0.1  # between two bytes: far below the timeout, so no single read ever times out


@dataclass
class Drip:
    port: int
    sent: int = 0
    finished: bool = False  # the whole answer went out: the sender waited for all of it


@contextmanager
def dripping_receiver(answer: bytes = ANSWER, at_once: int = 0) -> Iterator[Drip]:
    """Reads the request, then answers: the first `at_once` bytes together, then the rest one byte at a
    time until the sender hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    drip = Drip(port=listener.getsockname()[1])

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            try:
                connection.sendall(answer[:at_once])
                drip.sent = at_once
                for byte in answer[at_once:]:
                    connection.sendall(bytes([byte]))
                    drip.sent += 1
                    time.sleep(DRIP_SECONDS)
                drip.finished = True
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield drip
    finally:
        thread.join()
        listener.close()


def test_a_receiver_answering_byte_by_byte_is_cut_off_at_the_timeout() -> None:
    with dripping_receiver() as drip:
        url = f"http://127.0.0.1:{drip.port}/hook"
        outcome = post(url, "127.0.0.1", drip.port, {}, b"{}", timeout=1.0)
    assert outcome.response_code is None
    assert outcome.error == "no answer within 1 s"
    assert not drip.finished and drip.sent < len(ANSWER)


def test_a_whole_answer_whose_body_is_still_coming_at_the_deadline_counts() -> None:
    """The status line and headers came at once: the body, dripping past the deadline, changes nothing."""
    with dripping_receiver(HEAD + b"." * 200, at_once=len(HEAD)) as drip:
        url = f"http://127.0.0.1:{drip.port}/hook"
        outcome = post(url, "127.0.0.1", drip.port, {}, b"{}", timeout=1.0)
    assert (outcome.response_code, outcome.error, outcome.succeeded) == (200, None, True)
    assert not drip.finished


def slow_network(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Connecting takes `seconds` (a far receiver, a slow TLS handshake)."""
    connect = socket.create_connection

    def slowly(*args: object, **kwargs: object) -> socket.socket:
        time.sleep(seconds)
        return connect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "create_connection", slowly)


def test_the_receivers_time_to_answer_starts_when_it_has_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connecting took 0.6 s and the receiver answered 0.7 s after it got the request: within its 1 s."""
    slow_network(monkeypatch, 0.6)
    with receiver() as r:
        r.delay = 0.7
        outcome = post(r.url, "127.0.0.1", r.port, {}, b"{}", timeout=1.0)
    assert (outcome.response_code, outcome.error) == (200, None)
    assert outcome.duration_ms >= 1300 and len(r.received) == 1


def test_a_request_not_sent_in_time_is_refused_before_the_receiver_has_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sender, "CONNECT_SECONDS", 0.3)
    slow_network(monkeypatch, 0.5)
    with receiver() as r:
        outcome = post(r.url, "127.0.0.1", r.port, {}, b"{}", timeout=5.0)
    assert (outcome.response_code, outcome.error) == (None, "could not connect and send within 0.3 s")
    assert r.received == []
