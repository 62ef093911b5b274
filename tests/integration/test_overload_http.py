"""Overload through the local server, with the fault mode switched on as a person would, by the
`KAIROS_LOCAL_FAULTS` setting the server starts with (docs/local.md): a throttled read is a 503 with
`Retry-After` in Hapio's shape, and the usage writes, throttled and conflicting, lose no request and
count none twice."""

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from kairos.abilities import ALL_ABILITIES
from kairos.storage.usage_store import UsageStore
from tests.integration.conftest import FAST_WEBHOOK_RETRIES, Api, LocalServer, serving

FAULTS = [
    # every read of a resource's own partition (its schedule, its timeline), however often it is tried
    {"partition": "PROJECT#*#RESOURCE#*", "on": "read", "error": "ThrottlingException"},
    # the metering's transactions: every other one cancelled by a conflict, one in three of the rest by
    # throttling (at most 3 attempts in a row fail: each is written on a retry)
    {"partition": "USAGE#*", "on": "write", "error": "TransactionConflict", "every": 2},
    {"partition": "USAGE#*", "on": "write", "error": "ProvisionedThroughputExceededException", "every": 3},
]
DEADLINE_SECONDS = 60


def test_a_throttled_read_is_a_503_and_every_request_is_counted_once(tmp_path: Path) -> None:
    settings = {**FAST_WEBHOOK_RETRIES, "KAIROS_LOCAL_FAULTS": json.dumps(FAULTS)}
    with serving(tmp_path, settings) as faulty_server:
        project_id = _requests_counted_once_under_faults(faulty_server)
    hits = [line for line in faulty_server.output.splitlines() if line.startswith("fault: ")]
    assert any("TransactionConflict on USAGE#" in line for line in hits)  # every other usage write
    assert any("ProvisionedThroughputExceededException on USAGE#" in line for line in hits)
    assert any(f"ThrottlingException on PROJECT#{project_id}#RESOURCE#" in line for line in hits)


def _requests_counted_once_under_faults(faulty_server: LocalServer) -> str:
    admin = faulty_server.store.projects
    project = admin.create_project("Busy clinic", rate_limit=1000)
    _, token = admin.create_token(project.id, "all", list(ALL_ABILITIES))
    api = Api(faulty_server.base_url, token, project.id, requests.Session())
    resource = api.post("/resources", {"name": "Dr. Busy", "max_simultaneous_bookings": 1})
    assert resource.status_code == 201, resource.text
    for _ in range(3):
        assert api.get("/project").status_code == 200
    refused = api.get(f"/resources/{resource.json()['id']}/schedule-blocks")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json() == {"message": "The table is busy; try again."}
    made = 5  # the 503 too: it was admitted, and counted against the limits, before the read failed
    store = UsageStore(faulty_server.store.table)
    today = datetime.now(UTC).date().isoformat()

    def counted_once(wanted: int) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while (counted := sum(d.requests for d in store.days(project.id, today, today))) < wanted:
            assert time.monotonic() < deadline, "the usage was not counted in time"
            time.sleep(0.2)
        assert counted == wanted

    counted_once(made)
    assert api.get("/project").status_code == 200  # counted after the others: none of them twice
    counted_once(made + 1)
    return project.id
