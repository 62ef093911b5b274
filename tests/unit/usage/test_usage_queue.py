"""Usage events sent straight to the usage queue: a throttled or lost send is sent again within the
request's time, and counted once by the metering consumer; a request whose usage cannot be sent is
answered all the same, the failure logged with its event and counted in a metric."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from kairos import aws_clients, deadline
from kairos.api.app import build_app
from kairos.api.project_endpoints import project
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.events.definitions import USAGE_FEED
from kairos.messaging import usage_queue
from kairos.observability import Metric
from kairos.routes import Area, match
from kairos.storage.usage_store import UsageStore
from kairos.usage.events import ApiRequest
from kairos_local.lambda_runtime import LambdaContext, proxy_event
from tests.unit.conftest import Figures
from tests.unit.usage.test_metering_overload import handle

REGION = "eu-central-1"
QUEUE_URL = "https://sqs.eu-central-1.amazonaws.com/123456789012/kairos-usage"
DAY = "2030-05-20"


class Clock:
    """The emitter's clock in a test: a wait is noted and moves it on, at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        monkeypatch.setattr(usage_queue, "time", self)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


class Sends(Clock):
    """The SendMessage calls of the usage emitter's client, answered by a botocore Stubber; each send takes
    `send_seconds` of the clock."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        super().__init__(monkeypatch)
        self.client = boto3.session.Session().client("sqs", region_name=REGION)
        self.stubber = Stubber(self.client)
        self.bodies: list[str] = []
        self.send_seconds = 0.0
        self.client.meta.events.register("provide-client-params.sqs.SendMessage", self._note)
        made = aws_clients.client
        monkeypatch.setattr(
            aws_clients, "client", lambda name, **kw: self.client if name == "sqs" else made(name, **kw)
        )
        monkeypatch.setenv(usage_queue.QUEUE_URL_ENV, QUEUE_URL)

    def _note(self, params: dict[str, Any], **_: Any) -> None:
        self.bodies.append(params["MessageBody"])
        self.now += self.send_seconds

    def throttled(self, times: int) -> None:
        for _ in range(times):
            self.stubber.add_client_error("send_message", "RequestThrottled", "Request is throttled.", 403)

    def accepted(self) -> None:
        self.stubber.add_response("send_message", {"MessageId": "m-1", "MD5OfMessageBody": "0" * 32})


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sends]:
    spy = Sends(monkeypatch)
    with spy.stubber:
        yield spy


def a_request(project_id: str) -> ApiRequest:
    return ApiRequest(
        project_id=project_id,
        method="GET",
        operation_id="getLocations",
        status=200,
        duration_ms=12,
        time=f"{DAY}T08:00:00+00:00",
        path="/v1/locations",
    )


def as_delivered(*bodies: str) -> dict[str, Any]:
    """The messages as the queue hands them to the metering function."""
    return {
        "Records": [
            {"messageId": f"m-{n}", "body": body, "eventSource": "aws:sqs"} for n, body in enumerate(bodies)
        ]
    }


def requests_counted(container: Container, project_id: str) -> int:
    return sum(day.requests for day in UsageStore(container.table).days(project_id, DAY, DAY))


def test_a_throttled_usage_send_is_sent_again_and_the_request_counted_once(
    container: Container, principal: Principal, sends: Sends, published: Figures
) -> None:
    sends.throttled(2)
    sends.accepted()
    usage_queue.SqsUsageEmitter(REGION).emit(a_request(principal.project_id))
    sends.stubber.assert_no_pending_responses()
    assert len(sends.bodies) == 3 and len(set(sends.bodies)) == 1  # the same event, its id drawn once
    assert len(sends.waits) == 2
    assert Metric.USAGE_EVENTS_NOT_SENT.value not in published()
    assert handle(container, as_delivered(sends.bodies[-1])) == []
    assert requests_counted(container, principal.project_id) == 1


def test_a_send_that_timed_out_but_landed_is_counted_once(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = boto3.session.Session().client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=USAGE_FEED.queue)["QueueUrl"]
    Clock(monkeypatch)
    timeouts = [ReadTimeoutError(endpoint_url=url)]

    def lost_answer(**_: Any) -> None:  # the message is in the queue; its answer never came back
        if timeouts:
            raise timeouts.pop()

    aws_clients.session_events().register("after-call.sqs.SendMessage", lost_answer)
    try:
        usage_queue.SqsUsageEmitter(REGION).emit(a_request(principal.project_id))
    finally:
        aws_clients.session_events().unregister("after-call.sqs.SendMessage", lost_answer)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 2
    assert handle(container, as_delivered(*(m["Body"] for m in messages))) == []
    assert requests_counted(container, principal.project_id) == 1


def test_usage_that_cannot_be_sent_leaves_the_request_answered_and_is_logged(
    container: Container,
    principal: Principal,
    sends: Sends,
    published: Figures,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sends.throttled(usage_queue.SEND_ATTEMPTS)
    token = container.projects.create_token(principal.project_id, "widget", None)[1]
    route, _ = match("GET", "/v1/project")
    assert route is not None
    event = proxy_event(
        method="GET", path="/v1/project", query="", headers=[("Authorization", f"Bearer {token}")], body=b"",
        route=route, path_parameters={}, source_ip="203.0.113.9",
    )  # fmt: skip
    app = build_app(Area.PROJECT, project(container), container)
    answer = app.resolve(event, LambdaContext("kairos-project", "test"))  # type: ignore[arg-type]
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["id"] == principal.project_id
    assert len(sends.bodies) == usage_queue.SEND_ATTEMPTS
    assert published()[Metric.USAGE_EVENTS_NOT_SENT.value] == 1
    lost = [r for r in caplog.records if r.getMessage() == "usage event not sent"]
    assert len(lost) == 1 and json.loads(sends.bodies[0]) == lost[0].usage_event  # type: ignore[attr-defined]


def test_no_send_is_tried_again_past_the_requests_deadline(
    principal: Principal, sends: Sends, published: Figures
) -> None:
    sends.throttled(1)
    with deadline.within(0):  # no time left for a wait
        usage_queue.SqsUsageEmitter(REGION).emit(a_request(principal.project_id))
    assert len(sends.bodies) == 1 and sends.waits == []
    assert published()[Metric.USAGE_EVENTS_NOT_SENT.value] == 1


def test_slow_refusals_are_not_sent_again_past_two_seconds_from_the_first_send(
    principal: Principal, sends: Sends, published: Figures
) -> None:
    sends.send_seconds = 1.0  # each send times out after its second
    sends.throttled(2)
    usage_queue.SqsUsageEmitter(REGION).emit(a_request(principal.project_id))
    assert len(sends.bodies) == 2  # a third would start past 2 s
    assert published()[Metric.USAGE_EVENTS_NOT_SENT.value] == 1
