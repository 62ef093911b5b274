"""The mail path and free projects cannot be abused (docs/security.md, "Mail and free projects"): mails to
one address and invitations from one account are limited, no mail to an unverified address carries text
its sender chose, no header can be injected, and one account cannot multiply free projects."""

from datetime import timedelta
from pathlib import Path

import pytest

from kairos.errors import Forbidden, RateLimited
from kairos.portal.accounts import MAILED
from kairos.portal.mailer import OutboxMailer
from kairos.portal.throttle import INVITES_PER_HOUR, MAIL_PER_DAY, MAIL_PER_HOUR, PROJECTS_PER_DAY
from kairos.portal.workspace import MAX_OWNED_PROJECTS
from kairos.storage.project_store import ProjectStore
from tests.unit.portal.conftest import PASSWORD, Portal

ADDRESS = "192.0.2.7"


def _mails_to(portal: Portal, address: str) -> int:
    return len([m for m in portal.outbox.mails if m.to == address])


def test_invitations_to_one_address_stop_at_the_hours_and_the_days_limit(portal: Portal) -> None:
    owner = portal.person("owner@example.com")
    project = portal.workspace.create(owner, "Clinic")
    for _ in range(MAIL_PER_HOUR):
        portal.workspace.invite(owner, project["id"], "victim@example.com")
    with pytest.raises(RateLimited) as refused:
        portal.workspace.invite(owner, project["id"], "victim@example.com")
    assert refused.value.retry_after == 3600  # the clock stands at 12:00:00: the hour ends at 13:00
    other = portal.person("other@example.com")  # another sender: the same recipient's limit
    with pytest.raises(RateLimited):
        portal.workspace.invite(other, portal.workspace.create(other, "Other")["id"], "victim@example.com")

    portal.clock.advance(timedelta(hours=1))
    for _ in range(MAIL_PER_DAY - MAIL_PER_HOUR):
        portal.workspace.invite(owner, project["id"], "victim@example.com")
    with pytest.raises(RateLimited):  # the day's limit, in a new hour
        portal.workspace.invite(owner, project["id"], "victim@example.com")

    assert _mails_to(portal, "victim@example.com") == MAIL_PER_DAY
    assert len(portal.workspace.invitations(owner, project["id"])) == MAIL_PER_DAY


def test_one_account_sends_a_limited_number_of_invitations(portal: Portal) -> None:
    owner = portal.person("inviter@example.com")
    project = portal.workspace.create(owner, "Clinic")
    for n in range(INVITES_PER_HOUR):
        portal.workspace.invite(owner, project["id"], f"guest{n}@example.com")
    with pytest.raises(RateLimited):
        portal.workspace.invite(owner, project["id"], "one-more@example.com")
    assert _mails_to(portal, "one-more@example.com") == 0


def test_account_mails_count_towards_the_same_limit_as_invitations(portal: Portal) -> None:
    """The account flows send no mail past the address's limit and answer as always (the earlier mails'
    links still work); an invitation to it is then a 429 to its sender."""
    portal.accounts.register("Victim", "mailed@example.com", PASSWORD, ADDRESS)
    for _ in range(MAIL_PER_HOUR - 2):
        portal.accounts.resend_verification("mailed@example.com", ADDRESS)
    portal.accounts.forgot_password("mailed@example.com", ADDRESS)  # unverified: "register again"
    assert portal.accounts.resend_verification("mailed@example.com", ADDRESS) == MAILED
    assert portal.accounts.register("Victim", "mailed@example.com", PASSWORD, ADDRESS) == MAILED
    assert _mails_to(portal, "mailed@example.com") == MAIL_PER_HOUR
    owner = portal.person("owner@example.com")
    with pytest.raises(RateLimited):
        portal.workspace.invite(owner, portal.workspace.create(owner, "Clinic")["id"], "mailed@example.com")


def test_an_address_with_an_account_and_one_without_answer_alike_past_the_limit(portal: Portal) -> None:
    portal.person("someone@example.com")
    for email in ("someone@example.com", "nobody@example.com"):
        assert {portal.accounts.forgot_password(email, ADDRESS) for _ in range(2 * MAIL_PER_HOUR)} == {MAILED}
    assert _mails_to(portal, "someone@example.com") == MAIL_PER_HOUR
    assert _mails_to(portal, "nobody@example.com") == 0


def test_a_verification_mail_carries_no_text_the_registering_person_chose(portal: Portal) -> None:
    name = "Your account is locked, call +1 555 0100 at once"
    portal.accounts.register(name, "someone@example.com", PASSWORD, ADDRESS)
    portal.accounts.register(name, "someone@example.com", PASSWORD, ADDRESS)  # again: the same mail
    mails = [m for m in portal.outbox.mails if m.to == "someone@example.com"]
    assert len(mails) == 2
    assert all("locked" not in m.subject + m.text and "Hello" not in m.text for m in mails)


def test_an_invitation_carries_neither_the_projects_name_nor_the_inviters_address(portal: Portal) -> None:
    owner = portal.person("owner-name@example.com")
    project = portal.workspace.create(owner, "Clinic")
    # A name stored before names were checked: a line break and a header of its own.
    ProjectStore(portal.container.table).update_project(
        project["id"], {"name": "Prize\r\nBcc: everyone@example.com"}
    )
    portal.workspace.invite(owner, project["id"], "guest@example.com")
    mail = portal.outbox.mails[-1]
    assert mail.subject == "You are invited to a project on Kairos"
    assert "Prize" not in mail.text and "Bcc" not in mail.text and "owner-name" not in mail.text
    assert "/invitations/accept?token=" in mail.text


def test_the_outbox_puts_every_header_on_one_line(tmp_path: Path) -> None:
    OutboxMailer(tmp_path).send("guest@example.com", "Join\r\nBcc: everyone@example.com\u2028x", "Body\n")
    (written,) = tmp_path.glob("*.txt")
    head = written.read_text().split("\n\n", 1)[0].splitlines()
    assert head == ["To: guest@example.com", "Subject: Join  Bcc: everyone@example.com x"]


def test_an_account_owns_at_most_three_projects_and_creates_a_few_a_day(portal: Portal) -> None:
    owner = portal.person("hoarder@example.com")
    made = [portal.workspace.create(owner, f"Free {n}") for n in range(PROJECTS_PER_DAY)]
    with pytest.raises(RateLimited):  # the day's creations
        portal.workspace.create(owner, "One more today")
    portal.clock.advance(timedelta(days=1))
    assert PROJECTS_PER_DAY == MAX_OWNED_PROJECTS
    with pytest.raises(Forbidden, match="at most 3 projects"):
        portal.workspace.create(owner, "A fourth at once")
    portal.workspace.delete(owner, made[0]["id"])
    portal.workspace.create(owner, "In its place")
    assert len(portal.workspace.projects(owner)) == MAX_OWNED_PROJECTS
    other = portal.person("someone-else@example.com")  # per account: others are not held back
    portal.workspace.create(other, "Theirs")
