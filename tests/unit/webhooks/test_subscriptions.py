"""Subscriptions: validation, the secret shown once, rotation with a 24-hour overlap."""

from datetime import UTC, datetime, timedelta

import pytest

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.errors import NotFound, ValidationFailed
from kairos.outbound.ssrf import UnsafeUrl
from kairos.webhooks.subscriptions import Webhooks

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def accept(url: str) -> None:
    del url


@pytest.fixture
def clock() -> list[datetime]:
    return [T0]


@pytest.fixture
def hooks(container: Container, clock: list[datetime]) -> Webhooks:
    from kairos.storage.catalogue_store import CatalogueStore

    return Webhooks(CatalogueStore(container.table), accept, lambda: clock[0])


def test_the_secret_is_shown_on_create_and_never_again(hooks: Webhooks, principal: Principal) -> None:
    created = hooks.create(
        principal.project_id, {"url": "https://h.example.com/x", "events": ["booking.created"]}
    )
    assert created["secret"].startswith("whsec_")
    shown = hooks.get(principal, created["id"])
    assert "secret" not in shown and "previous_secret" not in shown
    assert shown["events"] == ["booking.created"] and shown["enabled"] is True
    assert [w["id"] for w in hooks.page(principal, {}).items] == [created["id"]]


def test_rotation_keeps_the_old_secret_valid_for_24_hours(
    hooks: Webhooks, principal: Principal, clock: list[datetime]
) -> None:
    created = hooks.create(principal.project_id, {"url": "https://h.example.com/x"})
    rotated = hooks.rotate(principal.project_id, created["id"])
    assert rotated["secret"] != created["secret"]
    subscription = hooks.subscription(principal.project_id, created["id"])
    assert subscription.valid_secrets(T0 + timedelta(hours=23)) == [rotated["secret"], created["secret"]]
    assert subscription.valid_secrets(T0 + timedelta(hours=24)) == [rotated["secret"]]


def test_an_update_keeps_the_secrets(hooks: Webhooks, principal: Principal) -> None:
    created = hooks.create(principal.project_id, {"url": "https://h.example.com/x"})
    patched = hooks.patch(principal, created["id"], {"enabled": False})
    assert patched["enabled"] is False and patched["url"] == "https://h.example.com/x"
    replaced = hooks.replace(principal, created["id"], {"url": "https://other.example.com/"})
    assert replaced["enabled"] is True and replaced["events"] == ["*"]
    assert hooks.subscription(principal.project_id, created["id"]).secret == created["secret"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": "https://h.example.com", "events": ["booking.exploded"]}, "events"),
        ({"url": "https://h.example.com", "events": []}, "events"),
        ({"url": "https://h.example.com", "enabled": "yes"}, "enabled"),
    ],
)
def test_invalid_subscriptions_are_a_422_naming_the_field(
    hooks: Webhooks, principal: Principal, body: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        hooks.create(principal.project_id, body)
    assert field in raised.value.errors


def test_an_unsafe_url_is_refused_at_create(container: Container, principal: Principal) -> None:
    from kairos.storage.catalogue_store import CatalogueStore

    def refuse(url: str) -> None:
        raise UnsafeUrl("the host resolves to a non-public address (10.0.0.1)")

    with pytest.raises(ValidationFailed) as raised:
        Webhooks(CatalogueStore(container.table), refuse).create(
            principal.project_id, {"url": "https://x.test"}
        )
    assert "non-public" in raised.value.errors["url"][0]


def test_a_deleted_subscription_is_gone(hooks: Webhooks, principal: Principal) -> None:
    created = hooks.create(principal.project_id, {"url": "https://h.example.com/x"})
    hooks.delete(principal.project_id, created["id"])
    with pytest.raises(NotFound):
        hooks.get(principal, created["id"])
