"""Booking bodies as Hapio defines them: what POST ignores, which ids PUT and PATCH may set to null, and a
finalized booking made temporary again (as clients written for Hapio do)."""

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from tests.unit.clinic import add_doctor, at, booking_body


def _ids(container: Container, principal: Principal, query: dict[str, str]) -> list[str]:
    return [b["id"] for b in container.bookings.page(principal, query).items]


def test_a_finalized_booking_can_become_temporary_again_and_be_finalized_again(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    bookings = container.bookings
    booking = bookings.create(principal, booking_body(clinic, 9))
    assert booking["finalized_at"] is not None

    held = bookings.patch(principal, booking["id"], {"is_temporary": True, "price": "10.000"})

    assert (held["is_temporary"], held["finalized_at"], held["price"]) == (True, None, "10.000")
    assert _ids(container, principal, {}) == []
    assert _ids(container, principal, {"temporary": "include"}) == [booking["id"]]
    assert _ids(container, principal, {"temporary": "only"}) == [booking["id"]]
    with pytest.raises(ValidationFailed) as full:  # a temporary booking still holds its place
        bookings.create(principal, booking_body(clinic, 9))
    assert "fully booked" in " ".join(full.value.errors["starts_at"])
    final = bookings.patch(principal, booking["id"], {"is_temporary": False})
    assert final["is_temporary"] is False
    assert final["finalized_at"] is not None
    again = bookings.replace(
        principal,
        booking["id"],
        {**booking_body(clinic, 9), "resource_id": clinic["resource_id"], "is_temporary": True},
    )
    assert (again["is_temporary"], again["finalized_at"]) == (True, None)


def test_making_a_booking_temporary_does_not_check_availability_again(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    booking = container.bookings.create(principal, booking_body(clinic, 9))
    container.catalogue.patch(
        principal, SERVICE, clinic["service_id"], {"duration": "PT2H"}
    )  # off the grid now

    held = container.bookings.patch(principal, booking["id"], {"is_temporary": True})

    assert held["is_temporary"] is True
    with pytest.raises(ValidationFailed):  # moving it is checked: a PT1H booking is no slot any more
        container.bookings.patch(principal, booking["id"], {"starts_at": at(10), "ends_at": at(11)})


def test_put_may_null_an_id_only_when_it_is_already_null(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    booking = container.bookings.create(principal, booking_body(clinic, 9))
    body = {**booking_body(clinic, 9), "resource_id": None}

    with pytest.raises(ValidationFailed) as refused:
        container.bookings.replace(principal, booking["id"], body)

    assert refused.value.errors == {
        "resource_id": ["The resource_id can only be null when it is already null."]
    }
    assert container.bookings.get(principal, booking["id"]) == booking
    add_doctor(
        container, principal, clinic["service_id"], clinic["location_id"]
    )  # free, performs the service
    container.catalogue.delete(principal, RESOURCE, clinic["resource_id"])
    kept = container.bookings.replace(principal, booking["id"], body)
    assert kept["resource_id"] is None  # stays null: no resource is chosen again


@pytest.mark.parametrize("name", ["resource_id", "service_id", "location_id"])
def test_patch_refuses_a_null_id(
    container: Container, principal: Principal, clinic: dict[str, str], name: str
) -> None:
    booking = container.bookings.create(principal, booking_body(clinic, 9))

    with pytest.raises(ValidationFailed) as refused:
        container.bookings.patch(principal, booking["id"], {name: None})

    assert refused.value.errors == {name: [f"The {name} field must be a string."]}
    assert container.bookings.get(principal, booking["id"]) == booking


def test_post_ignores_is_canceled_like_any_field_that_is_not_part_of_itsbooking_body(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    _, value = container.projects.create_token(
        principal.project_id, "widget", ["booking:create", "booking:view"]
    )
    widget = container.auth.authenticate(f"Bearer {value}")
    body = booking_body(clinic, 9, is_canceled=True, ignore_cancelation_threshold=True, unknown_field=1)

    created = container.bookings.create(widget, body)
    odd = container.bookings.create(widget, booking_body(clinic, 11, is_canceled="yes"))

    assert (created["is_canceled"], created["canceled_at"]) == (False, None)
    assert odd["is_canceled"] is False


@pytest.mark.parametrize(
    "change",
    [
        {"is_canceled": True},
        {"metadata": {"note": "arrived"}},
        {"is_temporary": True},
        {"protected_metadata": {"insurer": "AOK"}},
        {"price": "12.000"},
        {"buffer_starts_at": f"{at(9)[:11]}08:30:00+00:00"},  # the same buffers it has, sent again
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_patch_that_moves_nothing_keeps_buffers_the_service_no_longer_has(
    container: Container, principal: Principal, clinic: dict[str, str], change: dict[str, object]
) -> None:
    """Buffers sent on POST (with ignore_bookable_slots), and the service's buffers edited afterwards:
    a PATCH that does not move the booking checks nothing and keeps the buffers."""
    booking = container.bookings.create(
        principal,
        booking_body(
            clinic,
            9,
            buffer_starts_at=f"{at(9)[:11]}08:30:00+00:00",
            buffer_ends_at=f"{at(10)[:11]}10:15:00+00:00",
            ignore_bookable_slots=True,
        ),
    )
    container.catalogue.patch(principal, SERVICE, clinic["service_id"], {"buffer_time_after": "PT5M"})

    changed = container.bookings.patch(principal, booking["id"], change)

    assert (changed["buffer_starts_at"], changed["buffer_ends_at"]) == (
        booking["buffer_starts_at"],
        booking["buffer_ends_at"],
    )
    assert all(changed[name] == value for name, value in change.items() if name != "buffer_starts_at")


def test_a_patch_that_changes_the_buffers_still_needs_the_flag(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    booking = container.bookings.create(principal, booking_body(clinic, 9))

    with pytest.raises(ValidationFailed) as refused:
        container.bookings.patch(principal, booking["id"], {"buffer_ends_at": f"{at(10)[:11]}10:30:00+00:00"})

    assert list(refused.value.errors) == ["buffer_starts_at"]
