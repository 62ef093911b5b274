"""Idempotency-Key records live in their project's partitions, spread by key: no partition is shared by
projects, and one project's keyed POSTs spread over several. Replays, a changed body and a key still in
progress behave as before."""

import threading
from typing import Any

import pytest

from kairos.api.http import Request
from kairos.api.idempotency import idempotent_create
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.errors import Conflict, ValidationFailed
from kairos.storage import keys


def keyed(principal: Principal, key: str, body: dict[str, Any]) -> Request:
    return Request(
        principal=principal,
        path={},
        query={},
        headers={"idempotency-key": key},
        raw_body=None,
        url_path="/v1/bookings",
        _parsed={"body": body},
    )


def other_project(container: Container) -> Principal:
    project = container.projects.create_project("Other clinic", rate_limit=10_000)
    _, value = container.projects.create_token(project.id, "all", None)
    return container.auth.authenticate(f"Bearer {value}")


def records_of(container: Container, project_id: str) -> dict[int, list[dict[str, Any]]]:
    found = {}
    for shard in range(keys.IDEMPOTENCY_SHARDS):
        items = list(container.table.query(keys.idempotency_partition(project_id, shard)))
        if items:
            found[shard] = items
    return found


def test_a_key_replays_in_its_own_project_and_spreads_over_the_projects_shards(
    container: Container, principal: Principal
) -> None:
    created: list[str] = []

    def create(request: Request) -> dict[str, Any]:
        created.append(request.viewer.project_id)
        return {"n": len(created)}

    handler = idempotent_create(container, "postBooking", create)
    first = handler(keyed(principal, "order-1", {"a": 1}))
    again = handler(keyed(principal, "order-1", {"a": 1}))
    assert first.status_code == again.status_code == 201 and again.body == first.body
    assert len(created) == 1
    for n in range(2, 30):
        handler(keyed(principal, f"order-{n}", {"a": 1}))
    shards = records_of(container, principal.project_id)
    assert sum(len(items) for items in shards.values()) == 29
    assert len(shards) > 8  # 29 keys over 16 partitions of the project, not one
    assert not list(container.table.query(keys.LEGACY_IDEMPOTENCY))  # nothing in the shared partition
    # the same key in another project is another record: it creates again
    handler(keyed(other_project(container), "order-1", {"a": 1}))
    assert len(created) == 30


def test_another_body_is_refused_and_a_key_in_progress_conflicts(
    container: Container, principal: Principal
) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(_: Request) -> dict[str, Any]:
        entered.set()
        release.wait(5)
        return {"ok": True}

    handler = idempotent_create(container, "postBooking", slow)
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(handler(keyed(principal, "k", {"a": 1}))))
    worker.start()
    entered.wait(5)
    with pytest.raises(Conflict):
        handler(keyed(principal, "k", {"a": 1}))
    release.set()
    worker.join(5)
    assert outcome[0].status_code == 201
    with pytest.raises(ValidationFailed):
        handler(keyed(principal, "k", {"a": 2}))
