"""Warm CPU per request beside its floor (issue 27): each main operation run warm in the deployed layout
(tests/infra/lambda_sandbox.py: the function's asset and layer as Lambda unpacks them, a clean runtime
interpreter, Lambda's environment) against moto, and right after each invocation its floor: the same
DynamoDB calls replayed with a bare boto3 client (bench/warm_cpu_driver.py), alternating, in one run per
function. Process CPU time (moto runs in this process, not in the function's). Goal: every ratio <= 2.

    .venv/bin/python -m bench.warm_cpu [rounds] [--profile DIR]

With --profile, each function's warm invocations are also profiled into DIR/<function>.prof (read them with
pstats; the printed figures are then the profiler's, inflated).
"""

import argparse
import json
import logging
import socket
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from bench.cost_model import PRICES, SEND_SECONDS, VCPU_MEMORY_MB, WAVE_SECONDS, duration_seconds
from bench.heat import UNITS_FILE
from infra.constants import API_FUNCTION_MEMORY_MB, FUNCTION_MEMORY_MB
from infra.stack import add_kairos_stack
from kairos.domain.projects.auth import Principal
from tests.infra import lambda_sandbox
from tests.infra.api_scenarios import Call, http_event
from tests.infra.conftest import REPO_ROOT, cdk_context
from tests.infra.lambda_world import (
    Deployed,
    Moto,
    deployed_functions,
    environment,
    fresh_project,
    moto_world,
)
from tests.unit.clinic import add_doctor, at, booking_body, make_clinic

ROUNDS = 12
WARMUP = 2  # rounds left out: the first invocation of a route loads its modules
GOAL = 2.0
DRIVER = Path(__file__).with_name("warm_cpu_driver.py")
MEMORY_SIZES = (FUNCTION_MEMORY_MB, API_FUNCTION_MEMORY_MB, VCPU_MEMORY_MB)  # 512 MB, the API's, one vCPU
WINDOW_DAY = f"from={at(0)}&to={at(23)}"


@dataclass(frozen=True)
class Operation:
    name: str
    function: str  # the function serving it
    calls: list[Call]  # one per round, warm-up rounds included


def _clinic(moto: Moto, viewer: Principal, doctors: int) -> dict[str, str]:
    clinic = make_clinic(moto.container, viewer)
    for _ in range(doctors - 1):
        add_doctor(moto.container, viewer, clinic["service_id"], clinic["location_id"])
    return clinic


