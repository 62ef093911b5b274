"""A real HTTP receiver on 127.0.0.1 for webhook tests: records what it gets, answers as told."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.perf_counter)  # when it arrived


@dataclass
class Receiver:
    url: str
    status: int = 200
    delay: float = 0.0  # before answering (cut short when the test ends)
    body_after: float = 0.0  # when set, the answer's head goes first and its body (2 bytes) this much later
    # When set, each request waits there for the others before it is answered (500 if they never come):
    # only requests that are in flight together get a 200.
    together: threading.Barrier | None = None
    received: list[Received] = field(default_factory=list)
    closing: threading.Event = field(default_factory=threading.Event)
    most_in_flight: int = 0  # requests it held at once, at most
    _in_flight: int = 0
    _counting: threading.Lock = field(default_factory=threading.Lock)

    def arrived(self, got: Received) -> None:
        with self._counting:
            self.received.append(got)
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)

    def answered(self) -> None:
        with self._counting:
            self._in_flight -= 1

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 80)


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.arrived(Received({k.lower(): v for k, v in self.headers.items()}, body))
            state.closing.wait(state.delay)
            status = state.status
            if state.together is not None:
                try:
                    state.together.wait()
                except threading.BrokenBarrierError:
                    status = 500
            state.answered()
            self.send_response(status)
            self.send_header("Content-Length", "2" if state.body_after else "0")
            self.end_headers()
            if state.body_after:
                state.closing.wait(state.body_after)
                self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # shutdown() waits for the loop's next look at its flag: every 50 ms, not every 500 (the default)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks?source=kairos"
    try:
        yield state
    finally:
        state.closing.set()
        server.shutdown()
        server.server_close()
