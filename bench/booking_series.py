"""A 52-week booking series against 2 single bookings (docs/booking-series.md, "Cost"), for one doctor named
in the request and for the location's choice among 3 doctors. The goal: a 52-week series in about the time
of 2 booking writes. Each figure is the median of `rounds` runs, each on its own weeks (every run books
the same weekday at another hour), after one warm-up run of each kind.

Two measures of each kind:
- through the local server: latency, DynamoDB round trips and their waves. Its milliseconds hold the
  local store's work: moto parsing, checking and writing a series' some 400 items (a transaction of 90
  items takes it a few hundred milliseconds), which on AWS is DynamoDB's, on its own servers;
- through the functions' handlers loaded in this process (the series' and the bookings'), against the
  same local store (another process): the handler's own CPU (process time: routing, the domain, the SDK's
  marshalling, the answer, the usage event; its worker threads included), its waves and its SQS sends,
  and from them the latency modelled on AWS with `bench/cost_model.py`'s figures: the CPU at the share of
  a vCPU its function's memory gives (the series' function a whole vCPU at 1,769 MB, the bookings' 1,024
  MB: docs/booking-series.md, "A function of its own"), plus one DynamoDB round trip (`WAVE_SECONDS`) a
  wave, plus one SendMessage (`SEND_SECONDS`) for each message the request waits to send: its usage
  event, one a request, so 2 bookings wait for two and a series for one. The ratio is also given with
  both at the same memory, each of the two: as if the series had no function of its own, and as if the
  bookings had a whole vCPU too.

    .venv/bin/python -m bench.booking_series [rounds]
"""

import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bench.common import HEADER, Client, Figures, local_api, new_client, timed
from bench.cost_model import SEND_SECONDS, WAVE_SECONDS, duration_seconds
from bench.setup import clinic
from infra.constants import API_FUNCTION_MEMORY_MB, SERIES_FUNCTION_MEMORY_MB
from kairos import aws_clients, routes
from kairos.routes import Area
from kairos.storage.dynamodb import RoundTrips
from kairos_local.lambda_runtime import invoke, load_function, proxy_event

SERVICE = {"name": "Weekly therapy", "type": "fixed", "duration": "PT1H", "price": "80.000"}
ZONE = ZoneInfo("Europe/Stockholm")
WEEKS = 52
BLOCK = WEEKS + 2  # the weeks one setting and one measure use: the series', then the pair's
MEMORY_MB = {Area.BOOKING_SERIES: SERIES_FUNCTION_MEMORY_MB, Area.BOOKINGS: API_FUNCTION_MEMORY_MB}
SIZES = sorted(set(MEMORY_MB.values()))  # the ratio at each, both sides alike
# The project's per-minute limit: one rate counter item (`keys.rate_counter_shards`). A limit above 10,000
# spreads the counter over up to 64 items, each made by its first request of the month, which reads the
# month's metered usage first (10 Queries): in a bench's fresh project those first requests fell at random
# among the measured ones (a series' or a pair's Queries 1-20 between runs), where a deployed project makes
# each item once a month. With one item, every measured request counts as a steady project's does.
RATE_LIMIT = 10_000


@dataclass
class Handled:
    """The handler's CPU (ms), waves and SQS sends of one operation, run in this process, and the memory
    of the function that serves it."""

    name: str
    memory_mb: int
    cpu: list[float] = field(default_factory=list)
    waves: list[int] = field(default_factory=list)
    sends: list[int] = field(default_factory=list)

    def modelled(self, memory_mb: int | None = None) -> float:
        """The median latency modelled on AWS (ms), at its function's memory unless another is given."""
        cpu, waves = statistics.median(self.cpu) / 1000, statistics.median(self.waves)
        waits = waves * WAVE_SECONDS + statistics.median(self.sends) * SEND_SECONDS
        return duration_seconds(cpu, memory_mb or self.memory_mb, waits) * 1000

    def row(self) -> str:
        return (
            f"{self.name:<40} {len(self.cpu):>5} {statistics.median(self.cpu):>8.1f}"
            f" {statistics.median(self.waves):>6.0f} {statistics.median(self.sends):>6.0f}"
            f" {self.memory_mb:>6,} {self.modelled():>8.1f}"
        )


class Sends:
    """The SQS messages sent in this process (the handler sends its usage event before it answers)."""

    def __init__(self) -> None:
        self.count = 0
        aws_clients.session_events().register("before-send.sqs.SendMessage", self._sent)

    def _sent(self, **_: object) -> None:
        self.count += 1