def operations(moto: Moto, viewer: Principal, rounds: int) -> list[Operation]:
    """The operations, each over clinics of its own (a booking made by a round changes no other's input)."""
    one, ten, booked = _clinic(moto, viewer, 1), _clinic(moto, viewer, 10), _clinic(moto, viewer, 10)
    kept = moto.container.bookings.create(viewer, booking_body(one, 16))["id"]
    same = rounds * [None]

    def slots(clinic: dict[str, str]) -> list[Call]:
        query = f"{WINDOW_DAY}&location={clinic['location_id']}".replace("+", "%2B")
        path = "/v1/services/{service}/bookable-slots"
        return [Call("GET", path, {"service": clinic["service_id"]}, query=query) for _ in same]

    hours = [(8 + n // 10, n % 10) for n in range(rounds)]  # an hour of one doctor of ten each
    if rounds > 90:
        raise ValueError("at most 90 rounds: the booked clinic has 90 free hours on DAY")
    item = "/v1/bookings/{booking}"
    return [
        Operation("GET booking", "bookings", [Call("GET", item, {"booking": kept}) for _ in same]),
        Operation("GET bookings (list)", "bookings", [Call("GET", "/v1/bookings") for _ in same]),
        Operation("bookable slots, 1 resource", "services", slots(one)),
        Operation("bookable slots, 10 resources", "services", slots(ten)),
        Operation(
            "POST booking",
            "bookings",
            [Call("POST", "/v1/bookings", body=booking_body(booked, hour)) for hour, _ in hours],
        ),
        Operation(
            "PATCH booking",
            "bookings",
            [Call("PATCH", item, {"booking": kept}, {"metadata": {"round": n}}) for n in range(rounds)],
        ),
    ]


def run_function(
    function: Deployed,
    ops: list[Operation],
    token: str,
    env: dict[str, str],
    home: Path,
    profile: Path | None,
) -> dict[str, Any]:
    plan, answers = home / f"{function.name}.plan.json", home / f"{function.name}.answers.json"
    events = [{"name": op.name, "events": [http_event(c, token).event for c in op.calls]} for op in ops]
    plan.write_text(json.dumps({"warmup": WARMUP, "operations": events}))
    python = lambda_sandbox.runtime_python()
    done = subprocess.run(
        [str(python), "-I", "-X", f"pycache_prefix={lambda_sandbox.BYTECODE}", str(DRIVER),
         str(function.task), str(function.opt), function.properties["Handler"],
         str(function.properties["Timeout"]), str(plan), str(answers),
         *([str(profile / f"{function.name}.prof")] if profile else [])],
        env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"{function.name} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(answers.read_text())
    for name, figures in result.items():
        if any(status >= 300 for status in figures["statuses"]):
            raise RuntimeError(f"{name} answered {figures['statuses']}:\n{done.stdout[-2000:]}")
    return result


def measure(rounds: int, profile: Path | None = None) -> dict[str, dict[str, Any]]:
    stack = add_kairos_stack(
        cdk.App(context=cdk_context(), outdir=str(REPO_ROOT / ".venv" / "cdk-test.out" / "warm-cpu"))
    )
    template = Template.from_stack(stack)
    found = deployed_functions(template, stack)
    figures: dict[str, dict[str, Any]] = {}
    with (
        moto_world() as moto,
        tempfile.TemporaryDirectory() as home,
        socket.socket(type=socket.SOCK_DGRAM) as xray,
    ):
        xray.bind(("127.0.0.1", 0))  # a stand-in X-Ray daemon that reads nothing
        viewer, token = fresh_project(moto, "Warm CPU")
        ops = operations(moto, viewer, rounds + WARMUP)
        for name in sorted({op.function for op in ops}):
            function = found[name]
            env = environment(function, template, moto, xray.getsockname()[1], Path(home))
            mine = [op for op in ops if op.function == name]
            figures |= run_function(function, mine, token, env, Path(home), profile)
    return {op.name: figures[op.name] for op in ops}


def budget(cpu_seconds: float, memory_mb: int, waves: float) -> tuple[float, float]:
    """Billed ms of one call at `memory_mb` (bench/cost_model.py: the CPU stretched by the memory's share of
    a vCPU, plus `waves` DynamoDB round trips and the usage event's send of waiting), and Lambda's dollars
    per million such calls."""
    seconds = duration_seconds(cpu_seconds, memory_mb, waves * WAVE_SECONDS + SEND_SECONDS)
    dollars = seconds * memory_mb / 1024 * PRICES["lambda_gb_second"] + PRICES["lambda_request"]
    return seconds * 1000, dollars * 1e6


def main() -> None:
    arguments = argparse.ArgumentParser(description="Warm CPU per request beside its floor.")
    arguments.add_argument("rounds", nargs="?", type=int, default=ROUNDS)
    arguments.add_argument("--profile", type=Path, help="a folder for each function's cProfile output")
    given = arguments.parse_args()
    rounds = given.rounds
    if given.profile:
        given.profile.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    figures = measure(rounds, given.profile)
    print(f"Warm CPU in the deployed layout, ms, median of {rounds} rounds (after {WARMUP} left out),")
    print(f"beside its floor (the same DynamoDB calls with a bare boto3 client); goal: ratio <= {GOAL:.0f}")
    print(f"{'operation':<30} {'cpu':>7} {'floor':>7} {'ratio':>6}  DynamoDB calls")
    worst = (0.0, "")
    cpus: dict[str, float] = {}
    for name, result in figures.items():
        cpu = cpus[name] = statistics.median(result["cpu"][WARMUP:])
        floor = statistics.median(result["floor"][WARMUP:])
        ratio = cpu / floor
        worst = max(worst, (ratio, name))
        calls = ", ".join(result["calls"][-1])
        print(f"{name:<30} {cpu * 1000:>7.1f} {floor * 1000:>7.1f} {ratio:>6.1f}  {calls}")
    waves = json.loads(UNITS_FILE.read_text())["waves_per_request"]
    print(f"\nLatency budget per call: billed ms (CPU over the memory's share of a vCPU, plus {waves:.2f}")
    print(
        f"DynamoDB round trips of {WAVE_SECONDS * 1000:.0f} ms and the usage event's send of"
        f" {SEND_SECONDS * 1000:.0f} ms) and Lambda's $ per million calls, by memory"
    )
    print(f"{'operation':<30}" + "".join(f" {f'{memory} MB':>16}" for memory in MEMORY_SIZES))
    for name, cpu in cpus.items():
        cells = [budget(cpu, memory, waves) for memory in MEMORY_SIZES]
        print(f"{name:<30}" + "".join(f" {ms:>6.1f} ms ${dollars:>5.2f}" for ms, dollars in cells))
    print(f"warm cpu: worst ratio {worst[0]:.1f} ({worst[1]})")


if __name__ == "__main__":
    main()
