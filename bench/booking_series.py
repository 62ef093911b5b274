"""A 52-week booking series against 2 single bookings, through the local server (docs/booking-series.md,
"Cost"): latency and DynamoDB round trips (and their waves) of each POST, for one doctor named in the
request and for the location's choice among 3 doctors. The goal: a 52-week series in about the time of
2 booking writes. Each figure is the median of `rounds` runs, each on its own weeks (every run books
the same weekday at another hour), after one warm-up run of each kind.

    .venv/bin/python -m bench.booking_series [rounds]
"""

import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bench.common import HEADER, Client, Figures, local_api, new_client, timed
from bench.setup import clinic

SERVICE = {"name": "Weekly therapy", "type": "fixed", "duration": "PT1H", "price": "80.000"}
ZONE = ZoneInfo("Europe/Stockholm")
WEEKS = 52


def monday(weeks_ahead: int, hour: int) -> datetime:
    today = datetime.now(ZONE).date()
    first = today + timedelta(days=7 * weeks_ahead + (7 - today.weekday()))
    return datetime.combine(first, datetime.min.time(), ZONE) + timedelta(hours=hour)


def body(ids: dict[str, object], start: datetime, named: bool) -> dict[str, object]:
    found: dict[str, object] = {
        "location_id": ids["location"],
        "service_id": ids["service"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }
    if named:
        found["resource_id"] = ids["resources"][0]  # type: ignore[index]
    return found


def measure(client: Client, ids: dict[str, object], rounds: int, named: bool) -> tuple[Figures, Figures]:
    label = "named doctor" if named else "location's choice"
    series, singles = Figures(f"series of {WEEKS} weeks, {label}"), Figures(f"2 bookings, {label}")
    for n in range(rounds + 1):
        hour = 8 + n % 8  # each run its own hour of the same Mondays
        offset = 0 if named else 1  # the two settings use other weeks
        weekly = {
            **body(ids, monday(2 * offset * WEEKS, hour), named),
            "recurrence": f"FREQ=WEEKLY;COUNT={WEEKS}",
        }
        target = series if n else Figures("warm-up")
        answer = timed(target, client, "POST", "/booking-series", weekly)
        assert len(answer.json()["bookings"]) == WEEKS
        pair = Figures("pair")
        for k in range(2):
            start = monday((2 * offset + 1) * WEEKS + k, hour)
            timed(pair, client, "POST", "/bookings", body(ids, start, named))
        if n:  # the pair as one figure: the two POSTs one after the other
            singles.millis.append(sum(pair.millis))
            singles.round_trips.append(sum(pair.round_trips))
            singles.waves.append(sum(pair.waves))
    return series, singles


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with local_api() as (base_url, store):
        client = new_client(base_url, store)
        ids = clinic(client, SERVICE, 3, around_the_clock=False)
        rows = [*measure(client, ids, rounds, named=True), *measure(client, ids, rounds, named=False)]
    print(HEADER)
    for row in rows:
        print(row.row())
    for n in (0, 2):
        ratio = (
            sorted(rows[n].millis)[len(rows[n].millis) // 2]
            / sorted(rows[n + 1].millis)[len(rows[n + 1].millis) // 2]
        )
        print(f"{rows[n].name}: {ratio:.2f} x the time of 2 booking POSTs (goal: about 1)")


if __name__ == "__main__":
    main()
