"""Project settings in the browser: the owner invites someone by email in the Portal; that person opens the
mailed link, registers from there, verifies, logs in, accepts and lands on the project, which the owner
then lists among the members; a member sees the settings read-only. The owner renames the project, moves
it to another plan, withdraws an invitation and deletes the project after typing its name."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LogIn, Portal, new_context, register_verify_and_log_in, screenshot

pytestmark = pytest.mark.xdist_group("browser")


def test_an_invitation_sent_in_the_portal_is_accepted_by_a_new_account(
    page: Page, portal: Portal, log_in: LogIn, browser: Browser
) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Shared clinic"}).json()
    settings = f"/projects/{project['id']}/settings"
    log_in(owner)
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Settings").click()
    invitee = portal.person()
    invitee.name = "Ms. Invited"
    page.get_by_label("Email").fill(invitee.email)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text(f"An invitation is on its way to {invitee.email}")
    expect(page.get_by_role("row", name=invitee.email)).to_contain_text("Withdraw")
    expect(page.get_by_role("row", name=re.compile("Free"))).to_contain_text("Current plan")
    screenshot(page, "settings", phone=True)

    guest_context = new_context(browser, portal)
    guest = guest_context.new_page()
    guest.goto(portal.mailed_link(invitee.email))
    expect(guest.get_by_role("heading", name="You are invited to a Kairos project")).to_be_visible()
    screenshot(guest, "accept-invitation")
    guest.get_by_role("link", name="Create an account").click()
    register_verify_and_log_in(guest, portal, invitee)
    expect(guest.get_by_role("heading", name="Join the project")).to_be_visible()  # back at the invitation
    guest.get_by_role("button", name="Accept invitation").click()
    expect(guest).to_have_url(re.compile(f"/projects/{project['id']}$"))
    expect(guest.get_by_role("button", name=re.compile("Shared clinic"))).to_be_visible()

    guest.get_by_role("navigation", name="Project").get_by_role("link", name="Settings").click()
    expect(guest.get_by_text("Only the project's owner can change these settings.")).to_be_visible()
    expect(guest.get_by_role("row", name=re.compile("Ms. Invited"))).to_contain_text("Member")
    expect(guest.get_by_role("button", name="Send invitation")).to_have_count(0)
    expect(guest.get_by_role("button", name=re.compile("Switch to"))).to_have_count(0)
    screenshot(guest, "settings-member")
    guest_context.close()

    page.goto(settings)
    expect(page.get_by_role("row", name=re.compile("Ms. Invited"))).to_contain_text("Member")
    expect(page.get_by_text("No pending invitations.")).to_be_visible()


def test_the_owner_renames_changes_the_plan_withdraws_and_deletes(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Old name"}).json()
    owner.call("POST", f"/projects/{project['id']}/invitations", {"email": "late@example.com"})
    log_in(owner)
    page.goto(f"/projects/{project['id']}/settings")

    page.get_by_label("Name", exact=True).fill("New name")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("button", name=re.compile("New name"))).to_be_visible()  # the project selector

    page.get_by_role("row", name=re.compile("Tier2", re.IGNORECASE)).get_by_role("button").click()
    page.get_by_role("dialog").get_by_role("button", name=re.compile("Switch to")).click()
    expect(page.get_by_role("row", name=re.compile("Tier2", re.IGNORECASE))).to_contain_text("Current plan")
    assert owner.call("GET", f"/projects/{project['id']}").json()["plan"]["name"] == "tier2"

    page.get_by_role("button", name="Withdraw the invitation to late@example.com").click()
    page.get_by_role("dialog").get_by_role("button", name="Withdraw invitation").click()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()

    page.get_by_role("button", name="Delete project…").click()
    confirm = page.get_by_role("dialog", name="Delete New name?")
    expect(confirm.get_by_role("button", name="Delete project")).to_be_disabled()
    confirm.get_by_label("Type “New name” to confirm").fill("New name")
    confirm.get_by_role("button", name="Delete project").click()
    expect(page.get_by_role("link", name="Create your first project")).to_be_visible()
    assert owner.call("GET", "/projects").json() == {"data": []}
