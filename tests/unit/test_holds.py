"""Temporary bookings that expire: the place is free from `expires_at` on (in slot lists and booking
checks), a finalize after it is refused, a finalize that raced a booking of the freed place loses, and the
sweep removes what expired."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from kairos.values.formats import parse_timestamp
from tests.unit.clinic import DAY, booking_body


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EXPIRY = "2030-01-01T12:15:00+00:00"


@pytest.fixture
def clock(container: Container) -> Clock:
    """Set before the container builds its booking services, which then take it as now."""
    moved = Clock(START)
    container.clock = moved
    return moved


def _slots(container: Container, principal: Principal, clinic: dict[str, str]) -> list[str]:
    query = {
        "location": clinic["location_id"],
        "from": f"{DAY}T09:00:00+00:00",
        "to": f"{DAY}T10:00:00+00:00",
    }
    page = container.availability.bookable_slots(principal, clinic["service_id"], query)
    return [s["starts_at"] for s in page.items]


def _hold(container: Container, principal: Principal, clinic: dict[str, str], **extra: Any) -> dict[str, Any]:
    return container.bookings.create(principal, booking_body(clinic, 9, is_temporary=True, **extra))


def test_a_hold_takes_its_place_until_it_expires_and_not_a_second_longer(
    container: Container, principal: Principal, clinic: dict[str, str], clock: Clock
) -> None:
    hold = _hold(container, principal, clinic, expires_at=EXPIRY)
    assert hold["expires_at"] == EXPIRY
    assert _slots(container, principal, clinic) == []
    clock.now = datetime(2030, 1, 1, 12, 14, 59, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as full:
        container.bookings.create(principal, booking_body(clinic, 9))
    assert "fully booked" in " ".join(full.value.errors["starts_at"])

    clock.now = datetime(2030, 1, 1, 12, 15, tzinfo=UTC)  # expired: free at once, before any sweep

    assert _slots(container, principal, clinic) == [f"{DAY}T09:00:00+00:00"]
    booked = container.bookings.create(principal, booking_body(clinic, 9))
    assert booked["resource_id"] == clinic["resource_id"]


def test_finalizing_clears_the_expiry_and_keeps_the_place(
    container: Container, principal: Principal, clinic: dict[str, str], clock: Clock
) -> None:
    hold = _hold(container, principal, clinic, expires_at=EXPIRY)

    final = container.bookings.patch(principal, hold["id"], {"is_temporary": False})

    assert (final["is_temporary"], final["expires_at"]) == (False, None)
    assert final["finalized_at"] is not None
    clock.now += timedelta(days=1)
    assert _slots(container, principal, clinic) == []


def test_a_finalize_after_expiry_is_refused_but_a_cancel_is_not(
    container: Container, principal: Principal, clinic: dict[str, str], clock: Clock
) -> None:
    hold = _hold(container, principal, clinic, expires_at=EXPIRY)
    clock.now = datetime(2030, 1, 1, 12, 15, tzinfo=UTC)

    with pytest.raises(ValidationFailed) as late:
        container.bookings.patch(principal, hold["id"], {"is_temporary": False})

    assert late.value.errors == {
        "is_temporary": [
            f"The temporary booking expired at {EXPIRY}: its place is no longer held, book again."
        ]
    }
    with pytest.raises(ValidationFailed) as extended:
        container.bookings.patch(principal, hold["id"], {"expires_at": "2030-01-01T13:00:00+00:00"})
    assert list(extended.value.errors) == ["expires_at"]
    assert container.bookings.get(principal, hold["id"]) == hold
    canceled = container.bookings.patch(principal, hold["id"], {"is_canceled": True})
    assert canceled["is_canceled"] is True


def test_a_finalize_that_checked_the_clock_before_expiry_loses_to_a_booking_made_after_it(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold = _hold(container, principal, clinic, expires_at=EXPIRY)
    clock.now = datetime(2030, 1, 1, 12, 14, 59, tzinfo=UTC)
    store = container.booking_store
    real_commit = store.commit
    taken: list[dict[str, Any]] = []

    def another_booking_gets_in_first(*args: Any, **kwargs: Any) -> None:
        if clock.now < datetime(2030, 1, 1, 12, 15, tzinfo=UTC):
            # the finalize planned before expiry; the clock moves on before its write lands
            clock.now = datetime(2030, 1, 1, 12, 15, tzinfo=UTC)
            taken.append(container.bookings.create(principal, booking_body(clinic, 9)))
        real_commit(*args, **kwargs)

    monkeypatch.setattr(store, "commit", another_booking_gets_in_first)

    with pytest.raises(ValidationFailed) as lost:
        container.bookings.patch(principal, hold["id"], {"is_temporary": False})

    assert list(lost.value.errors) == ["is_temporary"]
    assert taken[0]["resource_id"] == clinic["resource_id"]
    assert container.bookings.get(principal, hold["id"])["is_temporary"] is True


BEFORE_EXPIRY = datetime(2030, 1, 1, 12, 14, 59, tzinfo=UTC)
AT_EXPIRY = datetime(2030, 1, 1, 12, 15, tzinfo=UTC)


def _live(container: Container, principal: Principal) -> list[dict[str, Any]]:
    """The bookings that hold a place now: not canceled, and not holds that expired."""
    found = container.bookings.page(principal, {"temporary": "include"}).items
    now = container.clock()
    return [
        b
        for b in found
        if not b["is_canceled"]
        and (not b["is_temporary"] or b["expires_at"] is None or parse_timestamp(b["expires_at"]) > now)
    ]


def _once_before(container: Container, monkeypatch: pytest.MonkeyPatch, method: str, act: Any) -> None:
    """Runs `act` once, when the booking store's `method` is next called (before it runs)."""
    store = container.booking_store
    real = getattr(store, method)
    done: list[bool] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(True)
            act()
        return real(*args, **kwargs)

    monkeypatch.setattr(store, method, call)


