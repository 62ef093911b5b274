"""The Kairos additions through the local server: latency and DynamoDB round trips of an explanation
(10 resources, 200 bookings), a resource's calendar feed and a secret feed (200 bookings), and a hold's
create and finalize (the finalize is a guarded write: ledger, timeline, transaction).

    .venv/bin/python -m bench.beyond [repeats]
"""

import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from bench.common import HEADER, Figures, local_api, new_client, timed
from bench.setup import clinic

SERVICE = {"name": "Quick check", "type": "fixed", "duration": "PT15M", "price": "20.000"}
ZONE = ZoneInfo("Europe/Stockholm")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with local_api() as (base_url, store):
        client = new_client(base_url, store)
        ids = clinic(client, SERVICE, 10, around_the_clock=True)
        first = datetime.combine(datetime.now(ZONE).date() + timedelta(days=1), datetime.min.time(), ZONE)
        for n in range(200):
            start = first + timedelta(minutes=15 * n)
            body = {
                "location_id": ids["location"],
                "service_id": ids["service"],
                "starts_at": start.isoformat(),
            }
            client.call("POST", "/bookings", {**body, "ends_at": (start + timedelta(minutes=15)).isoformat()})
        resource = ids["resources"][0]  # type: ignore[index]
        feed_url = client.call("POST", "/calendar-feeds", {"resource_id": resource}).json()["url"]
        explain, feed, secret, hold, finalize = (
            Figures(name)
            for name in (
                "explain, 10 resources",
                "resource calendar.ics",
                "secret feed URL",
                "hold",
                "finalize",
            )
        )
        for n in range(repeats):
            start = first + timedelta(minutes=15 * n)
            window = f"starts_at={start.isoformat()}&ends_at={(start + timedelta(minutes=15)).isoformat()}"
            query = f"location={ids['location']}&{window}".replace("+", "%2B")
            timed(explain, client, "GET", f"/services/{ids['service']}/bookable-slots/explain?{query}")
            timed(feed, client, "GET", f"/resources/{resource}/calendar.ics")
            started = time.perf_counter()
            secret.add(started, requests.get(feed_url, timeout=30))
            later = first + timedelta(days=5, minutes=15 * n)
            body = {
                "location_id": ids["location"],
                "service_id": ids["service"],
                "starts_at": later.isoformat(),
                "ends_at": (later + timedelta(minutes=15)).isoformat(),
                "is_temporary": True,
                "expires_at": (datetime.now(ZONE) + timedelta(minutes=15)).replace(microsecond=0).isoformat(),
            }
            held = timed(hold, client, "POST", "/bookings", body).json()
            timed(finalize, client, "PATCH", f"/bookings/{held['id']}", {"is_temporary": False})
    print(f"The Kairos additions through the local server, {repeats} requests each")
    print(HEADER)
    for figures in (explain, feed, secret, hold, finalize):
        print(figures.row())


if __name__ == "__main__":
    main()
