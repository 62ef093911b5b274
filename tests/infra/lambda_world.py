"""The world the deployed-layout test and the cold-start bench run functions in: moto in server mode with
the table, the bus and its queues, a project with a token and a webhook, a user pool; every function of
the template unpacked as Lambda holds it; the events each function is wired to; the environment Lambda
gives it (references resolved against moto)."""

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from aws_cdk.assertions import Template
from moto.server import ThreadedMotoServer

from infra.constants import FUNCTION_NAME_PREFIX, REGION
from infra.stack import KairosStack
from kairos.config import Settings
from kairos.container import Container
from kairos.events import definitions
from kairos.portal.routes import PORTAL_ROUTES, PortalArea
from kairos.portal.user_pool import create_client_request, create_pool_request
from kairos.routes import ROUTES, Area
from kairos.storage.dynamodb import CatalogueStore
from kairos.storage.table_definition import create_table_request
from kairos.webhooks.subscriptions import Webhooks
from kairos_local.event_chain import create_bus_and_rules, queue_record, stream_record
from kairos_local.lambda_runtime import proxy_event
from tests.infra import lambda_sandbox
from tests.infra.conftest import kairos_functions, staged_asset
from tests.unit.events.records import booking_item, record

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

TABLE = "kairos-deployed-layout"
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
TODAY = datetime.now(UTC).replace(microsecond=0)
# A receiver the deployed dispatcher refuses (loopback), so its attempt is recorded without a request.
REFUSED_RECEIVER = "http://127.0.0.1:9/hooks"
CLOUDFRONT_URL = "https://d111111abcdef8.cloudfront.net"  # what a distribution's domain looks like


@dataclass
class Moto:
    """moto in server mode with the table, the bus, its rules and queues, and a project to act as."""

    endpoint: str
    queues: dict[str, str]  # queue name -> URL
    queue_arns: dict[str, str]
    project_id: str
    token: str
    container: Container
    user_pool_id: str
    client_id: str


@contextmanager
def moto_world() -> Iterator[Moto]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"AWS_ACCESS_KEY_ID": "layout", "AWS_SECRET_ACCESS_KEY": "layout"}.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        try:
            session = boto3.session.Session(region_name=REGION)
            sqs = session.client("sqs", endpoint_url=endpoint)
            created = create_bus_and_rules(session.client("events", endpoint_url=endpoint), sqs)
            container = Container.from_settings(Settings(TABLE, REGION, endpoint))
            container.table.client.create_table(**create_table_request(TABLE))
            project = container.projects.create_project("Deployed layout", rate_limit=10_000)
            _, token = container.projects.create_token(project.id, "all", None)
            Webhooks(CatalogueStore(container.table), check_url=lambda url: None).create(
                project.id, {"url": REFUSED_RECEIVER, "events": ["*"]}
            )
            cognito = session.client("cognito-idp", endpoint_url=endpoint)
            pool_id = cognito.create_user_pool(**create_pool_request())["UserPool"]["Id"]
            client = cognito.create_user_pool_client(**create_client_request(pool_id))["UserPoolClient"]
            yield Moto(
                endpoint=endpoint,
                queues={q.rule.queue: q.url for q in created},
                queue_arns={q.rule.queue: q.arn for q in created},
                project_id=project.id,
                token=token,
                container=container,
                user_pool_id=pool_id,
                client_id=client["ClientId"],
            )
        finally:
            server.stop()


@dataclass
class Deployed:
    name: str
    properties: dict[str, Any]
    task: Path
    opt: Path


def deployed_functions(template: Template, stack: KairosStack) -> dict[str, Deployed]:
    """Each function of the template, by short name, with its code and its layer unpacked as on Lambda."""
    resources = template.to_json()["Resources"]
    found = {}
    for function in kairos_functions(template).values():
        properties = function["Properties"]
        (layer,) = properties["Layers"]
        found[properties["FunctionName"].removeprefix(f"{FUNCTION_NAME_PREFIX}-")] = Deployed(
            name=properties["FunctionName"],
            properties=properties,
            task=lambda_sandbox.deployed(staged_asset(stack, function)),
            opt=lambda_sandbox.deployed(staged_asset(stack, resources[layer["Ref"]])),
        )
    return found


