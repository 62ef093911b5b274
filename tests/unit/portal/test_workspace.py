"""Projects in the Portal: members only (404 for anyone else), owner-only changes (403 for members), plan
changes recorded with who and when, invitations that work once within 7 days, deletion that stops the
project's tokens, and audit entries for membership, plan and token changes."""

from datetime import timedelta

import pytest

from kairos.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from kairos.portal.ports import Identity
from tests.unit.portal.conftest import Portal


def _invite(portal: Portal, owner: Identity, project_id: str, email: str) -> str:
    portal.workspace.invite(owner, project_id, email)
    return portal.outbox.last_token(email)


def test_a_person_who_is_not_a_member_gets_404_for_every_project_route(portal: Portal) -> None:
    owner, stranger = portal.person("owner@example.com"), portal.person("stranger@example.com")
    project = portal.workspace.create(owner, "Clinic")
    attempts = [
        lambda: portal.workspace.project(stranger, project["id"]),
        lambda: portal.workspace.members(stranger, project["id"]),
        lambda: portal.workspace.rename(stranger, project["id"], "Mine"),
        lambda: portal.workspace.change_plan(stranger, project["id"], "tier2"),
        lambda: portal.workspace.invite(stranger, project["id"], "x@example.com"),
        lambda: portal.tokens.listing(stranger, project["id"]),
        lambda: portal.tokens.create(stranger, project["id"], "t", None),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    assert portal.workspace.projects(stranger) == []


def test_members_use_the_project_but_only_the_owner_changes_it(portal: Portal) -> None:
    owner, member = portal.person("o@example.com"), portal.person("m@example.com")
    project = portal.workspace.create(owner, "Clinic")
    joined = portal.workspace.accept(member, _invite(portal, owner, project["id"], "m@example.com"))
    assert joined["role"] == "member"
    assert portal.tokens.create(member, project["id"], "member's", ["location:view"])["token"]
    for attempt in (
        lambda: portal.workspace.rename(member, project["id"], "Mine"),
        lambda: portal.workspace.delete(member, project["id"]),
        lambda: portal.workspace.change_plan(member, project["id"], "tier2"),
        lambda: portal.workspace.invite(member, project["id"], "x@example.com"),
        lambda: portal.workspace.remove_member(member, project["id"], owner.account_id),
    ):
        with pytest.raises(Forbidden):
            attempt()
    with pytest.raises(ValidationFailed):
        portal.workspace.remove_member(owner, project["id"], owner.account_id)  # the owner stays
    portal.workspace.remove_member(owner, project["id"], member.account_id)
    with pytest.raises(NotFound):
        portal.workspace.project(member, project["id"])


def test_a_new_project_is_free_and_a_plan_change_is_recorded_with_who_and_when(portal: Portal) -> None:
    owner = portal.person("plan@example.com")
    project = portal.workspace.create(owner, "Clinic")
    assert project["plan"] == {"name": "free", "requests_per_minute": 100, "requests_per_month": 2500}
    changed = portal.workspace.change_plan(owner, project["id"], "tier3")
    assert changed["plan"]["name"] == "tier3"
    assert changed["rate_limit_per_minute"] == 500
    stored = portal.container.table.get({"PK": f"PROJECT#{project['id']}", "SK": "PROJECT"})
    assert stored is not None
    assert stored["plan_changed_by"] == "plan@example.com"
    assert stored["plan_changed_at"]
    with pytest.raises(ValidationFailed):
        portal.workspace.change_plan(owner, project["id"], "platinum")
    entries = portal.workspace.audit(owner, project["id"], {"limit": "10"})["data"]
    assert entries[0]["action"] == "plan.changed"
    assert entries[0]["detail"] == {"from": "free", "to": "tier3"}
    assert entries[0]["actor"]["email"] == "plan@example.com"


def test_an_invitation_expires_after_seven_days_and_works_once(portal: Portal) -> None:
    owner, late, twice = (portal.person(f"{n}@example.com") for n in ("own", "late", "twice"))
    project = portal.workspace.create(owner, "Clinic")
    expired = _invite(portal, owner, project["id"], "late@example.com")
    used = _invite(portal, owner, project["id"], "twice@example.com")
    assert len(portal.workspace.invitations(owner, project["id"])) == 2
    portal.workspace.accept(twice, used)
    with pytest.raises(ValidationFailed):
        portal.workspace.accept(twice, used)
    portal.clock.advance(timedelta(days=7, seconds=1))
    assert portal.workspace.invitations(owner, project["id"]) == []
    with pytest.raises(ValidationFailed):
        portal.workspace.accept(late, expired)


def test_a_withdrawn_invitation_no_longer_works(portal: Portal) -> None:
    owner, invitee = portal.person("w-own@example.com"), portal.person("w-inv@example.com")
    project = portal.workspace.create(owner, "Clinic")
    invitation = portal.workspace.invite(owner, project["id"], "w-inv@example.com")
    token = portal.outbox.last_token("w-inv@example.com")
    portal.workspace.withdraw(owner, project["id"], invitation["id"])
    with pytest.raises(ValidationFailed):
        portal.workspace.accept(invitee, token)


def test_deleting_a_project_hides_it_and_stops_its_tokens(portal: Portal) -> None:
    owner = portal.person("del@example.com")
    project = portal.workspace.create(owner, "Doomed")
    value = portal.tokens.create(owner, project["id"], "t", None)["token"]
    auth = portal.container.auth
    cached = auth.authenticate(f"Bearer {value}")
    auth.count_request(cached)
    portal.workspace.delete(owner, project["id"])
    assert portal.workspace.projects(owner) == []
    with pytest.raises(NotFound):
        portal.workspace.project(owner, project["id"])
    with pytest.raises(Forbidden):  # at once, though this instance cached the token
        auth.count_request(auth.authenticate(f"Bearer {value}"))
    with pytest.raises(Unauthenticated):  # read again: revoked
        auth.authenticate(f"Bearer {value}")


def test_tokens_are_listed_changed_and_deleted_with_audit_entries(portal: Portal) -> None:
    owner = portal.person("tok@example.com")
    project = portal.workspace.create(owner, "Clinic")
    created = portal.tokens.create(owner, project["id"], "widget", ["location:view"])
    listed = portal.tokens.listing(owner, project["id"])
    assert listed["cache_seconds"] == 60
    assert [(t["name"], t["abilities"], t["last_used_at"]) for t in listed["data"]] == [
        ("widget", ["location:view"], None)
    ]
    assert "token" not in listed["data"][0]
    changed = portal.tokens.change(
        owner, project["id"], created["id"], None, ["location:view", "service:view"]
    )
    assert changed["abilities"] == ["location:view", "service:view"]
    portal.container.auth._cache.clear()
    principal = portal.container.auth.authenticate(f"Bearer {created['token']}")
    assert principal.abilities == {"location:view", "service:view"}
    with pytest.raises(ValidationFailed):
        portal.tokens.change(owner, project["id"], created["id"], None, ["location:fly"])
    portal.tokens.delete(owner, project["id"], created["id"])
    assert portal.tokens.listing(owner, project["id"])["data"] == []
    with pytest.raises(NotFound):
        portal.tokens.delete(owner, project["id"], created["id"])
    actions = [e["action"] for e in portal.workspace.audit(owner, project["id"], {"limit": "10"})["data"]]
    assert actions == ["token.deleted", "token.changed", "token.created", "project.created"]


def test_the_audit_log_pages_newest_first(portal: Portal) -> None:
    owner = portal.person("audit@example.com")
    project = portal.workspace.create(owner, "Clinic")
    for name in ("a", "b", "c"):
        portal.clock.advance(timedelta(seconds=1))
        portal.workspace.rename(owner, project["id"], name)
    first = portal.workspace.audit(owner, project["id"], {"limit": "2"})
    second = portal.workspace.audit(owner, project["id"], {"cursor": first["next_cursor"], "limit": "2"})
    names = [e["detail"].get("to", e["detail"].get("name")) for e in first["data"] + second["data"]]
    assert names == ["c", "b", "a", "Clinic"]


@pytest.mark.parametrize("bad", ["x" * 3000, "not-an-id", "../projects"])
def test_ids_that_cannot_exist_are_a_404_not_a_store_error(portal: Portal, bad: str) -> None:
    owner = portal.person("ids@example.com")
    project = portal.workspace.create(owner, "Clinic")
    for attempt in (
        lambda: portal.workspace.project(owner, bad),
        lambda: portal.workspace.remove_member(owner, project["id"], bad),
        lambda: portal.workspace.withdraw(owner, project["id"], bad),
        lambda: portal.tokens.delete(owner, project["id"], bad),
    ):
        with pytest.raises(NotFound):
            attempt()
    with pytest.raises(ValidationFailed):
        portal.workspace.audit(owner, project["id"], {"cursor": bad})
