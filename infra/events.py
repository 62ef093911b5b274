"""The event path: the `kairos` bus, the stream mapper that fills it from the table's stream, and for each
rule of `kairos.events.definitions` an EventBridge rule -> SQS queue (with a dead-letter queue and an
alarm) -> the consumer function; the usage queue, to which the API functions send their usage events
themselves (no rule: off the bus, they meet no PutEvents quota), -> the metering function. Names,
patterns and queue settings come from the definitions the local chain uses too.

Each rule's target has a dead-letter queue of its own (`<rule name>-dlq`, with its alarm): an event that
EventBridge could not put on the queue (the queue deleted, its policy broken) lands there after the
target's retries, instead of being dropped without a trace."""

from collections.abc import Iterable, Mapping

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.functions import kairos_function
from infra.settings import stack_settings
from infra.table_access import grant_table_access
from kairos.events import definitions
from kairos.messaging import hold_timer_queue, retry_queue, usage_queue
from kairos.routes import Area

# Stream mapping: a failing batch is halved until the failing record is alone, retried, then sent to the
# failures queue (its alarm rings) so the shard moves on.
STREAM_BATCH_SIZE = 100
STREAM_RETRY_ATTEMPTS = 10
STREAM_FAILURES_QUEUE = "kairos-stream-mapper-failures"
DLQ_RETENTION = Duration.days(14)
# The queue URLs' variables, named by the adapters that read them: the dispatcher re-sends delayed retries
# to its queue, the stream mapper starts hold timers (the sweeper again), the API functions send a usage event
# per counted request.
WEBHOOK_QUEUE_URL_ENV = retry_queue.QUEUE_URL_ENV
HOLD_TIMER_QUEUE_URL_ENV = hold_timer_queue.QUEUE_URL_ENV
USAGE_QUEUE_URL_ENV = usage_queue.QUEUE_URL_ENV


class KairosEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.Table,
        layer: lambda_.ILayerVersion,
        api_functions: Mapping[Area, lambda_.Function],
    ) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=definitions.BUS_NAME)
        self.alarms: list[cloudwatch.Alarm] = []
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.consumers: dict[str, lambda_.Function] = {}
        self.stream_mapper = self._stream_mapper(table, layer)
        self.consumers[definitions.CALENDAR_POLLER] = self._scheduled(
            table,
            layer,
            definitions.CALENDAR_POLLER,
            "Kairos calendars: syncs the calendar subscriptions' feeds",
            definitions.CALENDAR_POLL_MINUTES,
            definitions.CALENDAR_POLL_TIMEOUT_SECONDS,
        )
        for rule in definitions.RULES:
            self._rule(rule, table, layer)
        self._usage(table, layer, api_functions.values())
        self._hold_timers(table, layer)
        self.allow_redelivery(api_functions[Area.WEBHOOKS])

    def allow_redelivery(self, function: lambda_.Function) -> None:
        """A redeliver action (the webhooks API's, the Portal's) queues a delivery on the dispatcher's
        queue."""
        webhook_queue = self.queues[definitions.WEBHOOK_RULE.queue]
        webhook_queue.grant_send_messages(function)
        function.add_environment(WEBHOOK_QUEUE_URL_ENV, webhook_queue.queue_url)

    def _stream_mapper(self, table: dynamodb.Table, layer: lambda_.ILayerVersion) -> lambda_.Function:
        """Reads the stream, and the table's entities (to render the objects), and puts events on the bus
        only."""
        scope = Construct(self, "StreamMapper")
        function = kairos_function(
            scope,
            name=definitions.STREAM_CONSUMER,
            description="Kairos events: table stream -> domain events on the bus",
            table=table,
            layer=layer,
            timeout=Duration.seconds(definitions.CONSUMER_TIMEOUT_SECONDS),
        )
        grant_table_access(function, table, definitions.STREAM_CONSUMER, scope)
        self.bus.grant_put_events_to(function)
        failures = self._queue(scope, "Failures", STREAM_FAILURES_QUEUE, dead_letter=None)
        function.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=STREAM_BATCH_SIZE,
                bisect_batch_on_error=True,
                retry_attempts=STREAM_RETRY_ATTEMPTS,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(failures),
            )
        )
        Validations.of(scope).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="Active tracing (X-Ray has no resource-level permissions) and dynamodb:ListStreams, "
                "which the stream event source mapping needs and which AWS defines only on '*'.",
            )
        )
        return function

    def _scheduled(
        self,
        table: dynamodb.Table,
        layer: lambda_.ILayerVersion,
        name: str,
        description: str,
        minutes: int,
        timeout_seconds: int,
    ) -> lambda_.Function:
        """A function the default bus's scheduled rule runs every `minutes`: the calendar poller."""
        scope = Construct(self, name.title().replace("_", ""))
        function = kairos_function(
            scope,
            name=name,
            description=description,
            table=table,
            layer=layer,
            timeout=Duration.seconds(timeout_seconds),
        )
        grant_table_access(function, table, name, scope)
        self._schedule(scope, function, minutes, description)
        return function

    def _schedule(self, scope: Construct, function: lambda_.Function, minutes: int, description: str) -> None:
        events.Rule(
            scope,
            "Schedule",
            description=f"Every {minutes} minute(s): {description}",
            schedule=events.Schedule.rate(Duration.minutes(minutes)),
            targets=[targets.LambdaFunction(function, retry_attempts=0)],
        )

    def _hold_timers(self, table: dynamodb.Table, layer: lambda_.ILayerVersion) -> None:
        """The hold sweeper, fed by the hold timer queue (docs/bookings.md, "Removed at expiry"), to which the
        stream mapper sends a delayed message per hold that expires and the sweeper sends again a timer
        not yet due; and run every minute for the holds listed before timers existed."""
        description = "Kairos holds: removes expired temporary bookings when their timers are due"
        function, queue = self._fed(definitions.HOLD_TIMERS, table, layer, description)
        for sender in (self.stream_mapper, function):
            queue.grant_send_messages(sender)
            sender.add_environment(HOLD_TIMER_QUEUE_URL_ENV, queue.queue_url)
        scope = function.node.scope
        assert isinstance(scope, Construct)
        self._schedule(scope, function, definitions.HOLD_SWEEP_MINUTES, "Kairos holds: removes expired holds")

    def _usage(
        self, table: dynamodb.Table, layer: lambda_.ILayerVersion, senders: Iterable[lambda_.Function]
    ) -> None:
        """The usage queue and the metering function it feeds; each API function may send to it, and
        only that (not `grant_send_messages`, which adds GetQueueUrl and GetQueueAttributes: the URL is
        in the function's environment)."""
        _, queue = self._fed(definitions.USAGE_FEED, table, layer, "Kairos usage: counts the API requests")
        for sender in senders:
            queue.grant(sender, "sqs:SendMessage")
            sender.add_environment(USAGE_QUEUE_URL_ENV, queue.queue_url)

    def _rule(self, rule: definitions.Rule, table: dynamodb.Table, layer: lambda_.ILayerVersion) -> None:
        """The rule with the definitions' pattern, targeting the queue of its consumer (`_fed`)."""
        function, queue = self._fed(rule, table, layer, f"Kairos events: {rule.description.lower()}")
        scope = function.node.scope
        assert isinstance(scope, Construct)
        undelivered = self._queue(scope, "TargetDeadLetters", definitions.dead_letter_queue(rule.name), None)
        events_rule = events.Rule(
            scope,
            "Rule",
            rule_name=rule.name,
            description=rule.description,
            event_bus=self.bus,
            event_pattern=events.EventPattern(source=rule.pattern["source"]),
            targets=[targets.SqsQueue(queue, dead_letter_queue=undelivered)],
        )
        # The pattern exactly as defined (prefix matchers included), rather than re-spelled in CDK's terms.
        rule_resource = events_rule.node.default_child
        assert isinstance(rule_resource, events.CfnRule)
        rule_resource.add_property_override("EventPattern", rule.pattern)
        if rule is definitions.WEBHOOK_RULE:  # the dispatcher's retries go back to its queue
            queue.grant_send_messages(function)
            function.add_environment(WEBHOOK_QUEUE_URL_ENV, queue.queue_url)

    def _fed(
        self,
        feed: definitions.Feed,
        table: dynamodb.Table,
        layer: lambda_.ILayerVersion,
        description: str,
    ) -> tuple[lambda_.Function, sqs.Queue]:
        """The feed's queue (redriven to a dead-letter queue) and the consumer function fed from it with
        partial batch failures, in the batches and at the concurrency the settings give
        (infra/settings.py: big batches gathered for a few seconds for metering, one write each; small
        ones at once for webhook deliveries and hold timers)."""
        scope = Construct(self, feed.consumer.title().replace("_", ""))
        settings = stack_settings(self).feeds[feed.consumer]
        dead_letter = self._queue(scope, "DeadLetters", definitions.dead_letter_queue(feed.queue), None)
        # AWS's advice: six times the consumer's timeout, plus the time SQS may spend gathering a batch.
        visibility = definitions.VISIBILITY_TIMEOUT_SECONDS + settings.batching_window_seconds
        queue = self._queue(scope, "Queue", feed.queue, dead_letter, visibility)
        function = kairos_function(
            scope,
            name=feed.consumer,
            description=description,
            table=table,
            layer=layer,
            timeout=Duration.seconds(definitions.CONSUMER_TIMEOUT_SECONDS),
        )
        grant_table_access(function, table, feed.consumer, scope)
        function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=settings.batch_size,
                max_batching_window=Duration.seconds(settings.batching_window_seconds),
                max_concurrency=settings.max_concurrency,
                report_batch_item_failures=True,
            )
        )
        self.queues[feed.queue] = queue
        self.consumers[feed.consumer] = function
        return function, queue

    def _queue(
        self,
        scope: Construct,
        construct_id: str,
        name: str,
        dead_letter: sqs.Queue | None,
        visibility_seconds: int = definitions.VISIBILITY_TIMEOUT_SECONDS,
    ) -> sqs.Queue:
        """Encrypted, TLS only. A queue without `dead_letter` is itself a last stop: it keeps messages 14
        days and an alarm rings as soon as one is visible."""
        queue = sqs.Queue(
            scope,
            construct_id,
            queue_name=name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(visibility_seconds),
            retention_period=DLQ_RETENTION if dead_letter is None else None,
            dead_letter_queue=(
                sqs.DeadLetterQueue(max_receive_count=definitions.MAX_RECEIVE_COUNT, queue=dead_letter)
                if dead_letter
                else None
            ),
        )
        if dead_letter is None:
            self.dead_letter_queues[name] = queue
            self.alarms.append(
                cloudwatch.Alarm(
                    scope,
                    f"{construct_id}Alarm",
                    alarm_name=f"{name}-not-empty",
                    alarm_description=f"Messages in {name}: events that could not be processed",
                    metric=queue.metric_approximate_number_of_messages_visible(
                        period=Duration.minutes(1), statistic="Maximum"
                    ),
                    threshold=0,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    evaluation_periods=1,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
            Validations.of(queue).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-SQS3",
                    reason="This queue is itself a dead-letter queue (the last stop of failed events); an "
                    "alarm rings as soon as it holds a message.",
                )
            )
        return queue
