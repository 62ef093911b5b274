"""Registering someone else's address first never gets the attacker in: a verified account's password and
name are always those of the registration its verifier made (issue 21, point 1)."""

from typing import Any

import pytest

from kairos.errors import Forbidden, Retryable, Unauthenticated, ValidationFailed
from kairos.portal.accounts import INCOMPLETE, NOT_THE_PASSWORD
from tests.unit.portal.conftest import PASSWORD, Portal

VICTIM = "victim@example.com"
ATTACKER_PASSWORD = "Attacker-Secret-1"
ATTACKER_ADDRESS, VICTIM_ADDRESS = "203.0.113.66", "192.0.2.10"


def test_the_victims_later_registration_replaces_the_attackers_password_and_name(portal: Portal) -> None:
    portal.accounts.register("Mallory", VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)
    portal.accounts.register("Victor Victim", VICTIM, PASSWORD, VICTIM_ADDRESS)

    account = portal.accounts.verify(portal.outbox.last_token(VICTIM), PASSWORD, VICTIM_ADDRESS)[0]

    assert account.name == "Victor Victim"
    with pytest.raises(Unauthenticated):
        portal.accounts.log_in(VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)
    assert portal.accounts.log_in(VICTIM, PASSWORD, VICTIM_ADDRESS).id_token


def test_a_verification_link_needs_the_password_of_the_latest_registration(portal: Portal) -> None:
    """The mailbox's owner clicking a link they did not ask for verifies nothing; neither does their link
    after the attacker registered again."""
    portal.accounts.register("Mallory", VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)
    unrequested = portal.outbox.last_token(VICTIM)
    with pytest.raises(ValidationFailed) as refused:
        portal.accounts.verify(unrequested, "Victims-Guess-1", VICTIM_ADDRESS)
    assert refused.value.errors == {"password": [NOT_THE_PASSWORD]}

    portal.accounts.register("Victor Victim", VICTIM, PASSWORD, VICTIM_ADDRESS)
    mine = portal.outbox.last_token(VICTIM)
    portal.accounts.register("Mallory", VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)  # again, after me
    for token in (mine, portal.outbox.last_token(VICTIM)):
        with pytest.raises(ValidationFailed):
            portal.accounts.verify(token, PASSWORD, VICTIM_ADDRESS)
    with pytest.raises(Forbidden):  # still unverified: the attacker's password gives no session
        portal.accounts.log_in(VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)

    portal.accounts.register("Victor Victim", VICTIM, PASSWORD, VICTIM_ADDRESS)  # the owner, last
    assert portal.accounts.verify(unrequested, PASSWORD, VICTIM_ADDRESS)[0].name == "Victor Victim"


def test_no_registration_lands_between_a_verifications_password_check_and_its_confirmation(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal.accounts.register("Victor Victim", VICTIM, PASSWORD, VICTIM_ADDRESS)
    token = portal.outbox.last_token(VICTIM)
    identities: Any = portal.accounts._ids
    check = identities.password_matches
    attempts: list[type[Exception]] = []

    def check_then_race(email: str, password: str) -> bool:
        matches: bool = check(email, password)
        try:  # the attacker registers while the verification is between its check and its confirmation
            portal.accounts.register("Mallory", VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)
        except Retryable as refused:
            attempts.append(type(refused))
        return matches

    monkeypatch.setattr(identities, "password_matches", check_then_race)
    assert portal.accounts.verify(token, PASSWORD, VICTIM_ADDRESS)[0].name == "Victor Victim"
    monkeypatch.undo()

    assert attempts == [Retryable]
    assert portal.accounts.log_in(VICTIM, PASSWORD, VICTIM_ADDRESS).id_token


def test_an_account_a_failed_registration_left_half_written_cannot_be_verified(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attacker's registration set its password, then failed before its name: the owner's link (and
    password guessing) must not verify that mix until a registration finishes."""
    portal.accounts.register("Victor Victim", VICTIM, PASSWORD, VICTIM_ADDRESS)
    token = portal.outbox.last_token(VICTIM)
    identities: Any = portal.accounts._ids

    def broken(**_: Any) -> None:
        raise RuntimeError("Cognito went away")

    monkeypatch.setattr(identities._client, "admin_update_user_attributes", broken)
    with pytest.raises(RuntimeError):
        portal.accounts.register("Mallory", VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)
    monkeypatch.undo()

    for password in (PASSWORD, ATTACKER_PASSWORD):
        with pytest.raises(ValidationFailed) as refused:
            portal.accounts.verify(token, password, VICTIM_ADDRESS)
        assert refused.value.errors == {"token": [INCOMPLETE]}
    portal.accounts.register("Victor Victim", VICTIM, PASSWORD, VICTIM_ADDRESS)
    assert portal.accounts.verify(token, PASSWORD, VICTIM_ADDRESS)[0].name == "Victor Victim"


def test_a_reset_of_an_unverified_address_sets_no_password(portal: Portal) -> None:
    """A reset would leave the attacker's name on the account: the owner is told to register instead."""
    portal.accounts.register("Mallory", VICTIM, ATTACKER_PASSWORD, ATTACKER_ADDRESS)
    before = len(portal.outbox.mails)
    portal.accounts.forgot_password(VICTIM, VICTIM_ADDRESS)
    (mail,) = portal.outbox.mails[before:]
    assert "register again" in mail.text
    assert "token=" not in mail.text
