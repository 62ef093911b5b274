"""Shared fixtures: an in-process moto table built from the real table definition (unit tests), a project
with a token to act as, and the local server, started once per test worker exactly as `make dev` starts it
(its own moto, its own data folder), for the integration and browser tests alike."""

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from kairos.config import Settings
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.storage.table_definition import create_table_request
from kairos_local import moto_patches
from tests.integration.conftest import FAST_WEBHOOK_RETRIES, LocalServer, serving

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
_MOTO_LOCK = threading.Lock()


@pytest.fixture
def container(monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    """A container on a fresh in-process moto table (the same CreateTable request as everywhere), with the
    local store's patches to DynamoDB, its stream and SQS (`moto_patches.STORE`: the same answers, compared
    with plain moto's in tests/unit/local/test_moto_patches.py): plain moto copies the whole table once per
    item of a transaction and reads every item for a Query, which took more than half of the unit tests'
    CPU. Cognito stays plain moto's (its local patches hash every password with scrypt). moto answers one
    request at a time, as the local store does (tools/kairos_local/moto_server.py): a transaction is not
    safe from a write in another thread (a parallel webhook attempt)."""
    for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    answer = BotocoreStubber.process_request

    def one_at_a_time(stubber: BotocoreStubber, request: Any) -> Any:
        with _MOTO_LOCK:
            return answer(stubber, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    with mock_aws(), moto_patches.installed(cognito=False):
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
    with serving(tmp_path_factory.mktemp("kairos-data"), FAST_WEBHOOK_RETRIES) as server:
        yield server