@dataclass
class Invocation:
    event: dict[str, Any]
    expected: Any  # the answer's status code (API) or the whole answer (event sources)


def api_invocations(area: Area, moto: Moto) -> list[Invocation]:
    """Every route of the area that needs no path parameter, read with the project's token; the locations
    area also creates a location in a named time zone (there is no system zone data: tzdata must be in
    the layer)."""
    auth = [("Authorization", f"Bearer {moto.token}"), ("Content-Type", "application/json")]

    def event(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        (route,) = [r for r in ROUTES if (r.method, r.path) == (method, path)]
        payload = json.dumps(body).encode() if body else b""
        return proxy_event(
            method=method, path=path, query="", headers=auth, body=payload, route=route,
            path_parameters={}, source_ip="198.51.100.7",
        )  # fmt: skip

    invocations = [
        Invocation(event("GET", r.path), 200)
        for r in ROUTES
        if r.area is area and r.method == "GET" and not r.path_params
    ]
    if area is Area.LOCATIONS:
        location = {
            "name": "Stockholm clinic",
            "time_zone": "Europe/Stockholm",
            "resource_selection_strategy": "randomize",
        }
        invocations.append(Invocation(event("POST", "/v1/locations", location), 201))
    return invocations


def queue_body(rule: definitions.Rule, moto: Moto) -> dict[str, Any]:
    """A message of the rule's queue, as EventBridge puts it there."""
    event = {"version": "0", "id": secrets.token_hex(8), "account": "000000000000", "region": REGION}
    at = TODAY.isoformat()
    if rule is definitions.WEBHOOK_RULE:
        envelope = {
            "id": secrets.token_hex(8),
            "type": "booking.created",
            "version": definitions.SCHEMA_VERSION,
            "project_id": moto.project_id,
            "time": at,
            "data": {"id": "b-1"},
            "changes": None,
        }
        return {
            **event,
            "source": definitions.DOMAIN_SOURCE,
            "detail-type": "booking.created",
            "detail": envelope,
        }
    if rule is definitions.USAGE_RULE:
        detail = {
            "project_id": moto.project_id,
            "method": "GET",
            "operation_id": "getLocations",
            "status": 200,
            "duration_ms": 12,
            "time": at,
        }
        return {**event, "source": definitions.USAGE_SOURCE, "detail-type": "api.request", "detail": detail}
    raise AssertionError(f"no sample message for the rule {rule.name}: add one")


def invocations_for(name: str, template: Template, moto: Moto) -> list[Invocation]:
    """The events the function is wired to in the template: its event source mappings, or API Gateway."""
    resources = template.to_json()["Resources"]
    (key,) = [
        k
        for k, r in resources.items()
        if r["Properties"].get("FunctionName") == f"{FUNCTION_NAME_PREFIX}-{name}"
    ]
    sources = [
        r["Properties"]["EventSourceArn"]["Fn::GetAtt"]
        for r in template.find_resources("AWS::Lambda::EventSourceMapping").values()
        if r["Properties"]["FunctionName"] == {"Ref": key}
    ]
    invocations = []
    for source, attribute in sources:
        if attribute == "StreamArn":
            stream = f"arn:aws:dynamodb:{REGION}:000000000000:table/{TABLE}/stream/1"
            records = [stream_record(record("INSERT", None, booking_item()), stream, REGION)]
            invocations.append(Invocation({"Records": records}, {"batchItemFailures": []}))
        else:
            queue = resources[source]["Properties"]["QueueName"]
            (rule,) = [r for r in definitions.RULES if r.queue == queue]
            body = json.dumps(queue_body(rule, moto))
            message: MessageTypeDef = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body}
            records = [queue_record(message, moto.queue_arns[queue], REGION)]
            invocations.append(Invocation({"Records": records}, {"batchItemFailures": []}))
    scheduled = any(
        "ScheduleExpression" in r["Properties"]
        and any(t["Arn"] == {"Fn::GetAtt": [key, "Arn"]} for t in r["Properties"]["Targets"])
        for r in template.find_resources("AWS::Events::Rule").values()
    )
    if scheduled:  # the hold sweeper: nothing has expired in the fresh table
        scheduled_event = {
            "version": "0",
            "id": "s-1",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
        }
        invocations.append(Invocation({**scheduled_event, "region": REGION, "detail": {}}, {"removed": 0}))
    invoked_by_api = any(
        p["Properties"]["FunctionName"] == {"Fn::GetAtt": [key, "Arn"]}
        and p["Properties"]["Principal"] == "apigateway.amazonaws.com"
        for p in template.find_resources("AWS::Lambda::Permission").values()
    )
    if invoked_by_api and name in set(PortalArea):
        invocations += portal_invocations(PortalArea(name))
    elif invoked_by_api:
        invocations += api_invocations(Area(name), moto)
    return invocations