class InProcess:
    """The series' and the bookings' functions' handlers, loaded in this process as the local server loads
    them."""

    def __init__(self, base_url: str, token: str) -> None:
        self._sends = Sends()  # before the handlers make their clients
        self._handlers = {area: load_function(area.value, 0).lambda_handler for area in MEMORY_MB}
        self._prefix = base_url[base_url.index("/v1") :]
        self._token = token

    def post(self, path: str, body: dict[str, object]) -> tuple[float, int, int, dict[str, object]]:
        """CPU (ms), waves, SQS sends and answer of one POST."""
        full = self._prefix + path
        route, _ = routes.match("POST", full)
        assert route is not None
        headers = [("Authorization", f"Bearer {self._token}"), ("Content-Type", "application/json")]
        event = proxy_event(
            method="POST", path=full, query="", headers=headers, body=json.dumps(body).encode(),
            route=route, path_parameters={}, source_ip="127.0.0.1",
        )  # fmt: skip
        RoundTrips.reset()
        sent = self._sends.count
        started = time.process_time()
        result = invoke(route.area.value, self._handlers[route.area], event)
        cpu = (time.process_time() - started) * 1000
        if int(result["statusCode"]) >= 400:
            raise RuntimeError(f"POST {path}: {result['statusCode']} {result.get('body')}")
        return cpu, RoundTrips.waves(), self._sends.count - sent, json.loads(result["body"])


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
    """Through the local server."""
    label = "named doctor" if named else "location's choice"
    series, singles = Figures(f"series of {WEEKS} weeks, {label}"), Figures(f"2 bookings, {label}")
    block = 0 if named else 2  # the weeks of this setting and measure
    for n in range(rounds + 1):
        hour = 8 + n % 8  # each run its own hour of the same Mondays
        target = series if n else Figures("warm-up")
        answer = timed(target, client, "POST", "/booking-series", weekly(ids, block, hour, named))
        assert len(answer.json()["bookings"]) == WEEKS
        pair = Figures("pair")
        for k in range(2):
            timed(
                pair, client, "POST", "/bookings", body(ids, monday(block * BLOCK + WEEKS + k, hour), named)
            )
        if n:  # the pair as one figure: the two POSTs one after the other
            singles.millis.append(sum(pair.millis))
            singles.round_trips.append(sum(pair.round_trips))
            singles.waves.append(sum(pair.waves))
    return series, singles


def handle(local: InProcess, ids: dict[str, object], rounds: int, named: bool) -> tuple[Handled, Handled]:
    """Through the handler in this process, on weeks of its own."""
    label = "named doctor" if named else "location's choice"
    series = Handled(f"series of {WEEKS} weeks, {label}", MEMORY_MB[Area.BOOKING_SERIES])
    singles = Handled(f"2 bookings, {label}", MEMORY_MB[Area.BOOKINGS])
    block = 1 if named else 3
    for n in range(rounds + 1):
        hour = 8 + n % 8
        cpu, waves, sends, made = local.post("/booking-series", weekly(ids, block, hour, named))
        assert len(made["bookings"]) == WEEKS  # type: ignore[arg-type]
        pair = [
            local.post("/bookings", body(ids, monday(block * BLOCK + WEEKS + k, hour), named)) for k in (0, 1)
        ]
        if n:  # after a warm-up run
            series.cpu.append(cpu)
            series.waves.append(waves)
            series.sends.append(sends)
            singles.cpu.append(sum(p[0] for p in pair))
            singles.waves.append(sum(p[1] for p in pair))
            singles.sends.append(sum(p[2] for p in pair))
    return series, singles


def weekly(ids: dict[str, object], block: int, hour: int, named: bool) -> dict[str, object]:
    return {**body(ids, monday(block * BLOCK, hour), named), "recurrence": f"FREQ=WEEKLY;COUNT={WEEKS}"}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with local_api() as (base_url, store):
        client = new_client(base_url, store, RATE_LIMIT)
        local = InProcess(base_url, client.token)
        ids = clinic(client, SERVICE, 3, around_the_clock=False)
        served = [*measure(client, ids, rounds, True), *measure(client, ids, rounds, False)]
        handled = [*handle(local, ids, rounds, True), *handle(local, ids, rounds, False)]
    print(HEADER)
    for figures in served:
        print(figures.row())
    print(
        f"\n{'the handler in this process':<40} {'n':>5} {'CPU ms':>8} {'waves':>6} {'sends':>6}"
        f" {'MB':>6} {'AWS ms':>8}"
    )
    for cpu in handled:
        print(cpu.row())
    print(
        f"(AWS: modelled, the CPU at the function's memory (MB) + {WAVE_SECONDS * 1000:.0f} ms a wave"
        f" + {SEND_SECONDS * 1000:.0f} ms an SQS send)"
    )
    for n in (0, 2):
        series, singles, series_cpu, singles_cpu = served[n], served[n + 1], handled[n], handled[n + 1]
        local_ratio = statistics.median(series.millis) / statistics.median(singles.millis)
        cpu_ratio = statistics.median(series_cpu.cpu) / statistics.median(singles_cpu.cpu)
        aws_ratio = series_cpu.modelled() / singles_cpu.modelled()
        same = ", ".join(
            f"{series_cpu.modelled(mb) / singles_cpu.modelled(mb):.2f} x at {mb:,} MB" for mb in SIZES
        )
        print(
            f"{series.name}: {local_ratio:.2f} x the time of 2 booking POSTs locally, {cpu_ratio:.2f} x their"
            f" CPU, {aws_ratio:.2f} x their latency modelled on AWS (goal: about 1; both at the same memory:"
            f" {same})"
        )


if __name__ == "__main__":
    main()
