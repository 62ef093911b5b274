"""A person changes their account's address (issue 23): nothing changes until the link mailed to the new
address is opened by the same account with its password; then the account (its id, projects, name) logs
in with the new address only, its other sessions end, the browser that changed it gets a new session, and
the old address is told. The attacker's cases: an address with an account answers as a free one; a link
opened by another account, used twice or late changes nothing; a change racing a deletion leaves no
account behind."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from kairos.errors import Unauthenticated, ValidationFailed
from kairos.portal.accounts import MAILED
from kairos.portal.ports import Identity, Session
from kairos_local.moto_patches import cognito_totp, registry
from tests.totp import totp
from tests.unit.portal.conftest import PASSWORD, Portal, admin_call
from tests.unit.portal.test_sessions import claims_of
from tests.unit.portal.test_two_factor import two_factor_on

OLD, NEW = "old@example.com", "new@example.com"
ADDRESS = "192.0.2.70"


@pytest.fixture(autouse=True)
def services(portal: Portal) -> Iterator[None]:
    portal.container.__dict__.update(
        accounts=portal.accounts, workspace=portal.workspace, email_change=portal.email_change
    )
    cognito_totp.install(registry.replace)
    yield
    registry.restore()


def logged_in(portal: Portal, email: str) -> tuple[Identity, dict[str, str]]:
    session = portal.accounts.log_in(email, PASSWORD, ADDRESS)
    assert isinstance(session, Session)
    claims = claims_of(session)
    person = Identity(
        claims.get("custom:kairos_id") or claims["sub"], claims["email"], claims.get("name", "")
    )
    return person, claims


def ask(portal: Portal, person: Identity, claims: dict[str, str], to: str, **more: Any) -> tuple[int, Any]:
    body = {"email": to, "password": PASSWORD, **more}
    return admin_call(portal, person, "POST", "/account/email", body, claims=claims)


def confirm(portal: Portal, person: Identity, claims: dict[str, str], token: str) -> tuple[int, Any]:
    body = {"token": token, "password": PASSWORD}
    return admin_call(portal, person, "POST", "/account/email/confirm", body, claims=claims)


def test_the_address_changes_only_with_the_link_and_the_account_keeps_its_projects(portal: Portal) -> None:
    portal.person(OLD, name="Ada")
    person, claims = logged_in(portal, OLD)
    project = portal.workspace.create(person, "Clinic")
    other_device = portal.accounts.log_in(OLD, PASSWORD, "198.51.100.7")

    assert ask(portal, person, claims, NEW) == (202, {"message": MAILED})
    assert portal.accounts.log_in(OLD, PASSWORD, ADDRESS)  # nothing changed yet
    with pytest.raises(Unauthenticated):
        portal.accounts.log_in(NEW, PASSWORD, ADDRESS)

    status, changed = confirm(portal, person, claims, portal.outbox.last_token(NEW))
    assert (status, changed["email"], changed["two_factor"]) == (200, NEW, False), changed
    new_claims = claims_of(Session(changed["session"]["id_token"], "", None, 0))
    assert new_claims["custom:kairos_id"] == person.account_id  # the same account, a new Cognito user
    moved = Identity(person.account_id, NEW, "Ada")
    assert admin_call(portal, moved, "GET", "/account", claims=new_claims)[1]["email"] == NEW
    assert [p["id"] for p in portal.workspace.projects(moved)] == [project["id"]]
    assert portal.accounts.log_in(NEW, PASSWORD, ADDRESS)
    with pytest.raises(Unauthenticated):
        portal.accounts.log_in(OLD, PASSWORD, ADDRESS)
    for ended in (claims, claims_of(other_device)):  # type: ignore[arg-type]
        assert admin_call(portal, person, "GET", "/account", claims=ended)[0] == 401
    told = [m for m in portal.outbox.mails if m.to == OLD][-1]
    assert told.subject == "Your Kairos address was changed" and NEW not in told.text


def test_an_address_with_an_account_is_answered_as_a_free_one_and_never_taken(portal: Portal) -> None:
    portal.person(OLD)
    portal.person(NEW)
    person, claims = logged_in(portal, OLD)
    mails = len(portal.outbox.mails)

    assert ask(portal, person, claims, NEW) == (202, {"message": MAILED})
    (told,) = portal.outbox.mails[mails:]
    assert told.to == NEW and "token=" not in told.text and "already has one" in told.text
    assert portal.accounts.log_in(OLD, PASSWORD, ADDRESS) and portal.accounts.log_in(NEW, PASSWORD, ADDRESS)


def test_asking_needs_the_password_and_the_code_not_only_the_session(portal: Portal) -> None:
    first = portal.person(OLD)
    secret = two_factor_on(portal, first)
    session = portal.accounts.log_in(OLD, PASSWORD, ADDRESS, code=totp(secret))
    person, claims = first, claims_of(session)  # type: ignore[arg-type]

    assert ask(portal, person, claims, NEW, password="Wrong-Horse-42")[0] == 422
    status, refused = ask(portal, person, claims, NEW)
    assert status == 422 and "code" in refused["errors"]
    assert not [m for m in portal.outbox.mails if m.to == NEW]
    assert ask(portal, person, claims, NEW, code=totp(secret))[0] == 202

    status, changed = confirm(portal, person, claims, portal.outbox.last_token(NEW))
    assert status == 422 and "code" in changed["errors"]  # the link is opened with the code too
    body = {"token": portal.outbox.last_token(NEW), "password": PASSWORD, "code": totp(secret)}
    status, changed = admin_call(portal, person, "POST", "/account/email/confirm", body, claims=claims)
    assert (status, changed["two_factor"]) == (200, False)  # set up again: Cognito never gives it out
    assert portal.accounts.two_factor_on(Identity(person.account_id, NEW, "")) is False


def test_the_link_works_once_within_an_hour(portal: Portal) -> None:
    portal.person(OLD)
    person, claims = logged_in(portal, OLD)
    ask(portal, person, claims, NEW)
    late = portal.outbox.last_token(NEW)
    portal.clock.advance(timedelta(minutes=61))
    assert confirm(portal, person, claims, late)[0] == 422
    ask(portal, person, claims, NEW)
    token = portal.outbox.last_token(NEW)

    assert confirm(portal, person, claims, token)[0] == 200
    moved, new_claims = logged_in(portal, NEW)
    status, again = confirm(portal, moved, new_claims, token)
    assert status == 422 and "token" in again["errors"]


def test_a_link_opened_by_another_account_changes_nothing_and_stays_its_owners(portal: Portal) -> None:
    portal.person(OLD)
    portal.person("intruder@example.com")
    person, claims = logged_in(portal, OLD)
    intruder, intruder_claims = logged_in(portal, "intruder@example.com")
    ask(portal, person, claims, NEW)
    token = portal.outbox.last_token(NEW)

    status, refused = confirm(portal, intruder, intruder_claims, token)
    assert status == 422 and "token" in refused["errors"]
    assert portal.accounts.log_in("intruder@example.com", PASSWORD, ADDRESS)
    with pytest.raises(Unauthenticated):
        portal.accounts.log_in(NEW, PASSWORD, ADDRESS)
    assert confirm(portal, person, claims, token)[0] == 200


def test_asking_for_an_address_you_do_not_own_leaves_it_free_for_its_owner(portal: Portal) -> None:
    """A person in the middle asks for a victim's address: the link goes to the victim's mailbox, the
    asker never sees it, and the victim registers the address as usual."""
    portal.person(OLD)
    person, claims = logged_in(portal, OLD)
    ask(portal, person, claims, NEW)
    with pytest.raises(ValidationFailed):
        portal.email_change.confirm(person, "a-guessed-token", PASSWORD, None, ADDRESS)

    victim = portal.person(NEW, name="Victim")
    assert victim.account_id != person.account_id
    status, refused = confirm(
        portal, person, claims, portal.outbox.mails[-2].text.split("token=")[1].split()[0]
    )
    assert status == 409 and "was not changed" in refused["message"]  # the address has an account now
    assert portal.accounts.log_in(OLD, PASSWORD, ADDRESS) and portal.accounts.log_in(NEW, PASSWORD, ADDRESS)


@pytest.mark.parametrize("step", ["create_verified", "log_out"])
def test_a_deletion_racing_the_change_leaves_no_account_at_either_address(portal: Portal, step: str) -> None:
    """The deletion runs just before the new user is made (`create_verified`), or after the change's
    check that the profile is still there, as it ends the old sessions (`log_out`)."""
    portal.person(OLD)
    person, claims = logged_in(portal, OLD)
    ask(portal, person, claims, NEW)
    token = portal.outbox.last_token(NEW)
    identities = portal.email_change._ids
    original = getattr(identities, step)
    raced: list[bool] = []

    def deletion_first(*args: Any) -> Any:
        if not raced:
            raced.append(True)
            portal.container.account_deletion.delete(person, PASSWORD, None, "delete my account", ADDRESS)
        return original(*args)

    setattr(identities, step, deletion_first)
    with pytest.raises((ValidationFailed, Unauthenticated)):
        portal.email_change.confirm(person, token, PASSWORD, None, ADDRESS)
    assert identities.verified(NEW) is None and identities.verified(OLD) is None