def portal_invocations(area: PortalArea) -> list[Invocation]:
    """The area's GET routes without path parameters (as a person the authorizer let through), and for the
    accounts function a log-in with unknown credentials (through Cognito: 401)."""
    claims = {"sub": "0b7c5c9e-3f5a-4c1e-9a35-4c8f1a1d2e3f", "email": "layout@example.com", "name": "Layout"}

    def event(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        (route,) = [r for r in PORTAL_ROUTES if (r.method, r.path) == (method, path)]
        built = proxy_event(
            method=method, path=path, query="", headers=[("Content-Type", "application/json")],
            body=json.dumps(body).encode() if body else b"", route=route, path_parameters={},
            source_ip="198.51.100.7",
        )  # fmt: skip
        if route.authorized:
            built["requestContext"]["authorizer"] = {"claims": claims}
        return built

    invocations = [
        Invocation(event("GET", r.path), 200)
        for r in PORTAL_ROUTES
        if r.area is area and r.method == "GET" and not r.path_params
    ]
    if area is PortalArea.ACCOUNTS:
        wrong = {"email": "nobody@example.com", "password": "Wrong-Password-1"}
        invocations.append(Invocation(event("POST", "/portal/session", wrong), 401))
    return invocations


def environment(
    function: Deployed, template: Template, moto: Moto, xray_port: int, home: Path
) -> dict[str, str]:
    """What Lambda sets, plus the template's variables with their references resolved against moto."""
    resources = template.to_json()["Resources"]

    parameters = template.to_json().get("Parameters", {})

    def resolved(value: Any) -> str:
        if isinstance(value, str):
            return value
        if "Fn::If" in value:  # PortalUrl, whose default (empty) means the site's CloudFront address
            _, given, _ = value["Fn::If"]
            return resolved(given) or CLOUDFRONT_URL
        if value["Ref"] in parameters:
            return str(parameters[value["Ref"]]["Default"])
        target = resources[value["Ref"]]
        if target["Type"] == "AWS::Cognito::UserPool":
            return moto.user_pool_id
        if target["Type"] == "AWS::Cognito::UserPoolClient":
            return moto.client_id
        if target["Type"] == "AWS::DynamoDB::Table":
            return TABLE
        if target["Type"] == "AWS::SQS::Queue":
            return moto.queues[target["Properties"]["QueueName"]]
        raise AssertionError(f"cannot resolve {value}")

    variables = {k: resolved(v) for k, v in function.properties["Environment"]["Variables"].items()}
    return {
        **variables,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "layout",
        "AWS_SECRET_ACCESS_KEY": "layout",
        "AWS_ENDPOINT_URL": moto.endpoint,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.properties["MemorySize"]),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "LAMBDA_TASK_ROOT": str(function.task),
        "_HANDLER": function.properties["Handler"],
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{xray_port}",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "TZ": ":UTC",
        "PYTHONTZPATH": "",  # no system zone database: a runtime image need not have one
        "LANG": "en_US.UTF-8",
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
    }
