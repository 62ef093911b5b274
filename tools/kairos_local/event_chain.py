"""The local event path, on the same moto as the table: the `kairos` bus, its rules and their queues (with
dead-letter queues) created from `kairos.events.definitions`, as the CDK stack creates them, and two kinds
of background threads that stand in for Lambda's event source mappings:

- a stream reader: DescribeStream, GetShardIterator, then GetRecords in a loop on the table's stream; each
  batch goes, in Lambda's DynamoDB-stream event shape, to the same `functions/stream_mapper` handler the
  stack deploys. It starts at LATEST once the store is loaded: the loaded items are old state, not
  changes. A failed batch (an exception, or batch item failures) is retried from its first failed record,
  as Lambda retries a shard;
- the hold sweeper and the calendar poller, run every KAIROS_HOLD_SWEEP_SECONDS (60) and
  KAIROS_CALENDAR_POLL_SECONDS (60) seconds in place of their schedules;
- one poller per queue (each rule's; the usage queue, to which the API functions send their usage events
  as deployed; and the hold timers' that the stream mapper sends delayed messages to: moto delays them as
  SQS does): messages, in Lambda's SQS event shape, go to the function the stack feeds
  from that queue (`Rule.consumer`); the ones it reports in `batchItemFailures` (or all, when it raises)
  stay in the queue and come back after the visibility timeout, the others are deleted. A message is
  received with the queue's visibility timeout (`definitions.VISIBILITY_TIMEOUT_SECONDS`, six times the
  consumer's), so it never comes back while the batch that holds it is still being handled. As Lambda
  runs several batches of a queue at once (its maximum concurrency), the webhook queue's poller hands
  each batch to one of its instances of the dispatcher and goes on receiving while they send: a batch
  waiting for a slow receiver holds one instance, not the queue. It has twice as many instances as a
  subscription has lanes (`kairos.webhooks.lanes`), so one slow receiver never holds them all. The other
  queues are handled one batch at a time.

Every call is short (no long polling: the local store serves one request at a time), and none is made
in vain for long: a reader or poller that found nothing waits longer each time (up to IDLE_SECONDS), and
the local API wakes them all at once when it has answered a request (`Activity.poke`), as does the stream
reader when it has handed records on. Idle, the chain makes a few calls a second at most.
"""

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from types import ModuleType
from typing import TYPE_CHECKING, Any

from kairos.config import Settings
from kairos.errors import StoreFull
from kairos.events import definitions
from kairos_local import tool_clients
from kairos_local.lambda_runtime import FunctionPool, Handler, invoke, load_function

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef
else:
    EventBridgeClient = SQSClient = Any
    MessageTypeDef = dict

log = logging.getLogger("kairos_local.events")
BUSY_SECONDS = 0.1  # between two polls that found some work, but not a full batch
STREAM_BATCH = 100  # records a GetRecords asks for (Lambda's default batch for a stream)
QUEUE_BATCH = 10  # messages a ReceiveMessage asks for (SQS's most, Lambda's default)
IDLE_SECONDS = 2.0  # at most, between two polls that find nothing
# Batches of the webhook queue handled at once per lane of a subscription (deployed: up to 50 at once,
# `deliveryMaxConcurrency`), each by its own instance of the dispatcher.
DELIVERY_INSTANCES_PER_LANE = 2


