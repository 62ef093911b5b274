"""The SQS adapter of the retry queue: retry messages go back to the webhook queue with a delay. The queue
URL comes from KAIROS_WEBHOOK_QUEUE_URL (the stack sets it); locally it is looked up by the queue's name."""

import json
from collections.abc import Mapping
from typing import Any

from kairos.events.definitions import WEBHOOK_RULE
from kairos.messaging.sqs_queue import SqsQueue

QUEUE_URL_ENV = "KAIROS_WEBHOOK_QUEUE_URL"


class SqsRetryQueue:
    def __init__(self, region: str) -> None:
        # made by the first retry: functions that never redeliver never pay for it
        self._queue = SqsQueue(region, WEBHOOK_RULE.queue, QUEUE_URL_ENV)

    def send(self, message: Mapping[str, Any], delay_seconds: int) -> None:
        client, url = self._queue.connect()
        client.send_message(QueueUrl=url, MessageBody=json.dumps(dict(message)), DelaySeconds=delay_seconds)
