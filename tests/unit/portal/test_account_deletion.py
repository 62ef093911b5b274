"""A person deletes their own account (issue 23): refused while it owns a project others are members of
(named), allowed with the password and the typed confirmation; the projects it owns alone go with it, it
leaves the others', its sessions end, and Cognito forgets it (the address may register again)."""

from collections.abc import Iterator

import pytest

from kairos.errors import Unauthenticated
from kairos.portal.ports import Identity
from kairos_local.moto_patches import cognito_totp, registry
from tests.totp import totp
from tests.unit.portal.conftest import PASSWORD, Portal, admin_call
from tests.unit.portal.test_sessions import claims_of

LEAVING, OTHER = "leaving@example.com", "staying@example.com"
ADDRESS = "192.0.2.50"
CONFIRMED = {"password": PASSWORD, "confirmation": "delete my account"}


@pytest.fixture(autouse=True)
def services(portal: Portal) -> Iterator[None]:
    portal.container.__dict__.update(accounts=portal.accounts, workspace=portal.workspace)
    cognito_totp.install(registry.replace)
    yield
    registry.restore()


def joined(portal: Portal, owner: Identity, project_id: str, guest: Identity) -> None:
    portal.workspace.invite(owner, project_id, guest.email)
    portal.workspace.accept(guest, portal.outbox.last_token(guest.email))


def test_an_account_owning_a_project_with_other_members_is_not_deleted(portal: Portal) -> None:
    leaving, other = portal.person(LEAVING), portal.person(OTHER)
    shared = portal.workspace.create(leaving, "Shared clinic")
    joined(portal, leaving, shared["id"], other)

    status, preview = admin_call(portal, leaving, "GET", "/account/deletion")
    assert status == 200 and preview["can_delete"] is False
    assert preview["blocking"] == [{"id": shared["id"], "name": "Shared clinic"}]
    status, refused = admin_call(portal, leaving, "POST", "/account/delete", CONFIRMED)
    assert status == 409 and "Shared clinic" in refused["message"]
    assert portal.accounts.log_in(LEAVING, PASSWORD, ADDRESS)  # nothing changed
    assert [p["id"] for p in portal.workspace.projects(other)] == [shared["id"]]


def test_deleting_an_account_takes_its_own_projects_and_leaves_the_others(portal: Portal) -> None:
    leaving, other = portal.person(LEAVING), portal.person(OTHER)
    own = portal.workspace.create(leaving, "Mine alone")
    theirs = portal.workspace.create(other, "Theirs")
    joined(portal, other, theirs["id"], leaving)
    session = portal.accounts.log_in(LEAVING, PASSWORD, ADDRESS)
    claims = claims_of(session)  # type: ignore[arg-type]

    status, preview = admin_call(portal, leaving, "GET", "/account/deletion", claims=claims)
    assert (status, preview["can_delete"]) == (200, True)
    assert preview["deleted"] == [{"id": own["id"], "name": "Mine alone"}]
    assert preview["left"] == [{"id": theirs["id"], "name": "Theirs"}]
    for wrong, field in (
        ({**CONFIRMED, "confirmation": "delete"}, "confirmation"),
        ({**CONFIRMED, "password": "Not-The-Password-1"}, "password"),
    ):
        status, refused = admin_call(portal, leaving, "POST", "/account/delete", wrong, claims=claims)
        assert (status, list(refused["errors"])) == (422, [field])

    assert admin_call(portal, leaving, "POST", "/account/delete", CONFIRMED, claims=claims) == (204, None)

    assert admin_call(portal, leaving, "GET", "/account", claims=claims)[0] == 401  # the session ended
    with pytest.raises(Unauthenticated):
        portal.accounts.log_in(LEAVING, PASSWORD, ADDRESS)
    assert portal.workspace.projects(other)[0]["id"] == theirs["id"]
    assert [m["email"] for m in portal.workspace.members(other, theirs["id"])] == [OTHER]
    assert not portal.container.projects.project(own["id"]).enabled  # deleted as the Portal deletes
    assert portal.outbox.mails[-1].subject == "Your Kairos account is deleted"
    again = portal.person(LEAVING)  # the address registers again: a new account
    assert again.account_id != leaving.account_id and portal.workspace.projects(again) == []


def test_with_two_factor_on_deleting_needs_the_code_too(portal: Portal) -> None:
    leaving = portal.person(LEAVING)
    _, started = admin_call(portal, leaving, "POST", "/account/two-factor/setup", {"password": PASSWORD})
    code = {"password": PASSWORD, "code": totp(started["secret"])}
    assert admin_call(portal, leaving, "POST", "/account/two-factor", code)[0] == 204
    status, refused = admin_call(portal, leaving, "POST", "/account/delete", CONFIRMED)
    assert (status, refused["errors"]) == (422, {"code": ["Enter the code your authenticator app shows."]})
    body = {**CONFIRMED, "code": totp(started["secret"], steps=1)}
    assert admin_call(portal, leaving, "POST", "/account/delete", body) == (204, None)
