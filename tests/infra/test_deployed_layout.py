"""Every function of the synthesized template, run from the assets a deployment uploads, as Lambda runs it:
its code and the layer zipped as the CDK CLI zips them and unpacked as Lambda unpacks them (1980 dates
included), imported in an interpreter that has only what the Lambda runtime has (boto3 and what it
requires) and no system zone data, then answering one event of each kind it is wired to, against moto.

"Works locally, ImportError on AWS" cannot land: a module the layer lacks, a wheel for the wrong platform,
a dependency only the development environment has, all fail here. The same runs check what is observable
from outside: traces stream no handler response (the 106 KB /v1/openapi.json included), metrics are
published where something was counted, and Powertools warns about nothing."""

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Template

from infra.constants import REGION
from infra.stack import KairosStack
from kairos.events import definitions
from kairos.portal.routes import PORTAL_ROUTES, PortalArea
from kairos.routes import ROUTES, Area
from kairos.storage import keys
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.usage_store import UsageStore
from kairos.webhooks.subscriptions import Webhooks
from kairos_local import moto_patches
from kairos_local.aws_calls import read_calls
from tests.infra import lambda_sandbox, role_access
from tests.infra.lambda_scenarios import scenario
from tests.infra.lambda_world import (
    TODAY,
    Deployed,
    Invocation,
    Moto,
    deployed_functions,
    environment,
    moto_world,
    wiring,
)

pytestmark = pytest.mark.xdist_group("infra")

LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # a function and all its layers, unzipped
IDLE_SECONDS = 0.1  # the stand-in X-Ray daemon's run is over when nothing arrived for this long
FUNCTIONS = (
    [area.value for area in Area]
    + [definitions.STREAM_CONSUMER, definitions.CALENDAR_POLLER]
    + [feed.consumer for feed in definitions.FEEDS]  # the hold sweeper's included
    + [area.value for area in PortalArea]
)


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    """With the local store's patches to DynamoDB, its stream and SQS (the same answers as plain moto's,
    compared in tests/unit/local/test_moto_patches.py; Cognito stays plain moto's), as in the unit tests."""
    with moto_patches.installed(cognito=False), moto_world() as world:
        yield world


@pytest.fixture(scope="module")
def deployed(template: Template, stack: KairosStack) -> dict[str, Deployed]:
    return deployed_functions(template, stack)


class XRayDaemon:
    """A stand-in X-Ray daemon: keeps every datagram the tracer sends, read as they arrive (a run's many
    segments would overflow the socket's buffer if they waited for the run to end)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(IDLE_SECONDS)
        self._kept: list[str] = []
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    def _read(self) -> None:
        while not self._stopped.is_set():
            try:
                datagram = self.socket.recv(65536).decode()
            except TimeoutError:
                continue
            with self._lock:
                self._kept.append(datagram)
                self._last = time.monotonic()

    def take(self) -> list[str]:
        """What arrived since the last take, once nothing more has arrived for a moment."""
        while time.monotonic() - self._last < IDLE_SECONDS:
            time.sleep(IDLE_SECONDS / 2)
        with self._lock:
            taken, self._kept = self._kept, []
        return taken

    def close(self) -> None:
        self._stopped.set()
        self._reader.join()
        self.socket.close()


@pytest.fixture(scope="module")
def xray() -> Iterator[XRayDaemon]:
    daemon = XRayDaemon()
    yield daemon
    daemon.close()


def test_the_template_has_exactly_the_functions_run_here(deployed: dict[str, Deployed]) -> None:
    assert sorted(deployed) == sorted(FUNCTIONS)


def test_each_function_and_its_layer_fit_lambdas_unzipped_limit(deployed: dict[str, Deployed]) -> None:
    for function in deployed.values():
        size = lambda_sandbox.unzipped_size(function.task) + lambda_sandbox.unzipped_size(function.opt)
        assert size < LAMBDA_UNZIPPED_LIMIT, function.name


def usage_counted(moto: Moto, run: subprocess.CompletedProcess[str]) -> None:
    day = TODAY.date().isoformat()
    (counted,) = UsageStore(moto.container.table).days(moto.project_id, day, day)
    assert counted.requests == 3  # the first event (its redelivery is not counted again), then a batch of two


PROJECT_OPERATION = next(r.operation_id for r in ROUTES if (r.method, r.path) == ("GET", "/v1/project"))


def usage_sent_to_the_usage_queue(moto: Moto, run: subprocess.CompletedProcess[str]) -> None:
    """Each counted request's usage event is on the usage queue (no rule in between), as metering reads it."""
    sqs = boto3.session.Session().client("sqs", region_name=REGION, endpoint_url=moto.endpoint)
    url = moto.queues[definitions.USAGE_FEED.queue]
    bodies = [
        json.loads(m["Body"])
        for _ in range(20)
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ]
    ours = [b for b in bodies if b["detail"]["operation_id"] == PROJECT_OPERATION]
    assert ours and all(
        b["source"] == definitions.USAGE_SOURCE and b["detail-type"] == "api.request" for b in ours
    )


