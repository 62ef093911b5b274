"""Booking groups sort by the booking keys Hapio lists for them (starts_at, ends_at, buffer_starts_at,
buffer_ends_at, created_at, updated_at; each the earliest among the group's bookings) and by their own
group_created_at and group_updated_at."""

import time

import pytest

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from kairos.storage.dynamodb import RoundTrips
from tests.unit.clinic import booking_body


@pytest.fixture
def groups(container: Container, principal: Principal, clinic: dict[str, str]) -> dict[str, str]:
    """Created in the order a, b, c, each in its own second (times have whole seconds); their first
    bookings start at 09:00, 11:00 and 10:00."""
    created = {}
    for name, starts in {"a": (15, 9), "b": (11,), "c": (13, 10)}.items():
        time.sleep(1 - time.time() % 1)
        body = {"bookings": [booking_body(clinic, hour) for hour in starts]}
        created[name] = container.booking_groups.create(principal, body)["id"]
    return created


ORDERS = {
    "starts_at": "acb",
    "starts_at.asc": "acb",
    "starts_at.desc": "bca",
    "buffer_starts_at.desc": "bca",
    "ends_at.asc": "acb",
    "buffer_ends_at.asc": "acb",
    "created_at.desc": "cba",
    "updated_at.asc": "abc",
    "group_created_at.desc": "cba",
    "group_updated_at.asc": "abc",
    "": "abc",
}


def test_groups_sort_by_their_bookings_earliest_values_or_their_own_times(
    container: Container, principal: Principal, groups: dict[str, str]
) -> None:
    listed = {
        sort: [item["id"] for item in container.booking_groups.page(principal, {"sort": sort}).items]
        for sort in ORDERS
    }

    assert listed == {sort: [groups[name] for name in order] for sort, order in ORDERS.items()}


def test_groups_sorted_by_bookings_are_paginated_after_sorting(
    container: Container, principal: Principal, groups: dict[str, str]
) -> None:
    second = container.booking_groups.page(
        principal, {"sort": "starts_at.desc", "per_page": "1", "page": "2"}
    )

    assert [item["id"] for item in second.items] == [groups["c"]]
    assert [b["starts_at"] for b in second.items[0]["bookings"]] == [
        "2030-01-07T13:00:00+00:00",
        "2030-01-07T10:00:00+00:00",
    ]


def test_an_unknown_sort_key_is_refused(container: Container, principal: Principal) -> None:
    with pytest.raises(ValidationFailed) as refused:
        container.booking_groups.page(principal, {"sort": "price.asc"})

    assert list(refused.value.errors) == ["sort"]


def test_a_list_no_group_can_match_reads_the_bookings_alone(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    """A list where no listed booking is in a group (none passes the filters) costs no read of the groups:
    the cold start of the booking-groups function makes such a list its first request."""
    container.booking_groups.create(principal, {"bookings": [booking_body(clinic, 9)]})
    container.bookings.create(principal, booking_body(clinic, 11, metadata={"kind": "single"}))
    RoundTrips.reset()
    container.booking_store.list_window(principal.project_id, None, None, None)
    bookings_alone = RoundTrips.count()

    RoundTrips.reset()
    listed = container.booking_groups.page(principal, {"metadata[kind][eq]": "single"})

    assert (listed.items, RoundTrips.count()) == ([], bookings_alone)
    assert len(container.booking_groups.page(principal, {}).items) == 1
