"""The slot engine side by side with slot-calculator (npm, the issue 27 oracle) on the P1 input of
bench/slots_engine.py: 50 resources on weekday 08:00-17:00 (Europe/Stockholm) over 31 days across the
spring-forward night, 2,000 bookings, a PT15M service on the PT15M grid.

slot-calculator gets, per resource, the same question in its own terms: the availability spans the engine
expands (UTC instants; it works in elapsed minutes, so the DST night needs nothing more), the bookings as
unavailability, `duration` 15 (it steps by the duration: the PT15M grid), `from`/`to` the window. It has no
`now`: the P1 `now` (1 March) is before the window and the service has no booking window, so it removes
nothing. It bounds a whole slot by `to` where the engine bounds only the start; no availability span
crosses the P1 window's ends (local midnights), so that changes nothing either. The pairs are compared
exactly.

Each side is timed in CPU time, median of 5 runs after a warm-up: slot-calculator's `getSlots` calls inside
Node (bench/slot_calculator/run.mjs), the engine's states built from the timelines plus the slots (what a
request computes). The first run installs slot-calculator (`npm ci`) when it is missing.

    .venv/bin/python -m bench.slot_calculator
"""

import json
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from bench.slots_engine import NOW, P1, RUNS, ZONE, p1_input, pairs_digest, slot_pairs, states_and_slots
from kairos.scheduling.engine import BookingWindow
from kairos.scheduling.model import FixedRules, Span

NODE_DIR = Path(__file__).parent / "slot_calculator"
GOAL = 50


def _instants(spans: tuple[Span, ...]) -> list[dict[str, str]]:
    return [{"from": span.start.isoformat(), "to": span.end.isoformat()} for span in spans]


def _same_question(p1: P1) -> FixedRules:
    """Check what makes slot-calculator's answer the engine's, and return the fixed rules: its grid is the
    duration from `from`, restarted at the first free minute after unavailable ones (so every span and
    booking must lie on the engine's grid); it has no buffers, no booking window and no capacity; it
    bounds a slot's end by `to`."""
    kind, window = p1.rules.kind, p1.window
    assert isinstance(kind, FixedRules) and kind.bookable_interval in (None, kind.duration)
    assert not (p1.rules.buffer_before or p1.rules.buffer_after)
    bounds = BookingWindow.of(p1.rules, NOW, ZONE)
    assert bounds.latest is None and bounds.earliest is not None and bounds.earliest <= window.start
    for state in p1.resources:
        assert state.capacity == 1
        assert not any(s.start < edge < s.end for s in state.available for edge in (window.start, window.end))
        edges = [t for s in state.available + state.busy for t in (s.start, s.end)]
        assert all((t - window.start) % kind.duration == timedelta(0) for t in edges)
    return kind


def oracle_input(p1: P1) -> dict[str, Any]:
    """What slot-calculator needs, per resource, for the P1 question."""
    kind = _same_question(p1)
    return {
        "from": p1.window.start.astimezone(UTC).isoformat(),
        "to": p1.window.end.astimezone(UTC).isoformat(),
        "duration_minutes": kind.duration // timedelta(minutes=1),
        "resources": [
            {"id": r.resource_id, "availability": _instants(r.available), "unavailability": _instants(r.busy)}
            for r in p1.resources
        ],
    }


@dataclass(frozen=True)
class Run:
    """One side's CPU time (ms) of its warm-up run (Node compiles slot-calculator's code then; the engine's
    schedule expansion is already cached by building the input), CPU and wall times of each timed run,
    and the (resource, start) pairs it lists, in `slot_pairs`' form."""

    first_cpu_ms: float
    cpu_ms: list[float]
    wall_ms: list[float]
    pairs: list[tuple[str, str]]


def run_oracle(p1: P1) -> Run:
    """slot-calculator in Node (bench/slot_calculator/run.mjs), installed first when it is missing."""
    if not (NODE_DIR / "node_modules").exists():
        subprocess.run(["npm", "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"], check=True)
    with tempfile.TemporaryDirectory() as folder:
        given, found = Path(folder) / "input.json", Path(folder) / "output.json"
        given.write_text(json.dumps(oracle_input(p1)))
        subprocess.run(["node", str(NODE_DIR / "run.mjs"), str(given), str(found)], check=True)
        output = json.loads(found.read_text())
    pairs = [
        (resource, datetime.fromtimestamp(millis / 1000, UTC).isoformat())
        for resource, millis in output["pairs"]
    ]
    return Run(output["first_cpu_ms"], output["cpu_ms"], output["wall_ms"], pairs)


def run_engine(p1: P1) -> Run:
    """The engine on states + slots, timed after a warm-up run."""
    started = process_time()
    slots = states_and_slots(p1)
    first_cpu_ms = (process_time() - started) * 1000
    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    for _ in range(RUNS):
        cpu, wall = process_time(), perf_counter()
        slots = states_and_slots(p1)
        wall_ms.append((perf_counter() - wall) * 1000)
        cpu_ms.append((process_time() - cpu) * 1000)
    return Run(first_cpu_ms, cpu_ms, wall_ms, slot_pairs(slots))


def _line(name: str, run: Run) -> str:
    return (
        f"  {name:<16} {statistics.median(run.cpu_ms):8.1f} ms CPU {statistics.median(run.wall_ms):8.1f} ms"
        f" wall  {len(run.pairs):6d} pairs, sha256 {pairs_digest(run.pairs)}"
        f"  (CPU runs: {', '.join(f'{m:.1f}' for m in run.cpu_ms)}; warm-up {run.first_cpu_ms:.1f})"
    )


def _differences(ours: list[tuple[str, str]], theirs: list[tuple[str, str]]) -> list[str]:
    only_ours, only_theirs = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
    return [
        f"  only the slot engine:   {len(only_ours)}, first {only_ours[:5]}",
        f"  only slot-calculator:   {len(only_theirs)}, first {only_theirs[:5]}",
        f"  repeated pairs: engine {len(ours) - len(set(ours))}, oracle {len(theirs) - len(set(theirs))}",
    ]


def comparison() -> list[str]:
    p1 = p1_input()
    engine, oracle = run_engine(p1), run_oracle(p1)
    ours, theirs = engine.pairs, oracle.pairs
    equal = sorted(ours) == sorted(theirs)
    ratio = statistics.median(oracle.cpu_ms) / statistics.median(engine.cpu_ms)
    lines = [
        f"P1: {len(p1.resources)} resources x 31 days, PT15M service on a PT15M grid (median of {RUNS} runs)",
        _line("slot engine", engine) + "  states + slots",
        _line("slot-calculator", oracle) + "  getSlots per resource",
    ]
    if not equal:
        lines += _differences(ours, theirs)
    verdict = (
        f"slot engine vs slot-calculator on P1: {ratio:.0f} x faster (goal {GOAL} x),"
        f" pairs equal: {'yes' if equal else 'no'}"
    )
    return [*lines, verdict]


if __name__ == "__main__":
    print("\n".join(comparison()))
