"""The SQS adapter of the usage events (`kairos.usage.events`): each counted request's event is one
SendMessage to the usage queue, which the metering consumer reads (docs/usage.md, "What is counted").
The queue URL comes from KAIROS_USAGE_QUEUE_URL (the stack sets it on the API functions); locally it is
looked up by the queue's name.

Why SQS and not the bus: a standard queue has no per-account call quota, where PutEvents has 2,400 calls a
second in eu-central-1, which one busy project passes (docs/scale.md).

A refused send is sent again: a throttled call, a server error, a timeout or a dropped connection, up to
SEND_ATTEMPTS in all, after full-jitter waits (`kairos.storage.retries.jittered_wait`), as long as the
wait ends within SEND_BUDGET_SECONDS of the first send and before the request's deadline
(`kairos.deadline`); each send times out after 1 s to connect and 1 s to read, so SQS unreachable holds
a request's answer 4 s at most (2 s, then a last send). Sending again is safe because the event's id is
drawn once, before the first send: when a send that timed out had landed, the metering consumer counts
that id once. What still fails (SQS down, or refusing the queue: its URL or the role's permission wrong)
is logged with the event, which an operator may send again, and counted in the `UsageEventsNotSent`
metric; the request is answered all the same, since counting never fails the request it counts.
"""

import json
import time
import uuid

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from kairos import deadline
from kairos.events.definitions import USAGE_FEED
from kairos.messaging.sqs_queue import SqsQueue
from kairos.observability import Metric, count, logger
from kairos.storage.retries import jittered_wait
from kairos.usage.events import ApiRequest, usage_event

QUEUE_URL_ENV = "KAIROS_USAGE_QUEUE_URL"
SEND_ATTEMPTS = 5  # the waits between them: at most 0.05 + 0.1 + 0.2 + 0.4 s
SEND_BUDGET_SECONDS = 2.0  # from the first send, by when a wait must end for another send to be made
# The error codes after which the same send may succeed a moment later (besides any 5xx and 429), with the
# legacy query-protocol prefix (`AWS.SimpleQueueService.`) taken off.
RETRYABLE_CODES = frozenset(
    {"RequestThrottled", "ThrottlingException", "Throttling", "KmsThrottled", "ServiceUnavailable"}
)
# One attempt per call: the retries are this module's, bounded by the deadline, not botocore's.
_CLIENT_CONFIG = Config(
    connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1, "mode": "standard"}
)


def retryable(error: Exception) -> bool:
    """Whether a failed send may succeed when sent again: a lost connection or a timeout, a throttle, a
    server error; not a missing queue or a refused permission."""
    if isinstance(error, BotoCoreError):
        return True
    if not isinstance(error, ClientError):
        return False
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    code = str(error.response.get("Error", {}).get("Code") or "").rsplit(".", 1)[-1]
    return status >= 500 or status == 429 or code in RETRYABLE_CODES


class SqsUsageEmitter:
    def __init__(self, region: str) -> None:
        # made on the first event: a function pays for the client once an instance
        self._queue = SqsQueue(region, USAGE_FEED.queue, QUEUE_URL_ENV, config=_CLIENT_CONFIG)

    def emit(self, request: ApiRequest) -> None:
        event = usage_event(request, str(uuid.uuid4()))
        body = json.dumps(event)
        attempt, started = 0, time.monotonic()
        while True:
            attempt += 1
            try:
                client, url = self._queue.connect()
                client.send_message(QueueUrl=url, MessageBody=body)
                return
            except Exception as error:  # counting must never fail the request it counts
                wait = jittered_wait(attempt)
                in_time = time.monotonic() + wait - started <= SEND_BUDGET_SECONDS and deadline.allows(wait)
                if not retryable(error) or attempt >= SEND_ATTEMPTS or not in_time:
                    count(Metric.USAGE_EVENTS_NOT_SENT)
                    logger.exception(
                        "usage event not sent", extra={"attempts": attempt, "usage_event": event}
                    )
                    return
                time.sleep(wait)
