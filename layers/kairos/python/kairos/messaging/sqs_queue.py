"""One SQS queue an adapter sends to: its client and URL, made by the first send, so a function that never
sends never pays for them. The URL comes from the environment variable the stack sets on the functions
that send; locally, where none is set, it is looked up once by the queue's name."""

import os
import threading
from typing import Any

from kairos import aws_clients


class SqsQueue:
    def __init__(self, region: str, name: str, url_env: str, **client_options: Any) -> None:
        self._region, self._name, self._options = region, name, client_options
        self._client: Any = None
        self._url: str | None = os.environ.get(url_env) or None
        self._connecting = threading.Lock()  # senders may send from several threads at once

    def connect(self) -> tuple[Any, str]:
        """The client and the queue's URL."""
        with self._connecting:
            if self._client is None:
                self._client = aws_clients.client("sqs", region_name=self._region, **self._options)
            if self._url is None:
                self._url = str(self._client.get_queue_url(QueueName=self._name)["QueueUrl"])
        return self._client, self._url
