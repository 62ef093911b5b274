"""Alarms reach someone: every alarm of the stack notifies one SNS topic, an e-mail address given at deploy
time is subscribed to it, and the alarms cover the functions, the API, the stream and the table. The
dashboard shows the API's key figures and the application's own metrics."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.constants import ALARM_EMAIL_PARAMETER, API_P99_LATENCY_MS
from infra.references import logical_id
from infra.stack import KairosStack
from kairos.observability import Metric
from kairos.storage import table_definition
from tests.infra.conftest import kairos_functions

pytestmark = pytest.mark.xdist_group("infra")


def alarms(template: Template) -> list[dict[str, Any]]:
    return [a["Properties"] for a in template.find_resources("AWS::CloudWatch::Alarm").values()]


def topic_ref(stack: KairosStack) -> dict[str, str]:
    return {"Ref": logical_id(stack.monitoring.topic)}


def test_every_alarm_notifies_the_topic_when_it_rings_and_when_it_is_over(
    template: Template, stack: KairosStack
) -> None:
    found = alarms(template)
    functions = kairos_functions(template)
    assert len(found) >= 2 * len(functions) + len(stack.events.dead_letter_queues) + 4
    for alarm in found:
        assert alarm["AlarmActions"] == [topic_ref(stack)], alarm["AlarmName"]
        assert alarm["OKActions"] == [topic_ref(stack)], alarm["AlarmName"]


def test_every_function_has_an_errors_and_a_throttles_alarm(template: Template) -> None:
    watched = {
        (a["MetricName"], json.dumps(a["Dimensions"]))
        for a in alarms(template)
        if a.get("Namespace") == "AWS/Lambda"
    }
    for key in kairos_functions(template):
        dimensions = json.dumps([{"Name": "FunctionName", "Value": {"Ref": key}}])
        assert ("Errors", dimensions) in watched, key
        assert ("Throttles", dimensions) in watched, key


def test_the_api_alarms_on_any_5xx_and_on_a_slow_p99(template: Template, stack: KairosStack) -> None:
    api_name = [{"Name": "ApiName", "Value": "kairos"}]
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"Namespace": "AWS/ApiGateway", "MetricName": "5XXError", "Dimensions": api_name, "Threshold": 1},
    )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/ApiGateway",
            "MetricName": "Latency",
            "ExtendedStatistic": "p99",
            "Threshold": API_P99_LATENCY_MS,
            "Dimensions": api_name,
        },
    )


def test_a_lagging_stream_mapper_rings(template: Template, stack: KairosStack) -> None:
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "IteratorAge",
            "Statistic": "Maximum",
            "Dimensions": [
                {"Name": "FunctionName", "Value": {"Ref": logical_id(stack.events.stream_mapper)}}
            ],
        },
    )


def test_throttling_on_the_table_or_any_index_rings(template: Template, stack: KairosStack) -> None:
    (throttles,) = [a for a in alarms(template) if "Metrics" in a]
    watched = {
        (m["MetricStat"]["Metric"]["MetricName"], json.dumps(m["MetricStat"]["Metric"]["Dimensions"]))
        for m in throttles["Metrics"]
        if "MetricStat" in m
    }
    table = {"Name": "TableName", "Value": {"Ref": logical_id(stack.table)}}
    for name in ("ReadThrottleEvents", "WriteThrottleEvents"):
        assert (name, json.dumps([table])) in watched
        for index in table_definition.GLOBAL_SECONDARY_INDEXES:
            on_index = [{"Name": "GlobalSecondaryIndexName", "Value": index["IndexName"]}, table]
            assert (name, json.dumps(on_index)) in watched


def test_a_usage_event_not_sent_rings(template: Template) -> None:
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "UsageEventsNotSent",
            "Namespace": "Kairos",
            "Statistic": "Sum",
            "Threshold": 1,
            "Dimensions": [{"Name": "service", "Value": "kairos"}],
        },
    )


def test_the_alarm_email_is_a_deploy_parameter_subscribed_only_when_given(
    template: Template, stack: KairosStack
) -> None:
    parameter = template.to_json()["Parameters"][ALARM_EMAIL_PARAMETER]
    assert parameter["Type"] == "String" and parameter["Default"] == ""
    (subscription,) = template.find_resources("AWS::SNS::Subscription").values()
    assert subscription["Properties"] == {
        "Protocol": "email",
        "TopicArn": topic_ref(stack),
        "Endpoint": {"Ref": ALARM_EMAIL_PARAMETER},
    }
    condition = template.to_json()["Conditions"][subscription["Condition"]]
    assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": ALARM_EMAIL_PARAMETER}, ""]}]}


def test_cloudwatch_alarms_of_the_account_may_publish_to_the_topic(
    template: Template, stack: KairosStack
) -> None:
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [topic_ref(stack)],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Condition": Match.object_like(
                                    {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
                                ),
                            }
                        )
                    ]
                )
            },
        },
    )


def test_the_dashboard_shows_the_apis_key_figures_and_the_applications_metrics(template: Template) -> None:
    (dashboard,) = template.find_resources("AWS::CloudWatch::Dashboard").values()
    body = "".join(p for p in dashboard["Properties"]["DashboardBody"]["Fn::Join"][1] if isinstance(p, str))
    for figure in ("5XXError", "4XXError", '"Count"', '"Latency"', "p99", "IteratorAge", "ThrottleEvents"):
        assert figure in body, figure
    for metric in Metric:
        assert f'"{metric.value}"' in body, metric
    assert '"type":"alarm"' in body
