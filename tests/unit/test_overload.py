"""Overload answers like the API (docs/api.md, "Overload"), under the fault mode on the in-process table:
a throttled request is a 503 with `Retry-After` in Hapio's shape, never a 500; a batch read asks again for
its unprocessed keys after growing, jittered waits, within the invocation's deadline; a transaction
cancelled by a conflict is tried again with jitter and written once; a throttled booking is not planned
again and again."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from kairos import aws_clients, deadline
from kairos.api.app import build_app
from kairos.api.catalogue_endpoints import resources
from kairos.api.lambda_entry import make_handler
from kairos.container import Container
from kairos.domain.catalogue.catalogue import RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.errors import Overloaded, Retryable
from kairos.routes import Area, match
from kairos.storage import keys, retries
from kairos.storage.dynamodb import to_item
from kairos_local.faults import Fault, Faults, attach, detach
from kairos_local.lambda_runtime import LambdaContext, proxy_event
from tests.unit.clinic import booking_body, make_clinic
from tests.unit.conftest import Figures

THROTTLED = "ProvisionedThroughputExceededException"


def faulty(container: Container, *faults: Fault) -> Faults:
    return attach(container.table.client.meta.events, Faults(list(faults)))


class Waits:
    """The jittered waits of Kairos' own retries: each ceiling drawn under, and each wait taken."""

    def __init__(self) -> None:
        self.ceilings: list[float] = []
        self.slept: list[float] = []

    def uniform(self, low: float, high: float) -> float:
        assert low == 0
        self.ceilings.append(high)
        return high / 2

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[Waits]:
    spy = Waits()
    monkeypatch.setattr(retries, "random", spy)
    monkeypatch.setattr(retries, "time", spy)
    yield spy


def get(container: Container, token: str, path: str) -> dict[str, Any]:
    """`GET path` through the resources function's resolver, as API Gateway hands it the request."""
    route, _ = match("GET", path)
    assert route is not None
    app = build_app(Area.RESOURCES, resources(container), container)
    event = proxy_event(
        method="GET", path=path, query="", headers=[("Authorization", f"Bearer {token}")], body=b"",
        route=route, path_parameters={}, source_ip="203.0.113.9",
    )  # fmt: skip
    return app.resolve(event, LambdaContext("kairos-resources", "test"))  # type: ignore[arg-type]


def test_a_throttled_read_is_a_503_with_retry_after_in_hapios_shape_never_a_500(container: Container) -> None:
    project = container.projects.create_project("Busy clinic", rate_limit=1000)
    _, token = container.projects.create_token(project.id, "all", None)
    container.auth.authenticate(f"Bearer {token}")  # the token and its project are remembered
    faults = faulty(container, Fault(partition=f"PROJECT#{project.id}", on="read", error=THROTTLED))
    answer = get(container, token, "/v1/resources")
    assert answer["statusCode"] == 503
    assert answer["multiValueHeaders"]["retry-after"] == ["1"]
    assert json.loads(answer["body"]) == {"message": "The table is busy; try again."}
    assert answer["multiValueHeaders"]["x-ratelimit-limit"] == ["1000"]
    assert len(faults.hits) == 3  # botocore's standard mode: 3 attempts in all


def test_unprocessed_keys_are_asked_again_after_doubling_jittered_waits(
    container: Container, principal: Principal, waits: Waits
) -> None:
    clinic = make_clinic(container, principal)
    project, service, resource = principal.project_id, clinic["service_id"], clinic["resource_id"]
    wanted = [
        keys.entity(project, "service", service),
        keys.association(project, "resource", resource, "service", service),
        {"PK": "SPARE", "SK": "X"},  # in no partition a fault names
    ]
    container.table.put_items([to_item(wanted[-1])])
    faults = faulty(
        container,
        Fault(partition=f"PROJECT#{project}", on="read", error=THROTTLED, times=1),
        Fault(partition=f"PROJECT#{project}#RESOURCE#*", on="read", error=THROTTLED, times=2),
    )
    found = container.table.batch_get(wanted)
    assert sorted((item["PK"], item["SK"]) for item in found) == sorted((k["PK"], k["SK"]) for k in wanted)
    # round 1: the service and the association unprocessed; round 2: the association; round 3: read
    assert [hit.partitions for hit in faults.hits] == [
        (f"PROJECT#{project}", f"PROJECT#{project}#RESOURCE#{resource}"),
        (f"PROJECT#{project}#RESOURCE#{resource}",),
    ]
    assert waits.ceilings == [retries.WAIT_BASE_SECONDS, 2 * retries.WAIT_BASE_SECONDS]
    assert waits.slept == [ceiling / 2 for ceiling in waits.ceilings]


