"""The request log keeps each entry's bodies in an item of their own (kairos/storage/request_log_bodies.py):
the entry every request writes in the metering transaction stays within one write unit however long its
bodies, yet a page of the log shows them whole, read in one round trip, and entries logged with their
bodies before the split show them as before."""

import json
from datetime import UTC, datetime
from typing import Any

from bench.heat_model import item_size
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.storage import keys
from kairos.storage.dynamodb import RoundTrips, to_item
from kairos.storage.request_log_store import RequestLogStore, log_item
from kairos.storage.usage_store import UsageStore
from kairos.usage.events import BODY_KEPT_CHARS, kept_body
from kairos.usage.metering import Metering
from kairos.usage.request_log import LoggedRequest, RequestLog
from tests.unit.usage.test_request_log import api_event

AT = datetime(2030, 5, 20, 8, 0, 1, tzinfo=UTC)


def listing(count: int) -> str:
    """An answer's body as the log keeps it: a page of bookings, cut at BODY_KEPT_CHARS."""
    row = {"id": "9b1de0b4-4fd1-4d43-9a44-4f3c4cbb2a3b", "starts_at": "2030-05-20T08:00:00+02:00"}
    return kept_body(json.dumps({"data": [row] * count})) or ""


def stored_entry(container: Container, project_id: str, event_id: str) -> dict[str, Any]:
    key = keys.request_log(project_id, int(AT.timestamp() * 1000), event_id)
    found = container.table.client.get_item(TableName=container.table.name, Key=to_item(key))
    return dict(found["Item"])


def page(container: Container, project_id: str) -> list[dict[str, Any]]:
    return list(RequestLog(RequestLogStore(container.table)).page(project_id, {})["data"])


def test_an_entry_stays_within_one_write_unit_and_its_page_shows_its_bodies_whole(
    container: Container, principal: Principal
) -> None:
    p = principal.project_id
    answer, sent = listing(100), listing(60)
    assert len(answer) == len(sent) == BODY_KEPT_CHARS
    assert Metering(UsageStore(container.table)).record(
        api_event(1, p, "POST", "/v1/bookings", 201, answer, sent)
    )
    entry = stored_entry(container, p, "event-1")
    assert "body" not in entry and "request_body" not in entry
    assert item_size(entry) <= 1024  # 2 units in the metering transaction, as the shards were sized for
    bodies = container.table.get(keys.request_log_bodies(p, "event-1"))
    assert bodies is not None and len(bytes(bodies["bodies"])) < BODY_KEPT_CHARS  # both, compressed
    (row,) = page(container, p)
    assert (row["request_body"], row["response_body"]) == (sent, answer)


def test_a_pages_bodies_come_in_one_round_trip_whatever_its_rows(
    container: Container, principal: Principal
) -> None:
    p = principal.project_id
    events = [api_event(n, p, "GET", f"/v1/locations?page={n}", 200, listing(n)) for n in range(1, 31)]
    assert Metering(UsageStore(container.table)).record_all(events)
    log = RequestLog(RequestLogStore(container.table))
    RoundTrips.reset()
    shown = log.page(p, {"limit": "30"})["data"]
    assert [row["response_body"] for row in shown] == [listing(n) for n in range(30, 0, -1)]
    assert RoundTrips.waves() == 2  # every shard at once, then the rows' bodies
    assert RoundTrips.count() == len(keys.request_log_partitions(p)) + 1


def test_an_entry_without_bodies_writes_no_bodies_item(container: Container, principal: Principal) -> None:
    p = principal.project_id
    assert Metering(UsageStore(container.table)).record(api_event(1, p, "DELETE", "/v1/locations/x", 204))
    assert container.table.get(keys.request_log_bodies(p, "event-1")) is None
    (row,) = page(container, p)
    assert (row["path"], row["request_body"], row["response_body"]) == ("/v1/locations/x", None, None)


def test_an_entry_logged_with_its_bodies_before_the_split_shows_them(
    container: Container, principal: Principal
) -> None:
    p = principal.project_id
    old = LoggedRequest("old-1", p, AT, "POST", "/v1/locations", 422, 5, None, None, '{"message": "x"}', "{}")
    item = {**log_item(old), "body": old.body, "request_body": old.request_body}  # the layout of before
    container.table.client.put_item(TableName=container.table.name, Item=to_item(item))
    (row,) = page(container, p)
    assert (row["request_body"], row["response_body"]) == ("{}", '{"message": "x"}')
