"""Where a 52-week booking series' CPU goes, against 2 single bookings' (docs/booking-series.md, "Cost"):
the series' and the bookings' functions' handlers in this process (as `bench.booking_series` runs them, a
doctor named or the location's choice), each phase's own CPU (thread time, what it runs itself, the phases
it calls left out), the median of `rounds` runs after a warm-up. The request's parallel reads run one after
the other here, so that the calling thread's clock counts them (this bench shows no waves:
`bench.booking_series` does).

    .venv/bin/python -m bench.series_phases [rounds]
"""

import importlib
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextvars import copy_context
from typing import Any

from bench.booking_series import BLOCK, RATE_LIMIT, SERVICE, WEEKS, InProcess, body, monday, weekly
from bench.common import local_api, new_client
from bench.setup import clinic
from kairos import parallel

PHASES = (  # (module, attribute path, what it does); the rest of the handler is "the rest"
    ("botocore.client", "BaseClient._make_api_call", "the SDK: serialize, sign, send, parse"),
    ("kairos.api.app", "_admit", "the request's admission (rate limit)"),
    ("kairos.api.app", "_count", "the request's count and usage"),
    ("kairos.storage.booking_transaction", "BookingTransaction.operations", "building the items"),
    ("kairos.domain.bookings.planning", "Planner.plan", "the checks of the occurrences"),
    ("kairos.storage.schedule_store", "ScheduleStore.timeline", "timelines: keys and parsing"),
    ("kairos.storage.booking_store", "BookingStore.read_ledgers", "ledgers: keys and parsing"),
    ("kairos.domain.bookings.series", "render_series", "the answer rendered"),
    ("kairos.domain.bookings.bookings", "render_booking", "the answer rendered"),
)
REST = "the rest (routing, the body, intents, the series' own logic)"


class Clock:
    """Each phase's own thread time while `on`."""

    def __init__(self) -> None:
        self.own: defaultdict[str, float] = defaultdict(float)
        self.on = False
        self._stack: list[float] = []  # the time of the phases called by each running one

    def wrap(self, module: str, path: str, label: str) -> None:
        owner: Any = importlib.import_module(module)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return original(*args, **kwargs)
            self._stack.append(0.0)
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                self.own[label] += spent - self._stack.pop()
                if self._stack:
                    self._stack[-1] += spent

        setattr(owner, name, timed)


def _one_after_another(branch: Callable[[Any], Any], items: Sequence[Any], workers: int) -> list[Any]:
    context = copy_context()
    return [context.copy().run(branch, item) for item in items]


def measure(local: InProcess, ids: dict[str, object], named: bool, rounds: int, clock: Clock) -> None:
    """Prints the median own CPU of each phase, the series' and the 2 bookings'."""
    block = 1 if named else 3  # the weeks bench.booking_series' handler runs use
    runs: dict[str, list[dict[str, float]]] = {"series": [], "pair": []}
    for n in range(min(rounds, 7) + 1):  # each run its own hour of the same Mondays, after a warm-up
        hour = 8 + n
        for kind, found in runs.items():
            clock.own.clear()
            clock.on, started = True, time.thread_time()
            if kind == "series":
                local.post("/booking-series", weekly(ids, block, hour, named))
            else:
                for k in (0, 1):
                    local.post("/bookings", body(ids, monday(block * BLOCK + WEEKS + k, hour), named))
            clock.on, total = False, time.thread_time() - started
            clock.own[REST] = total - sum(clock.own.values())
            clock.own["total"] = total
            if n:
                found.append(dict(clock.own))
    label = "named doctor" if named else "location's choice"
    print(f"\n{label}: own CPU ms")
    print(f"{'phase':<62} {'series':>7} {'2 bookings':>10}")
    for phase in dict.fromkeys([p[2] for p in PHASES] + [REST, "total"]):
        series, pair = (statistics.median(r.get(phase, 0.0) for r in runs[k]) * 1000 for k in runs)
        print(f"{phase:<62} {series:>7.1f} {pair:>10.1f}")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    parallel._run = _one_after_another
    clock = Clock()
    for phase in PHASES:
        clock.wrap(*phase)
    with local_api() as (base_url, store):
        client = new_client(base_url, store, RATE_LIMIT)
        local = InProcess(base_url, client.token)
        ids = clinic(client, SERVICE, 3, around_the_clock=False)
        for named in (True, False):
            measure(local, ids, named, rounds, clock)


if __name__ == "__main__":
    main()
