"""Runs one function as Lambda's Python runtime runs it, in the clean interpreter of the deployed-layout
test (standard library only: nothing of the development environment is importable here).

    python -I bootstrap.py TASK_DIR OPT_DIR HANDLER TIMEOUT_SECONDS EVENTS_FILE ANSWERS_FILE [CALLS_FILE]

sys.path is Lambda's order: the function's code (/var/task), the layer (/opt/python), then the runtime's own
packages (the interpreter's site-packages, boto3 and what it requires). The handler module is imported once,
as at a cold start, and answers each event of EVENTS_FILE in turn with a Lambda-like context; the answers,
or the error of the import or of an invocation, go to ANSWERS_FILE as JSON, with the CPU seconds the
import and each invocation took (`cpu_seconds`, for bench.cold_starts).

An event may name what an earlier answer of the same run made: `<<n.path>>` is replaced, before the event
is handled, by the field at `path` (dotted, list indexes as numbers) of the JSON body of answer n, so a
run can create an entity and then read, change and delete it.

With CALLS_FILE, every AWS API call the function makes (the service's IAM prefix, the operation and its
parameters) is appended to it as a JSON line, as botocore is asked to make it (the recorder of
tools/kairos_local/aws_calls.py): the deployed-layout test
checks each against the function's role (tests/infra/role_access.py)."""

import importlib
import importlib.util
import json
import os
import re
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

EARLIER_ANSWER = re.compile(r"<<(\d+)\.([\w.-]+)>>")


class Context:
    """The fields of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_seconds: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:eu-central-1:000000000000:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "deployed-layout-test"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def resolved(event: Any, answers: list[Any]) -> Any:
    """The event with each `<<n.path>>` replaced by that field of answer n's JSON body."""

    def field(match: re.Match[str]) -> str:
        value = json.loads(answers[int(match[1])]["body"])
        for part in match[2].split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return str(value)

    return json.loads(EARLIER_ANSWER.sub(field, json.dumps(event)))


def record_calls(calls_file: str) -> None:
    """The recorder of tools/kairos_local/aws_calls.py, loaded by its path (nothing of the development
    environment is importable here), on every client call."""
    path = Path(__file__).resolve().parents[2] / "tools" / "kairos_local" / "aws_calls.py"
    spec = importlib.util.spec_from_file_location("aws_calls", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["aws_calls"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.record_calls(calls_file)


def main() -> None:
    task, opt, handler, timeout, events_file, answers_file, *calls_file = sys.argv[1:]
    sys.path[:0] = [task, f"{opt}/python"]
    if calls_file:
        record_calls(calls_file[0])
    module_name, _, function_name = handler.rpartition(".")
    answers: dict[str, Any] = {"answers": [], "cpu_seconds": []}
    try:
        started = time.process_time()
        handle = getattr(importlib.import_module(module_name), function_name)
        answers["cpu_seconds"].append(time.process_time() - started)
        with open(events_file) as events:
            for written in json.load(events):
                event = resolved(written, answers["answers"])
                context = Context(os.environ["AWS_LAMBDA_FUNCTION_NAME"], float(timeout))
                started = time.process_time()
                answers["answers"].append(handle(event, context))
                answers["cpu_seconds"].append(time.process_time() - started)
    except BaseException:
        answers["error"] = traceback.format_exc()
    with open(answers_file, "w") as out:
        json.dump(answers, out)


if __name__ == "__main__":  # bench/warm_cpu_driver.py loads this file for its Context
    main()
