"""Guessing a password is stopped without letting a stranger lock the owner out (issue 21, point 2): limits
per source address and per account and address, and after a few tries on an account from anywhere, a
log-in needs the link mailed to its owner."""

from datetime import timedelta

import pytest

from kairos.errors import RateLimited, Unauthenticated
from kairos.portal.accounts import GUARD_ATTEMPTS, GUARDED, MAILED, Accounts
from kairos.portal.throttle import MAIL_PER_HOUR, Throttle
from kairos.storage.rate_store import RateCounterStore
from tests.unit.portal.conftest import PASSWORD, Portal

OWNER = "owner@example.com"
OWNER_ADDRESS = "192.0.2.20"
WRONG = "Wrong-Secret-1"


def strangers(count: int) -> list[str]:
    return [f"203.0.113.{n}" for n in range(1, count + 1)]


def unlock_link(portal: Portal, email: str) -> str:
    mail = [m for m in portal.outbox.mails if m.to == email][-1]
    assert mail.subject == "Log in to Kairos"
    return mail.text.split("unlock=")[1].split()[0]


@pytest.fixture
def accounts(portal: Portal) -> Accounts:
    """The Portal's accounts with the limits a deployment has."""
    accounts = portal.accounts
    accounts._throttle = Throttle(RateCounterStore(portal.container.table), portal.clock)
    return accounts


def test_wrong_passwords_from_anywhere_leave_the_owner_a_mailed_way_in(
    portal: Portal, accounts: Accounts
) -> None:
    portal.person(OWNER)
    for address in strangers(11):
        with pytest.raises((Unauthenticated, RateLimited)):
            accounts.log_in(OWNER, WRONG, address)

    with pytest.raises(RateLimited) as refused:
        accounts.log_in(OWNER, PASSWORD, OWNER_ADDRESS)  # the right password, but the guard is up
    assert str(refused.value) == GUARDED
    token = unlock_link(portal, OWNER)
    assert accounts.log_in(OWNER, PASSWORD, OWNER_ADDRESS, unlock=token).id_token

    for address in strangers(GUARD_ATTEMPTS):  # the success cleared the guard: the count starts again
        with pytest.raises(Unauthenticated):
            accounts.log_in(OWNER, WRONG, address)
    with pytest.raises(RateLimited):  # up again, and the used link opens nothing
        accounts.log_in(OWNER, PASSWORD, OWNER_ADDRESS, unlock=token)
    assert accounts.log_in(OWNER, PASSWORD, OWNER_ADDRESS, unlock=unlock_link(portal, OWNER)).id_token


def test_the_guard_counts_tries_from_every_address_and_lapses_an_hour_after_the_last(
    portal: Portal, accounts: Accounts
) -> None:
    portal.person(OWNER)
    for address in strangers(GUARD_ATTEMPTS):
        with pytest.raises(Unauthenticated):
            accounts.log_in(OWNER, WRONG, address)
    with pytest.raises(RateLimited) as refused:
        accounts.log_in(OWNER, WRONG, "198.51.100.99")  # a new address: never reaches Cognito
    assert refused.value.retry_after == 3600
    portal.clock.advance(timedelta(minutes=30))
    with pytest.raises(RateLimited):  # refused tries do not count: still up, not extended
        accounts.log_in(OWNER, WRONG, "198.51.100.98")
    portal.clock.advance(timedelta(minutes=30))
    assert accounts.log_in(OWNER, PASSWORD, OWNER_ADDRESS).id_token
    assert [m.subject for m in portal.outbox.mails if m.to == OWNER].count("Log in to Kairos") == 1


def test_an_unlock_link_opens_only_its_own_account(portal: Portal, accounts: Accounts) -> None:
    portal.person(OWNER)
    portal.person("other@example.com")
    for address in strangers(GUARD_ATTEMPTS + 1):
        with pytest.raises((Unauthenticated, RateLimited)):
            accounts.log_in(OWNER, WRONG, address)
        with pytest.raises((Unauthenticated, RateLimited)):
            accounts.log_in("other@example.com", WRONG, address)
    with pytest.raises(RateLimited):
        accounts.log_in("other@example.com", PASSWORD, OWNER_ADDRESS, unlock=unlock_link(portal, OWNER))


def test_a_guarded_unknown_address_answers_as_a_known_one_and_mails_nobody(
    portal: Portal, accounts: Accounts
) -> None:
    portal.person(OWNER)
    said = {}
    for email in (OWNER, "nobody@example.com"):
        for address in strangers(GUARD_ATTEMPTS):
            with pytest.raises(Unauthenticated):
                accounts.log_in(email, WRONG, address)
        with pytest.raises(RateLimited) as refused:
            accounts.log_in(email, WRONG, OWNER_ADDRESS)
        said[email] = (str(refused.value), refused.value.retry_after)
    assert said[OWNER] == said["nobody@example.com"]
    assert [m.to for m in portal.outbox.mails if m.subject == "Log in to Kairos"] == [OWNER]


def test_strangers_asking_resets_never_refuse_the_owners_request_nor_flood_the_mailbox(
    portal: Portal, accounts: Accounts
) -> None:
    portal.person(OWNER)
    for address in strangers(3):
        for _ in range(10):  # each stranger address: its account-and-address limit a minute
            accounts.forgot_password(OWNER, address)
    assert accounts.forgot_password(OWNER, OWNER_ADDRESS) == MAILED
    assert len([m for m in portal.outbox.mails if m.to == OWNER]) == MAIL_PER_HOUR  # verify + resets
    token = portal.outbox.last_token(OWNER)
    accounts.reset_password(token, "Owners-New-Secret-1", OWNER_ADDRESS)  # the owner's way in holds
    assert accounts.log_in(OWNER, "Owners-New-Secret-1", OWNER_ADDRESS).id_token
