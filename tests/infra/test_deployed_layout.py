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
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from infra.stack import KairosStack
from kairos.events import definitions
from kairos.portal.routes import PortalArea
from kairos.routes import Area
from kairos.storage.dynamodb import CatalogueStore
from kairos.storage.usage_store import UsageStore
from kairos.webhooks.subscriptions import Webhooks
from tests.infra import lambda_sandbox
from tests.infra.lambda_world import (
    TODAY,
    Deployed,
    Moto,
    deployed_functions,
    environment,
    invocations_for,
    moto_world,
)

pytestmark = pytest.mark.xdist_group("infra")

LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # a function and all its layers, unzipped
FUNCTIONS = (
    [area.value for area in Area]
    + [definitions.STREAM_CONSUMER, definitions.HOLD_SWEEPER]
    + [r.consumer for r in definitions.RULES]
    + [area.value for area in PortalArea]
)


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    with moto_world() as world:
        yield world


@pytest.fixture(scope="module")
def deployed(template: Template, stack: KairosStack) -> dict[str, Deployed]:
    return deployed_functions(template, stack)


@pytest.fixture(scope="module")
def xray() -> Iterator[socket.socket]:
    """A stand-in X-Ray daemon: a UDP socket that keeps every datagram the tracer sends."""
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.setblocking(False)
    yield daemon
    daemon.close()


def received(daemon: socket.socket) -> list[str]:
    datagrams = []
    while True:
        try:
            datagrams.append(daemon.recv(65536).decode())
        except BlockingIOError:
            return datagrams


def test_the_template_has_exactly_the_functions_run_here(deployed: dict[str, Deployed]) -> None:
    assert sorted(deployed) == sorted(FUNCTIONS)


def test_each_function_and_its_layer_fit_lambdas_unzipped_limit(deployed: dict[str, Deployed]) -> None:
    for function in deployed.values():
        size = lambda_sandbox.unzipped_size(function.task) + lambda_sandbox.unzipped_size(function.opt)
        assert size < LAMBDA_UNZIPPED_LIMIT, function.name


def usage_counted(moto: Moto, run: subprocess.CompletedProcess[str]) -> None:
    day = TODAY.date().isoformat()
    (counted,) = UsageStore(moto.container.table).days(moto.project_id, day, day)
    assert counted.requests == 1


def delivery_refused_and_published(moto: Moto, run: subprocess.CompletedProcess[str]) -> None:
    (hook,) = Webhooks(CatalogueStore(moto.container.table)).records(moto.project_id)
    deliveries = moto.container.dispatcher.deliveries(moto.project_id, hook.id, {}).items
    assert [(d["status"], d["error"].split(":")[0]) for d in deliveries] == [("pending", "refused")]
    assert '"WebhookDeliveriesFailed"' in run.stdout  # the outcome, published as an EMF metric


# What a function's run must have left behind, beyond its answers.
AFTERWARDS: dict[str, Callable[[Moto, subprocess.CompletedProcess[str]], None]] = {
    definitions.USAGE_RULE.consumer: usage_counted,
    definitions.WEBHOOK_RULE.consumer: delivery_refused_and_published,
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_deployed_function_imports_and_answers_an_event_of_each_kind_it_is_wired_to(
    name: str,
    deployed: dict[str, Deployed],
    template: Template,
    moto: Moto,
    xray: socket.socket,
    tmp_path: Path,
) -> None:
    function = deployed[name]
    invocations = invocations_for(name, template, moto)
    assert invocations, f"{function.name} is wired to nothing this test knows"
    events = tmp_path / "events.json"
    events.write_text(json.dumps([i.event for i in invocations]))
    answers = tmp_path / "answers.json"
    received(xray)  # nothing from an earlier function
    run = lambda_sandbox.run(
        lambda_sandbox.runtime_python(),
        function.task,
        function.opt,
        function.properties["Handler"],
        function.properties["Timeout"],
        events,
        answers,
        environment(function, template, moto, xray.getsockname()[1], tmp_path),
    )
    result = json.loads(answers.read_text())
    assert "error" not in result, result["error"] + run.stderr
    for invocation, answer in zip(invocations, result["answers"], strict=True):
        if isinstance(invocation.expected, int):
            assert answer["statusCode"] == invocation.expected, (invocation.event["path"], answer["body"])
            json.loads(answer["body"])
        else:
            assert answer == invocation.expected
    assert run.stderr == "", run.stderr  # no warning ("No application metrics to publish"), no traceback
    traced = received(xray)
    handled = [d for d in traced if '"name": "## lambda_handler"' in d or '"name":"## lambda_handler"' in d]
    assert len(handled) == len(invocations), traced  # every invocation traced, none lost to its size
    assert not [d for d in traced if "lambda_handler response" in d]
    if name in AFTERWARDS:
        AFTERWARDS[name](moto, run)
