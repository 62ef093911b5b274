"""Monitoring: the alarms an operator must hear about, all wired to one SNS topic (the e-mail address of
the stack parameter AlarmEmail is subscribed to it), and a dashboard with the API's key figures.

Alarms: errors and throttles of every function, API 5xx answers and p99 latency, the table stream's
iterator age (the event path falling behind), DynamoDB throttling on the table and its indexes, any usage
event not sent (a request not counted), and the event path's dead-letter-queue alarms (made by
KairosEvents, passed in). Each notifies on ALARM and on OK,
so the operator also hears that it is over."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    Aws,
    CfnCondition,
    CfnParameter,
    Duration,
    Fn,
    Stack,
    Validations,
)
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constants import (
    ALARM_EMAIL_PARAMETER,
    ALARM_NAME_PREFIX,
    ALARM_PERIOD,
    ALARM_TOPIC_NAME,
    API_5XX_THRESHOLD,
    API_P99_LATENCY_MS,
    DASHBOARD_NAME,
    FUNCTION_NAME_PREFIX,
    LATENCY_PERIODS,
    POWERTOOLS_METRICS_NAMESPACE,
    POWERTOOLS_SERVICE_NAME,
    STREAM_ITERATOR_AGE_MS,
    STREAM_LAG_MINUTES,
)
from kairos.observability import Metric
from kairos.storage import table_definition

CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"
EMAIL_PATTERN = r"^$|^[^@\s]+@[^@\s]+$"
WIDGET_WIDTH = 8  # three graphs to a row of the dashboard's 24 columns


@dataclass(frozen=True)
class Watched:
    """What the alarms and the dashboard watch."""

    api: apigw.RestApi
    functions: Mapping[str, lambda_.Function]  # every function of the stack, by short name (kairos-<name>)
    table: dynamodb.Table
    stream_mapper: lambda_.Function
    queues: Sequence[sqs.Queue]  # the event path's working queues
    queue_alarms: Sequence[cloudwatch.Alarm]  # the event path's dead-letter-queue alarms


class KairosMonitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, watched: Watched) -> None:
        super().__init__(scope, construct_id)
        api, table = watched.api, watched.table
        self.topic = self._topic()
        self.alarms: list[cloudwatch.Alarm] = []
        for name, function in watched.functions.items():
            label = f"{FUNCTION_NAME_PREFIX}-{name}"
            self._alarm(f"{name}-errors", f"Errors of {label}", function.metric_errors(period=ALARM_PERIOD))
            self._alarm(
                f"{name}-throttles",
                f"Throttled invocations of {label}",
                function.metric_throttles(period=ALARM_PERIOD),
            )
        self._alarm(
            "api-5xx",
            "5xx answers of the API (Kairos answers its own errors with 4xx)",
            api.metric_server_error(period=ALARM_PERIOD),
            threshold=API_5XX_THRESHOLD,
        )
        self._alarm(
            "api-p99-latency",
            f"API p99 latency above {API_P99_LATENCY_MS} ms for {LATENCY_PERIODS} periods in a row",
            api.metric_latency(period=ALARM_PERIOD, statistic="p99"),
            threshold=API_P99_LATENCY_MS,
            periods=LATENCY_PERIODS,
        )
        self._alarm(
            "stream-iterator-age",
            f"The stream mapper more than {STREAM_ITERATOR_AGE_MS // 1000} s behind the table, "
            f"{STREAM_LAG_MINUTES} minutes long: webhooks and usage lag",
            watched.stream_mapper.metric("IteratorAge", period=Duration.minutes(1), statistic="Maximum"),
            threshold=STREAM_ITERATOR_AGE_MS,
            periods=STREAM_LAG_MINUTES,
        )
        self._alarm(
            "table-throttles", "DynamoDB throttled reads or writes (table or index)", _throttles(table)
        )
        self._alarm(
            "usage-not-sent",
            "Usage events the usage queue refused after every retry: those requests were answered but not "
            "counted (their events are in the API functions' logs, 'usage event not sent', to send again)",
            _application_metric(Metric.USAGE_EVENTS_NOT_SENT),
        )
        notify = actions.SnsAction(self.topic)
        every_alarm = [*self.alarms, *watched.queue_alarms]
        for alarm in every_alarm:
            alarm.add_alarm_action(notify)
            alarm.add_ok_action(notify)
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=DASHBOARD_NAME, widgets=_dashboard_rows(watched, every_alarm)
        )

    def _alarm(
        self,
        name: str,
        description: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float = 1,
        periods: int = 1,
    ) -> None:
        """An alarm when `metric` reaches `threshold` in `periods` periods in a row; no data is no alarm."""
        alarm_name = f"{ALARM_NAME_PREFIX}-{name}"
        self.alarms.append(
            cloudwatch.Alarm(
                self,
                alarm_name,
                alarm_name=alarm_name,
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=periods,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        )

    def _topic(self) -> sns.Topic:
        """The alarm topic: TLS only, CloudWatch alarms of this account may publish, and an e-mail
        subscription exists when the AlarmEmail parameter holds an address."""
        topic = sns.Topic(self, "Alarms", topic_name=ALARM_TOPIC_NAME, enforce_ssl=True)
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "ArnLike": {"aws:SourceArn": self._alarm_arns()},
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                },
            )
        )
        email = CfnParameter(
            self,
            ALARM_EMAIL_PARAMETER,
            type="String",
            default="",
            allowed_pattern=EMAIL_PATTERN,
            description="Where alarms are e-mailed (the address confirms the subscription); empty: nobody.",
        )
        email.override_logical_id(ALARM_EMAIL_PARAMETER)
        given = CfnCondition(
            self,
            "AlarmEmailGiven",
            expression=Fn.condition_not(Fn.condition_equals(email.value_as_string, "")),
        )
        subscription = sns.Subscription(
            self,
            "EmailSubscription",
            topic=topic,
            protocol=sns.SubscriptionProtocol.EMAIL,
            endpoint=email.value_as_string,
        )
        resource = subscription.node.default_child
        assert isinstance(resource, sns.CfnSubscription)
        resource.cfn_options.condition = given
        Validations.of(topic).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SNS2",
                reason="Alarm notifications carry alarm names and states, no customer data; CloudWatch "
                "cannot publish to a topic under the AWS-managed SNS key, and a customer key costs monthly.",
            )
        )
        return topic

    def _alarm_arns(self) -> str:
        """Every CloudWatch alarm of this account and region (the publishers the topic accepts)."""
        return Stack.of(self).format_arn(
            service="cloudwatch",
            resource="alarm",
            resource_name="*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )


def _throttles(table: dynamodb.Table) -> cloudwatch.MathExpression:
    """Throttled read and write events of the table and of each index, summed (one alarm, few metrics)."""
    dimensions = [{"TableName": table.table_name}] + [
        {"TableName": table.table_name, "GlobalSecondaryIndexName": index["IndexName"]}
        for index in table_definition.GLOBAL_SECONDARY_INDEXES
    ]
    metrics = {
        f"{kind}{n}": cloudwatch.Metric(
            namespace="AWS/DynamoDB",
            metric_name=f"{kind.capitalize()}ThrottleEvents",
            dimensions_map=where,
            statistic="Sum",
            period=ALARM_PERIOD,
        )
        for n, where in enumerate(dimensions)
        for kind in ("read", "write")
    }
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({m}, 0)" for m in metrics),
        using_metrics=metrics,
        label="Throttled events",
        period=ALARM_PERIOD,
    )


def _application_metric(metric: Metric) -> cloudwatch.Metric:
    """A figure the functions publish through Powertools (EMF), summed."""
    return cloudwatch.Metric(
        namespace=POWERTOOLS_METRICS_NAMESPACE,
        metric_name=metric.value,
        dimensions_map={"service": POWERTOOLS_SERVICE_NAME},
        statistic="Sum",
        period=ALARM_PERIOD,
    )


def _graph(title: str, metrics: Sequence[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=list(metrics), width=WIDGET_WIDTH)


def _dashboard_rows(watched: Watched, alarms: Sequence[cloudwatch.Alarm]) -> list[list[cloudwatch.IWidget]]:
    """Traffic and latency first, then what the clinic's day is made of (bookings, slots, webhooks), then
    the functions, the table and the event path, and the state of every alarm."""
    api, table, by_function = watched.api, watched.table, watched.functions.items()
    return [
        [
            _graph(
                "API requests and errors",
                [api.metric_count(), api.metric_client_error(), api.metric_server_error()],
            ),
            _graph(
                "API latency (ms)",
                [api.metric_latency(statistic=s) for s in ("p50", "p90", "p99")],
            ),
            _graph(
                "Bookings",
                [
                    _application_metric(Metric.BOOKINGS_CREATED),
                    _application_metric(Metric.BOOKING_RACE_RETRIES),
                ],
            ),
        ],
        [
            _graph(
                "Bookable slots listed; usage events not sent",
                [
                    _application_metric(m)
                    for m in (Metric.BOOKABLE_SLOTS_LISTED, Metric.USAGE_EVENTS_NOT_SENT)
                ],
            ),
            _graph(
                "Webhook deliveries",
                [
                    _application_metric(m)
                    for m in (Metric.WEBHOOKS_DELIVERED, Metric.WEBHOOKS_FAILED, Metric.WEBHOOKS_DEAD)
                ],
            ),
            _graph("Function errors", [f.metric_errors(label=name) for name, f in by_function]),
        ],
        [
            _graph("Function throttles", [f.metric_throttles(label=name) for name, f in by_function]),
            _graph(
                "Function duration p99 (ms)",
                [f.metric_duration(label=name, statistic="p99") for name, f in by_function],
            ),
            _graph(
                "Table capacity and throttling",
                [
                    table.metric_consumed_read_capacity_units(),
                    table.metric_consumed_write_capacity_units(),
                    _throttles(table),
                ],
            ),
        ],
        [
            _graph(
                "Event path: stream lag (ms)",
                [watched.stream_mapper.metric("IteratorAge", statistic="Maximum")],
            ),
            _graph(
                "Event path: queued messages",
                [q.metric_approximate_number_of_messages_visible(label=q.queue_name) for q in watched.queues],
            ),
            cloudwatch.AlarmStatusWidget(alarms=list(alarms), title="Alarms", width=WIDGET_WIDTH),
        ],
    ]
