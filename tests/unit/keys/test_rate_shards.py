"""A project whose per-minute limit is more than one counter item should take counts in several items,
its limits split between them: its requests spread, it is never admitted past its limit and gets (almost)
all of it; a change of limits and a project's deletion still apply to the next request. A counter update
in doubt (a server error, a lost answer) is never sent again: one request is counted at most once."""

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from kairos.container import Container
from kairos.domain.projects.auth import Authenticator, Principal, counter_months_from
from kairos.errors import Forbidden, RateLimited, Retryable
from kairos.storage import keys, usage_keys
from kairos.storage.project_store import ProjectStore
from kairos.storage.rate_store import RateCounterStore
from kairos.storage.usage_store import UsageStore

AT = datetime.now(UTC).replace(second=5, microsecond=0)
MONTH = f"{AT:%Y-%m}"


def instance(container: Container) -> Authenticator:
    """One Lambda instance's authenticator: its own counter store and memory."""
    counter = RateCounterStore(container.table, UsageStore(container.table).month_requests)
    return Authenticator(ProjectStore(container.table), counter, clock=lambda: AT)


def project_with_limit(container: Container, per_minute: int) -> Principal:
    project = container.projects.create_project("Busy clinic", rate_limit=per_minute)
    _, value = container.projects.create_token(project.id, "all", None)
    return container.auth.authenticate(f"Bearer {value}")


def admitted(auth: Authenticator, principal: Principal, requests: int) -> int:
    count = 0
    for _ in range(requests):
        try:
            auth.count_request(principal, within_quota=False)
            count += 1
        except RateLimited:
            pass
    return count


def minute_hits(container: Container, project_id: str, shards: int) -> list[int]:
    items = [container.table.get(keys.rate_counter(project_id, MONTH, s)) for s in range(shards)]
    return [int(item["minute_hits"]) if item else 0 for item in items]


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shard takes 10 requests a minute, so a limit of 40 spreads over 4 (as 120,000 does for real)."""
    monkeypatch.setattr(usage_keys, "RATE_SHARD_PER_MINUTE", 10)


def test_the_plans_count_in_one_item_and_a_very_busy_project_in_enough_that_none_takes_1_in_50() -> None:
    assert [keys.rate_counter_shards(n) for n in (100, 1_000, 10_000)] == [1, 1, 1]
    # 1,000 booking writes and 10,000 reads a second admitted: 64 items, each 1 in 64 of the requests (of
    # one location's booking writes too: a request counts in a random one), 172 writes a second each
    assert keys.rate_counter_shards(11_000 * 60) == 64
    assert keys.rate_counter("p", MONTH, 0) == {"PK": "RATE#p#0", "SK": f"MONTH#{MONTH}"}  # a plan's one item
    assert keys.rate_counter("address:192.0.2.1", MONTH)["PK"] == "RATE#address:192.0.2.1"


def test_a_project_counting_in_64_items_is_closed_and_changed_in_transactions_that_fit(
    container: Container,
) -> None:
    """A disabled project's 64 items of each month it may count in are closed (two months near a month's
    end or start), and a change of limits reaches the 64 items of this month and the next: each month's in
    a transaction of its own (DynamoDB takes 100 items in one)."""
    project = container.projects.create_project("Very busy", rate_limit=11_000 * 60)
    container.projects.set_rate_limit(project.id, 12_000 * 60)
    month, following = (m for m, _ in counter_months_from(datetime.now(UTC)))
    for counted in (month, following):
        items = [container.table.get(keys.rate_counter(project.id, counted, s)) for s in range(64)]
        assert all(item is not None and item["limits"].startswith("720000/") for item in items)
    container.projects.disable_project(project.id)
    closed = [container.table.get(keys.rate_counter(project.id, month, s)) for s in range(64)]
    assert all(item is not None and item.get("closed") for item in closed)


def test_a_busy_projects_requests_spread_and_it_gets_exactly_its_limit(
    container: Container, small_shards: None
) -> None:
    principal = project_with_limit(container, 40)
    auth = instance(container)
    assert admitted(auth, principal, 80) == 40
    assert minute_hits(container, principal.project_id, 4) == [10, 10, 10, 10]
    with pytest.raises(RateLimited) as refused:
        auth.count_request(principal)
    assert refused.value.limit == 40 and refused.value.retry_after == 55


def test_a_lower_limit_applies_to_the_next_request_on_an_instance_that_counted_with_the_old_one(
    container: Container, small_shards: None
) -> None:
    principal = project_with_limit(container, 40)
    stale = instance(container)
    assert admitted(stale, principal, 8) == 8
    (on_first,) = minute_hits(container, principal.project_id, 1)
    container.projects.set_rate_limit(principal.project_id, 10)  # one shard now: the first one
    assert admitted(stale, principal, 20) == 10 - on_first
    with pytest.raises(RateLimited) as refused:
        stale.count_request(principal)
    assert refused.value.limit == 10


def test_a_deleted_project_is_refused_on_every_shard_whatever_an_instance_cached(
    container: Container, small_shards: None
) -> None:
    principal = project_with_limit(container, 40)
    auth = instance(container)
    assert admitted(auth, principal, 4) == 4
    container.projects.disable_project(principal.project_id)
    for _ in range(8):  # whichever shard a request picks
        with pytest.raises(Forbidden):
            auth.count_request(principal)


def test_a_counter_update_whose_answer_is_lost_is_not_sent_again(
    container: Container, principal: Principal
) -> None:
    auth = instance(container)
    auth.count_request(principal)  # the month's counter exists, the instance knows its minute

    def answer_lost(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        """The store applies the update (moto's mock still gets the request), the caller hears a 500."""
        body = b'{"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "lost"}'
        return AWSResponse(request.url, 500, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))

    events = container.table.client.meta.events
    events.register("before-send.dynamodb.UpdateItem", answer_lost)
    with pytest.raises(Retryable):
        auth.count_request(principal)
    events.unregister("before-send.dynamodb.UpdateItem", answer_lost)
    item = container.table.get(keys.rate_counter(principal.project_id, MONTH, 0))
    assert item is not None and int(item["minute_hits"]) == 2  # counted once, not once per retry


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def test_an_address_counts_in_one_item_whatever_the_limits(container: Container, small_shards: None) -> None:
    instance(container).count_anonymous("192.0.2.1")
    assert container.table.get(keys.rate_counter("address:192.0.2.1", MONTH)) is not None
