"""Runs in a function's clean runtime interpreter (bench/warm_cpu.py starts it, as the deployed-layout test
starts tests/infra/lambda_bootstrap.py: standard library and the runtime's boto3 only) and times each
operation warm beside its floor, alternating.

    python -I warm_cpu_driver.py TASK_DIR OPT_DIR HANDLER TIMEOUT_SECONDS PLAN_FILE ANSWERS_FILE [PROFILE]

PLAN_FILE: {"warmup": rounds, "operations": [{"name": ..., "events": [...]}, ...]}, every operation with as
many events. Round n invokes each operation's event n, then replays the DynamoDB calls that invocation made
with a bare client (boto3's defaults) through botocore's own `_make_api_call`, as it was before the
function's tracer patched it: validate and serialize the request, send it, parse the answer, nothing else.
A replayed write whose condition fails now (the invocation made the item) costs the same request and a
short error answer (suppressed). Both are timed in process CPU seconds. ANSWERS_FILE: per operation, the
statuses, both lists of seconds and the operations called. With PROFILE, the invocations after the warm-up
rounds are profiled (cProfile on the process CPU clock; the main thread's calls, each thread's CPU counted)
into that file, for `pstats`: the figures are then inflated by the profiler and only the profile is worth
reading."""

import contextlib
import cProfile
import importlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _bootstrap() -> Any:
    """tests/infra/lambda_bootstrap.py, loaded by its path, for its Lambda-like Context."""
    path = Path(__file__).resolve().parents[1] / "tests" / "infra" / "lambda_bootstrap.py"
    spec = importlib.util.spec_from_file_location("lambda_bootstrap", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    task, opt, handler, timeout, plan_file, answers_file, *profile_file = sys.argv[1:]
    profile = cProfile.Profile(time.process_time)
    sys.path[:0] = [task, f"{opt}/python"]
    import boto3
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    bare = BaseClient._make_api_call  # type: ignore[attr-defined]  # before the tracer wraps it
    floor_client = boto3.client("dynamodb")  # a client of its own, botocore's defaults
    made: list[tuple[Any, str, dict[str, Any]]] = []

    def recorded(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            made.append((client, operation, params))
        return bare(client, operation, params)

    BaseClient._make_api_call = recorded  # type: ignore[attr-defined]
    context_type = _bootstrap().Context
    module_name, _, function_name = handler.rpartition(".")
    handle = getattr(importlib.import_module(module_name), function_name)
    plan = json.loads(Path(plan_file).read_text())
    operations = plan["operations"]
    results: dict[str, dict[str, list[Any]]] = {
        op["name"]: {"statuses": [], "cpu": [], "floor": [], "calls": []} for op in operations
    }
    for round_ in range(len(operations[0]["events"])):
        for op in operations:
            result = results[op["name"]]
            context = context_type(os.environ["AWS_LAMBDA_FUNCTION_NAME"], float(timeout))
            made.clear()
            started = time.process_time()
            if profile_file and round_ >= plan["warmup"]:
                profile.enable()
            answer = handle(op["events"][round_], context)
            profile.disable()
            result["cpu"].append(time.process_time() - started)
            result["statuses"].append(answer["statusCode"])
            calls = [(client, operation, params) for client, operation, params in made]
            result["calls"].append([operation for _, operation, _ in calls])
            started = time.process_time()
            for _, operation, params in calls:
                with contextlib.suppress(ClientError):
                    bare(floor_client, operation, params)
            result["floor"].append(time.process_time() - started)
    Path(answers_file).write_text(json.dumps(results))
    if profile_file:
        profile.dump_stats(profile_file[0])


if __name__ == "__main__":
    main()
