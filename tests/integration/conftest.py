"""The local server (started once per test worker by the `local_server` fixture of tests/conftest.py, which
the browser tests share) and a small client that creates an isolated project per test through the local
store."""

import os
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from kairos.abilities import ALL_ABILITIES
from kairos.container import Container
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import running_endpoint, use_local_store
from tests.integration.portal import NewPerson, Person

LOCAL_TOKEN = "kairos-test-token-0123456789abcdefghijklmnopqrstuvwxyz"
# The server under test retries webhooks within seconds (production: 30 s doubling, dead after 24 h).
FAST_WEBHOOK_RETRIES = {
    "KAIROS_WEBHOOK_BACKOFF_SECONDS": "1",
    "KAIROS_WEBHOOK_MAX_BACKOFF_SECONDS": "2",
    "KAIROS_WEBHOOK_GIVE_UP_AFTER_SECONDS": "10",
    "KAIROS_WEBHOOK_TIMEOUT_SECONDS": "2",
    # Every Portal test logs in from 127.0.0.1: the per-address limit is tested in the unit tests.
    "KAIROS_PORTAL_ATTEMPTS_PER_MINUTE": "10000",
}


@dataclass
class LocalServer:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[str]
    store: Container
    output: str = ""  # what it printed, once stopped


@contextmanager
def serving(data_dir: Path, settings: Mapping[str, str]) -> Iterator[LocalServer]:
    """A local server as `make dev` starts it (its own store in `data_dir`), with `settings` in its
    environment, and a container on its store for the test's own set-up; stopped with Ctrl-C after (its
    output is then in `output`)."""
    port = free_port()
    process = start_server(data_dir, port, LOCAL_TOKEN, dict(settings))
    endpoint = running_endpoint(data_dir)
    assert endpoint is not None
    saved = dict(os.environ)
    use_local_store(endpoint)
    store = Container.from_environment()
    _ = store.table.client  # made while the environment points at the local store (clients are lazy)
    os.environ.clear()
    os.environ.update(saved)
    server = LocalServer(f"http://127.0.0.1:{port}/v1", data_dir, process, store)
    try:
        yield server
    finally:
        server.output = stop_server(process)


@dataclass
class Api:
    """Requests against the local API with one project's token."""

    base_url: str
    token: str
    project_id: str
    session: requests.Session
    timeout: float = 30.0  # seconds a request may take; racing tests give more, in proportion to the race

    def call(self, method: str, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(
            method, self.base_url + path, json=json, headers=headers, timeout=self.timeout, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("PATCH", path, json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)


ApiFactory = Callable[..., Api]


class _FromAddress(requests.adapters.HTTPAdapter):
    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **{**kwargs, "source_address": (self._address, 0)})


def from_address(address: str) -> requests.Session:
    """A session whose requests come from another loopback address (127.0.0.0/8): what the API counts
    per source address starts afresh, whatever other tests sent from 127.0.0.1."""
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    return session


@pytest.fixture
def new_api(local_server: LocalServer) -> ApiFactory:
    """Makes a fresh project (rate limit high unless asked) and returns a client with a token for it."""

    def make(abilities: list[str] | None = None, rate_limit: int = 10_000) -> Api:
        # 10,000 a minute: the most one counter item takes (keys.RATE_SHARD_PER_MINUTE), as every plan's
        # limit does, so round trips counted here are a plan's; several items are tested on their own.
        admin = local_server.store.projects
        project = admin.create_project("Integration test", rate_limit=rate_limit)
        _, token = admin.create_token(
            project.id, "test", list(ALL_ABILITIES) if abilities is None else abilities
        )
        return Api(local_server.base_url, token, project.id, requests.Session())

    return make


@pytest.fixture
def new_person(local_server: LocalServer) -> NewPerson:
    """Makes a person of the Portal (not registered yet) on the worker's local server."""
    root = local_server.base_url.removesuffix("/v1")
    return lambda: Person(root, local_server.data_dir / "outbox")


@pytest.fixture
def api(new_api: ApiFactory) -> Api:
    return new_api()


Weaker = Callable[[Api, list[str]], Api]


@pytest.fixture
def weaker(local_server: LocalServer) -> Weaker:
    """Another token for the same project, with only `abilities`."""

    def make(api: Api, abilities: list[str]) -> Api:
        _, value = local_server.store.projects.create_token(api.project_id, "weaker", abilities)
        return Api(api.base_url, value, api.project_id, requests.Session())

    return make
