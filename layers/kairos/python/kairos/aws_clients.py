"""AWS clients, all made from one boto3 session per process.

Each new boto3 session loads botocore's endpoint and partition data again: about 60 ms of CPU at a cold
start for every client after the first. One session loads it once. A session is not thread-safe (clients
are), and the local server runs several warm instances of a function in threads of one process, so
clients are made under a lock."""

import threading
from functools import cache
from typing import Any

import boto3

_lock = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def client(service_name: str, **kwargs: Any) -> Any:
    """A new client of the process's session (`boto3.session.Session.client`'s arguments)."""
    with _lock:
        return _session().client(service_name, **kwargs)  # type: ignore[call-overload]


def session_events() -> Any:
    """The session's event hooks: a handler registered here is on every client made afterwards (the local
    server's fault mode puts itself there, `kairos_local.faults`)."""
    with _lock:
        return _session().events
