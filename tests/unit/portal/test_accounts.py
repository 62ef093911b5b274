"""Accounts: only the mailed link verifies, links work once and expire, no answer tells whether an address
has an account, and log-in and registration are rate-limited per address and per account and address."""

from datetime import timedelta

import pytest

from kairos.errors import Forbidden, RateLimited, Unauthenticated, ValidationFailed
from kairos.portal.accounts import MAILED
from kairos.portal.throttle import Throttle
from kairos.storage.rate_store import RateCounterStore
from tests.unit.portal.conftest import PASSWORD, Portal

ADDRESS = "192.0.2.1"


def test_an_account_is_unusable_until_its_mailed_link_is_opened_once(portal: Portal) -> None:
    assert portal.accounts.register("Mr. Developer", "dev@example.com", PASSWORD, ADDRESS) == MAILED
    with pytest.raises(Forbidden):
        portal.accounts.log_in("dev@example.com", PASSWORD, ADDRESS)
    token = portal.outbox.last_token("dev@example.com")
    account = portal.accounts.verify(token, PASSWORD, ADDRESS)[0]
    assert (account.email, account.name) == ("dev@example.com", "Mr. Developer")
    assert portal.accounts.log_in("dev@example.com", PASSWORD, ADDRESS).id_token
    with pytest.raises(ValidationFailed):
        portal.accounts.verify(token, PASSWORD, ADDRESS)


def test_a_verification_link_expires_after_a_day(portal: Portal) -> None:
    portal.accounts.register("Dev", "late@example.com", PASSWORD, ADDRESS)
    portal.clock.advance(timedelta(hours=24, seconds=1))
    with pytest.raises(ValidationFailed) as refused:
        portal.accounts.verify(portal.outbox.last_token("late@example.com"), PASSWORD, ADDRESS)
    assert refused.value.errors == {"token": ["This link is invalid or has expired."]}


def test_registering_a_taken_address_answers_the_same_and_mails_its_owner(portal: Portal) -> None:
    portal.person("taken@example.com")
    before = len(portal.outbox.mails)
    assert portal.accounts.register("Someone", "taken@example.com", "Other-Secret-1", ADDRESS) == MAILED
    (mail,) = portal.outbox.mails[before:]
    assert "already has one" in mail.text
    assert portal.accounts.log_in("taken@example.com", PASSWORD, ADDRESS)  # the password did not change


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(portal: Portal) -> None:
    portal.person("known@example.com")
    before = len(portal.outbox.mails)
    assert portal.accounts.forgot_password("unknown@example.com", ADDRESS) == MAILED
    assert portal.accounts.forgot_password("known@example.com", ADDRESS) == MAILED
    assert [m.to for m in portal.outbox.mails[before:]] == ["known@example.com"]


def test_a_reset_link_works_for_an_hour_and_once(portal: Portal) -> None:
    portal.person("reset@example.com")
    portal.accounts.forgot_password("reset@example.com", ADDRESS)
    token = portal.outbox.last_token("reset@example.com")
    portal.clock.advance(timedelta(minutes=59))
    portal.accounts.reset_password(token, "New-Secret-77", ADDRESS)
    with pytest.raises(ValidationFailed):
        portal.accounts.reset_password(token, "Other-Secret-77", ADDRESS)
    with pytest.raises(Unauthenticated):
        portal.accounts.log_in("reset@example.com", PASSWORD, ADDRESS)
    assert portal.accounts.log_in("reset@example.com", "New-Secret-77", ADDRESS)


def test_changing_the_password_needs_the_current_one(portal: Portal) -> None:
    person = portal.person("change@example.com")
    with pytest.raises(ValidationFailed) as refused:
        portal.accounts.change_password(person, "Wrong-Secret-1", "New-Secret-77", ADDRESS)
    assert list(refused.value.errors) == ["current_password"]
    portal.accounts.change_password(person, PASSWORD, "New-Secret-77", ADDRESS)
    assert portal.accounts.log_in("change@example.com", "New-Secret-77", ADDRESS)


def test_a_wrong_password_and_an_unknown_address_read_the_same(portal: Portal) -> None:
    portal.person("someone@example.com")
    messages = []
    for email in ("someone@example.com", "nobody@example.com"):
        with pytest.raises(Unauthenticated) as refused:
            portal.accounts.log_in(email, "Wrong-Secret-1", ADDRESS)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]


def test_attempts_are_limited_per_address_and_per_account_and_address_never_per_account(
    portal: Portal,
) -> None:
    throttle = Throttle(
        RateCounterStore(portal.container.table), portal.clock, per_address=3, per_account_and_address=2
    )
    for _ in range(3):
        throttle.admit("198.51.100.1")
    with pytest.raises(RateLimited):
        throttle.admit("198.51.100.1")
    throttle.admit("198.51.100.2", "a@example.com")
    throttle.admit("198.51.100.2", "a@example.com")
    with pytest.raises(RateLimited):
        throttle.admit("198.51.100.2", "a@example.com")  # the same account from the same address
    for address in ("198.51.100.3", "198.51.100.4", "198.51.100.5"):
        throttle.admit(address, "a@example.com")  # the same account from elsewhere: the owner is not refused
    portal.clock.advance(timedelta(minutes=1))
    throttle.admit("198.51.100.1", "a@example.com")  # a new minute


def test_a_person_changes_their_name(portal: Portal) -> None:
    person = portal.person("rename@example.com", name="Old Name")
    assert portal.accounts.rename(person, "New Name").name == "New Name"
    assert portal.accounts.account(person).name == "New Name"
