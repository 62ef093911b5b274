"""Isolation between areas: every function's reserved concurrency (its guaranteed and its most instances),
and the queues feeding the consumers in the batches and at the concurrency the settings give."""

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from infra.constants import FUNCTION_NAME_PREFIX
from infra.functions import kairos_function
from infra.references import logical_id
from infra.settings import StackSettings, stack_settings
from infra.stack import KairosStack
from infra.table import KairosTable
from kairos.events import definitions
from kairos.usage.metering import MOST_IN_ONE_WRITE
from tests.infra.conftest import kairos_functions

pytestmark = pytest.mark.xdist_group("infra")


@pytest.fixture(scope="module")
def settings(stack: KairosStack) -> StackSettings:
    return stack_settings(stack)


def test_every_function_has_its_own_reserved_concurrency(template: Template, settings: StackSettings) -> None:
    """So one area flooded (or stuck on a slow dependency) throttles itself, never the others."""
    reserved = {
        f["Properties"]["FunctionName"].removeprefix(f"{FUNCTION_NAME_PREFIX}-"): f["Properties"].get(
            "ReservedConcurrentExecutions"
        )
        for f in kairos_functions(template).values()
    }
    assert reserved == dict(settings.reserved_concurrency)


@pytest.mark.parametrize("rule", definitions.FEEDS, ids=lambda r: r.consumer)
def test_each_queue_feeds_its_consumer_as_the_settings_say(
    template: Template, stack: KairosStack, settings: StackSettings, rule: definitions.Feed
) -> None:
    (mapping,) = [
        m["Properties"]
        for m in template.find_resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": logical_id(stack.events.consumers[rule.consumer])}
    ]
    feed = settings.feeds[rule.consumer]
    assert mapping["BatchSize"] == feed.batch_size
    assert mapping["MaximumBatchingWindowInSeconds"] == feed.batching_window_seconds
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": feed.max_concurrency}
    assert feed.max_concurrency <= settings.reserved_concurrency[rule.consumer]  # never throttled by Lambda
    queue = queue_properties(template, rule.queue)
    # AWS's advice, so a batch still being handled is not handed over again
    assert (
        queue["VisibilityTimeout"] >= 6 * definitions.CONSUMER_TIMEOUT_SECONDS + feed.batching_window_seconds
    )


def test_metering_gathers_a_batch_that_is_counted_in_one_write(settings: StackSettings) -> None:
    metering = settings.feeds[definitions.USAGE_FEED.consumer]
    assert 10 < metering.batch_size <= MOST_IN_ONE_WRITE and metering.batching_window_seconds >= 1
    delivery = settings.feeds[definitions.WEBHOOK_RULE.consumer]
    assert delivery.batching_window_seconds == 0  # a webhook leaves as soon as its event arrives


def queue_properties(template: Template, name: str) -> Mapping[str, Any]:
    (queue,) = [
        q["Properties"]
        for q in template.find_resources("AWS::SQS::Queue").values()
        if q["Properties"]["QueueName"] == name
    ]
    return dict(queue)


def test_the_context_sets_a_functions_reserved_concurrency() -> None:
    stack = cdk.Stack(cdk.App(context={"reservedConcurrency": '{"bookings": 7}'}), "Reserved")
    table = KairosTable(stack, "Table").table
    layer = lambda_.LayerVersion.from_layer_version_arn(
        stack, "Layer", "arn:aws:lambda:eu-central-1:1:layer:k:1"
    )
    kairos_function(stack, name="bookings", description="bookings", table=table, layer=layer)
    (function,) = Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()
    assert function["Properties"]["ReservedConcurrentExecutions"] == 7
