"""The local store for tools other than the server (the operator CLI, benches): the running local server's
store when there is one, else one started on the data folder for the duration."""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from kairos.container import Container
from kairos_local.bootstrap import ensure_table
from kairos_local.lambda_runtime import FUNCTIONS_DIR
from kairos_local.moto_process import MotoProcess

DEFAULT_DATA_DIR = FUNCTIONS_DIR.parent / ".kairos"
TABLE_NAME = "kairos-local"
ENDPOINT_FILE = "moto-endpoint"


def running_endpoint(data_dir: Path) -> str | None:
    """The endpoint of a running local server's moto, if it answers."""
    marker = data_dir / ENDPOINT_FILE
    if not marker.exists():
        return None
    endpoint = marker.read_text().strip()
    parsed = urlparse(endpoint)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 80), timeout=0.5):
            return endpoint
    except OSError:
        return None


def use_local_store(endpoint: str) -> None:
    """Points this process's AWS clients at the local moto. Only loopback is ever called, so the dummy
    keys are safe; a developer's real AWS settings are set aside so nothing reaches a real account."""
    region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")
    os.environ.update(
        {
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            # botocore's names (from each service id): "DynamoDB Streams", "EventBridge".
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": endpoint,
            "AWS_ENDPOINT_URL_EVENTBRIDGE": endpoint,
            "AWS_ENDPOINT_URL_SQS": endpoint,
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "KAIROS_TABLE_NAME": TABLE_NAME,
            "KAIROS_ALLOW_LOOPBACK_WEBHOOKS": "true",  # receivers on 127.0.0.1 can be tested (loopback only)
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        }
    )
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(name, None)


@contextmanager
def local_container(data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[Container]:
    """A container on the running local server's store, or on the saved data (a store started for the
    duration, which saves when it stops)."""
    endpoint = running_endpoint(data_dir)
    if endpoint is not None:
        use_local_store(endpoint)
        yield Container.from_environment()
        return
    store = MotoProcess(data_dir)
    try:
        use_local_store(store.endpoint)
        container = Container.from_environment()
        ensure_table(container)
        yield container
    finally:
        store.stop()
