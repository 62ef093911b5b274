"""Webhook isolation (issue 22, part 5): one tenant's slow receiver must not delay another's webhooks. A
local server (the real 10 s webhook timeout) and two projects, each with one subscription: a fast receiver
that answers at once, and a slow one that answers after 10 s. Each project's booking is updated EVENTS
times (one `booking.updated` each, its number in the metadata); a delivery's latency is from the update's
answer to the receiver getting it. Printed: the fast receiver's p50/p95 alone, then beside the slow one
(its updates interleaved with the slow project's), and how many requests the slow receiver had in flight at
most (the per-endpoint concurrency). Goal: p50 under 1 s beside the slow receiver.

    .venv/bin/python -m bench.webhook_isolation [--events 20] [--interval 0.25]
"""

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta

from bench.common import Client, local_api, new_client
from bench.setup import clinic
from tests.unit.webhooks.receiver import Receiver, receiver

SERVICE = {"name": "Check-up", "type": "fixed", "duration": "PT30M", "bookable_interval": "PT30M"}
SLOW_SECONDS = 10.0  # the slow receiver's time to answer: the whole default timeout
WAIT_SECONDS = 120.0  # at most, for the last delivery of a phase


def subscribed_booking(client: Client, url: str) -> str:
    """A clinic with one booking, and a subscription to its updates at `url`; the booking's id."""
    ids = clinic(client, SERVICE, 1, around_the_clock=True)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    booking = client.call(
        "POST",
        "/bookings",
        {
            "location_id": ids["location"],
            "service_id": ids["service"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=30)).isoformat(),
        },
    ).json()
    client.call("POST", "/webhooks", {"url": url, "events": ["booking.updated"]})
    return str(booking["id"])


def run_phase(
    fast: tuple[Client, str, Receiver], slow: tuple[Client, str] | None, events: int, interval: float
) -> list[float]:
    """Updates the fast project's booking `events` times (the slow project's too, in between, when given);
    the fast receiver's latencies in seconds."""
    client, booking, fast_receiver = fast
    base = len(fast_receiver.received) + 1000 * (1 if slow is None else 2)
    answered: dict[int, float] = {}
    for n in range(base, base + events):
        client.call("PATCH", f"/bookings/{booking}", {"metadata": {"n": n}})
        answered[n] = time.perf_counter()
        if slow is not None:
            slow[0].call("PATCH", f"/bookings/{slow[1]}", {"metadata": {"n": n}})
        time.sleep(interval)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and not set(answered) <= set(arrivals(fast_receiver)):
        time.sleep(0.05)
    arrived = arrivals(fast_receiver)
    missing = [n for n in answered if n not in arrived]
    if missing:
        raise RuntimeError(f"the fast receiver never got updates {missing}")
    return [arrived[n] - answered[n] for n in answered]


def arrivals(r: Receiver) -> dict[int, float]:
    """When each update (by its number) first arrived."""
    first: dict[int, float] = {}
    for got in list(r.received):
        first.setdefault(int(json.loads(got.body)["data"]["metadata"]["n"]), got.at)
    return first


def row(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"{name:<44} {len(ordered):>4} {statistics.median(ordered):>8.2f} {p95:>8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20, help="updates per phase and project")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between two updates")
    args = parser.parse_args()
    with local_api() as (base_url, store), receiver() as fast, receiver() as slow:
        slow.delay = SLOW_SECONDS
        fast_client, slow_client = new_client(base_url, store), new_client(base_url, store)
        fast_booking = subscribed_booking(fast_client, fast.url)
        slow_booking = subscribed_booking(slow_client, slow.url)
        run_phase((fast_client, fast_booking, fast), None, 3, args.interval)  # warm-up
        alone = run_phase((fast_client, fast_booking, fast), None, args.events, args.interval)
        beside = run_phase(
            (fast_client, fast_booking, fast), (slow_client, slow_booking), args.events, args.interval
        )
        print(f"{'fast receiver (answers at once)':<44} {'n':>4} {'p50 s':>8} {'p95 s':>8}")
        print(row("alone", alone))
        print(row(f"beside a receiver taking {SLOW_SECONDS:g} s", beside))
        print(
            f"slow receiver: {len(arrivals(slow))} of {args.events} updates received by then, "
            f"at most {slow.most_in_flight} requests in flight at once"
        )
        verdict = "met" if statistics.median(beside) < 1 else "MISSED"
        print(f"goal: p50 beside the slow receiver < 1 s: {verdict}")


if __name__ == "__main__":
    main()
