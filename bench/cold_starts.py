"""Cold starts in the deployed layout: every function of the synthesized template, its code and its layer
zipped as the CDK CLI zips them and unpacked as Lambda unpacks them (1980 dates), started in a clean
Python 3.11 that has only what the Lambda runtime has (boto3 and what it requires), against a bare
`import boto3` in the same interpreter. Goal (issue 13): every function's import at most 2x the bare import.

Two figures per function: its import, and its import plus its first invocation (a representative event of
what the function is wired to, the first the deployed-layout test sends: an API area's first list route
with a valid token, a queue message, a stream record, the sweeper's schedule; answered against moto). What
a function leaves to its first request (a client made at first use, a module imported by the route that
needs it) shows in the second figure, so a shorter import that only moved work is seen as such.

Like Lambda, the interpreter writes no bytecode (`-B`: Lambda's /opt and /var/task are read-only), so a
module without valid bytecode in the layer is compiled at every cold start. The runtime's own boto3 is
imported from compiled bytecode, as the Lambda runtime ships it. The figures are CPU time (a cold start is
CPU-bound; wall time on a shared machine mostly measures the neighbours; moto's work is another process's
and not counted), and each round runs the bare import and every function once, so that the machine's load
weighs on all alike. Printed: the medians, and the spread of the per-round ratios.

    .venv/bin/python -m bench.cold_starts [rounds] [--only NAME ...] [--profile DIR]

`--only` measures those functions alone (a shorter run). With `--profile`, each function's cold start is
run once more after the rounds under cProfile on the process CPU clock (import and first invocation, the
main thread's calls), into DIR/<function>.prof for `pstats`; the printed figures are not profiled.
"""

import argparse
import json
import logging
import socket
import statistics
import subprocess
import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk.assertions import Template

from infra.constants import REGION
from infra.stack import add_kairos_stack
from tests.infra import lambda_sandbox
from tests.infra.conftest import REPO_ROOT, cdk_context
from tests.infra.lambda_scenarios import scenario
from tests.infra.lambda_world import Deployed, deployed_functions, environment, moto_world

ROUNDS = 9
GOAL = 2.0
BARE = "bare import boto3"
IMPORT, FIRST = "import", "import + first request"
BARE_IMPORT = (
    "import sys, time; started = time.process_time(); import boto3; print(time.process_time() - started)"
)


def _runtime() -> Path:
    """The runtime interpreter, its own packages compiled once (the Lambda runtime ships them compiled)."""
    python = lambda_sandbox.runtime_python()
    site = next((lambda_sandbox.RUNTIME / "lib").glob("python3.*/site-packages"))
    subprocess.run([str(python), "-m", "compileall", "-q", str(site)], check=True)
    return python


def _bare_seconds(python: Path) -> float:
    environment = {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(python), "-I", "-B", "-c", BARE_IMPORT],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def _cold_start(
    python: Path, function: Deployed, events: Path, environment: dict[str, str], profile: Path | None = None
) -> list[float]:
    """CPU seconds of the import and of the import plus the first invocation."""
    answers = events.with_suffix(".answers.json")
    run = lambda_sandbox.run(
        python, function.task, function.opt, function.properties["Handler"], function.properties["Timeout"],
        events, answers, environment, write_bytecode=False, profile=profile,
    )  # fmt: skip
    result = json.loads(answers.read_text())
    if "error" in result:
        raise RuntimeError(f"{function.name} failed:\n{result['error']}{run.stderr}")
    imported, first = result["cpu_seconds"]
    return [imported, imported + first]


def measure(
    rounds: int, only: list[str] | None = None, profile: Path | None = None
) -> dict[str, dict[str, list[float]]]:
    python = _runtime()
    stack = add_kairos_stack(
        cdk.App(context=cdk_context(), outdir=str(REPO_ROOT / ".venv" / "cdk-test.out" / "bench"))
    )
    template = Template.from_stack(stack)
    found = deployed_functions(template, stack)
    if only:
        unknown = set(only) - set(found)
        if unknown:
            raise SystemExit(
                f"no such function: {', '.join(sorted(unknown))} (there are {', '.join(sorted(found))})"
            )
        found = {name: found[name] for name in only}
    timings: dict[str, dict[str, list[float]]] = {BARE: {IMPORT: []}}
    timings |= {name: {IMPORT: [], FIRST: []} for name in sorted(found)}
    with (
        moto_world() as moto,
        tempfile.TemporaryDirectory() as home,
        socket.socket(type=socket.SOCK_DGRAM) as xray,
    ):
        xray.bind(("127.0.0.1", 0))  # a stand-in X-Ray daemon that reads nothing: the segments are dropped
        started: dict[str, tuple[Path, dict[str, str]]] = {}
        for name, function in found.items():
            events = Path(home) / f"{name}.json"
            opening = scenario(name, template, moto)[0]([])[0]  # the deployed-layout test's first event
            events.write_text(json.dumps([opening.event]))
            started[name] = (events, environment(function, template, moto, xray.getsockname()[1], Path(home)))
        for _ in range(rounds):
            timings[BARE][IMPORT].append(_bare_seconds(python))
            for name, function in sorted(found.items()):
                imported, first = _cold_start(python, function, *started[name])
                timings[name][IMPORT].append(imported)
                timings[name][FIRST].append(first)
        if profile:
            for name, function in sorted(found.items()):
                _cold_start(python, function, *started[name], profile=profile / f"{name}.prof")
    return timings


def _figure(seconds: list[float], bare: list[float]) -> str:
    """Median ms, median ratio to the bare import, and the spread of the rounds' ratios."""
    ratios = [s / b for s, b in zip(seconds, bare, strict=True)]
    ratio = statistics.median(seconds) / statistics.median(bare)
    return f"{statistics.median(seconds) * 1000:>6.0f} {ratio:>5.1f} ({min(ratios):.1f}-{max(ratios):.1f})"


def main() -> None:
    arguments = argparse.ArgumentParser(description="Cold starts in the deployed layout.")
    arguments.add_argument("rounds", type=int, nargs="?", default=ROUNDS)
    arguments.add_argument("--only", nargs="+", metavar="NAME", help="these functions alone")
    arguments.add_argument("--profile", type=Path, help="a folder for each function's cProfile output")
    given = arguments.parse_args()
    rounds = given.rounds
    if given.profile:
        given.profile.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    timings = measure(rounds, given.only, given.profile)
    bare = timings[BARE][IMPORT]
    print(f"Cold starts in the deployed layout, CPU ms, median of {rounds} rounds; ratio to a bare import")
    print(f"boto3 (rounds' spread); goal: import ratio <= {GOAL:.0f}")
    print(f"{'function':<20} {IMPORT:>23} {FIRST:>25}")
    print(f"{BARE:<20} {statistics.median(bare) * 1000:>6.0f}")
    for name, figures in timings.items():
        if name == BARE:
            continue
        over = statistics.median(figures[IMPORT]) > GOAL * statistics.median(bare)
        verdict = "  over the goal" if over else ""
        print(f"{name:<20} {_figure(figures[IMPORT], bare):>23} {_figure(figures[FIRST], bare):>25}{verdict}")
    medians = {
        name: {k: round(statistics.median(v) * 1000) for k, v in f.items()} for name, f in timings.items()
    }
    print(json.dumps(medians))


if __name__ == "__main__":
    main()
