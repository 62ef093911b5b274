"""What the benches share: a local server to measure against, timing, and the figures table."""

import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from kairos.abilities import ALL_ABILITIES
from kairos.container import Container
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import running_endpoint, use_local_store

ROUND_TRIPS = "x-kairos-dynamodb-round-trips"
WAVES = "x-kairos-dynamodb-waves"
BENCH_TOKEN = "kairos-bench-token-0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass
class Client:
    base_url: str
    token: str
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = self.session.request(method, self.base_url + path, json=body, headers=headers, timeout=60)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response


@dataclass
class Figures:
    """Latencies (ms), DynamoDB round trips and their sequential waves of one operation."""

    name: str
    millis: list[float] = field(default_factory=list)
    round_trips: list[int] = field(default_factory=list)
    waves: list[int] = field(default_factory=list)

    def add(self, started: float, response: requests.Response) -> None:
        self.millis.append((time.perf_counter() - started) * 1000)
        self.round_trips.append(int(response.headers.get(ROUND_TRIPS, "0")))
        self.waves.append(int(response.headers.get(WAVES, "0")))

    def row(self) -> str:
        ordered = sorted(self.millis)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        trips = statistics.median(self.round_trips)
        return (
            f"{self.name:<34} {len(ordered):>5} {statistics.median(ordered):>9.1f} {p95:>9.1f}"
            f" {trips:>8.0f} {max(self.round_trips):>5} {statistics.median(self.waves):>6.0f}"
            f" {max(self.waves):>5}"
        )


HEADER = (
    f"{'operation':<34} {'n':>5} {'median ms':>9} {'p95 ms':>9} {'trips':>8} {'max':>5} {'waves':>6}"
    f" {'max':>5}"
)


def timed(figures: Figures, client: "Client", method: str, path: str, body: Any = None) -> requests.Response:
    started = time.perf_counter()
    response = client.call(method, path, body)
    figures.add(started, response)
    return response


@contextmanager
def local_api() -> Iterator[tuple[str, Container]]:
    """A fresh local server in a temporary folder, and a store client to seed projects with."""
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        process = start_server(Path(folder), port, BENCH_TOKEN)
        try:
            endpoint = running_endpoint(Path(folder))
            assert endpoint is not None
            use_local_store(endpoint)
            yield f"http://127.0.0.1:{port}/v1", Container.from_environment()
        finally:
            stop_server(process)


def new_client(base_url: str, store: Container, rate_limit: int = 1_000_000) -> Client:
    project = store.projects.create_project("Bench", rate_limit=rate_limit)
    _, token = store.projects.create_token(project.id, "bench", list(ALL_ABILITIES))
    return Client(base_url, token)
