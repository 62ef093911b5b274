"""A project's request log is spread over shards (no partition takes every request of a project), yet it
reads as one log: newest first, paged by stable cursors, with the entries written before the spread."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.storage import keys, request_log_store
from kairos.storage.dynamodb import to_item
from kairos.storage.request_log_store import RequestLogStore, log_item
from kairos.storage.usage_store import UsageStore
from kairos.usage.metering import Metering
from kairos.usage.request_log import LoggedRequest, RequestLog

START = datetime(2030, 5, 20, 8, 0, tzinfo=UTC)


def event(n: int, project_id: str) -> dict[str, Any]:
    at = START + timedelta(milliseconds=137 * n)
    detail = {
        "project_id": project_id,
        "method": "GET",
        "operation_id": "op",
        "status": 200 if n % 3 else 404,
        "duration_ms": 5,
        "time": at.isoformat(),
        "path": f"/v1/r/{n}",
        "epoch_ms": int(at.timestamp() * 1000),
    }
    return {"id": f"event-{n:04d}", "source": "kairos.usage", "detail-type": "api.request", "detail": detail}


def legacy_entry(container: Container, project_id: str, n: int) -> None:
    """An entry as written before the spread: in the project's one log partition."""
    at = START + timedelta(milliseconds=137 * n)
    logged = LoggedRequest(f"old-{n:04d}", project_id, at, "GET", f"/v1/r/{n}", 200, 5, None, None, None)
    item = {**log_item(logged), **{"PK": keys.request_log_partition(project_id)}}
    container.table.client.put_item(TableName=container.table.name, Item=to_item(item))


def every_page(log: RequestLog, project_id: str, query: dict[str, str]) -> list[str]:
    seen: list[str] = []
    while True:
        page = log.page(project_id, query)
        seen += [row["path"] for row in page["data"]]
        if page["next_cursor"] is None:
            return seen
        query = {**query, "cursor": page["next_cursor"]}


@pytest.fixture
def logged(container: Container, principal: Principal) -> list[int]:
    metering = Metering(UsageStore(container.table))
    numbers = [n for n in range(150) if n % 10]  # legacy entries take the tenth ones, interleaved
    for first in range(0, len(numbers), 40):
        assert metering.record_all([event(n, principal.project_id) for n in numbers[first : first + 40]])
    for n in range(0, 150, 10):
        legacy_entry(container, principal.project_id, n)
    return list(range(150))


def test_a_projects_entries_spread_over_many_partitions(
    container: Container, principal: Principal, logged: list[int]
) -> None:
    shards = {
        shard
        for shard in range(keys.REQUEST_LOG_SHARDS)
        if list(container.table.query(keys.request_log_shard(principal.project_id, shard)))
    }
    assert len(shards) > keys.REQUEST_LOG_SHARDS // 2


def test_the_shards_and_the_old_partition_read_as_one_log_newest_first_page_by_page(
    container: Container, principal: Principal, logged: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_log_store, "SHARD_PAGE", 2)  # shards run out within a page: read on
    log = RequestLog(RequestLogStore(container.table))
    newest_first = [f"/v1/r/{n}" for n in reversed(logged)]
    assert every_page(log, principal.project_id, {"limit": "7"}) == newest_first
    assert every_page(log, principal.project_id, {"limit": "100"}) == newest_first
    not_found = [f"/v1/r/{n}" for n in reversed(logged) if n % 3 == 0 and n % 10]
    assert every_page(log, principal.project_id, {"limit": "4", "status": "404"}) == not_found


def test_a_cursor_stays_valid_while_newer_entries_arrive(
    container: Container, principal: Principal, logged: list[int]
) -> None:
    log = RequestLog(RequestLogStore(container.table))
    first = log.page(principal.project_id, {"limit": "10"})
    Metering(UsageStore(container.table)).record_all(
        [event(n, principal.project_id) for n in range(150, 160)]
    )
    second = log.page(principal.project_id, {"limit": "10", "cursor": first["next_cursor"]})
    assert [row["path"] for row in second["data"]] == [f"/v1/r/{n}" for n in range(139, 129, -1)]
