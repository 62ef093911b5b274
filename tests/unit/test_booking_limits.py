"""A service's booking limits per resource (docs/bookings.md, "Booking limits"): counted in the location's
local days, weeks and months, on every path that takes a place, freed by whatever gives it back, shown by
the slots and explained."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.errors import GroupValidationFailed, ValidationFailed
from kairos.storage import keys
from kairos.storage.dynamodb import RoundTrips, to_item
from kairos.storage.hold_backfill import backfill_hold_services
from kairos.storage.hold_store import RELEASED_ATTRIBUTE
from kairos.storage.timeline_head import long_attribute
from tests.unit.test_holds import Clock

LIMIT_MESSAGE = "The resource has reached the service's booking limit for this day, week or month."


@pytest.fixture
def clock(container: Container) -> Clock:
    moved = Clock(datetime(2030, 3, 1, tzinfo=UTC))
    container.clock = moved
    return moved


def _clinic(container: Container, principal: Principal, limits: dict[str, int]) -> dict[str, str]:
    """One doctor (one place) in Stockholm, available from March 29 to April 3 2030 (DST starts on the
    31st), for a one-hour service with `limits` per resource."""
    service = container.catalogue.create(
        principal,
        SERVICE,
        {"name": "Exam", "type": "fixed", "duration": "PT1H", "booking_limits": {"per_resource": limits}},
    )
    location = container.catalogue.create(
        principal,
        LOCATION,
        {"name": "Clinic", "time_zone": "Europe/Stockholm", "resource_selection_strategy": "randomize"},
    )
    resource = container.catalogue.create(
        principal, RESOURCE, {"name": "Dr.", "max_simultaneous_bookings": 1}
    )
    container.catalogue.associate(principal, service["id"], resource["id"])
    block = {
        "location_id": location["id"],
        "starts_at": "2030-03-29T00:00:00+00:00",
        "ends_at": "2030-04-03T00:00:00+00:00",
    }
    container.schedules.put_block(principal, resource["id"], None, block)
    return {"service_id": service["id"], "location_id": location["id"], "resource_id": resource["id"]}


def _body(clinic: dict[str, str], start: str, **extra: Any) -> dict[str, Any]:
    """A one-hour booking from `start` (UTC, `2030-03-31T09`)."""
    starts = datetime.fromisoformat(f"{start}:00:00+00:00")
    return {
        "service_id": clinic["service_id"],
        "location_id": clinic["location_id"],
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        **extra,
    }


def _refused(call: Any) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return list(refused.value.errors["starts_at"])


def test_a_day_limit_counts_the_locations_day_across_a_dst_change(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = _clinic(container, principal, {"day": 1})
    book = container.bookings.create
    book(principal, _body(clinic, "2030-03-30T23"))  # 00:00 on March 31 in Stockholm (UTC+1)
    assert LIMIT_MESSAGE in _refused(
        lambda: book(principal, _body(clinic, "2030-03-31T20"))
    )  # 22:00 local (UTC+2)
    book(principal, _body(clinic, "2030-03-31T22"))  # 00:00 on April 1 in Stockholm: a new local day
    book(principal, _body(clinic, "2030-03-30T21"))  # 22:00 on March 30


def test_canceling_deleting_or_moving_a_booking_frees_its_count_and_un_canceling_checks_it(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = _clinic(container, principal, {"day": 2})
    bookings = container.bookings
    first = bookings.create(principal, _body(clinic, "2030-04-01T08"))
    second = bookings.create(principal, _body(clinic, "2030-04-01T09"))
    assert LIMIT_MESSAGE in _refused(lambda: bookings.create(principal, _body(clinic, "2030-04-01T10")))

    bookings.patch(principal, first["id"], {"is_canceled": True})
    third = bookings.create(principal, _body(clinic, "2030-04-01T10"))
    un_cancel = {"is_canceled": False}
    assert _refused(lambda: bookings.patch(principal, first["id"], un_cancel)) == [LIMIT_MESSAGE]

    moved = {"starts_at": "2030-04-02T09:00:00+00:00", "ends_at": "2030-04-02T10:00:00+00:00"}
    bookings.patch(principal, second["id"], moved)  # the count moves to April 2
    assert bookings.patch(principal, first["id"], un_cancel)["is_canceled"] is False
    back = {"starts_at": "2030-04-01T11:00:00+00:00", "ends_at": "2030-04-01T12:00:00+00:00"}
    assert _refused(lambda: bookings.patch(principal, second["id"], back)) == [LIMIT_MESSAGE]
    later = {"starts_at": "2030-04-01T12:00:00+00:00", "ends_at": "2030-04-01T13:00:00+00:00"}
    assert bookings.patch(principal, third["id"], later)["starts_at"].startswith("2030-04-01T14")  # same day

    bookings.delete(principal, third["id"])
    bookings.create(principal, _body(clinic, "2030-04-01T15"))


def test_holds_count_until_they_expire_and_other_services_never(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = _clinic(container, principal, {"day": 1})
    hold = container.bookings.create(
        principal, _body(clinic, "2030-04-01T08", is_temporary=True, expires_at="2030-03-01T00:15:00+00:00")
    )
    assert _refused(lambda: container.bookings.create(principal, _body(clinic, "2030-04-01T10")))
    other = container.catalogue.create(
        principal, SERVICE, {"name": "Call", "type": "fixed", "duration": "PT1H"}
    )
    container.catalogue.associate(principal, other["id"], clinic["resource_id"])
    container.bookings.create(principal, {**_body(clinic, "2030-04-01T11"), "service_id": other["id"]})

    hold_key = keys.timeline_entry(
        principal.project_id,
        clinic["resource_id"],
        datetime.fromisoformat(hold["ends_at"]),
        "booking",
        hold["id"],
    )
    clock.now = datetime(2030, 3, 1, 0, 15, tzinfo=UTC)  # the hold expired: its count is free at once
    container.bookings.create(principal, _body(clinic, "2030-04-01T10"))
    # That booking took the hold's count, not its hours: it released the hold all the same, in its own
    # transaction, so that no instance whose clock is behind can keep it now.
    assert (container.table.get(hold_key) or {}).get(RELEASED_ATTRIBUTE)


def test_a_groups_bookings_each_count(container: Container, principal: Principal, clock: Clock) -> None:
    clinic = _clinic(container, principal, {"week": 2})
    group = [_body(clinic, "2030-04-01T08"), _body(clinic, "2030-04-02T08"), _body(clinic, "2030-04-02T10")]
    with pytest.raises(GroupValidationFailed) as refused:
        container.booking_groups.create(principal, {"bookings": group})
    assert list(refused.value.messages) == ["bookings.2"]
    assert LIMIT_MESSAGE in refused.value.messages["bookings.2"]
    container.booking_groups.create(principal, {"bookings": group[:2]})
    assert container.bookings.page(principal, {}).total == 2


def test_slots_that_would_exceed_a_limit_are_not_listed_and_explain_names_the_limit(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = _clinic(container, principal, {"day": 3, "month": 2})
    container.bookings.create(principal, _body(clinic, "2030-03-30T08"))
    query = {"location": clinic["location_id"], "from": "2030-03-30T08:00:00+00:00"}

    def slots(to: str) -> list[str]:
        page = container.availability.bookable_slots(principal, clinic["service_id"], {**query, "to": to})
        return [s["starts_at"] for s in page.items]

    assert len(slots("2030-04-01T12:00:00+02:00")) > 20  # March and April
    container.bookings.create(principal, _body(clinic, "2030-03-31T08"))
    found = slots("2030-04-01T12:00:00+02:00")
    assert found and all(s.startswith("2030-04-01") for s in found)  # March is full

    explained = container.explainer.explain(
        principal,
        clinic["service_id"],
        {
            "location": clinic["location_id"],
            "starts_at": "2030-03-31T12:00:00+02:00",
            "ends_at": "2030-03-31T13:00:00+02:00",
        },
    )
    (reason,) = explained["resources"][0]["reasons"]
    assert {k: reason[k] for k in ("rule", "period", "limit", "count")} == {
        "rule": "booking_limit",
        "period": "month",
        "limit": 2,
        "count": 2,
    }
    assert (
        reason["message"]
        == "The resource has 2 bookings of this service this month: the service's limit is 2."
    )


@pytest.mark.parametrize(
    ("limits", "errors"),
    [
        ({"per_resource": {"day": 0}}, {"booking_limits.per_resource.day": ["must be at least 1"]}),
        ({"per_resource": {"day": "2"}}, {"booking_limits.per_resource.day": ["must be an integer"]}),
        ({"per_resource": {"year": 2}}, {"booking_limits.per_resource.year": ["is not allowed"]}),
        (
            {"per_service": {"day": 2}},
            {
                "booking_limits.per_resource": ["is required"],
                "booking_limits.per_service": ["is not allowed"],
            },
        ),
        ([2], {"booking_limits": ["must be an object"]}),
    ],
)
def test_invalid_limits_are_refused_field_by_field(
    container: Container, principal: Principal, limits: Any, errors: dict[str, list[str]]
) -> None:
    body = {"name": "Exam", "type": "fixed", "duration": "PT1H", "booking_limits": limits}
    with pytest.raises(ValidationFailed) as refused:
        container.catalogue.create(principal, SERVICE, body)
    found = refused.value.errors
    assert set(found) == set(errors), found
    for name, parts in errors.items():
        assert all(part in message for part, message in zip(parts, found[name], strict=True)), found


def test_limits_are_shown_only_when_set_and_a_patch_can_remove_them(
    container: Container, principal: Principal
) -> None:
    plain = container.catalogue.create(
        principal, SERVICE, {"name": "Exam", "type": "fixed", "duration": "PT1H"}
    )
    assert "booking_limits" not in plain
    body = {"per_resource": {"day": 2, "week": None}}
    limited = container.catalogue.patch(principal, SERVICE, plain["id"], {"booking_limits": body})
    assert limited["booking_limits"] == {"per_resource": {"day": 2}}
    cleared = container.catalogue.patch(principal, SERVICE, plain["id"], {"booking_limits": None})
    assert "booking_limits" not in cleared


def test_limits_cost_no_round_trip_more_but_for_a_cold_instance_naming_the_resource(
    container: Container, principal: Principal, clock: Clock
) -> None:
    """The counters are read with the ledger: warm, and cold by strategy (the service is read before the
    candidates' ledger), as without limits; a cold instance reads a named resource's ledger beside the
    service, before it knows the limits, so it reads the counters next."""
    clinic = _clinic(container, principal, {"day": 5, "week": 9, "month": 20})
    cold = Container.from_settings(container.settings)
    cold.clock = clock
    found = []
    for hour, extra in (("08", {}), ("09", {}), ("10", {"resource_id": clinic["resource_id"]})):
        RoundTrips.reset()
        cold.bookings.create(principal, _body(clinic, f"2030-04-01T{hour}", **extra))
        found.append((RoundTrips.count(), RoundTrips.waves()))
    named = Container.from_settings(container.settings)
    named.clock = clock
    RoundTrips.reset()
    named.bookings.create(principal, _body(clinic, "2030-04-01T11", resource_id=clinic["resource_id"]))
    found.append((RoundTrips.count(), RoundTrips.waves()))
    # as tests/unit/test_round_trips.py counts them without limits: (5, 4), (3, 3), (3, 3), (3, 3)
    assert found == [(5, 4), (3, 3), (3, 3), (4, 4)]


def test_the_backfill_gives_the_holds_of_older_versions_their_service(
    container: Container, principal: Principal, clock: Clock
) -> None:
    clinic = _clinic(container, principal, {"day": 1})
    container.catalogue.patch(principal, RESOURCE, clinic["resource_id"], {"max_simultaneous_bookings": 5})
    short = container.bookings.create(principal, _body(clinic, "2030-04-01T08"))
    long_body = {**_body(clinic, "2030-03-29T08"), "ends_at": "2030-03-30T10:00:00+00:00"}
    long = container.bookings.create(principal, {**long_body, "ignore_bookable_slots": True})
    project, resource = principal.project_id, clinic["resource_id"]
    for booking in (short, long):  # as a version before booking limits wrote them
        ends = datetime.fromisoformat(booking["ends_at"])
        hold = keys.timeline_entry(project, resource, ends, "booking", booking["id"])
        container.table.client.update_item(
            TableName=container.table.name, Key=to_item(hold), UpdateExpression="REMOVE service_id"
        )
    container.table.client.update_item(
        TableName=container.table.name,
        Key=to_item(keys.schedule_version(project, resource)),
        UpdateExpression="REMOVE #copy.service_id",
        ExpressionAttributeNames={"#copy": long_attribute("booking", long["id"])},
    )

    def limited(start: str) -> bool:
        body = _body(clinic, start)
        query = {
            "location": clinic["location_id"],
            "starts_at": body["starts_at"],
            "ends_at": body["ends_at"],
        }
        explained = container.explainer.explain(principal, clinic["service_id"], query)
        return "booking_limit" in [r["rule"] for r in explained["resources"][0]["reasons"]]

    assert not limited("2030-04-01T10") and not limited("2030-03-29T20")
    assert backfill_hold_services(container.table) == 3  # two hold items, one head copy
    assert limited("2030-04-01T10") and limited("2030-03-29T20")
    assert backfill_hold_services(container.table) == 0
