"""`bookable-slots/explain`: every reason that applies, with its details, and never a disagreement with a
booking attempt (a property test over random intervals, services and resources, across a DST change)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kairos.container import Container
from kairos.domain.bookings.planning import VIOLATION_MESSAGES
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from kairos.scheduling.engine import Violation
from tests.unit.clinic import DAY, at, booking_body
from tests.unit.test_holds import Clock

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def fixed_now(container: Container) -> None:
    container.clock = lambda: NOW


def _explain(
    container: Container, viewer: Principal, clinic: dict[str, str], start: str, end: str, **extra: str
) -> dict[str, Any]:
    query = {"location": clinic["location_id"], "starts_at": start, "ends_at": end, **extra}
    return container.explainer.explain(viewer, clinic["service_id"], query)


def _rules(explained: dict[str, Any]) -> list[list[str]]:
    return [[r["rule"] for r in resource["reasons"]] for resource in explained["resources"]]


def test_a_free_slot_is_bookable_with_no_reason(
    container: Container, principal: Principal, clinic: dict[str, str], fixed_now: None
) -> None:
    explained = _explain(container, principal, clinic, at(9), at(10))
    assert explained["bookable"] is True
    assert explained["resources"][0]["resource_id"] == clinic["resource_id"]
    assert _rules(explained) == [[]]


def test_every_reason_that_applies_is_given_with_its_details(
    container: Container, principal: Principal, clinic: dict[str, str], fixed_now: None
) -> None:
    """07:30-08:30 starts before the 08:00-17:00 schedule, off the 08:00 hourly grid."""
    explained = _explain(container, principal, clinic, f"{DAY}T07:30:00+00:00", f"{DAY}T08:30:00+00:00")

    (resource,) = explained["resources"]
    schedule, grid = resource["reasons"]
    assert (schedule["rule"], schedule["buffers_only"]) == ("schedule", False)
    assert schedule["nearest_spans"] == [{"starts_at": at(8), "ends_at": at(17)}]
    assert schedule["message"] == "The resource is not available at this time."
    assert grid["rule"] == "bookable_slot"
    assert grid["nearest_starts"][:2] == [at(8), at(9)]
    assert explained["bookable"] is False


def test_fully_booked_names_the_bookings_only_to_a_token_that_may_view_them(
    container: Container, principal: Principal, clinic: dict[str, str], fixed_now: None
) -> None:
    taken = container.bookings.create(principal, booking_body(clinic, 9))
    _, value = container.projects.create_token(principal.project_id, "slots", ["bookable_slot:view"])
    weak = container.auth.authenticate(f"Bearer {value}")

    (full,) = _explain(container, principal, clinic, at(9), at(10))["resources"][0]["reasons"]
    (hidden,) = _explain(container, weak, clinic, at(9), at(10))["resources"][0]["reasons"]

    assert (full["rule"], full["booking_ids"], full["buffers_only"]) == ("fully_booked", [taken["id"]], False)
    assert full["full_spans"] == [{"starts_at": at(9), "ends_at": at(10)}]
    assert hidden["booking_ids"] is None


def test_buffers_that_do_not_fit_are_told_apart_from_the_booking_itself(
    container: Container, principal: Principal, clinic: dict[str, str], fixed_now: None
) -> None:
    container.catalogue.patch(
        principal, SERVICE, clinic["service_id"], {"buffer_time_before": "PT15M", "bookable_interval": "PT1H"}
    )
    (schedule, *_) = _explain(container, principal, clinic, at(8), at(9))["resources"][0]["reasons"]
    assert (schedule["rule"], schedule["buffers_only"]) == ("schedule", True)


def test_the_booking_window_and_the_entities_rules_are_explained(
    container: Container, principal: Principal, clinic: dict[str, str], fixed_now: None
) -> None:
    container.catalogue.patch(principal, SERVICE, clinic["service_id"], {"booking_window_end": "P2D"})
    container.catalogue.patch(principal, RESOURCE, clinic["resource_id"], {"enabled": False})
    container.catalogue.patch(principal, LOCATION, clinic["location_id"], {"enabled": False})
    stranger = container.catalogue.create(principal, RESOURCE, {"name": "Dr. Who"})

    explained = _explain(container, principal, clinic, at(9), at(10))
    alone = _explain(container, principal, clinic, at(9), at(10), resource=stranger["id"])

    assert [r["rule"] for r in explained["reasons"]] == ["location_disabled"]
    assert _rules(explained) == [["location_disabled", "resource_disabled", "booking_window"]]
    window = explained["resources"][0]["reasons"][-1]["window"]
    assert window == {"earliest": "2030-01-01T12:00:00+00:00", "latest": "2030-01-03T12:00:00+00:00"}
    assert _rules(alone) == [
        ["location_disabled", "not_associated", "schedule", "bookable_slot", "booking_window"]
    ]


def test_bad_queries_are_422_and_unknown_ids_404(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        container.explainer.explain(principal, clinic["service_id"], {"starts_at": at(10), "ends_at": at(9)})
    assert set(refused.value.errors) == {"location", "ends_at"}


# --- the property: the explanation agrees with a booking attempt ------------------------------------------

ZONE = ZoneInfo("Europe/Stockholm")
FIRST_DAY = date(2030, 3, 29)  # the Friday before the spring-forward night of 2030-03-31
SERVICES = {
    "fixed": {
        "name": "Fixed",
        "type": "fixed",
        "duration": "PT45M",
        "bookable_interval": "PT30M",
        "buffer_time_before": "PT15M",
        "buffer_time_after": "PT15M",
        "booking_window_start": "PT1H",
        "booking_window_end": "P6D",
    },
    "flexible": {
        "name": "Flexible",
        "type": "flexible",
        "min_duration": "PT30M",
        "max_duration": "PT2H",
        "duration_step": "PT15M",
        "bookable_interval": "PT15M",
        "buffer_time_after": "PT15M",
    },
    "day": {
        "name": "Day",
        "type": "day",
        "start_time": "09:00:00",
        "end_time": "17:00:00",
        "min_days": 1,
        "max_days": 2,
    },
}


def _local(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), ZONE).isoformat()


def _world(container: Container, viewer: Principal) -> dict[str, Any]:
    """Three services at a Stockholm location; four resources: one place on weekday mornings (with a
    booking, an expired hold and a live one), two places around the clock (one booking), one disabled, and
    one that performs no service."""
    location = container.catalogue.create(
        viewer,
        LOCATION,
        {"name": "Clinic", "time_zone": "Europe/Stockholm", "resource_selection_strategy": "randomize"},
    )
    services = {
        kind: container.catalogue.create(viewer, SERVICE, body)["id"] for kind, body in SERVICES.items()
    }
    resources = [
        container.catalogue.create(viewer, RESOURCE, {"name": name, "max_simultaneous_bookings": places})[
            "id"
        ]
        for name, places in (("mornings", 1), ("always", 2), ("disabled", 1), ("stranger", 1))
    ]
    mornings, always, disabled, stranger = resources
    for resource in (mornings, always, disabled):
        for service in services.values():
            container.catalogue.associate(viewer, service, resource)
    schedule = container.schedules.create_recurring(
        viewer, mornings, {"location_id": location["id"], "start_date": "2030-03-01"}
    )
    for weekday in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"):
        block = {"weekday": weekday, "start_time": "08:00:00", "end_time": "13:00:00"}
        container.schedules.put_weekly(viewer, mornings, schedule["id"], None, block)
    for resource in (always, disabled, stranger):
        span = {
            "location_id": location["id"],
            "starts_at": _local(FIRST_DAY, 0),
            "ends_at": _local(FIRST_DAY + timedelta(days=5), 0),
        }
        container.schedules.put_block(viewer, resource, None, span)
    container.catalogue.patch(viewer, RESOURCE, disabled, {"enabled": False})
    clock = Clock(datetime(2030, 3, 29, 9, 0, tzinfo=UTC))
    container.clock = clock  # the services built from now on keep this object: moving it moves them all
    expiring = {"is_temporary": True, "expires_at": "2030-03-29T09:30:00+00:00"}
    for resource, days, hours, extra in (
        (mornings, 0, (11, 11.75), {}),
        (always, 1, (10, 12), {}),
        (mornings, 3, (9, 10), expiring),  # expired by the time the attempts are made
        (mornings, 4, (9, 10), {"is_temporary": True}),  # a hold that never expires
    ):
        day = FIRST_DAY + timedelta(days=days)
        start, end = (_local(day, int(h), int(h % 1 * 60)) for h in hours)
        body = {"location_id": location["id"], "service_id": services["flexible"], "resource_id": resource}
        container.bookings.create(viewer, {**body, "starts_at": start, "ends_at": end, **extra})
    clock.now = datetime(2030, 3, 29, 10, 0, tzinfo=UTC)  # the first hold has expired
    return {"location": location["id"], "services": services, "resources": resources}


@st.composite
def _attempts(draw: st.DrawFn) -> tuple[str, int | None, str, str]:
    """Mostly near the grids (fixed: a 45-minute slot at :15 or :45; flexible: 30 minutes to 2 hours on
    the quarter; day: 09:00 to 17:00), so that about half the attempts book; sometimes anywhere."""
    kind = draw(st.sampled_from(sorted(SERVICES)))
    resource = draw(st.sampled_from([None, None, 0, 1, 1, 2, 3]))
    day = FIRST_DAY + timedelta(days=draw(st.integers(0, 4)))
    near = draw(st.integers(0, 3)) > 0
    if kind == "day" and near:
        return kind, resource, _local(day, 9), _local(day + timedelta(days=draw(st.integers(0, 2))), 17)
    midnight = datetime.combine(day, time(0), ZONE)
    if kind == "fixed" and near:
        start = midnight + timedelta(minutes=15 + 30 * draw(st.integers(10, 30)))
        return kind, resource, start.isoformat(), (start + timedelta(minutes=45)).isoformat()
    start = midnight + timedelta(minutes=15 * draw(st.integers(20, 60)))
    length = timedelta(minutes=15 * draw(st.integers(2 if near else 1, 8 if near else 12)))
    return kind, resource, start.isoformat(), (start + length).isoformat()


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the suite stays deterministic
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(attempts=st.lists(_attempts(), min_size=1, max_size=1))
def test_the_explanation_agrees_with_a_booking_attempt(
    container: Container, principal: Principal, attempts: list[tuple[str, int | None, str, str]]
) -> None:
    world = getattr(container, "_explain_world", None)
    if world is None:  # built once: hypothesis runs every example in the same fixture
        world = _world(container, principal)
        container._explain_world = world  # type: ignore[attr-defined]
    ((kind, pick, start, end),) = attempts
    service = world["services"][kind]
    resource = None if pick is None else world["resources"][pick]
    ids = {"location_id": world["location"], "service_id": service}
    query = {"location": world["location"], "starts_at": start, "ends_at": end}
    explained = container.explainer.explain(
        principal, service, {**query, **({"resource": resource} if resource else {})}
    )
    body = {**ids, "starts_at": start, "ends_at": end, **({"resource_id": resource} if resource else {})}
    try:
        made = container.bookings.create(principal, body)
    except ValidationFailed as refused:
        event(f"refused: {kind} {pick} {sorted({m for ms in refused.errors.values() for m in ms})}")
        assert explained["bookable"] is False, (explained, refused.errors)
        _assert_same_reasons(explained, refused.errors, resource)
    else:
        event("booked")
        assert explained["bookable"] is True, explained
        if resource is None:
            chosen = [r for r in explained["resources"] if r["resource_id"] == made["resource_id"]]
            assert chosen and chosen[0]["bookable"]
        container.bookings.delete(principal, made["id"])


def _assert_same_reasons(
    explained: dict[str, Any], errors: dict[str, list[str]], resource: str | None
) -> None:
    """The 422 names the same rules as the explanation: the entity rules first, then the engine's."""
    engine = {v.value: VIOLATION_MESSAGES[v] for v in Violation}
    if resource is not None:
        (only,) = explained["resources"]
        entity = [r["message"] for r in only["reasons"] if r["rule"] not in engine]
        if entity:
            assert {m for messages in errors.values() for m in messages} <= set(entity)
            return
        assert errors == {"starts_at": [r["message"] for r in only["reasons"]]}
        return
    usable = [r for r in explained["resources"] if r["resource"]["enabled"]]
    if not usable:
        assert "resource_id" in errors
        return
    seen = {r["rule"] for resource_ in usable for r in resource_["reasons"]}
    expected = [engine[v.value] for v in Violation if v.value in seen]
    assert errors == {"starts_at": ["No resource is available for this booking.", *expected]}
