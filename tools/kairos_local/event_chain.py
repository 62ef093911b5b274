"""The local event path, on the same moto as the table: the `kairos` bus, its rules and their queues (with
dead-letter queues) created from `kairos.events.definitions`, as the CDK stack creates them, and two kinds
of background threads that stand in for Lambda's event source mappings:

- a stream reader: DescribeStream, GetShardIterator, then GetRecords in a loop on the table's stream; each
  batch goes, in Lambda's DynamoDB-stream event shape, to the same `functions/stream_mapper` handler the
  stack deploys. It starts at LATEST once the snapshot is loaded: moto keeps stream records in memory only,
  and the loaded items are old state, not changes. A failed batch (an exception, or batch item failures)
  is retried from its first failed record, as Lambda retries a shard;
- one poller per rule's queue: messages, in Lambda's SQS event shape, go to the function the stack feeds
  from that queue (`Rule.consumer`); the ones it reports in `batchItemFailures` (or all, when it raises)
  stay in the queue and come back after the visibility timeout, the others are deleted.

Every call is short (no long polling): the local moto serves one request at a time.
"""

import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3

from kairos.config import Settings
from kairos.events import definitions
from kairos_local.lambda_runtime import LambdaContext, load_function

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef
else:
    EventBridgeClient = SQSClient = Any
    MessageTypeDef = dict

log = logging.getLogger("kairos_local.events")
POLL_SECONDS = 0.2
Handler = Callable[[dict[str, Any], LambdaContext], Any]


@dataclass(frozen=True)
class RuleQueue:
    rule: definitions.Rule
    url: str
    arn: str


def create_bus_and_rules(events: EventBridgeClient, sqs: SQSClient) -> list[RuleQueue]:
    """The bus, and for each rule its queue (redriven to a dead-letter queue) as the rule's target."""
    events.create_event_bus(Name=definitions.BUS_NAME)
    created = []
    for rule in definitions.RULES:
        dlq_url = sqs.create_queue(QueueName=definitions.dead_letter_queue(rule.queue))["QueueUrl"]
        redrive = {
            "deadLetterTargetArn": _arn(sqs, dlq_url),
            "maxReceiveCount": definitions.MAX_RECEIVE_COUNT,
        }
        url = sqs.create_queue(
            QueueName=rule.queue,
            Attributes={
                "RedrivePolicy": json.dumps(redrive),
                "VisibilityTimeout": str(definitions.VISIBILITY_TIMEOUT_SECONDS),
            },
        )["QueueUrl"]
        arn = _arn(sqs, url)
        events.put_rule(
            Name=rule.name,
            EventBusName=definitions.BUS_NAME,
            EventPattern=json.dumps(rule.pattern),
            Description=rule.description,
        )
        events.put_targets(
            Rule=rule.name, EventBusName=definitions.BUS_NAME, Targets=[{"Id": "queue", "Arn": arn}]
        )
        created.append(RuleQueue(rule, url, arn))
    return created


def _arn(sqs: SQSClient, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _invoke(function: str, handler: Handler, event: dict[str, Any]) -> set[str]:
    """Runs the handler as Lambda would; the identifiers of the records it failed (all when it raised)."""
    context = LambdaContext(function_name=f"kairos-{function}", aws_request_id=str(uuid.uuid4()))
    try:
        result = handler(event, context)
    except Exception:
        log.exception("%s failed; its batch will be retried", function)
        return {"*"}
    failures = (result or {}).get("batchItemFailures", []) if isinstance(result, dict) else []
    return {str(f["itemIdentifier"]) for f in failures}


class StreamReader:
    """Reads the table's stream from LATEST and feeds the stream mapper function, one batch at a time."""

    def __init__(self, settings: Settings, module: ModuleType) -> None:
        session = boto3.session.Session()
        self._streams = session.client("dynamodbstreams", region_name=settings.region)
        table = session.client("dynamodb", region_name=settings.region).describe_table(
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

    def run(self, stop: threading.Event) -> None:
        pending: list[dict[str, Any]] = []
        while not stop.wait(POLL_SECONDS):
            try:
                for n, iterator in enumerate(self._iterators):
                    page = self._streams.get_records(ShardIterator=iterator, Limit=100)
                    self._iterators[n] = page["NextShardIterator"]
                    pending += [self._lambda_record(r) for r in page["Records"]]
                pending = self._deliver(pending)
            except Exception:
                log.exception("stream reader: will try again")

    def _deliver(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records still to deliver: from the first failed one on (all, when the handler raised)."""
        if not records:
            return records
        failed = _invoke(definitions.STREAM_CONSUMER, self._handler, {"Records": records})
        if "*" in failed:
            return records
        first = next((n for n, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] in failed), None)
        return [] if first is None else records[first:]

    def _lambda_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A GetRecords record as Lambda passes it: the creation time in epoch seconds, the source ARN."""
        stream = dict(record["dynamodb"])
        created = stream.get("ApproximateCreationDateTime")
        stream["ApproximateCreationDateTime"] = (
            created.timestamp() if isinstance(created, datetime) else float(created or 0)
        )
        return {**record, "dynamodb": stream, "eventSourceARN": self._stream_arn, "awsRegion": self._region}


class QueuePoller:
    """Feeds one rule's queue to the function the stack subscribes to it."""

    def __init__(self, settings: Settings, queue: RuleQueue, module: ModuleType) -> None:
        self._sqs: SQSClient = boto3.session.Session().client("sqs", region_name=settings.region)
        self._queue = queue
        self._region = settings.region
        self._handler: Handler = module.lambda_handler

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                self._poll_once()
            except Exception:
                log.exception("queue poller %s: will try again", self._queue.rule.queue)

    def _poll_once(self) -> None:
        messages = self._sqs.receive_message(
            QueueUrl=self._queue.url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        event = {"Records": [self._lambda_record(m) for m in messages]}
        failed = _invoke(self._queue.rule.consumer, self._handler, event)
        done = [m for m in messages if "*" not in failed and m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue.url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
            )

    def _lambda_record(self, message: "MessageTypeDef") -> dict[str, Any]:
        body = message["Body"]
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": body,
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._queue.arn,
            "awsRegion": self._region,
        }


def start_event_chain(settings: Settings, stop: threading.Event) -> list[threading.Thread]:
    """Creates the bus, rules and queues, and starts the stream reader and the queue pollers (daemon
    threads that end when `stop` is set). Call it after the snapshot is loaded: the reader starts at
    LATEST."""
    session = boto3.session.Session()
    queues = create_bus_and_rules(
        session.client("events", region_name=settings.region),
        session.client("sqs", region_name=settings.region),
    )
    workers: list[tuple[str, Callable[[threading.Event], None]]] = [
        ("stream-reader", StreamReader(settings, load_function(definitions.STREAM_CONSUMER)).run)
    ]
    for queue in queues:
        workers.append(
            (
                f"poller-{queue.rule.queue}",
                QueuePoller(settings, queue, load_function(queue.rule.consumer)).run,
            )
        )
    threads = [threading.Thread(target=run, args=(stop,), name=name, daemon=True) for name, run in workers]
    for thread in threads:
        thread.start()
    return threads
