"""Bookable slots: the engine alone, then end to end through the local server for 1, 10 and 50 resources
over 1, 7, 31 and 62 days (the longest window by default; median, p95, DynamoDB round trips per request).

    .venv/bin/python -m bench.slots [requests-per-case]
"""

import sys
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench.common import HEADER, Figures, local_api, new_client, timed
from bench.setup import clinic
from bench.slots_engine import engine_figures

SERVICE = {"name": "Check-up", "type": "fixed", "duration": "PT30M", "bookable_interval": "PT15M"}
ZONE = ZoneInfo("Europe/Stockholm")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print("The engine alone")
    for line in engine_figures():
        print(f"  {line}")
    print(f"\nGET /services/{{s}}/bookable-slots through the local server ({repeats} requests a case)")
    print(HEADER)
    monday = datetime.now(ZONE).date() + timedelta(days=7 - datetime.now(ZONE).weekday())
    start = datetime.combine(monday, datetime.min.time(), ZONE)
    with local_api() as (base_url, store):
        client = new_client(base_url, store)
        for resources in (1, 10, 50):
            ids = clinic(client, SERVICE, resources, around_the_clock=False)
            for day in range(0, min(resources, 5)):  # a few bookings, so capacity is really checked
                at = start + timedelta(days=day, hours=9)
                body = {
                    "location_id": ids["location"],
                    "service_id": ids["service"],
                    "starts_at": at.isoformat(),
                    "ends_at": (at + timedelta(minutes=30)).isoformat(),
                }
                client.call("POST", "/bookings", body)
            for days in (1, 7, 31, 62):
                query = urlencode(
                    {
                        "from": start.isoformat(),
                        "to": (start + timedelta(days=days)).isoformat(),
                        "location": ids["location"],
                    }
                )
                figures = Figures(f"{resources} resources, {days} days")
                for _ in range(repeats):
                    timed(figures, client, "GET", f"/services/{ids['service']}/bookable-slots?{query}")
                print(figures.row(), flush=True)


if __name__ == "__main__":
    main()
