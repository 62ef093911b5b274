"""One webhook POST is bounded as a whole by its timeout, not read by read."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kairos.webhooks.sender import post

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + b"X-Padding: " + b"." * 200 + b"\r\n\r\n"
DRIP_SECONDS = 0.1  # between two bytes: far below the timeout, so no single read ever times out


@dataclass
class Drip:
    port: int
    sent: int = 0
    finished: bool = False  # the whole answer went out: the sender waited for all of it


@contextmanager
def dripping_receiver() -> Iterator[Drip]:
    """Reads the request, then answers one byte at a time until the sender hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    drip = Drip(port=listener.getsockname()[1])

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            try:
                for byte in ANSWER:
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
