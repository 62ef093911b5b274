"""Bookings per second through the local server, sequential and with 8 concurrent clients on distinct
slots, with latency and DynamoDB round trips per create (retries after a lost race included; the first
create of each function instance reads the catalogue, the others plan from its memory).

    .venv/bin/python -m bench.bookings [bookings]
"""

import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bench.common import HEADER, Client, Figures, local_api, new_client, timed
from bench.setup import clinic

SERVICE = {"name": "Quick check", "type": "fixed", "duration": "PT15M", "price": "20.000"}
ZONE = ZoneInfo("Europe/Stockholm")


def slot_starts(count: int, day: int, spread: int) -> list[str]:
    """Distinct 15-minute slots from `day` days ahead: neighbouring ones (spread 1), or `spread` slots of
    the same time of day on consecutive days, so concurrent clients touch different parts of the ledger."""
    first = datetime.combine(datetime.now(ZONE).date() + timedelta(days=day), datetime.min.time(), ZONE)
    return [
        (first + timedelta(days=n % spread, minutes=15 * (n // spread))).isoformat() for n in range(count)
    ]


def book_all(
    client: Client, ids: dict[str, object], starts: list[str], figures: Figures, workers: int
) -> float:
    def one(start: str) -> None:
        end = (datetime.fromisoformat(start) + timedelta(minutes=15)).isoformat()
        body = {
            "location_id": ids["location"],
            "service_id": ids["service"],
            "starts_at": start,
            "ends_at": end,
        }
        timed(figures, client, "POST", "/bookings", body)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, starts))
    return len(starts) / (time.perf_counter() - began)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    with local_api() as (base_url, store):
        client = new_client(base_url, store)
        ids = clinic(client, SERVICE, 1, around_the_clock=True)
        client.call("GET", "/project")
        runs = [
            (Figures("1 client"), 1, slot_starts(count, 1, 1)),
            (Figures("8 clients, slots on 8 days"), 8, slot_starts(count, 10, 8)),
            (Figures("8 clients, neighbouring slots"), 8, slot_starts(count, 20, 1)),
        ]
        rates = [book_all(client, ids, starts, figures, workers) for figures, workers, starts in runs]
    print(f"POST /bookings through the local server: {count} a run, one resource, distinct 15-minute slots")
    print(HEADER)
    for (figures, _, _), rate in zip(runs, rates, strict=True):
        print(f"{figures.row()}   {rate:5.1f} bookings/s")
    print(
        "\nDynamoDB round trips per create (median): "
        + ", ".join(f"{f.name}: {statistics.median(f.round_trips):.0f}" for f, _, _ in runs)
        + ". A warm instance's create costs 4 (rate count, ledger, timeline, transaction: docs/bookings.md);"
        + " an instance's first in the project 6 (it reads the catalogue); more means a lost race."
    )


if __name__ == "__main__":
    main()
