"""The request log, written by the metering consumer from the usage events: newest first, filtered by
status (code or class), method, path prefix and time range, paged by cursor, the request's and the answer's
bodies kept with their secrets redacted, entries expiring after 30 days, and each token's last use noted."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from kairos.storage import keys
from kairos.storage.request_log_store import RequestLogStore
from kairos.storage.usage_store import UsageStore
from kairos.usage.events import BODY_KEPT_CHARS, OPAQUE, PARSED_AT_MOST, REDACTED, kept_body
from kairos.usage.metering import Metering
from kairos.usage.request_log import RequestLog


def api_event(
    n: int,
    project_id: str,
    method: str,
    path: str,
    status: int,
    body: str | None = None,
    request_body: str | None = None,
) -> dict[str, Any]:
    at = datetime(2030, 5, 20, 8, 0, n, tzinfo=UTC)
    detail = {
        "project_id": project_id,
        "method": method,
        "operation_id": "op",
        "status": status,
        "duration_ms": 10 + n,
        "time": at.isoformat(),
        "path": path,
        "epoch_ms": int(at.timestamp() * 1000),
        "token_id": "token-1",
        "token_name": "widget",
        "body": body,
        "request_body": request_body,
    }
    return {"id": f"event-{n}", "source": "kairos.usage", "detail-type": "api.request", "detail": detail}


@pytest.fixture
def log(container: Container, principal: Principal) -> RequestLog:
    metering = Metering(UsageStore(container.table))
    p = principal.project_id
    events = [
        api_event(1, p, "GET", "/v1/project", 200),
        api_event(
            2, p, "POST", "/v1/locations", 422, '{"message": "The given data was invalid."}', '{"name": ""}'
        ),
        api_event(3, p, "GET", "/v1/locations?page=2", 200, '{"data": []}'),
        api_event(4, p, "DELETE", "/v1/locations/x", 404, '{"message": "The location was not found."}'),
        api_event(5, p, "GET", "/v1/bookings", 500),
    ]
    assert metering.record_all(events)
    assert not metering.record(events[0])  # a redelivered event is neither counted nor logged twice
    return RequestLog(RequestLogStore(container.table))


def paths(page: dict[str, Any]) -> list[str]:
    return [row["path"] for row in page["data"]]


def test_the_log_lists_newest_first_with_the_bodies(log: RequestLog, principal: Principal) -> None:
    page = log.page(principal.project_id, {})
    assert paths(page) == [
        "/v1/bookings",
        "/v1/locations/x",
        "/v1/locations?page=2",
        "/v1/locations",
        "/v1/project",
    ]
    assert page["next_cursor"] is None
    bodies = {row["path"]: row["response_body"] for row in page["data"]}
    assert bodies["/v1/locations"] == '{"message": "The given data was invalid."}'
    assert bodies["/v1/locations?page=2"] == '{"data": []}'  # a 2xx answer's too
    assert bodies["/v1/project"] is None
    sent = {row["path"]: row["request_body"] for row in page["data"]}
    assert sent["/v1/locations"] == '{"name": ""}'
    assert sent["/v1/project"] is None
    assert page["data"][0]["token"] == {"id": "token-1", "name": "widget"}
    assert page["data"][0]["time"] == "2030-05-20T08:00:05+00:00"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "4xx"}, ["/v1/locations/x", "/v1/locations"]),
        ({"status": "404"}, ["/v1/locations/x"]),
        ({"method": "get"}, ["/v1/bookings", "/v1/locations?page=2", "/v1/project"]),
        ({"path": "/v1/locations"}, ["/v1/locations/x", "/v1/locations?page=2", "/v1/locations"]),
        (
            {"from": "2030-05-20T08:00:02+00:00", "to": "2030-05-20T08:00:03+00:00"},
            ["/v1/locations?page=2", "/v1/locations"],
        ),
        ({"status": "2xx", "path": "/v1/locations"}, ["/v1/locations?page=2"]),
    ],
)
def test_filters(log: RequestLog, principal: Principal, query: dict[str, str], expected: list[str]) -> None:
    assert paths(log.page(principal.project_id, query)) == expected


def test_cursor_pages_cover_the_log_once(log: RequestLog, principal: Principal) -> None:
    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    while True:
        page = log.page(principal.project_id, query)
        seen += paths(page)
        if page["next_cursor"] is None:
            break
        query = {"limit": "2", "cursor": page["next_cursor"]}
    assert seen == paths(log.page(principal.project_id, {}))


@pytest.mark.parametrize(
    "query",
    [
        {"status": "6xx"},
        {"method": "FLY"},
        {"path": "v1"},
        {"limit": "0"},
        {"cursor": "%%%"},
        {"from": "today"},
    ],
)
def test_bad_filters_are_a_422(log: RequestLog, principal: Principal, query: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        log.page(principal.project_id, query)
    assert list(refused.value.errors) == [next(iter(query))]


def test_entries_expire_after_30_days_and_the_tokens_last_use_is_noted(
    log: RequestLog, container: Container, principal: Principal
) -> None:
    at = datetime(2030, 5, 20, 8, 0, 1, tzinfo=UTC)
    key = keys.request_log(principal.project_id, int(at.timestamp() * 1000), "event-1")
    item = container.table.get(key)
    assert item is not None
    assert int(item["expires_at"]) == int(at.timestamp()) + 30 * 24 * 3600
    used = RequestLogStore(container.table).last_used(principal.project_id)
    assert used == {"token-1": datetime(2030, 5, 20, 8, 0, 5, tzinfo=UTC)}


def test_another_project_sees_nothing_of_the_log(log: RequestLog, container: Container) -> None:
    other = container.projects.create_project("Other")
    assert log.page(other.id, {})["data"] == []


WEBHOOK_SECRET = "whsec_" + "ab12" * 16
FEED_KEY = "0f" * 32
API_TOKEN = "Qx7" * 16


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (  # a webhook's signing secret, under its key
            {"id": "9b1de0b4-4fd1-4d43-9a44-4f3c4cbb2a3b", "secret": WEBHOOK_SECRET},
            {"id": "9b1de0b4-4fd1-4d43-9a44-4f3c4cbb2a3b", "secret": REDACTED},
        ),
        (  # a calendar feed's key, inside its url
            {"url": f"https://api.example/v1/calendar-feeds/{FEED_KEY}/calendar.ics"},
            {"url": f"https://api.example/v1/calendar-feeds/{REDACTED}/calendar.ics"},
        ),
        (  # any key naming a secret, at any depth
            {"data": [{"api_key": "short", "note": f"token {API_TOKEN}"}], "Authorization": "Bearer x"},
            {"data": [{"api_key": REDACTED, "note": f"token {REDACTED}"}], "Authorization": REDACTED},
        ),
    ],
)
def test_a_kept_body_never_holds_a_secret(body: dict[str, Any], kept: dict[str, Any]) -> None:
    assert json.loads(kept_body(json.dumps(body)) or "") == kept


def test_a_kept_body_is_cut_after_its_secrets_are_redacted() -> None:
    text = "x " * BODY_KEPT_CHARS + API_TOKEN  # not JSON, and longer than is kept
    assert kept_body(text) == text[:BODY_KEPT_CHARS]
    words = "y " * ((BODY_KEPT_CHARS - 6) // 2)  # the token would be cut after 6 of its characters
    assert kept_body(words + API_TOKEN) == (words + REDACTED)[:BODY_KEPT_CHARS]
    assert kept_body(None) is None and kept_body("") is None


def test_a_body_nested_past_the_parsers_reach_is_kept_as_text_not_a_failure() -> None:
    body = "[" * 50_000  # the API answers it 422; logging it must not turn that into a 500
    assert kept_body(body) == body[:BODY_KEPT_CHARS]


def test_a_long_json_answer_is_kept_as_the_start_of_its_whole_redacted_text() -> None:
    """A listing many times BODY_KEPT_CHARS: the kept start is exactly that of the whole document written
    with its secrets redacted (numbers, booleans, nulls, nesting and non-ASCII text as json.dumps writes
    them), though only that start is redacted."""
    entry = {"name": "Göran ✓", "price": 50.5, "count": 3, "open": True, "note": None, "tags": [], "doc": {}}
    body = {"data": [{**entry, "secret": WEBHOOK_SECRET, "url": f"/feeds/{FEED_KEY}"} for _ in range(200)]}
    redacted = {"data": [{**entry, "secret": REDACTED, "url": f"/feeds/{REDACTED}"} for _ in range(200)]}
    whole = json.dumps(redacted, ensure_ascii=False)
    assert len(whole) > 5 * BODY_KEPT_CHARS
    assert kept_body(json.dumps(body)) == whole[:BODY_KEPT_CHARS]


@pytest.mark.parametrize(
    "start",
    [
        API_TOKEN * 50 + " after",  # a long run redacted: the text after it moves into what is kept
        "z " * ((BODY_KEPT_CHARS - 6) // 2) + API_TOKEN,  # a run the cut would split
        "- " * (BODY_KEPT_CHARS // 2 - 25) + API_TOKEN * 3 + " tail",  # a long run past the first search
        "- " * ((BODY_KEPT_CHARS - 1) // 2) + " " + API_TOKEN,  # a run starting at the last kept character
        "- " * (BODY_KEPT_CHARS // 2 + 20) + API_TOKEN,  # one starting past it: not kept at all
        ("a1 " * 13 + API_TOKEN + ", ") * 60,  # many runs, and short ones among them
    ],
)
def test_a_body_too_long_to_parse_is_kept_as_the_start_of_its_whole_redacted_text(start: str) -> None:
    """A body past PARSED_AT_MOST is redacted by the shape of its text alone, and only as far as it is kept:
    the same start as the whole text's redaction, whatever runs stand at or past the cut."""
    text = start + ("x" * 30 + " ") * (PARSED_AT_MOST // 31 + 1)
    assert len(text) > PARSED_AT_MOST
    assert kept_body(text) == OPAQUE.sub(REDACTED, text)[:BODY_KEPT_CHARS]
