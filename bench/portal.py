"""The Portal's admin API on the local server: the time and DynamoDB round trips of each step of the
guide's journey, and what the request log costs the public API (nothing: the same round trips per request
as before, the log is written by the metering consumer). Figures are medians over `--rounds` people.

    .venv/bin/python -m bench.portal [--rounds 10]
"""

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import requests

from bench.common import BENCH_TOKEN
from kairos_local.http_server import ROUND_TRIPS_HEADER
from kairos_local.process import free_port, start_server, stop_server
from tests.integration.portal import PASSWORD, Person
from tests.totp import totp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        process = start_server(
            Path(folder), port, BENCH_TOKEN, {"KAIROS_PORTAL_ATTEMPTS_PER_MINUTE": "100000"}
        )
        try:
            figures = journey(f"http://127.0.0.1:{port}", Path(folder) / "outbox", args.rounds)
        finally:
            stop_server(process)
    print(f"{'step':<34} {'median ms':>10} {'p90 ms':>8} {'round trips':>12}")
    for name, samples in figures.items():
        times = sorted(t for t, _ in samples)
        trips = statistics.median(r for _, r in samples)
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"{name:<34} {statistics.median(times):>10.1f} {p90:>8.1f} {trips:>12.0f}")


Steps = dict[str, list[tuple[float, int]]]


def step(steps: Steps, name: str, send: Callable[..., requests.Response], *args: object) -> requests.Response:
    """Sends one request and notes its time and the DynamoDB round trips the server counted for it."""
    started = time.perf_counter()
    answer = send(*args)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code < 400, (name, answer.status_code, answer.text)
    steps[name].append((elapsed, int(answer.headers.get(ROUND_TRIPS_HEADER, 0))))
    return answer


def journey(root: str, outbox: Path, rounds: int) -> Steps:
    steps: Steps = defaultdict(list)
    for _ in range(rounds):
        one_person(steps, root, Person(root, outbox))
    return steps


def one_person(steps: Steps, root: str, dev: Person) -> None:
    step(steps, "POST /portal/account/register", dev.register)
    step(steps, "POST /portal/account/verify", dev.verify)
    step(steps, "POST /portal/session (log in)", dev.log_in)
    project = step(steps, "POST /portal/projects", dev.call, "POST", "/projects", {"name": "B"}).json()
    base = f"/projects/{project['id']}"
    step(steps, "GET /portal/projects", dev.call, "GET", "/projects")
    token = step(steps, "POST .../tokens", dev.call, "POST", f"{base}/tokens", {"name": "t"}).json()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token['token']}"
    for _ in range(3):  # the token cached after the first, as on a warm Lambda instance
        step(steps, "GET /v1/project", session.get, f"{root}/v1/project")
    step(steps, "GET .../tokens", dev.call, "GET", f"{base}/tokens")
    step(steps, "GET .../requests", dev.call, "GET", f"{base}/requests")
    step(steps, "GET .../dashboard (30 days)", dev.call, "GET", f"{base}/dashboard")
    two_factor(steps, dev)


def two_factor(steps: Steps, dev: Person) -> None:
    """Set up and turned on, then a log-in in its two steps (the code asked, then given)."""
    setup = step(
        steps,
        "POST .../two-factor/setup",
        dev.call,
        "POST",
        "/account/two-factor/setup",
        {"password": PASSWORD},
    )
    secret = setup.json()["secret"]
    on = {"password": PASSWORD, "code": totp(secret)}
    step(steps, "POST .../two-factor (on)", dev.call, "POST", "/account/two-factor", on)
    credentials = {"email": dev.email, "password": PASSWORD}
    step(steps, "POST /portal/session (code asked)", dev.call, "POST", "/session", credentials)
    code = {**credentials, "code": totp(secret)}
    step(steps, "POST /portal/session (with the code)", dev.call, "POST", "/session", code)


if __name__ == "__main__":
    main()
