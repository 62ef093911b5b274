"""Shared fixtures: an in-process moto table built from the real table definition (unit tests), a project
with a token to act as, and the local server, started once per test worker exactly as `make dev` starts it
(its own moto, its own data folder), for the integration and browser tests alike."""

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

from kairos.config import Settings
from kairos.container import Container
from kairos.domain.auth import Principal
from kairos.storage.table_definition import create_table_request
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import running_endpoint, use_local_store
from tests.integration.conftest import FAST_WEBHOOK_RETRIES, LOCAL_TOKEN, LocalServer

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


@pytest.fixture
def container(monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    """A container on a fresh in-process moto table (the same CreateTable request as everywhere)."""
    for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        settings = Settings(table_name="kairos-test", region="eu-central-1", dynamodb_endpoint=None)
        built = Container.from_settings(settings)
        built.table.client.create_table(**create_table_request(settings.table_name))
        yield built


@pytest.fixture
def principal(container: Container) -> Principal:
    """A project and a token with every ability, authenticated."""
    project = container.projects.create_project("Test clinic", rate_limit=10_000)
    _, value = container.projects.create_token(project.id, "all", None)
    return container.auth.authenticate(f"Bearer {value}")


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    data_dir = tmp_path_factory.mktemp("kairos-data")
    port = free_port()
    process = start_server(data_dir, port, LOCAL_TOKEN, FAST_WEBHOOK_RETRIES)
    endpoint = running_endpoint(data_dir)
    assert endpoint is not None
    saved = dict(os.environ)
    use_local_store(endpoint)
    store = Container.from_environment()
    _ = store.table.client  # made while the environment points at the local store (clients are lazy)
    os.environ.clear()
    os.environ.update(saved)
    yield LocalServer(f"http://127.0.0.1:{port}/v1", data_dir, process, store)
    stop_server(process)
