"""The cost model (docs/costs.md): what Kairos costs a month in eu-central-1 at 1, 100 and 1,000 requests a
second of a typical mix, from measured inputs and one price list (bench/cost_model.py).

Measured here: each function's warm CPU (per invocation, and per record for the stream and queue
consumers) and the bytes it logs per invocation, by running it in the deployed layout
(tests/infra/lambda_sandbox.py: the asset as Lambda unpacks it, a clean runtime interpreter, the events of
its deployed-layout scenario against moto; the first invocation, a cold one, left out); the stack's
configuration from the synthesized template (memory, alarms, dashboards, keys, the web ACL's rules, the
access log's fields) and its settings (metering batch size). Measured by `python -m bench.heat` and read
from bench/measured/units_per_request.json: DynamoDB capacity units, items written and waves per request,
over the whole request path.

    .venv/bin/python -m bench.costs
"""

import json
import socket
import statistics
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cost_model import MONTH_SECONDS, Inputs, consumer_cpu, monthly
from bench.heat import UNITS_FILE
from bench.heat_mixes import READ_KINDS
from infra.api import ACCESS_LOG_FIELDS
from infra.constants import API_FUNCTION_MEMORY_MB, FUNCTION_MEMORY_MB
from infra.events import STREAM_BATCH_SIZE
from kairos.events.definitions import STREAM_CONSUMER, USAGE_FEED

# The API function serving each kind of request of the mix (bench/heat_mixes.py's reads, and the
# booking writes), and the consumers behind every request.
API_FUNCTIONS = {"slots": "services", "lists": "bookings", "gets": "bookings", "resource": "resources"}
CONSUMERS = (STREAM_CONSUMER, USAGE_FEED.consumer)
# A typical value of each access log field (infra/api.py), for the size of one line.
ACCESS_LOG_EXAMPLE = {
    "requestId": "0" * 36,
    "extendedRequestId": "0" * 16,
    "lambdaRequestId": "0" * 36,
    "xrayTraceId": "1-67a1b2c3-" + "0" * 24,
    "requestTime": "06/Dec/2026:14:13:54 +0000",
    "ip": "203.0.113.19",
    "userAgent": "python-requests/2.32.3",
    "httpMethod": "GET",
    "resourcePath": "/v1/services/{service}/bookable-slots",
    "path": "/v1/services/" + "0" * 36 + "/bookable-slots",
    "status": "200",
    "responseLength": "2048",
    "responseLatency": "45",
    "integrationStatus": "200",
    "integrationLatency": "43",
    "errorMessage": "-",
}


@dataclass(frozen=True)
class Measured:
    """One function's warm CPU seconds per invocation (an API request's), and for a consumer beside the
    records of its batch and per record; the bytes it logs per invocation."""

    cpu_per_invocation: float
    log_bytes: float
    cpu_per_record: float = 0.0


@dataclass(frozen=True)
class Stack:
    template: Mapping[str, Any]
    metering_batch: int
    metering_window_seconds: int


def big_batch(name: str, events: list[dict[str, Any]], moto: Any, size: int) -> dict[str, Any]:
    """One batch of `size` records for a consumer: fresh usage messages for metering, the scenario's
    stream records over and again for the stream mapper."""
    from tests.infra.lambda_scenarios import message, queue_body

    if name == USAGE_FEED.consumer:
        arn = moto.queue_arns[USAGE_FEED.queue]
        return {"Records": [message(queue_body(USAGE_FEED, moto), arn) for _ in range(size)]}
    records = [r for event in events for r in event["Records"]]
    return {"Records": (records * size)[:size]}


def measure_functions(names: set[str]) -> tuple[dict[str, Measured], Stack]:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.settings import stack_settings
    from infra.stack import add_kairos_stack
    from tests.infra import lambda_sandbox
    from tests.infra.conftest import REPO_ROOT, cdk_context
    from tests.infra.lambda_scenarios import scenario
    from tests.infra.lambda_world import deployed_functions, environment, moto_world

    stack = add_kairos_stack(
        cdk.App(context=cdk_context(), outdir=str(REPO_ROOT / ".venv" / "cdk-test.out" / "costs"))
    )
    template = Template.from_stack(stack)
    found = deployed_functions(template, stack)
    python = lambda_sandbox.runtime_python()
    measured: dict[str, Measured] = {}
    with (
        moto_world() as moto,
        tempfile.TemporaryDirectory() as home,
        socket.socket(type=socket.SOCK_DGRAM) as xray,
    ):
        xray.bind(("127.0.0.1", 0))  # a stand-in X-Ray daemon that reads nothing
        settings = stack_settings(stack)
        feed = settings.feeds[USAGE_FEED.consumer]
        batches = {USAGE_FEED.consumer: feed.batch_size, STREAM_CONSUMER: STREAM_BATCH_SIZE}
        for name in sorted(names):
            function = found[name]
            events = [step.event for step in scenario(name, template, moto)[0]([])]
            if name in batches:
                events.append(big_batch(name, events, moto, batches[name]))
            events_file, answers = Path(home) / f"{name}.json", Path(home) / f"{name}.answers.json"
            events_file.write_text(json.dumps(events))
            run = lambda_sandbox.run(
                python, function.task, function.opt, function.properties["Handler"],
                function.properties["Timeout"], events_file, answers,
                environment(function, template, moto, xray.getsockname()[1], Path(home)),
            )  # fmt: skip
            result = json.loads(answers.read_text())
            if "error" in result:
                raise RuntimeError(f"{name}: {result['error']}")
            cpu = result["cpu_seconds"][2:]  # [0] is the import, [1] the first (cold) invocation
            logged = len(run.stdout.encode()) / len(events)
            if name in batches:
                records = [len(e["Records"]) for e in events[1:]]
                per_invocation, per_record = consumer_cpu(cpu[:-1], records[:-1], cpu[-1], records[-1])
                measured[name] = Measured(per_invocation, logged, per_record)
            else:
                measured[name] = Measured(statistics.median(cpu), logged)
    return measured, Stack(template.to_json(), feed.batch_size, feed.batching_window_seconds)


