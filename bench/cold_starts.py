"""Cold imports in the deployed layout: every function of the synthesized template, its code and its layer
zipped as the CDK CLI zips them and unpacked as Lambda unpacks them (1980 dates), imported in a clean
Python 3.11 that has only what the Lambda runtime has (boto3 and what it requires), against a bare
`import boto3` in the same interpreter. Goal (issue 13): every function at most 2x the bare import.

Like Lambda, the interpreter writes no bytecode (`-B`: Lambda's /opt and /var/task are read-only), so a
module without valid bytecode in the layer is compiled at every cold start. The runtime's own boto3 is
imported from compiled bytecode, as the Lambda runtime ships it. The figure is the CPU time of the import
(a cold start is CPU-bound; wall time on a shared machine mostly measures the neighbours), and rounds
alternate the functions and the bare import so that the machine's load weighs on both alike; the medians
are printed.

    .venv/bin/python -m bench.cold_starts [rounds]
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from infra.constants import FUNCTION_NAME_PREFIX, REGION
from infra.stack import add_kairos_stack
from tests.infra import lambda_sandbox
from tests.infra.conftest import REPO_ROOT, cdk_context, kairos_functions, staged_asset

ROUNDS = 5
GOAL = 2.0
BARE = "bare import boto3"
# Runs in the clean interpreter: the function's code, then the layer, before the runtime's packages.
IMPORT = """
import importlib, sys, time
task, opt, module = sys.argv[1:]
if task:
    sys.path[:0] = [task, opt + "/python"]
started = time.process_time()
importlib.import_module(module)
print(time.process_time() - started)
"""


def functions() -> dict[str, tuple[Path, Path, str, dict[str, str]]]:
    """Each function by short name: its unpacked code, its unpacked layer, handler module, environment."""
    stack = add_kairos_stack(
        cdk.App(context=cdk_context(), outdir=str(REPO_ROOT / ".venv" / "cdk-test.out" / "bench"))
    )
    template = Template.from_stack(stack)
    resources = template.to_json()["Resources"]
    found = {}
    for resource in kairos_functions(template).values():
        properties = resource["Properties"]
        (layer,) = properties["Layers"]
        name = properties["FunctionName"]
        task = lambda_sandbox.deployed(staged_asset(stack, resource))
        found[name.removeprefix(f"{FUNCTION_NAME_PREFIX}-")] = (
            task,
            lambda_sandbox.deployed(staged_asset(stack, resources[layer["Ref"]])),
            properties["Handler"].rpartition(".")[0],
            _environment(name, properties, task),
        )
    return found


def _environment(name: str, properties: dict[str, Any], task: Path) -> dict[str, str]:
    """The function's variables (a reference to another resource becomes a placeholder) and what Lambda
    sets. LAMBDA_TASK_ROOT matters: the X-Ray SDK samples locally in Lambda, and elsewhere creates two X-Ray
    clients at import (about as long as importing boto3)."""
    variables = properties.get("Environment", {}).get("Variables", {})
    values = {key: value if isinstance(value, str) else "placeholder" for key, value in variables.items()}
    return {
        **values,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(properties.get("MemorySize", "")),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "LAMBDA_TASK_ROOT": str(task),
        "_HANDLER": properties.get("Handler", ""),
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": "/usr/bin:/bin",
    }


def _runtime() -> Path:
    """The runtime interpreter, its own packages compiled once (the Lambda runtime ships them compiled)."""
    python = lambda_sandbox.runtime_python()
    site = next((lambda_sandbox.RUNTIME / "lib").glob("python3.*/site-packages"))
    subprocess.run([str(python), "-m", "compileall", "-q", str(site)], check=True)
    return python


def _import_seconds(python: Path, task: str, opt: str, module: str, environment: dict[str, str]) -> float:
    done = subprocess.run(
        [str(python), "-I", "-B", "-c", IMPORT, task, opt, module],
        env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"import {module} failed:\n{done.stderr}")
    return float(done.stdout)


def measure(rounds: int) -> dict[str, list[float]]:
    python, found = _runtime(), functions()
    bare_environment = _environment("bare", {}, Path(python).parent)
    timings: dict[str, list[float]] = {BARE: [], **{name: [] for name in sorted(found)}}
    for _ in range(rounds):
        timings[BARE].append(_import_seconds(python, "", "", "boto3", bare_environment))
        for name, (task, opt, module, environment) in sorted(found.items()):
            timings[name].append(_import_seconds(python, str(task), str(opt), module, environment))
    return timings


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    timings = measure(rounds)
    bare = statistics.median(timings[BARE])
    print(f"Cold imports in the deployed layout, median of {rounds} rounds (goal: ratio <= {GOAL:.0f})")
    print(f"{'function':<22} {'ms':>8} {'ratio':>6}")
    for name, seconds in timings.items():
        median = statistics.median(seconds)
        verdict = "" if name == BARE or median <= GOAL * bare else "  over the goal"
        print(f"{name:<22} {median * 1000:>8.0f} {median / bare:>6.1f}{verdict}")
    print(json.dumps({name: round(statistics.median(s) * 1000) for name, s in timings.items()}))


if __name__ == "__main__":
    main()
