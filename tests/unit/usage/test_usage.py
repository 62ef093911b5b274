"""Metering roll-up (idempotent), the usage report, and the monthly quota (exact, at any request rate)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.projects.auth import Authenticator, Principal
from kairos.errors import QuotaExceeded, ValidationFailed
from kairos.storage import keys
from kairos.storage.dynamodb import RoundTrips, to_item
from kairos.storage.project_store import ProjectStore
from kairos.storage.rate_store import RateCounterStore
from kairos.storage.usage_store import UsageStore, day_update
from kairos.usage.metering import Metering
from kairos.usage.report import UsageDay, UsageReport

NOW = datetime(2030, 5, 20, 12, 0, tzinfo=UTC)


def usage_event(event_id: str, time: str, duration_ms: int, project_id: str) -> dict[str, Any]:
    detail = {
        "project_id": project_id,
        "method": "GET",
        "operation_id": "getBookings",
        "status": 200,
        "duration_ms": duration_ms,
        "time": time,
    }
    return {"id": event_id, "source": "kairos.usage", "detail-type": "api.request", "detail": detail}


def test_requests_are_rolled_up_per_day_and_a_redelivered_event_counts_once(
    container: Container, principal: Principal
) -> None:
    store = UsageStore(container.table)
    metering = Metering(store)
    p = principal.project_id
    assert metering.record(usage_event("a", "2030-05-19T23:59:59+00:00", 30, p))
    assert metering.record(usage_event("b", "2030-05-20T00:00:01+00:00", 10, p))
    assert metering.record(usage_event("c", "2030-05-20T08:00:00+00:00", 20, p))
    assert not metering.record(usage_event("c", "2030-05-20T08:00:00+00:00", 20, p))  # SQS redelivery
    container.table.client.update_item(
        **day_update(container.table.name, p, "2030-05-20", {"webhook_attempts": 1}, "a-writer")
    )
    assert store.days(p, "2030-05-01", "2030-05-31") == [
        UsageDay("2030-05-19", 1, 30, 0),
        UsageDay("2030-05-20", 2, 30, 1),
    ]
    report = UsageReport(store, lambda: NOW).report(
        principal.project, {"from": "2030-05-19", "to": "2030-05-21"}
    )
    assert report["data"] == [
        {
            "date": "2030-05-19",
            "requests": 1,
            "average_processing_time_ms": 30.0,
            "webhook_delivery_attempts": 0,
        },
        {
            "date": "2030-05-20",
            "requests": 2,
            "average_processing_time_ms": 15.0,
            "webhook_delivery_attempts": 1,
        },
        {
            "date": "2030-05-21",
            "requests": 0,
            "average_processing_time_ms": None,
            "webhook_delivery_attempts": 0,
        },
    ]
    assert report["totals"] == {
        "requests": 3,
        "average_processing_time_ms": 20.0,
        "webhook_delivery_attempts": 1,
    }
    assert report["quota"] == {"month": "2030-05", "used": 3, "remaining": 2_497}
    assert report["plan"]["name"] == "free"


def test_the_report_defaults_to_this_month(container: Container, principal: Principal) -> None:
    report = UsageReport(UsageStore(container.table), lambda: NOW).report(principal.project, {})
    assert [report["data"][0]["date"], report["data"][-1]["date"]] == ["2030-05-01", "2030-05-31"]


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2030-13-01"},
        {"from": "2030-05-10", "to": "2030-05-01"},
        {"from": "2029-01-01", "to": "2030-05-01"},
    ],
)
def test_bad_ranges_are_a_422(container: Container, principal: Principal, query: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed):
        UsageReport(UsageStore(container.table), lambda: NOW).report(principal.project, query)


def _authenticator(container: Container, at: datetime = NOW) -> Authenticator:
    """An Authenticator as one Lambda instance has it: its own counter store (and its memory)."""
    counter = RateCounterStore(container.table, UsageStore(container.table).month_requests)
    return Authenticator(ProjectStore(container.table), counter, clock=lambda: at)


def _metered(container: Container, project_id: str, requests: int) -> None:
    """Requests already counted by metering this month (before the month's quota counter exists)."""
    day = {**keys.usage_day(project_id, "2030-05-02", "a-writer"), "day": "2030-05-02", "requests": requests}
    container.table.client.put_item(TableName=container.table.name, Item=to_item(day))


def _on_plan(principal: Principal, plan: str) -> Principal:
    return replace(principal, project=replace(principal.project, plan=plan))


def test_a_project_over_its_monthly_quota_gets_a_429_that_says_so(
    container: Container, principal: Principal
) -> None:
    _metered(container, principal.project_id, 2_500)
    with pytest.raises(QuotaExceeded) as raised:
        _authenticator(container).count_request(principal)
    assert str(raised.value) == "The monthly request quota of your plan (free: 2,500 requests) is used up."
    assert raised.value.retry_after == 11 * 86400 + 12 * 3600


def test_the_quota_admits_exactly_the_requests_left_across_instances_and_minutes(
    container: Container, principal: Principal
) -> None:
    _metered(container, principal.project_id, 2_490)
    instances = [_authenticator(container, NOW + timedelta(seconds=30 * n)) for n in range(4)]
    admitted = refused = 0
    for n in range(24):  # four instances, their clocks across two minutes, interleaved
        try:
            instances[n % 4].count_request(principal)
            admitted += 1
        except QuotaExceeded:
            refused += 1
    assert (admitted, refused) == (10, 14)
    assert _counted_this_month(container, principal.project_id) == 2_500  # refusals are not counted


def test_the_usage_report_route_answers_and_is_counted_when_the_quota_is_used_up(
    container: Container, principal: Principal
) -> None:
    _metered(container, principal.project_id, 2_500)
    auth = _authenticator(container)
    assert auth.count_request(principal, within_quota=False).remaining == 9_999
    with pytest.raises(QuotaExceeded):
        auth.count_request(principal)
    assert _counted_this_month(container, principal.project_id) == 2_501


def test_an_unlimited_plan_is_never_refused_for_its_month(container: Container, principal: Principal) -> None:
    _metered(container, principal.project_id, 10**9)
    assert _authenticator(container).count_request(_on_plan(principal, "enterprise")).remaining == 9_999


def test_a_request_costs_one_round_trip_once_the_instance_counts_in_its_minute(
    container: Container, principal: Principal
) -> None:
    auth = _authenticator(container)
    RoundTrips.reset()
    auth.count_request(principal)  # the month's first: a failed update, the metered usage, the creation
    first = (RoundTrips.count(), RoundTrips.waves())  # the usage: one Query per partition, at once
    RoundTrips.reset()
    for _ in range(5):
        auth.count_request(principal)
    assert (first, RoundTrips.count()) == ((2 + len(keys.usage_partitions(principal.project_id)), 3), 5)


def _counted_this_month(container: Container, project_id: str) -> int:
    item = container.table.get(keys.rate_counter(project_id, "2030-05", 0))
    assert item is not None
    return int(item["month_hits"])


def test_a_batch_is_counted_in_one_write_and_a_batch_with_a_redelivered_event_counts_nothing(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = UsageStore(container.table)
    metering = Metering(store)
    p = principal.project_id
    writes: list[int] = []
    transact = container.table.client.transact_write_items

    def counted(**request: Any) -> Any:
        writes.append(len(request["TransactItems"]))
        return transact(**request)

    monkeypatch.setattr(container.table.client, "transact_write_items", counted)
    first = [usage_event(n, "2030-05-20T08:00:00+00:00", 10, p) for n in ("a", "b", "c")]
    assert metering.record_all([*first, usage_event("d", "2030-05-21T08:00:00+00:00", 40, p)])
    assert writes == [6]  # four log entries (each marks its event as counted), one update per day
    again = [
        usage_event("c", "2030-05-20T08:00:00+00:00", 10, p),
        usage_event("e", "2030-05-20T09:00:00+00:00", 5, p),
    ]
    assert not metering.record_all(again)  # "c" was counted: nothing is, so each can go alone
    assert [metering.record(event) for event in again] == [False, True]
    assert store.days(p, "2030-05-01", "2030-05-31") == [
        UsageDay("2030-05-20", 4, 35, 0),
        UsageDay("2030-05-21", 1, 40, 0),
    ]


def test_a_batch_holding_an_event_of_another_kind_is_left_to_one_by_one(
    container: Container, principal: Principal
) -> None:
    metering = Metering(UsageStore(container.table))
    odd = {**usage_event("x", "2030-05-20T08:00:00+00:00", 1, principal.project_id), "detail-type": "other"}
    assert not metering.record_all(
        [usage_event("y", "2030-05-20T08:00:00+00:00", 1, principal.project_id), odd]
    )
    assert not metering.record(odd)