def test_a_batch_asks_again_for_a_bounded_number_of_rounds_waiting_up_to_a_cap(waits: Waits) -> None:
    for n in range(1, retries.BATCH_ROUNDS):
        retries.pause(n)
    assert waits.ceilings == [
        min(retries.WAIT_CAP_SECONDS, retries.WAIT_BASE_SECONDS * 2 ** (n - 1))
        for n in range(1, retries.BATCH_ROUNDS)
    ]
    with pytest.raises(Overloaded):
        retries.pause(retries.BATCH_ROUNDS)


def test_keys_left_unprocessed_are_a_503_once_the_deadline_allows_no_other_wait(
    container: Container, principal: Principal
) -> None:
    project = principal.project_id
    faulty(container, Fault(partition="HOT#*", on="read", error="ThrottlingException"))
    wanted = [{"PK": "HOT#1", "SK": "A"}, {"PK": f"PROJECT#{project}", "SK": "PROJECT"}]
    with deadline.within(0.01), pytest.raises(Overloaded):
        container.table.batch_get(wanted)  # round 1 leaves HOT#1 unprocessed: 50 ms may not fit


def test_a_transaction_cancelled_by_a_conflict_is_tried_again_with_jitter_and_written_once(
    container: Container, principal: Principal, waits: Waits
) -> None:
    service = container.catalogue.create(
        principal, SERVICE, {"name": "S", "type": "fixed", "duration": "PT1H"}
    )
    resource = container.catalogue.create(principal, RESOURCE, {"name": "R", "max_simultaneous_bookings": 1})
    conflicts = Fault(
        partition=f"PROJECT#{principal.project_id}*", on="write", error="TransactionConflict", times=2
    )
    faults = faulty(container, conflicts)
    _, created = container.catalogue.associate(principal, service["id"], resource["id"])
    assert created and len(faults.hits) == 2
    assert waits.ceilings == [0.05, 0.1]
    assert len(container.catalogue.associations_of(principal, SERVICE, service["id"])) == 1


def test_a_transaction_that_keeps_conflicting_is_a_503_and_writes_nothing(
    container: Container, principal: Principal
) -> None:
    service = container.catalogue.create(
        principal, SERVICE, {"name": "S", "type": "fixed", "duration": "PT1H"}
    )
    resource = container.catalogue.create(principal, RESOURCE, {"name": "R", "max_simultaneous_bookings": 1})
    faults = faulty(container, Fault(partition="PROJECT#*", on="write", error="TransactionConflict"))
    with pytest.raises(Retryable) as refused:
        container.catalogue.associate(principal, service["id"], resource["id"])
    assert not isinstance(refused.value, Overloaded)
    assert len(faults.hits) == retries.TRANSACTION_ATTEMPTS
    assert container.catalogue.associations_of(principal, SERVICE, service["id"]) == []


def test_a_throttled_booking_is_a_503_and_is_not_planned_again(
    container: Container, principal: Principal, published: Figures
) -> None:
    clinic = make_clinic(container, principal)
    faults = faulty(
        container, Fault(partition=keys.booking(principal.project_id, "*")["PK"], on="write", error=THROTTLED)
    )
    with pytest.raises(Overloaded):
        container.bookings.create(principal, booking_body(clinic, 9))
    assert len(faults.hits) == retries.TRANSACTION_ATTEMPTS  # one plan, its transaction tried again
    assert "BookingRaceRetries" not in published()
    assert container.booking_store.list_window(principal.project_id, None, None, None) == []


def test_an_api_function_answers_503_in_time_rather_than_wait_past_its_deadline(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_TABLE_NAME", container.settings.table_name)
    monkeypatch.setenv("AWS_REGION", container.settings.region)
    project = container.projects.create_project("Busy clinic", rate_limit=1000)
    _, token = container.projects.create_token(project.id, "all", None)
    faults = Faults([Fault(partition=f"PROJECT#{project.id}", on="read", error=THROTTLED)])
    attach(aws_clients.session_events(), faults)  # on the function's client, made by its first request
    try:
        function = make_handler(Area.RESOURCES, resources)
        event = proxy_event(
            method="GET", path="/v1/resources", query="", headers=[("Authorization", f"Bearer {token}")],
            body=b"", route=match("GET", "/v1/resources")[0], path_parameters={}, source_ip="203.0.113.9",
        )  # fmt: skip
        # 3.5 s left: 0.5 s once the 3 s for answering are kept back, less than botocore's first wait
        context = LambdaContext("kairos-resources", "test", remaining_ms=3_500)
        answer = function(event, context)  # type: ignore[arg-type]
    finally:
        detach(aws_clients.session_events(), faults)
    assert answer["statusCode"] == 503
    assert len(faults.hits) == 1


def test_no_retry_waits_past_the_invocations_deadline(container: Container, principal: Principal) -> None:
    faults = faulty(container, Fault(partition="PROJECT#*", on="read", error="ThrottlingException"))
    with deadline.within(0.5), pytest.raises(Overloaded):  # botocore's first wait may take 1 s
        container.table.get({"PK": f"PROJECT#{principal.project_id}", "SK": "PROJECT"})
    assert len(faults.hits) == 1
