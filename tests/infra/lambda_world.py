"""The world the deployed-layout test and the cold-start bench run functions in: moto in server mode with
the table, the bus and its queues, a project with a token and a webhook, a user pool; every function of
the template unpacked as Lambda holds it; the events each function is wired to; the environment Lambda
gives it (references resolved against moto)."""

from collections.abc import Callable, Iterator
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
from infra.portal import MAIL_FROM_DEFAULT
from infra.stack import KairosStack
from kairos.abilities import ALL_ABILITIES
from kairos.config import Settings
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Record
from kairos.events import definitions
from kairos.portal.routes import PortalArea
from kairos.portal.user_pool import create_client_request, create_pool_request
from kairos.routes import Area
from kairos.storage.calendar_subscription_store import CalendarSubscriptionStore
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.table_definition import create_table_request
from kairos.values.ids import new_id
from kairos.webhooks.subscriptions import Webhooks
from kairos_local.event_chain import create_bus_and_rules
from tests.infra import lambda_sandbox
from tests.infra.conftest import kairos_functions, staged_asset

if TYPE_CHECKING:
    pass

TABLE = "kairos-deployed-layout"
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
TODAY = datetime.now(UTC).replace(microsecond=0)
# A receiver the deployed dispatcher refuses (loopback), so its attempt is recorded without a request.
REFUSED_RECEIVER = "http://127.0.0.1:9/hooks"
REFUSED_FEED = "http://127.0.0.1:9/calendar.ics"  # a calendar feed the deployed poller refuses likewise
CLOUDFRONT_URL = "https://d111111abcdef8.cloudfront.net"  # what a distribution's domain looks like


@dataclass
class Moto:
    """moto in server mode with the table, the bus, its rules and queues, and a project to act as."""

    endpoint: str
    queues: dict[str, str]  # queue name -> URL
    queue_arns: dict[str, str]
    project_id: str
    token: str
    token_id: str
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
            made, token = container.projects.create_token(project.id, "all", None)
            Webhooks(CatalogueStore(container.table), check_url=lambda url: None).create(
                project.id, {"url": REFUSED_RECEIVER, "events": ["*"]}
            )
            # The Portal's mails leave from the MailFrom parameter's default, verified as on AWS.
            session.client("ses", endpoint_url=endpoint).verify_email_identity(EmailAddress=MAIL_FROM_DEFAULT)
            cognito = session.client("cognito-idp", endpoint_url=endpoint)
            pool_id = cognito.create_user_pool(**create_pool_request())["UserPool"]["Id"]
            client = cognito.create_user_pool_client(**create_client_request(pool_id))["UserPoolClient"]
            yield Moto(
                endpoint=endpoint,
                queues={q.rule.queue: q.url for q in created},
                queue_arns={q.rule.queue: q.arn for q in created},
                project_id=project.id,
                token=token,
                token_id=made.id,
                container=container,
                user_pool_id=pool_id,
                client_id=client["ClientId"],
            )
        finally:
            server.stop()


def refused_calendar(moto: Moto, project_id: str, resource_id: str) -> str:
    """A calendar subscription of the resource whose feed the deployed functions refuse (loopback), so a
    sync fails at once, without a request; written by the store (the API would refuse the url too)."""
    now = datetime.now(UTC)
    doc = {"resource_id": resource_id, "url": REFUSED_FEED, "name": "Refused", "status": "pending"}
    record = Record("calendar_subscription", new_id(), doc, now, now)
    CalendarSubscriptionStore(moto.container.table).create(project_id, resource_id, record, 5)
    return record.id


def fresh_project(moto: Moto, name: str) -> tuple[Principal, str]:
    """A new project of the world, with a token of every ability: who acts, and the token's value."""
    project = moto.container.projects.create_project(name, rate_limit=10_000)
    _, token = moto.container.projects.create_token(project.id, "all", list(ALL_ABILITIES))
    return moto.container.auth.authenticate(f"Bearer {token}"), token


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


# One run of a function (a cold start): its events, built from the answers of the runs before it.
Phase = Callable[[list[Any]], list[Invocation]]


@dataclass(frozen=True)
class Wiring:
    """What a function of the template is invoked by."""

    stream: bool  # the table's stream
    queues: list[definitions.Feed]  # the queues (of rules or timers) that feed it
    scheduled: bool  # a schedule rule
    api: Area | PortalArea | None  # API Gateway, for the routes of this area


def wiring(name: str, template: Template) -> Wiring:
    """Read from the template: its event source mappings, schedule rules and API Gateway's permission."""
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
    queues = [
        resources[source]["Properties"]["QueueName"] for source, attribute in sources if attribute == "Arn"
    ]
    scheduled = any(
        "ScheduleExpression" in r["Properties"]
        and any(t["Arn"] == {"Fn::GetAtt": [key, "Arn"]} for t in r["Properties"]["Targets"])
        for r in template.find_resources("AWS::Events::Rule").values()
    )
    invoked_by_api = any(
        p["Properties"]["FunctionName"] == {"Fn::GetAtt": [key, "Arn"]}
        and p["Properties"]["Principal"] == "apigateway.amazonaws.com"
        for p in template.find_resources("AWS::Lambda::Permission").values()
    )
    return Wiring(
        stream=any(attribute == "StreamArn" for _, attribute in sources),
        queues=[r for r in definitions.FEEDS if r.queue in queues],
        scheduled=scheduled,
        api=(PortalArea(name) if name in set(PortalArea) else Area(name)) if invoked_by_api else None,
    )


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
