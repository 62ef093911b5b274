"""Schemathesis finds nothing over the served OpenAPI documents, the API's (issue 12) and the admin API's
(issue 21): no server error, every status, content type, header and body as documented, schema-valid data
accepted (save the operations schemathesis.toml names, whose rules JSON Schema cannot state),
schema-invalid data refused, undeclared methods answered 405, authentication enforced, created entities
readable and deleted ones gone.

Both run against one local server of their own: a fresh store makes the runs the same every time, and the
server admits more requests without a token per address (KAIROS_ANONYMOUS_RATE_LIMIT) and more log-in,
registration and reset attempts (KAIROS_PORTAL_ATTEMPTS_PER_MINUTE) than its defaults, because schemathesis
checks every operation without credentials and with wrong ones, and calls the account routes hundreds of
times. The API's project is on the unlimited plan with a high per-minute limit, so the quota and the rate
limit refuse nothing it sends with the token. The admin API's runs as a member (not the owner) of a
project: its routes act on that project (`KAIROS_SCHEMATHESIS_PROJECT`), which a member cannot delete.
The two runs take about two minutes (about 110 s of CPU), most of it the coverage phase's walk over every
way to break each field. They are one xdist group: one worker runs both, on one server.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kairos.abilities import ALL_ABILITIES
from kairos.container import Container
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import running_endpoint, use_local_store
from tests.integration.conftest import LOCAL_TOKEN
from tests.integration.portal import Person, last_link_token

pytestmark = pytest.mark.xdist_group("schemathesis")

CONFIG = Path(__file__).with_name("schemathesis.toml")
RUN_SECONDS = 600  # a hang, not a budget
GENEROUS = {"KAIROS_ANONYMOUS_RATE_LIMIT": "100000", "KAIROS_PORTAL_ATTEMPTS_PER_MINUTE": "100000"}


@dataclass(frozen=True)
class Served:
    root: str  # http://127.0.0.1:<port>
    api_token: str  # every ability, for /v1
    id_token: str  # a Portal member's, for /portal
    project_id: str  # the member's project


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("kairos-schemathesis")
    port = free_port()
    process = start_server(data_dir, port, LOCAL_TOKEN, GENEROUS)
    endpoint = running_endpoint(data_dir)
    assert endpoint is not None
    saved = dict(os.environ)
    use_local_store(endpoint)
    try:  # the clients are made at their first call: the store's settings must still be there
        admin = Container.from_environment().projects
        project = admin.create_project("Schemathesis", plan="enterprise", rate_limit=1_000_000)
        _, token = admin.create_token(project.id, "schemathesis", list(ALL_ABILITIES))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    root = f"http://127.0.0.1:{port}"
    owner, member = (Person(root, data_dir / "outbox").signed_up() for _ in range(2))
    shared = owner.call("POST", "/projects", {"name": "Schemathesis"}).json()["id"]
    assert owner.call("POST", f"/projects/{shared}/invitations", {"email": member.email}).ok
    invitation = last_link_token(data_dir / "outbox", member.email)
    assert member.call("POST", "/invitations/accept", {"token": invitation}).ok
    yield Served(root, token, member.id_token, shared)
    stop_server(process)


def _schemathesis(served: Served, document: str, token: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run"]
    environment = {
        **os.environ,
        "KAIROS_SCHEMATHESIS_TOKEN": token,
        "KAIROS_SCHEMATHESIS_PROJECT": served.project_id,
    }
    return subprocess.run(
        [*command, served.root + document, "--checks", "all", "--no-color"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )


def test_schemathesis_with_every_check_finds_nothing_over_the_apis_document(served: Served) -> None:
    run = _schemathesis(served, "/v1/openapi.json", served.api_token)
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]


def test_schemathesis_with_every_check_finds_nothing_over_the_admin_apis_document(served: Served) -> None:
    run = _schemathesis(served, "/portal/openapi.json", served.id_token)
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
