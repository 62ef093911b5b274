"""The SQS adapter of the retry queue: retry messages go back to the webhook queue with a delay. The queue
URL comes from KAIROS_WEBHOOK_QUEUE_URL (the stack sets it); locally it is looked up by the queue's name."""

import json
import os
import threading
from collections.abc import Mapping
from typing import Any

from kairos import aws_clients
from kairos.events.definitions import WEBHOOK_RULE

QUEUE_URL_ENV = "KAIROS_WEBHOOK_QUEUE_URL"


class SqsRetryQueue:
    def __init__(self, region: str) -> None:
        self._region = region
        self._client: Any = None
        self._url: str | None = os.environ.get(QUEUE_URL_ENV) or None
        self._creating = threading.Lock()  # the dispatcher sends from several threads at once

    def send(self, message: Mapping[str, Any], delay_seconds: int) -> None:
        with self._creating:
            if self._client is None:  # created on first use: API functions that never redeliver never pay
                self._client = aws_clients.client("sqs", region_name=self._region)
            if self._url is None:
                self._url = str(self._client.get_queue_url(QueueName=WEBHOOK_RULE.queue)["QueueUrl"])
        self._client.send_message(
            QueueUrl=self._url, MessageBody=json.dumps(dict(message)), DelaySeconds=delay_seconds
        )
