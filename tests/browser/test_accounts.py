"""The account screens in the browser: the API's per-field errors at their fields on registration (in plain
words, every password rule at once), a forgotten password reset through the mailed link, and the account
flows under attack (issue 21): a crafted `next`, a verification link someone else's registration mailed,
a guarded log-in."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Portal, screenshot
from tests.integration.portal import PASSWORD, mails_to

pytestmark = pytest.mark.xdist_group("browser")
NEW_PASSWORD = "Another-Secret-7"


def test_registration_shows_each_refusal_at_its_field_and_mails_nothing(page: Page, portal: Portal) -> None:
    dev = portal.person()
    page.goto("/register")
    page.get_by_label("Name").fill(dev.name)
    page.get_by_label("Email").fill("not-an-address")
    password = page.get_by_label("Password", exact=True)
    password.fill("short")
    page.get_by_label("Confirm password").fill("shorter")
    page.get_by_role("button", name="Register").click()

    # In plain words at each field, every password rule still missing at once (the API says one).
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(
        re.compile(
            re.escape(
                "This password still needs at least 8 characters, an upper case letter, a number and a "
                "symbol such as ! ? # or -."
            )
        )
    )
    expect(page.get_by_label("Email")).to_be_focused()  # the first field in error
    expect(page.get_by_label("Email")).to_have_accessible_description(
        "Enter an email address, like name@example.com."
    )
    expect(page.get_by_label("Confirm password")).to_have_accessible_description(
        "The two passwords are not the same."
    )
    expect(page.get_by_label("Name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_count(0)  # no "The given data was invalid." on top
    expect(page.locator("body")).not_to_contain_text("password_confirmation")
    screenshot(page, "register-errors")

    page.get_by_label("Email").fill(dev.email)
    password.fill("lowercase-only-1")
    page.get_by_label("Confirm password").fill("lowercase-only-1")
    page.get_by_role("button", name="Register").click()
    expect(password).to_have_accessible_description(re.compile("upper"))
    expect(page.get_by_label("Email")).not_to_have_attribute("aria-invalid", "true")
    assert mails_to(portal.outbox, dev.email) == []


def test_a_forgotten_password_is_reset_through_the_mailed_link(page: Page, portal: Portal) -> None:
    dev = portal.account()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(dev.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("alert")).to_contain_text("a mail is on its way")
    screenshot(page, "forgot-password")

    page.goto(portal.mailed_link(dev.email))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    screenshot(page, "reset-password")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password was changed")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(dev.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {dev.name}")).to_be_visible()
    assert dev.log_in(PASSWORD).status_code == 401


CRAFTED_NEXTS = [
    "/\\evil.example/",
    "//evil.example/",
    "/\t/evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
]


def test_a_crafted_next_after_log_in_never_leaves_the_portal(page: Page, portal: Portal) -> None:
    """Issue 21, point 11: `next` is read as the browser reads a link, so `/\\evil.example/` (which the
    browser takes for `//evil.example/`) is not a path of the Portal and the log-in lands on its home."""
    dev = portal.account()
    page.goto(f"/login?next={quote(CRAFTED_NEXTS[0], safe='')}")
    page.get_by_label("Email").fill(dev.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {dev.name}")).to_be_visible()
    assert page.url == f"{portal.url}/"

    for crafted in CRAFTED_NEXTS[1:]:  # logged in, /login sends on to `next` at once
        page.goto(f"/login?next={quote(crafted, safe='')}")
        expect(page.get_by_role("heading", name=f"Welcome, {dev.name}")).to_be_visible()
        assert page.url == f"{portal.url}/", crafted
    page.goto(f"/login?next={quote('/projects/new?from=login#top', safe='')}")  # a path of the Portal is kept
    expect(page).to_have_url(f"{portal.url}/projects/new?from=login#top")
    expect(page.get_by_text("Unexpected Application Error")).to_have_count(0)


def test_the_verification_link_asks_for_the_registrations_password(page: Page, portal: Portal) -> None:
    """Issue 21, point 1: a link that someone else's registration mailed here verifies nothing."""
    dev = portal.person()
    assert dev.register().status_code == 202
    page.goto(portal.mailed_link(dev.email))
    page.get_by_label("Password").fill("Not-The-Password-1")
    page.get_by_role("button", name="Verify my email").click()
    expect(page.get_by_label("Password")).to_have_accessible_description(
        "This is not the password of the latest registration of this address."
    )
    assert dev.log_in().status_code == 403  # still unverified

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Verify my email").click()
    expect(page.get_by_role("heading", name="Your email is verified")).to_be_visible()
    assert dev.log_in().status_code == 200


def test_after_many_wrong_passwords_the_mailed_link_lets_the_owner_in(page: Page, portal: Portal) -> None:
    """Issue 21, point 2: a stranger's tries hold the log-in back, not the owner, who has the mail."""
    dev = portal.account()
    for _ in range(5):
        assert dev.log_in("Strangers-Guess-1").status_code == 401
    page.goto("/login")
    page.get_by_label("Email").fill(dev.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("a mail with a link to log in is on its way")

    page.goto(portal.mailed_link(dev.email))
    expect(page.get_by_label("Email")).to_have_value(dev.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {dev.name}")).to_be_visible()