def delivery_refused_and_published(moto: Moto, run: subprocess.CompletedProcess[str]) -> None:
    (hook,) = Webhooks(CatalogueStore(moto.container.table)).records(moto.project_id)
    deliveries = moto.container.dispatcher.deliveries(moto.project_id, hook.id, {}).items
    assert [(d["status"], d["error"].split(":")[0]) for d in deliveries] == [("pending", "refused")]
    assert '"WebhookDeliveriesFailed"' in run.stdout  # the outcome, published as an EMF metric


# What a function's run must have left behind, beyond its answers.
def idempotency_bounded_by_the_invocation(moto: Moto, run: subprocess.CompletedProcess[str]) -> None:
    """Each Idempotency-Key record says until when its request may still be running (the invocation's
    remaining time), so a request cut off mid-way frees its key then, not a day later."""
    table = moto.container.table
    records = table.client.scan(
        TableName=table.name,
        FilterExpression="begins_with(PK, :records)",
        ExpressionAttributeValues={":records": {"S": keys.IDEMPOTENCY_PREFIX}},
    )["Items"]
    assert records
    assert all("in_progress_expiration" in record for record in records)


AFTERWARDS: dict[str, Callable[[Moto, subprocess.CompletedProcess[str]], None]] = {
    definitions.USAGE_FEED.consumer: usage_counted,
    definitions.WEBHOOK_RULE.consumer: delivery_refused_and_published,
    Area.BOOKINGS.value: idempotency_bounded_by_the_invocation,
    Area.BOOKING_SERIES.value: idempotency_bounded_by_the_invocation,
    Area.PROJECT.value: usage_sent_to_the_usage_queue,
}


def run_phase(
    function: Deployed,
    invocations: list[Invocation],
    environment_variables: dict[str, str],
    folder: Path,
    calls: Path,
) -> tuple[list[Any], subprocess.CompletedProcess[str]]:
    """One cold start of the function answering `invocations` in turn; its answers, checked."""
    events, answers = folder / "events.json", folder / "answers.json"
    events.write_text(json.dumps([i.event for i in invocations]))
    run = lambda_sandbox.run(
        lambda_sandbox.runtime_python(), function.task, function.opt, function.properties["Handler"],
        function.properties["Timeout"], events, answers, environment_variables, calls=calls,
    )  # fmt: skip
    result = json.loads(answers.read_text())
    assert "error" not in result, result["error"] + run.stderr
    for number, (invocation, answer) in enumerate(zip(invocations, result["answers"], strict=True)):
        if isinstance(invocation.expected, int):
            where = (number, invocation.event["httpMethod"], invocation.event["path"], answer["body"])
            assert answer["statusCode"] == invocation.expected, where
            if answer["statusCode"] != 204 and not invocation.event["path"].endswith(".ics"):
                json.loads(answer["body"])
        else:
            assert answer == invocation.expected, (number, answer)
    assert run.stderr == "", run.stderr  # no warning ("No application metrics to publish"), no traceback
    return list(result["answers"]), run


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_deployed_function_answers_all_it_is_wired_to_within_what_its_role_allows(
    name: str,
    deployed: dict[str, Deployed],
    template: Template,
    moto: Moto,
    xray: XRayDaemon,
    tmp_path: Path,
) -> None:
    """Every route of its area or every kind of message it is sent (lambda_scenarios.py), answered as the
    scenario says; every AWS call it made on the way allowed by its role in the template, and every table
    permission of its role used by one of them (tests/infra/role_access.py)."""
    function = deployed[name]
    variables = environment(function, template, moto, xray.port, tmp_path)
    calls = tmp_path / "calls.jsonl"
    xray.take()  # nothing from an earlier function
    answers: list[Any] = []
    sent: list[dict[str, Any]] = []
    for phase in scenario(name, template, moto):
        invocations = phase(answers)
        assert invocations, f"{function.name} is wired to nothing this test knows"
        found, run = run_phase(function, invocations, variables, tmp_path, calls)
        answers += found
        sent += [i.event for i in invocations]
    area = wiring(name, template).api
    if area is not None:  # a route no scenario calls would be a permission no test checks
        routes = [r for r in [*ROUTES, *PORTAL_ROUTES] if r.area is area]
        assert {(e["httpMethod"], e["resource"]) for e in sent} == {(r.method, r.path) for r in routes}
    traced = xray.take()
    lambda_handlers = [
        d for d in traced if '"name": "## lambda_handler"' in d or '"name":"## lambda_handler"' in d
    ]
    assert len(lambda_handlers) == len(sent), traced  # every invocation traced, none lost to its size
    assert not [d for d in traced if "lambda_handler response" in d]
    if name in AFTERWARDS:
        AFTERWARDS[name](moto, run)
    resources = template.to_json()
    statements = role_access.role_statements(resources, function.name)
    table_id = next(k for k, r in resources["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table")
    made = [need for call in read_calls(calls) for need in role_access.needs(call)]
    refused = sorted({str(n) for n in made if not role_access.allowed(n, statements, table_id)})
    assert refused == [], f"{function.name}'s role does not allow what it does"
    unused = role_access.unused_actions(statements, made, table_id)
    assert unused == [], f"{function.name}'s role allows actions none of its calls takes"
