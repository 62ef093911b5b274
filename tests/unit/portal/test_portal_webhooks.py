"""Webhooks in the admin API: a member creates, changes, rotates and deletes a project's webhooks through
the public API's webhook service (its validation, its secret shown once, its 24-hour rotation overlap);
anyone else gets the 404 a missing project gets, and no project reaches another's webhook."""

from typing import Any

import pytest

from kairos.portal.ports import Identity
from kairos.values.formats import now_utc
from tests.unit.portal.conftest import Portal, admin_call

PUBLIC_URL = "https://93.184.216.34/hook"  # a public address: the SSRF guard needs no DNS for it


def _invite(portal: Portal, owner: Identity, project_id: str, person: Identity) -> None:
    portal.workspace.invite(owner, project_id, person.email)
    portal.workspace.accept(person, portal.outbox.last_token(person.email))


@pytest.fixture
def shared(portal: Portal) -> tuple[Identity, Identity, dict[str, Any]]:
    """An owner, a member who is not the owner, and their project."""
    owner, member = portal.person("owner@example.com"), portal.person("member@example.com")
    project = portal.workspace.create(owner, "Clinic")
    _invite(portal, owner, project["id"], member)
    return owner, member, project


def test_a_member_creates_changes_rotates_and_deletes_a_webhook(
    portal: Portal, shared: tuple[Identity, Identity, dict[str, Any]]
) -> None:
    _, member, project = shared
    base = f"/projects/{project['id']}/webhooks"
    status, created = admin_call(portal, member, "POST", base, {"url": PUBLIC_URL})
    assert status == 201
    assert created["secret"].startswith("whsec_")
    assert (created["url"], created["events"], created["enabled"]) == (PUBLIC_URL, ["*"], True)
    status, listed = admin_call(portal, member, "GET", base)
    assert [w["id"] for w in listed["data"]] == [created["id"]]
    assert "secret" not in listed["data"][0]  # shown once

    item = f"{base}/{created['id']}"
    change = {"enabled": False, "events": ["booking.created"], "description": "CRM"}
    status, changed = admin_call(portal, member, "PATCH", item, change)
    assert status == 200
    assert (changed["url"], changed["events"], changed["enabled"], changed["description"]) == (
        PUBLIC_URL,
        ["booking.created"],
        False,
        "CRM",
    )
    assert "secret" not in changed

    status, rotated = admin_call(portal, member, "POST", f"{item}/rotate")
    assert status == 200
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert rotated["previous_secret_expires_at"]
    subscription = portal.container.webhooks.subscription(project["id"], created["id"])
    assert subscription.valid_secrets(now_utc()) == [rotated["secret"], created["secret"]]

    assert admin_call(portal, member, "DELETE", item) == (204, None)
    assert admin_call(portal, member, "GET", base)[1]["data"] == []
    assert admin_call(portal, member, "PATCH", item, {"enabled": True})[0] == 404


def test_bad_input_is_a_422_per_field_and_changes_nothing(
    portal: Portal, shared: tuple[Identity, Identity, dict[str, Any]]
) -> None:
    owner, _, project = shared
    base = f"/projects/{project['id']}/webhooks"
    bad = {"url": "http://10.0.0.7/hook", "events": ["booking.sent"], "enabled": "yes", "description": 5}
    status, answer = admin_call(portal, owner, "POST", base, bad)
    assert status == 422
    assert set(answer["errors"]) == {"url", "events", "enabled", "description"}
    assert "non-public address" in answer["errors"]["url"][0]
    assert admin_call(portal, owner, "GET", base)[1]["data"] == []

    _, created = admin_call(portal, owner, "POST", base, {"url": PUBLIC_URL, "events": ["*"]})
    item = f"{base}/{created['id']}"
    for change in ({"url": ""}, {"events": []}, {"url": "file:///etc/passwd"}, {"enabled": None}):
        status, answer = admin_call(portal, owner, "PATCH", item, change)
        assert status == 422 and set(answer["errors"]) == set(change), change
    (kept,) = admin_call(portal, owner, "GET", base)[1]["data"]
    assert (kept["url"], kept["events"], kept["enabled"]) == (PUBLIC_URL, ["*"], True)


def test_nobody_reaches_a_webhook_outside_their_projects(
    portal: Portal, shared: tuple[Identity, Identity, dict[str, Any]]
) -> None:
    owner, _, project = shared
    stranger = portal.person("stranger@example.com")
    own = portal.workspace.create(stranger, "Elsewhere")
    _, hook = admin_call(portal, owner, "POST", f"/projects/{project['id']}/webhooks", {"url": PUBLIC_URL})
    for project_id in (project["id"], own["id"]):  # not a member; a member of another project
        item = f"/projects/{project_id}/webhooks/{hook['id']}"
        attempts = [
            ("POST", f"/projects/{project_id}/webhooks", {"url": PUBLIC_URL}),
            ("PATCH", item, {"enabled": False}),
            ("POST", f"{item}/rotate", None),
            ("DELETE", item, None),
        ]
        for method, path, body in attempts:
            if project_id == own["id"] and method == "POST" and path.endswith("/webhooks"):
                continue  # creating in one's own project is allowed
            status, answer = admin_call(portal, stranger, method, path, body)
            assert status == 404, (method, path)
            assert answer["message"]
    subscription = portal.container.webhooks.subscription(project["id"], hook["id"])
    assert subscription.enabled and subscription.secret == hook["secret"]
    assert (
        admin_call(portal, owner, "GET", f"/projects/{project['id']}/webhooks")[1]["data"][0]["id"]
        == hook["id"]
    )


def test_the_event_types_offered_are_the_ones_a_webhook_accepts(portal: Portal) -> None:
    owner = portal.person("events@example.com")
    project = portal.workspace.create(owner, "Events")
    status, offered = admin_call(portal, owner, "GET", "/webhook-events")
    assert status == 200 and "booking.created" in offered["data"]
    body = {"url": PUBLIC_URL, "events": offered["data"]}
    status, created = admin_call(portal, owner, "POST", f"/projects/{project['id']}/webhooks", body)
    assert status == 201 and created["events"] == sorted(offered["data"])
