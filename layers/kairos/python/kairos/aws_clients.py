"""AWS clients, all made from one boto3 session per process, each answering a store with no room (the local
store's refusal, `STORE_FULL`) with the domain's `StoreFull`, wherever the call is made.

Each new boto3 session loads botocore's endpoint and partition data again: about 60 ms of CPU at a cold
start for every client after the first. One session loads it once. A session is not thread-safe (clients
are), and the local server runs several warm instances of a function in threads of one process, so
clients are made under a lock.

The layer also holds the models of the services the functions call (`MODELS`, written by the layer's build,
`infra/aws_models.py`): botocore's own, less their documentation, and its endpoint data less the services
no function calls. botocore's loader would parse 1.2 MB of endpoint data and every model's documentation,
and list its whole data directory (some 400 services) to check the name of each client's: about 70 ms of
CPU of a cold start's first request, a third of a bare `import boto3`. Run from the source tree (the local
server, the tests) there is no such directory and botocore's own data is read."""

import threading
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.context import get_context
from botocore.loaders import Loader

from kairos.errors import StoreFull

STORE_FULL = "DataFolderFull"  # the error code of a write the local store had no room to keep
_lock = threading.Lock()
# Every service a function makes a client of; the layer's build writes their models (and only theirs).
SERVICES = ("cognito-idp", "dynamodb", "events", "sesv2", "sqs")
MODELS = Path(__file__).with_name("aws_models")  # in the layer only


class LayerModels(Loader):
    """botocore's loader, reading the layer's models before its own data (which stays the fallback for
    any other file), and naming the services the layer holds models of without listing its directory."""

    def list_available_services(self, type_name: str) -> list[str]:
        return list(SERVICES)


@cache
def _session() -> boto3.session.Session:
    core = botocore.session.get_session()
    if MODELS.is_dir():
        core.register_component("data_loader", LayerModels(extra_search_paths=[str(MODELS)]))
    return boto3.session.Session(botocore_session=core)


def client(service_name: str, **kwargs: Any) -> Any:
    """A new client of the process's session (`boto3.session.Session.client`'s arguments)."""
    with _lock:
        made = _session().client(service_name, **kwargs)  # type: ignore[call-overload]
    made.meta.events.register("after-call", _refuse_when_full)
    _keep_user_agent(made)
    return made


def _keep_user_agent(made: Any) -> None:
    """botocore builds a request's User-Agent header from scratch twice (for the request, then again just
    before it is sent, with the features the call used), each a walk sanitizing some 20 parts: about 0.1 ms
    of CPU a request, for the same text every time from one client and one set of features. The client's
    builder keeps the text it built for each set (`tests/unit/test_aws_clients.py`: the same headers)."""
    creator = getattr(made, "_user_agent_creator", None)
    if creator is None or not hasattr(creator, "_client_features"):
        return  # another botocore: its own builder, as it is
    kept: dict[tuple[frozenset[str], frozenset[str]], str] = {}

    def to_string() -> str:
        context = get_context()
        features = frozenset(context.features) if context is not None else frozenset()
        key = (features, frozenset(creator._client_features or ()))
        text = kept.get(key)
        if text is None:
            text = kept[key] = type(creator).to_string(creator)  # botocore's own build
        return text

    creator.to_string = to_string


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
