"""The local server's own AWS clients (its set-up and the event chain), made from one boto3 session of
their own: botocore loads its endpoint data once for all of them (a session per client loaded it at every
client, about 50 ms of CPU each at every start). Not the functions' session (`kairos.aws_clients`): the
fault mode (`kairos_local.faults`) hooks that one, and must reach the functions' calls alone."""

from functools import cache
from typing import Any

import boto3


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def client(service_name: str, region_name: str) -> Any:
    """A client of the tools' session. Made on the main thread at start (a session is not thread-safe;
    its clients are)."""
    return _session().client(service_name, region_name=region_name)  # type: ignore[call-overload]
