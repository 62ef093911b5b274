"""Usage through the local server: the figures match the requests made, and a used-up quota is a 429."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from kairos.storage import keys
from kairos.storage.dynamodb import to_item
from kairos.storage.usage_store import UsageStore
from kairos.usage.report import month_bounds
from tests.integration.conftest import Api, LocalServer

DEADLINE_SECONDS = 60


def test_usage_counts_the_requests_made(api: Api, local_server: LocalServer) -> None:
    for _ in range(5):
        assert api.get("/project").status_code == 200
    assert api.get("/locations/not-an-id").status_code == 404
    store = UsageStore(local_server.store.table)
    first, last = month_bounds(datetime.now(UTC))
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if sum(d.requests for d in store.days(api.project_id, first, last)) >= 6:
            break
        time.sleep(0.2)
    usage = api.get("/project/usage")
    assert usage.status_code == 200, usage.text
    body = usage.json()
    assert body["totals"]["requests"] == 6  # this request is counted after it is answered
    assert body["quota"]["used"] == 6 and body["plan"]["name"] == "free"
    assert body["totals"]["average_processing_time_ms"] is not None


def _metered(local_server: LocalServer, project_id: str, requests: int) -> None:
    """Requests metering counted this month before the project's first request through this server."""
    table = local_server.store.table
    today = datetime.now(UTC).date().isoformat()
    used = {
        **keys.usage_day(project_id, today, "a-writer"),
        "day": today,
        "requests": requests,
        "processing_ms": 0,
    }
    table.client.put_item(TableName=table.name, Item=to_item(used))


def test_a_project_over_its_monthly_quota_gets_a_clear_429(api: Api, local_server: LocalServer) -> None:
    _metered(local_server, api.project_id, 2_500)
    refused = api.get("/project")
    assert refused.status_code == 429
    assert refused.json() == {
        "message": "The monthly request quota of your plan (free: 2,500 requests) is used up."
    }
    assert refused.headers["x-ratelimit-limit"]


def test_the_quota_admits_exactly_the_requests_left_however_many_arrive_at_once(
    api: Api, local_server: LocalServer
) -> None:
    _metered(local_server, api.project_id, 2_490)  # a free project: 10 requests left this month
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: api.get("/locations").status_code, range(40)))
    assert (statuses.count(200), statuses.count(429)) == (10, 30)
    usage = api.get("/project/usage")  # still answers: the customer can see why they are blocked
    assert usage.status_code == 200
    assert usage.json()["plan"]["requests_per_month"] == 2_500
    assert api.get("/project").status_code == 429
