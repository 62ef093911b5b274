"""A plan or rate-limit change made with the operator CLI, against the running local store, applies to the
project's very next request, although the API's warm instances have its token cached."""

import json
import subprocess
import sys
from typing import Any

from tests.integration.conftest import ApiFactory, LocalServer


def kairos(server: LocalServer, *words: str) -> dict[str, Any]:
    """`kairos --local ...` as an operator runs it, on the running server's data folder."""
    command = [sys.executable, "-m", "kairos_cli", "--local", "--data-dir", str(server.data_dir), *words]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_a_plan_or_rate_limit_change_applies_to_the_next_request(
    new_api: ApiFactory, local_server: LocalServer
) -> None:
    api = new_api(rate_limit=100)
    served = [api.get("/project").headers["x-ratelimit-limit"] for _ in range(3)]  # its token is cached
    assert served == ["100"] * 3

    changed = kairos(local_server, "project", "plan", api.project_id, "tier2")
    assert (changed["plan"], changed["rate_limit"]) == ("tier2", 250)
    assert api.get("/project").headers["x-ratelimit-limit"] == "250"

    assert kairos(local_server, "project", "rate-limit", api.project_id, "1")["rate_limit"] == 1
    answers = [api.get("/project") for _ in range(3)]  # at least two of them in one calendar minute
    assert {a.headers["x-ratelimit-limit"] for a in answers} == {"1"}
    assert 429 in {a.status_code for a in answers}
