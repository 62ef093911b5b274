"""Schemathesis finds nothing over the served OpenAPI document (issue 12): no server error, every status,
content type, header and body as documented, schema-invalid data refused, undeclared methods answered
405, authentication enforced, created entities readable and deleted ones gone.

It runs against a local server of its own: a fresh store makes the run the same every time, and the
server admits more requests without a token per address (KAIROS_ANONYMOUS_RATE_LIMIT) than the default
100 a minute, because schemathesis checks every operation without credentials and with wrong ones
(about 80 requests in a run of under a minute). Its project is on the unlimited plan with a high
per-minute limit, so the quota and the rate limit refuse nothing it sends with the token.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kairos.abilities import ALL_ABILITIES
from kairos.container import Container
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import running_endpoint, use_local_store
from tests.integration.conftest import LOCAL_TOKEN

CONFIG = Path(__file__).with_name("schemathesis.toml")
RUN_SECONDS = 600  # a hang, not a budget: a run takes about a minute


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The document's url on a server of its own, and a token with every ability."""
    data_dir = tmp_path_factory.mktemp("kairos-schemathesis")
    port = free_port()
    process = start_server(data_dir, port, LOCAL_TOKEN, {"KAIROS_ANONYMOUS_RATE_LIMIT": "100000"})
    endpoint = running_endpoint(data_dir)
    assert endpoint is not None
    saved = dict(os.environ)
    use_local_store(endpoint)
    admin = Container.from_environment().projects
    os.environ.clear()
    os.environ.update(saved)
    project = admin.create_project("Schemathesis", plan="enterprise", rate_limit=1_000_000)
    _, token = admin.create_token(project.id, "schemathesis", list(ALL_ABILITIES))
    yield f"http://127.0.0.1:{port}/v1/openapi.json", token
    stop_server(process)


def test_schemathesis_with_every_check_finds_nothing_over_the_served_document(
    served: tuple[str, str],
) -> None:
    url, token = served
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", url]
    run = subprocess.run(
        [*command, "--checks", "all", "--no-color"],
        env={**os.environ, "KAIROS_SCHEMATHESIS_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
