"""The cost model (docs/costs.md): what Kairos costs a month in eu-central-1 at 1, 100 and 1,000 requests a
second of a typical mix, from measured inputs and one price list.

Measured here: each function's warm CPU per invocation and the bytes it logs per invocation, by running
it in the deployed layout (tests/infra/lambda_sandbox.py: the asset as Lambda unpacks it, a clean runtime
interpreter, its deployed-layout scenario's events against moto; the first invocation, a cold one, left
out); the stack's configuration from the synthesized template (memory, alarms, dashboards, the web ACL's
rules) and infra/settings.py (metering batch size). Measured by `python -m bench.heat` (read from
bench/measured/units_per_request.json): DynamoDB capacity units per request over the whole request path.

    .venv/bin/python -m bench.costs
"""

import json
import statistics
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.cost_model import MONTH_SECONDS, Inputs, monthly
from bench.heat import UNITS_FILE
from infra.constants import FUNCTION_MEMORY_MB
from kairos.events.definitions import USAGE_RULE

# The functions of a typical request's path, by the deployed-layout short name.
MIX_FUNCTIONS = ("services", "bookings", "resources", "stream_mapper", "metering")


def measure_functions(
    names: tuple[str, ...],
) -> tuple[dict[str, tuple[float, float]], Mapping[str, Any], int]:
    """Per function: (median warm CPU seconds per invocation, log bytes per invocation); the template;
    the metering batch size configured."""
    import socket

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
    measured: dict[str, tuple[float, float]] = {}
    batch = stack_settings(stack).feeds[USAGE_RULE.consumer].batch_size
    with (
        moto_world() as moto,
        tempfile.TemporaryDirectory() as home,
        socket.socket(type=socket.SOCK_DGRAM) as xray,
    ):
        xray.bind(("127.0.0.1", 0))
        for name in names:
            function = found[name]
            events = [step.event for step in scenario(name, template, moto)[0]([])]
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
            warm = result["cpu_seconds"][2:] or result["cpu_seconds"][1:]
            invocations = len(result["cpu_seconds"]) - 1
            measured[name] = (statistics.median(warm), len(run.stdout.encode()) / invocations)
    return measured, template.to_json(), batch


def fixed_items(template: Mapping[str, Any]) -> dict[str, int]:
    resources = template["Resources"].values()
    acl_rules = sum(len(r["Properties"]["Rules"]) for r in resources if r["Type"] == "AWS::WAFv2::WebACL")
    count = {
        "alarms": sum(r["Type"] == "AWS::CloudWatch::Alarm" for r in resources),
        "dashboards": sum(r["Type"] == "AWS::CloudWatch::Dashboard" for r in resources),
        "web_acls": sum(r["Type"] == "AWS::WAFv2::WebACL" for r in resources),
        "web_acl_rules": acl_rules,
        "kms_keys": sum(r["Type"] == "AWS::KMS::Key" for r in resources),
    }
    return count


def main() -> None:
    units = json.loads(UNITS_FILE.read_text())
    functions, template, batch = measure_functions(MIX_FUNCTIONS)
    fixed = fixed_items(template)
    writes = units["booking_write_share"]
    inputs = Inputs(
        memory_mb=FUNCTION_MEMORY_MB,
        api_cpu_seconds=writes * functions["bookings"][0]
        + (1 - writes)
        * statistics.mean([functions["services"][0], functions["bookings"][0], functions["resources"][0]]),
        api_log_bytes=writes * functions["bookings"][1]
        + (1 - writes)
        * statistics.mean([functions["services"][1], functions["bookings"][1], functions["resources"][1]]),
        stream_cpu_seconds=functions["stream_mapper"][0],
        metering_cpu_seconds=functions["metering"][0],
        consumer_log_bytes=statistics.mean([functions["stream_mapper"][1], functions["metering"][1]]),
        write_units=units["write_units_per_request"],
        read_units=units["read_units_per_request"],
        booking_write_share=writes,
        metering_batch=batch,
        **fixed,
    )
    print("measured per function (warm CPU ms per invocation, log bytes per invocation):")
    for name, (cpu, logged) in functions.items():
        print(f"  {name:<14} {cpu * 1000:>7.1f} ms {logged:>8.0f} B")
    print(f"inputs: {inputs}")
    for rate in (1, 100, 1000):
        lines = monthly(inputs, rate)
        total = sum(lines.values())
        print(f"\n{rate:,} requests/s ({rate * MONTH_SECONDS / 1e6:,.1f} million a month): ${total:,.0f}")
        for name, dollars in sorted(lines.items(), key=lambda pair: -pair[1]):
            print(f"  {name:<34} ${dollars:>12,.2f}")


if __name__ == "__main__":
    main()
