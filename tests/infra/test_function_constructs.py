"""One function per API area, each with its own small code asset, the shared layer and least privilege."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.constants import FUNCTION_NAME_PREFIX, FUNCTIONS_DIR
from infra.references import logical_id
from infra.stack import KairosStack
from infra.table_access import COUNTERS, LEGACY_USAGE, PROJECT, TOKENS, USAGE
from kairos.events.definitions import FEEDS
from kairos.observability import SERVICE, metrics
from kairos.portal.routes import PortalArea
from kairos.routes import Area
from tests.infra import role_access
from tests.infra.conftest import kairos_functions, kairos_layer, staged_asset

pytestmark = pytest.mark.xdist_group("infra")

API_GATEWAY_TIMEOUT_SECONDS = 29


@pytest.fixture(scope="module")
def functions(template: Template) -> dict[Area, Mapping[str, Any]]:
    """The template's API functions, keyed by the area their name ends with (the event path's functions are
    tested in test_events_construct)."""
    by_name = {f["Properties"]["FunctionName"]: f for f in kairos_functions(template).values()}
    # and the stream mapper, the calendar poller, one consumer per queue (the hold sweeper's included) and
    # the Portal's (tests/infra/test_portal_construct.py)
    assert len(by_name) == len(Area) + 2 + len(FEEDS) + len(PortalArea)
    return {area: by_name[f"{FUNCTION_NAME_PREFIX}-{area.value}"] for area in Area}


def role_actions(template: Template, stack: KairosStack, area: Area) -> list[dict[str, Any]]:
    """Every statement of every policy attached to the area function's role."""
    role = stack.functions[area].role
    assert role is not None
    role_id = logical_id(role)
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def source_files(directory: Path) -> set[Path]:
    return {
        p.relative_to(directory)
        for p in directory.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


@pytest.mark.parametrize("area", list(Area))
def test_each_area_runs_its_handler_with_the_table_and_powertools_settings(
    functions: dict[Area, Mapping[str, Any]], stack: KairosStack, area: Area
) -> None:
    properties = functions[area]["Properties"]
    assert properties["Handler"] == "handler.lambda_handler"
    assert properties["Runtime"] == "python3.11"
    assert properties["Architectures"] == ["x86_64"]
    # docs/infrastructure.md, "Latency budget"; a series' CPU gets a whole vCPU (docs/booking-series.md)
    assert properties["MemorySize"] == (1769 if area is Area.BOOKING_SERIES else 1024)
    assert properties["Timeout"] < API_GATEWAY_TIMEOUT_SECONDS
    assert properties["TracingConfig"] == {"Mode": "Active"}
    variables = dict(properties["Environment"]["Variables"])
    if area is Area.WEBHOOKS:  # its redeliver action queues a delivery for the dispatcher
        assert "Ref" in variables.pop("KAIROS_WEBHOOK_QUEUE_URL")
    assert "Ref" in variables.pop("KAIROS_USAGE_QUEUE_URL")  # a usage event per counted request
    assert variables == {
        "KAIROS_TABLE_NAME": {"Ref": logical_id(stack.table)},
        "POWERTOOLS_SERVICE_NAME": SERVICE,
        "POWERTOOLS_METRICS_NAMESPACE": metrics.namespace,
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
    }


def test_the_api_and_portal_functions_run_at_the_recommended_memory_the_event_path_at_less(
    template: Template,
) -> None:
    """1,024 MB takes 35-45 % off a request's latency for $0.18 more per million calls
    (docs/infrastructure.md, "Latency budget"); a booking series, CPU-bound, gets a whole vCPU; the event
    path's functions mostly wait, so keep 512 MB."""
    series = f"{FUNCTION_NAME_PREFIX}-{Area.BOOKING_SERIES.value}"
    requests = {f"{FUNCTION_NAME_PREFIX}-{a.value}" for a in [*Area, *PortalArea]} - {series}
    sizes = {
        f["Properties"]["FunctionName"]: f["Properties"]["MemorySize"]
        for f in kairos_functions(template).values()
    }
    assert {name for name, size in sizes.items() if size == 1024} == requests
    assert sizes[series] == 1769
    assert {size for name, size in sizes.items() if name not in {*requests, series}} == {512}


def test_no_function_traces_its_responses_or_error_payloads(template: Template) -> None:
    """Responses and errors hold customer data, and a large response (/v1/openapi.json) would make the
    X-Ray daemon drop the whole segment: every function, the event path's included, leaves them out."""
    for function in kairos_functions(template).values():
        properties = function["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        variables = properties["Environment"]["Variables"]
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false", properties["FunctionName"]
        assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false", properties["FunctionName"]


@pytest.mark.parametrize("area", list(Area))
def test_each_function_ships_only_its_own_area_directory(
    functions: dict[Area, Mapping[str, Any]], stack: KairosStack, area: Area
) -> None:
    staged = staged_asset(stack, functions[area])
    assert source_files(staged) == source_files(FUNCTIONS_DIR / area.value)


def test_every_function_uses_the_one_shared_layer(
    functions: dict[Area, Mapping[str, Any]], stack: KairosStack, template: Template
) -> None:
    layer, _ = kairos_layer(template)
    for function in kairos_functions(template).values():
        assert function["Properties"]["Layers"] == [{"Ref": layer}]


def test_api_gateway_may_invoke_each_function_once_for_the_whole_api(
    template: Template, stack: KairosStack
) -> None:
    """One permission per method would overflow a function's 20 KB resource policy at deploy time."""
    api = logical_id(stack.api)
    permissions = {
        key: p
        for key, p in template.find_resources("AWS::Lambda::Permission").items()
        if p["Properties"]["Principal"] != "events.amazonaws.com"  # the hold sweeper's schedule
    }
    assert len(permissions) == len(Area) + len(PortalArea)
    for permission in permissions.values():
        properties = permission["Properties"]
        assert properties["Principal"] == "apigateway.amazonaws.com"
        arn_parts = properties["SourceArn"]["Fn::Join"][1]
        assert {"Ref": api} in arn_parts  # this API only, any stage, method and path
        assert arn_parts[-1] == "/*/*/*"
    assert {json.dumps(p["Properties"]["FunctionName"]) for p in permissions.values()} == {
        json.dumps({"Fn::GetAtt": [logical_id(f), "Arn"]})
        for f in [*stack.functions.values(), *stack.portal.functions.values()]
    }


def test_project_function_reads_and_counts_requests_but_never_writes_entities(
    template: Template, stack: KairosStack
) -> None:
    statements = role_actions(template, stack, Area.PROJECT)
    assert actions_of(statements) == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "sqs:SendMessage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    }  # in particular no PutItem, DeleteItem, batch writes, transactions or wildcards; usage events
    partitions = {
        s["Action"]: leading_keys(s) for s in statements if str(s["Action"]).startswith("dynamodb:")
    }
    assert partitions == {
        "dynamodb:GetItem": [PROJECT, TOKENS],  # the token, then its project
        "dynamodb:UpdateItem": [COUNTERS],  # the request counter
        "dynamodb:Query": [LEGACY_USAGE, USAGE],  # the usage report, and where a month's counter starts
    }
    assert PROJECT == "PROJECT#????????-????-????-????-????????????"  # a project's partition, no other


def leading_keys(statement: Mapping[str, Any]) -> list[str]:
    return list(statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])


def test_no_function_may_scan_and_each_table_permission_names_its_partitions(template: Template) -> None:
    """Scans are the operator CLI's (backfills), with the operator's credentials; every statement on the
    table or an index carries a dynamodb:LeadingKeys condition (no grant_read_write_data any more)."""
    (table_id,) = template.find_resources("AWS::DynamoDB::Table")
    for function in kairos_functions(template).values():
        for statement in role_access.role_statements(
            template.to_json(), function["Properties"]["FunctionName"]
        ):
            actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
            assert "dynamodb:Scan" not in actions
            on_table = json.dumps({"Fn::GetAtt": [table_id, "Arn"]}) in json.dumps(statement["Resource"])
            stream_reads = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
            if on_table and not set(actions) <= stream_reads:
                assert leading_keys(statement), (function["Properties"]["FunctionName"], statement)


def test_functions_hold_no_aws_managed_policy(template: Template) -> None:
    roles = template.find_resources("AWS::IAM::Role")
    lambda_roles = [
        roles[f["Properties"]["Role"]["Fn::GetAtt"][0]] for f in kairos_functions(template).values()
    ]
    # the stream mapper, the calendar poller, one consumer per queue (the hold sweeper's too) and the Portal's
    assert len(lambda_roles) == len(Area) + 2 + len(FEEDS) + len(PortalArea)
    assert all("ManagedPolicyArns" not in r["Properties"] for r in lambda_roles)
