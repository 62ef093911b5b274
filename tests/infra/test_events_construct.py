"""The event path in the template: the bus, rules equal to the definitions, queues with dead-letter queues
and alarms, the event source mappings and each function's grants on the bus, queues and table."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.references import logical_id
from infra.stack import KairosStack
from infra.table_access import WEBHOOKS
from kairos.events import definitions
from kairos.outbound.sender import longest_attempt
from kairos.routes import Area
from kairos.webhooks.delivery import MAX_TIMEOUT_SECONDS, DeliveryPolicy

pytestmark = pytest.mark.xdist_group("infra")


def statements_of(template: Template, stack: KairosStack, function: Any) -> list[dict[str, Any]]:
    role_id = logical_id(function.role)
    return [
        s
        for p in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for s in statements:
        found.update([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    return found


def test_the_bus_is_named_from_the_definitions(template: Template) -> None:
    template.has_resource_properties("AWS::Events::EventBus", {"Name": definitions.BUS_NAME})


@pytest.mark.parametrize("rule", definitions.RULES, ids=lambda r: r.name)
def test_each_rule_has_the_defined_pattern_and_targets_its_queue(
    template: Template, stack: KairosStack, rule: definitions.Rule
) -> None:
    queue = stack.events.queues[rule.queue]
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "Name": rule.name,
            "EventPattern": rule.pattern,
            "EventBusName": {"Ref": logical_id(stack.events.bus)},
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [logical_id(queue), "Arn"]}})],
        },
    )


@pytest.mark.parametrize("rule", definitions.RULES, ids=lambda r: r.name)
def test_each_rule_target_has_a_dead_letter_queue_of_its_own_that_eventbridge_may_send_to(
    template: Template, stack: KairosStack, rule: definitions.Rule
) -> None:
    """An event EventBridge cannot put on the rule's queue lands in the rule's own dead-letter queue."""
    undelivered = stack.events.dead_letter_queues[definitions.dead_letter_queue(rule.name)]
    target_dlq = {"Fn::GetAtt": [logical_id(undelivered), "Arn"]}
    template.has_resource_properties(
        "AWS::Events::Rule",
        {"Name": rule.name, "Targets": [Match.object_like({"DeadLetterConfig": {"Arn": target_dlq}})]},
    )
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": logical_id(undelivered)}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Action": "sqs:SendMessage",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Resource": target_dlq,
                            }
                        )
                    ]
                )
            },
        },
    )


@pytest.mark.parametrize("rule", definitions.FEEDS, ids=lambda r: r.queue)
def test_each_queue_is_encrypted_and_redriven_to_its_dead_letter_queue(
    template: Template, stack: KairosStack, rule: definitions.Feed
) -> None:
    dlq = stack.events.dead_letter_queues[definitions.dead_letter_queue(rule.queue)]
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {
            "QueueName": rule.queue,
            "SqsManagedSseEnabled": True,
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": [logical_id(dlq), "Arn"]},
                "maxReceiveCount": definitions.MAX_RECEIVE_COUNT,
            },
        },
    )


def test_every_dead_letter_queue_has_an_alarm_on_visible_messages(
    template: Template, stack: KairosStack
) -> None:
    dlqs = stack.events.dead_letter_queues
    # each queue's, each rule target's, the mapper's
    assert len(dlqs) == len(definitions.FEEDS) + len(definitions.RULES) + 1
    for queue in dlqs.values():
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
                "Dimensions": [
                    {"Name": "QueueName", "Value": {"Fn::GetAtt": [logical_id(queue), "QueueName"]}}
                ],
            },
        )


def test_the_stream_feeds_the_mapper_with_bisect_retries_and_partial_failures(
    template: Template, stack: KairosStack
) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": logical_id(stack.events.stream_mapper)},
            "EventSourceArn": {"Fn::GetAtt": [logical_id(stack.table), "StreamArn"]},
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": Match.any_value(),
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_the_webhook_dispatcher_holds_a_whole_attempt_and_its_queue_outwaits_it(
    template: Template, stack: KairosStack
) -> None:
    """docs/webhooks.md's rule in the template: the dispatcher's timeout, less what it keeps back, holds a
    whole attempt (sending, then the longest answer timeout it may be given), so no receiver is cut short;
    a received message stays invisible longer than the dispatcher may run, so it is not handed over again
    while its batch is being sent."""
    rule = definitions.WEBHOOK_RULE
    function = template.find_resources("AWS::Lambda::Function")[
        logical_id(stack.events.consumers[rule.consumer])
    ]
    timeout = function["Properties"]["Timeout"]
    policy = DeliveryPolicy.from_environment(function["Properties"]["Environment"]["Variables"])
    budget = timeout - definitions.BUDGET_RESERVE_SECONDS
    assert longest_attempt(policy.timeout_seconds) <= longest_attempt(MAX_TIMEOUT_SECONDS) <= budget
    [queue] = [
        q
        for q in template.find_resources("AWS::SQS::Queue").values()
        if q["Properties"]["QueueName"] == rule.queue
    ]
    assert queue["Properties"]["VisibilityTimeout"] >= timeout


@pytest.mark.parametrize("rule", definitions.FEEDS, ids=lambda r: r.consumer)
def test_each_queue_feeds_its_consumer_with_partial_failures(
    template: Template, stack: KairosStack, rule: definitions.Feed
) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": logical_id(stack.events.consumers[rule.consumer])},
            "EventSourceArn": {"Fn::GetAtt": [logical_id(stack.events.queues[rule.queue]), "Arn"]},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_the_mapper_reads_the_stream_and_table_and_only_puts_events(
    template: Template, stack: KairosStack
) -> None:
    found = actions(statements_of(template, stack, stack.events.stream_mapper))
    assert {"events:PutEvents", "dynamodb:GetRecords", "dynamodb:BatchGetItem"} <= found
    assert not {a for a in found if a in {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}}
    assert "sqs:SendMessage" in found  # the failures destination, and the hold timers


def test_consumers_write_the_table_and_only_the_dispatcher_sends_to_its_queue(
    template: Template, stack: KairosStack
) -> None:
    dispatcher = actions(statements_of(template, stack, stack.events.consumers["webhook_dispatcher"]))
    metering = actions(statements_of(template, stack, stack.events.consumers["metering"]))
    for found in (dispatcher, metering):
        assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "sqs:ReceiveMessage", "sqs:DeleteMessage"} <= found
        assert "events:PutEvents" not in found
    assert "sqs:SendMessage" in dispatcher
    assert "sqs:SendMessage" not in metering


def test_the_dispatcher_takes_and_gives_back_delivery_lanes_only_in_webhook_partitions(
    template: Template, stack: KairosStack
) -> None:
    """docs/webhooks.md, "Lanes": a lane is an item of its subscription's partition, put when taken and
    deleted when given back; the dispatcher may delete nothing else."""
    statements = statements_of(template, stack, stack.events.consumers["webhook_dispatcher"])
    deleting = [s for s in statements if "dynamodb:DeleteItem" in actions([s])]
    assert [s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] for s in deleting] == [
        [WEBHOOKS]
    ]
    assert all("dynamodb:PutItem" in actions([s]) for s in deleting)


@pytest.mark.parametrize("area", list(Area))
def test_every_api_function_may_only_send_usage_events_to_the_usage_queue_and_knows_its_url(
    template: Template, stack: KairosStack, area: Area
) -> None:
    function = stack.functions[area]
    usage = stack.events.queues[definitions.USAGE_FEED.queue]
    statements = statements_of(template, stack, function)
    found = actions(statements)
    assert not {a for a in found if a.startswith("events:")}  # usage events no longer use the bus
    usage_arn = {"Fn::GetAtt": [logical_id(usage), "Arn"]}
    on_usage = [s for s in statements if usage_arn in (s["Resource"], *s["Resource"])]
    assert [actions([s]) for s in on_usage] == [{"sqs:SendMessage"}]
    variables = template.find_resources("AWS::Lambda::Function")[logical_id(function)]["Properties"][
        "Environment"
    ]["Variables"]
    assert variables["KAIROS_USAGE_QUEUE_URL"] == {"Ref": logical_id(usage)}


def test_no_rule_puts_usage_events_on_a_queue(template: Template) -> None:
    patterns = [
        r["Properties"].get("EventPattern") for r in template.find_resources("AWS::Events::Rule").values()
    ]
    assert all(definitions.USAGE_SOURCE not in json.dumps(p or {}) for p in patterns)
    assert "kairos-usage-to-metering" not in json.dumps(template.to_json())


def test_the_hold_sweeper_is_fed_by_the_hold_timers_and_runs_every_minute_for_the_old_listing(
    template: Template, stack: KairosStack
) -> None:
    sweeper = stack.events.consumers[definitions.HOLD_SWEEPER]
    timers = stack.events.queues[definitions.HOLD_TIMERS.queue]
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 minute)",
            "State": "ENABLED",
            "Targets": [
                {
                    "Arn": {"Fn::GetAtt": [logical_id(sweeper), "Arn"]},
                    "Id": "Target0",
                    "RetryPolicy": {"MaximumRetryAttempts": 0},
                }
            ],
        },
    )
    found = actions(statements_of(template, stack, sweeper))
    assert {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} <= found
    assert not {a for a in found if a.startswith("events:")}
    # Only the stream mapper (a hold written) and the sweeper (a timer not yet due) start timers.
    timer_url = {"Ref": logical_id(timers)}
    timer_arn = {"Fn::GetAtt": [logical_id(timers), "Arn"]}
    functions = {**stack.events.consumers, definitions.STREAM_CONSUMER: stack.events.stream_mapper}
    senders = {
        name
        for name, function in functions.items()
        if any(
            "sqs:SendMessage" in actions([s]) and timer_arn in (s["Resource"], *s["Resource"])
            for s in statements_of(template, stack, function)
        )
    }
    assert senders == {definitions.HOLD_SWEEPER, definitions.STREAM_CONSUMER}
    for function in (sweeper, stack.events.stream_mapper):
        variables = template.find_resources("AWS::Lambda::Function")[logical_id(function)]["Properties"][
            "Environment"
        ]["Variables"]
        assert variables["KAIROS_HOLD_TIMER_QUEUE_URL"] == timer_url


def test_the_calendar_poller_runs_every_15_minutes_one_at_a_time_and_only_touches_the_table(
    template: Template, stack: KairosStack
) -> None:
    poller = stack.events.consumers[definitions.CALENDAR_POLLER]
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(15 minutes)",
            "State": "ENABLED",
            "Targets": [
                {
                    "Arn": {"Fn::GetAtt": [logical_id(poller), "Arn"]},
                    "Id": "Target0",
                    "RetryPolicy": {"MaximumRetryAttempts": 0},
                }
            ],
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"FunctionName": "kairos-calendar_poller", "Timeout": 300, "ReservedConcurrentExecutions": 1},
    )
    found = actions(statements_of(template, stack, poller))
    assert {"dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= found
    assert not {a for a in found if a.startswith(("sqs:", "events:"))}