@pytest.mark.parametrize("finalize_clock", [AT_EXPIRY, BEFORE_EXPIRY], ids=["in-step", "lagging"])
def test_a_booking_made_after_a_finalize_read_the_clock_wins_and_the_finalize_is_refused(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    finalize_clock: datetime,
) -> None:
    """The report's double booking: the finalize read the clock before expiry, then a booking that saw the
    hold expired committed before the finalize read the ledger. In step, the finalize's plan sees the
    expiry; lagging (its clock still before expiry, as another instance's may be), the hold's item, which
    the booking released, refuses it."""
    hold = _hold(container, principal, clinic, expires_at=EXPIRY)
    clock.now = BEFORE_EXPIRY
    taken: list[dict[str, Any]] = []

    def book_the_freed_place() -> None:
        clock.now = AT_EXPIRY
        taken.append(container.bookings.create(principal, booking_body(clinic, 9)))
        clock.now = finalize_clock

    _once_before(container, monkeypatch, "read_ledgers", book_the_freed_place)

    with pytest.raises(ValidationFailed) as refused:
        container.bookings.patch(principal, hold["id"], {"is_temporary": False})

    assert list(refused.value.errors) == ["is_temporary"]
    clock.now = AT_EXPIRY
    assert [b["id"] for b in _live(container, principal)] == [taken[0]["id"]]


def test_a_finalize_that_commits_first_keeps_the_place_from_a_booking_that_saw_the_hold_expired(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold = _hold(container, principal, clinic, expires_at=EXPIRY)
    clock.now = AT_EXPIRY
    finalized: list[dict[str, Any]] = []

    def the_finalize_lands_first() -> None:  # the booking planned with the hold expired
        clock.now = BEFORE_EXPIRY  # the finalize's instance's clock lags
        finalized.append(container.bookings.patch(principal, hold["id"], {"is_temporary": False}))
        clock.now = AT_EXPIRY

    _once_before(container, monkeypatch, "commit", the_finalize_lands_first)

    with pytest.raises(ValidationFailed) as refused:
        container.bookings.create(principal, booking_body(clinic, 9))

    assert "fully booked" in " ".join(refused.value.errors["starts_at"])
    assert finalized[0]["is_temporary"] is False
    assert [b["id"] for b in _live(container, principal)] == [hold["id"]]


def test_a_finalize_is_decided_by_the_clock_at_commit_and_a_hold_called_expired_stays_expired(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold = _hold(container, principal, clinic, expires_at=EXPIRY)
    clock.now = BEFORE_EXPIRY

    def sent_at_expiry() -> None:
        clock.now = AT_EXPIRY  # planned before expiry; the write goes out at it

    _once_before(container, monkeypatch, "commit", sent_at_expiry)
    with pytest.raises(ValidationFailed) as late:
        container.bookings.patch(principal, hold["id"], {"is_temporary": False})
    assert list(late.value.errors) == ["is_temporary"]

    clock.now = BEFORE_EXPIRY  # a client whose instance's clock lags is told the same
    with pytest.raises(ValidationFailed) as again:
        container.bookings.patch(principal, hold["id"], {"is_temporary": False})
    assert list(again.value.errors) == ["is_temporary"]
    clock.now = AT_EXPIRY
    assert _live(container, principal) == []
    assert (
        container.bookings.create(principal, booking_body(clinic, 9))["resource_id"] == clinic["resource_id"]
    )


def test_the_project_default_hold_time_applies_when_a_hold_names_no_expiry(
    container: Container, clinic: dict[str, str], clock: Clock
) -> None:
    project = container.projects.create_project("Shop", default_hold_time="PT15M")
    _, value = container.projects.create_token(project.id, "all", None)
    shop = container.auth.authenticate(f"Bearer {value}")
    # the clinic belongs to another project: this one needs its own
    from tests.unit.clinic import make_clinic

    own = make_clinic(container, shop)

    assert _hold(container, shop, own)["expires_at"] == EXPIRY
    assert _hold(container, shop, {**own}, expires_at=None, ignore_fully_booked=True)["expires_at"] is None
    assert container.bookings.create(shop, booking_body(own, 10))["expires_at"] is None  # not temporary


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"expires_at": EXPIRY}, "The expires_at field is only allowed on a temporary booking."),
        (
            {"is_temporary": True, "expires_at": "2030-01-01T12:00:00+00:00"},
            "The expires_at must be a date in the future.",
        ),
    ],
)
def test_an_expiry_that_cannot_be_is_a_422(
    container: Container,
    principal: Principal,
    clinic: dict[str, str],
    clock: Clock,
    body: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        container.bookings.create(principal, booking_body(clinic, 9, **body))

    assert refused.value.errors == {"expires_at": [message]}