def fixed_items(template: Mapping[str, Any]) -> dict[str, int]:
    """The stack's items billed by the month."""
    resources = list(template["Resources"].values())

    def count(kind: str) -> int:
        return sum(r["Type"] == kind for r in resources)

    rules = sum(len(r["Properties"]["Rules"]) for r in resources if r["Type"] == "AWS::WAFv2::WebACL")
    return {
        "alarms": count("AWS::CloudWatch::Alarm"),
        "dashboards": count("AWS::CloudWatch::Dashboard"),
        "web_acls": count("AWS::WAFv2::WebACL"),
        "web_acl_rules": rules,
        "kms_keys": count("AWS::KMS::Key"),
    }


def inputs(functions: Mapping[str, Measured], stack: Stack, units: Mapping[str, float]) -> Inputs:
    """The mix's inputs: each read kind's share (bench/heat_mixes.py) of its function's figures, and the
    booking writes' share of the bookings function's."""
    writes = units["booking_write_share"]
    shares = {API_FUNCTIONS[kind]: 0.0 for kind in READ_KINDS}
    for kind, share in READ_KINDS.items():
        shares[API_FUNCTIONS[kind]] += (1 - writes) * share
    shares["bookings"] += writes
    line = json.dumps({field: ACCESS_LOG_EXAMPLE[field] for field in ACCESS_LOG_FIELDS})
    return Inputs(
        memory_mb=FUNCTION_MEMORY_MB,
        api_memory_mb=API_FUNCTION_MEMORY_MB,
        api_cpu_seconds=sum(s * functions[f].cpu_per_invocation for f, s in shares.items()),
        api_log_bytes=sum(s * functions[f].log_bytes for f, s in shares.items()),
        access_log_bytes=len(line) + 1,
        waves_per_request=units["waves_per_request"],
        stream_cpu_per_invocation=functions[STREAM_CONSUMER].cpu_per_invocation,
        stream_cpu_per_record=functions[STREAM_CONSUMER].cpu_per_record,
        metering_cpu_per_invocation=functions[USAGE_FEED.consumer].cpu_per_invocation,
        metering_cpu_per_event=functions[USAGE_FEED.consumer].cpu_per_record,
        consumer_log_bytes=statistics.mean(functions[c].log_bytes for c in CONSUMERS),
        write_units=units["write_units_per_request"],
        read_units=units["read_units_per_request"],
        items_written=units["items_written_per_request"],
        booking_write_share=writes,
        metering_batch=stack.metering_batch,
        metering_window_seconds=stack.metering_window_seconds,
        **fixed_items(stack.template),
    )


def main() -> None:
    units = json.loads(UNITS_FILE.read_text())
    functions, stack = measure_functions({*API_FUNCTIONS.values(), *CONSUMERS})
    mix = inputs(functions, stack, units)
    print("measured per function: warm CPU ms per invocation (a consumer's: beside its records), per record;")
    print("log bytes per invocation")
    for name, figures in sorted(functions.items()):
        print(
            f"  {name:<20} {figures.cpu_per_invocation * 1000:>7.1f} {figures.cpu_per_record * 1000:>7.2f}"
            f" {figures.log_bytes:>8.0f}"
        )
    print(f"\ninputs: {mix}")
    for rate in (1, 100, 1000):
        lines = monthly(mix, rate)
        total = sum(lines.values())
        million = rate * MONTH_SECONDS / 1e6
        print(f"\n{rate:,} requests/s ({million:,.1f} million a month): ${total:,.0f}", end="")
        print(f" (${total / million:.2f} per million)")
        for name, dollars in sorted(lines.items(), key=lambda pair: -pair[1]):
            print(f"  {name:<44} ${dollars:>12,.2f}")


if __name__ == "__main__":
    main()
