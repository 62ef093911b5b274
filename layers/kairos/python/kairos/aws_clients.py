"""AWS clients, all made from one boto3 session per process, each answering a store with no room (the local
store's refusal, `STORE_FULL`) with the domain's `StoreFull`, wherever the call is made.

Each new boto3 session loads botocore's endpoint and partition data again: about 60 ms of CPU at a cold
start for every client after the first. One session loads it once. A session is not thread-safe (clients
are), and the local server runs several warm instances of a function in threads of one process, so
clients are made under a lock."""

import threading
from functools import cache
from typing import Any

import boto3

from kairos.errors import StoreFull

STORE_FULL = "DataFolderFull"  # the error code of a write the local store had no room to keep
_lock = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def client(service_name: str, **kwargs: Any) -> Any:
    """A new client of the process's session (`boto3.session.Session.client`'s arguments)."""
    with _lock:
        made = _session().client(service_name, **kwargs)  # type: ignore[call-overload]
    made.meta.events.register("after-call", _refuse_when_full)
    return made


def session_events() -> Any:
    """The session's event hooks: a handler registered here is on every client made afterwards (the local
    server's fault mode puts itself there, `kairos_local.faults`)."""
    with _lock:
        return _session().events


def _refuse_when_full(parsed: dict[str, Any], **_: Any) -> None:
    """Raises StoreFull for the store's no-room answer (not retried: it is not a 5xx botocore retries)."""
    error = parsed.get("Error") or {}
    if error.get("Code") == STORE_FULL:
        raise StoreFull(str(error.get("Message") or "Nothing was written: the store is full."))