class Activity:
    """Wakes the readers and pollers early: something may have been written. Also how they are stopped.
    A poke (one per API request) wakes only the pollers that wait for one, those that found nothing."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._pokes = 0
        self._waiting = 0  # pollers waiting for a poke
        self._stop = threading.Event()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def poke(self) -> None:
        with self._changed:
            self._pokes += 1
            if self._waiting:
                self._changed.notify_all()

    def stop(self) -> None:
        self._stop.set()
        with self._changed:
            self._changed.notify_all()

    def pause(self, seconds: float) -> None:
        """Waits `seconds`, or until stopped."""
        self._stop.wait(seconds)

    def wait(self, seen: int, seconds: float) -> None:
        """Waits up to `seconds` for a poke after the `seen`-th, or until stopped."""
        with self._changed:
            self._waiting += 1
            try:
                self._changed.wait_for(lambda: self._pokes != seen or self.stopped, seconds)
            finally:
                self._waiting -= 1

    def run(self, poll: Callable[[], "Found"], name: str) -> None:
        """Calls `poll` until stopped: at once again after a full batch (there is a backlog), after
        BUSY_SECONDS after a part of one (so that the events of several requests come in one batch), and
        after nothing, when poked or after a pause that doubles up to IDLE_SECONDS."""
        pause = BUSY_SECONDS
        while not self.stopped:
            seen = self._pokes
            try:
                found = poll()
            except Exception:
                log.exception("%s: will try again", name)
                found = Found.NOTHING
            if found is Found.FULL_BATCH:
                continue
            self.pause(BUSY_SECONDS)
            if found is Found.SOME:
                pause = BUSY_SECONDS
            else:
                pause = min(pause * 2, IDLE_SECONDS)
                self.wait(seen, pause)


class Found(Enum):
    """What one poll found."""

    NOTHING = "nothing"
    SOME = "some"
    FULL_BATCH = "a full batch"

    @classmethod
    def of(cls, count: int, batch: int) -> "Found":
        return cls.NOTHING if count == 0 else cls.FULL_BATCH if count >= batch else cls.SOME


@dataclass(frozen=True)
class RuleQueue:
    rule: definitions.Feed
    url: str
    arn: str


def create_bus_and_rules(events: EventBridgeClient, sqs: SQSClient) -> list[RuleQueue]:
    """The bus, and every queue (redriven to a dead-letter queue), each rule's as the rule's target."""
    events.create_event_bus(Name=definitions.BUS_NAME)
    created = []
    for feed in definitions.FEEDS:
        dlq_url = sqs.create_queue(QueueName=definitions.dead_letter_queue(feed.queue))["QueueUrl"]
        redrive = {
            "deadLetterTargetArn": _arn(sqs, dlq_url),
            "maxReceiveCount": definitions.MAX_RECEIVE_COUNT,
        }
        url = sqs.create_queue(
            QueueName=feed.queue,
            Attributes={
                "RedrivePolicy": json.dumps(redrive),
                "VisibilityTimeout": str(definitions.VISIBILITY_TIMEOUT_SECONDS),
            },
        )["QueueUrl"]
        arn = _arn(sqs, url)
        created.append(RuleQueue(feed, url, arn))
        if not isinstance(feed, definitions.Rule):
            continue
        rule = feed
        events.put_rule(
            Name=rule.name,
            EventBusName=definitions.BUS_NAME,
            EventPattern=json.dumps(rule.pattern),
            Description=rule.description,
        )
        events.put_targets(
            Rule=rule.name, EventBusName=definitions.BUS_NAME, Targets=[{"Id": "queue", "Arn": arn}]
        )
    return created


def _arn(sqs: SQSClient, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _invoke(function: str, handler: Handler, event: dict[str, Any]) -> set[str]:
    """Runs the handler as Lambda would, with the stack's consumer timeout (so the webhook dispatcher's time
    budget is the deployed one); the identifiers of the records it failed (all when it raised)."""
    try:
        result = invoke(function, handler, event, definitions.CONSUMER_TIMEOUT_SECONDS)
    except StoreFull as full:  # the store's log says so once; retried until there is room
        log.warning("%s: %s; its batch will be retried", function, full)
        return {"*"}
    except Exception:
        log.exception("%s failed; its batch will be retried", function)
        return {"*"}
    failures = (result or {}).get("batchItemFailures", []) if isinstance(result, dict) else []
    return {str(f["itemIdentifier"]) for f in failures}


def stream_record(record: Mapping[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record as Lambda passes it: the creation time in epoch seconds, the source ARN."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    stream["ApproximateCreationDateTime"] = (
        created.timestamp() if isinstance(created, datetime) else float(created or 0)
    )
    return {**record, "dynamodb": stream, "eventSourceARN": stream_arn, "awsRegion": region}


def queue_record(message: "MessageTypeDef", queue_arn: str, region: str) -> dict[str, Any]:
    """A ReceiveMessage message as Lambda passes it to an SQS-triggered function."""
    body = message["Body"]
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class StreamReader:
    """Reads the table's stream from LATEST and feeds the stream mapper function, one batch at a time."""

    def __init__(self, settings: Settings, module: ModuleType, activity: Activity) -> None:
        self._activity = activity
        self._pending: list[dict[str, Any]] = []
        self._streams = tool_clients.client("dynamodbstreams", region_name=settings.region)
        table = tool_clients.client("dynamodb", region_name=settings.region).describe_table(
            TableName=settings.table_name
        )["Table"]
        self._stream_arn = table["LatestStreamArn"]
        self._region = settings.region
        self._handler: Handler = module.lambda_handler
        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]["Shards"]
        self._iterators = [
            self._streams.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=s["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]
            for s in shards
        ]

    def __call__(self) -> "Found":
        """One read of every shard, handed on with what is still to deliver; what was new (a batch that
        keeps failing alone is retried at the idle pace)."""
        most = 0
        for n, iterator in enumerate(self._iterators):
            page = self._streams.get_records(ShardIterator=iterator, Limit=STREAM_BATCH)
            self._iterators[n] = page["NextShardIterator"]
            self._pending += [stream_record(r, self._stream_arn, self._region) for r in page["Records"]]
            most = max(most, len(page["Records"]))
        self._pending = self._deliver(self._pending)
        if most:
            self._activity.poke()  # the mapper put events on the bus: the queue pollers have work
        return Found.of(most, STREAM_BATCH)

    def _deliver(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records still to deliver: from the first failed one on (all, when the handler raised)."""
        if not records:
            return records
        failed = _invoke(definitions.STREAM_CONSUMER, self._handler, {"Records": records})
        if "*" in failed:
            return records
        first = next((n for n, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] in failed), None)
        return [] if first is None else records[first:]


class QueuePoller:
    """Feeds one rule's queue to the function the stack subscribes to it: up to `instances` batches at
    once, each on an instance of its own (in a thread of its own when there are several)."""

    def __init__(self, settings: Settings, queue: RuleQueue, instances: int = 1) -> None:
        self._sqs: SQSClient = tool_clients.client("sqs", region_name=settings.region)
        self._queue = queue
        self._region = settings.region
        self._functions = FunctionPool(queue.rule.consumer, instances)
        self._free = threading.BoundedSemaphore(instances)
        self._concurrent = instances > 1

    def __call__(self) -> "Found":
        """One receive, handed on; while every instance is busy, nothing is received (SOME: the next
        poll comes soon)."""
        if not self._free.acquire(blocking=False):
            return Found.SOME
        try:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue.url,
                MaxNumberOfMessages=QUEUE_BATCH,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
        except Exception:
            self._free.release()
            raise
        if not messages:
            self._free.release()
            return Found.NOTHING
        if self._concurrent:
            threading.Thread(target=self._handle, args=(messages,), name="queue-batch", daemon=True).start()
        else:
            self._handle(messages)
        return Found.of(len(messages), QUEUE_BATCH)

    def _handle(self, messages: list["MessageTypeDef"]) -> None:
        """The batch to an instance of the function; what it finished is deleted, the rest comes back."""
        try:
            event = {"Records": [queue_record(m, self._queue.arn, self._region) for m in messages]}
            with self._functions.instance() as module:
                failed = _invoke(self._queue.rule.consumer, module.lambda_handler, event)
            done = [m for m in messages if "*" not in failed and m["MessageId"] not in failed]
            if done:
                self._sqs.delete_message_batch(
                    QueueUrl=self._queue.url,
                    Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
                )
        except Exception:  # on the poller's own thread, Activity.run logs it; on a batch's, here
            if not self._concurrent:
                raise
            log.exception("%s: the batch comes back after its visibility timeout", self._queue.rule.queue)
        finally:
            self._free.release()


class ScheduledSweep:
    """Stands in for a schedule of the stack: runs the same function every `seconds`. The hold sweeper
    (deployed: every minute; it removes the holds listed before timers existed), the calendar poller
    (deployed: every 15 minutes)."""

    def __init__(self, name: str, activity: Activity, seconds: float) -> None:
        self._name = name
        self._handler: Handler = load_function(name).lambda_handler
        self._activity = activity
        self._seconds = seconds

    def run(self) -> None:
        while not self._activity.stopped:
            _invoke(self._name, self._handler, {"source": "aws.events"})  # logs a failure
            self._activity.pause(self._seconds)


def delivery_instances() -> int:
    """The webhook queue's local instances: 8 with the default 4 lanes (KAIROS_WEBHOOK_LANES)."""
    from kairos.webhooks.delivery import DeliveryPolicy  # after the local settings (its logger's level)

    return DELIVERY_INSTANCES_PER_LANE * DeliveryPolicy.from_environment().lanes


def start_event_chain(settings: Settings, activity: Activity) -> list[threading.Thread]:
    """Creates the bus, rules and queues, and starts the stream reader and the queue pollers (daemon
    threads that end when `activity` is stopped). Call it once the table exists: the reader starts at
    LATEST."""
    queues = create_bus_and_rules(
        tool_clients.client("events", region_name=settings.region),
        tool_clients.client("sqs", region_name=settings.region),
    )
    workers: list[tuple[str, Callable[[], Found]]] = [
        ("stream-reader", StreamReader(settings, load_function(definitions.STREAM_CONSUMER), activity))
    ]
    for queue in queues:
        instances = delivery_instances() if queue.rule is definitions.WEBHOOK_RULE else 1
        workers.append((f"poller-{queue.rule.queue}", QueuePoller(settings, queue, instances)))
    threads = [
        threading.Thread(target=activity.run, args=(poll, name), name=name, daemon=True)
        for name, poll in workers
    ]
    for name, setting, default in (
        (definitions.HOLD_SWEEPER, "KAIROS_HOLD_SWEEP_SECONDS", "60"),
        (definitions.CALENDAR_POLLER, "KAIROS_CALENDAR_POLL_SECONDS", "60"),
    ):
        sweep = ScheduledSweep(name, activity, float(os.environ.get(setting, default)))
        threads.append(threading.Thread(target=sweep.run, name=name.replace("_", "-"), daemon=True))
    for thread in threads:
        thread.start()
    return threads
