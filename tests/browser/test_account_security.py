"""Account security in the browser (issue 23), at laptop and phone width: two-factor authentication set
up from the QR code's key and asked at the next log-in, the verification link that logs in only in the
browser that registered, changing the address with the link mailed to the new one, and deleting the
account after reading what goes with it."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    LogIn,
    Portal,
    accessibility_violations,
    new_context,
    screenshot,
    shoot,
    sideways_overflow,
)
from tests.integration.portal import PASSWORD
from tests.totp import totp, wrong_code

pytestmark = pytest.mark.xdist_group("browser")


def fits_a_phone(page: Page) -> bool:
    """Nothing scrolls sideways at 390 px."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    fits = bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
    if size:
        page.set_viewport_size(size)
    return fits


def test_two_factor_is_set_up_from_the_qr_code_and_asked_at_the_next_log_in(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    dev = portal.account()
    log_in(dev)
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()
    expect(page.get_by_text("If you lose your phone")).to_be_visible()  # recovery, said before it is needed
    panel = page.get_by_role("region", name="Two-factor authentication")  # beside the address's own form
    panel.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Set up two-factor authentication").click()

    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    secret = page.locator(".two-factor-key").inner_text()
    assert re.fullmatch("[A-Z2-7]{32}", secret)
    screenshot(page, "security-two-factor-setup", phone=True)
    assert fits_a_phone(page)
    code = panel.get_by_label("Authentication code")
    code.fill(wrong_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(code).to_have_attribute("aria-invalid", "true")
    code.fill(totp(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(panel.get_by_role("alert")).to_have_text("Two-factor authentication is on.")
    expect(page.get_by_text("On: every log-in asks for a code")).to_be_visible()
    screenshot(page, "security", phone=True)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()  # Security has address fields too
    page.get_by_label("Email").fill(dev.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    code = page.get_by_label("Authentication code")
    expect(code).to_be_visible()  # the password was right: now the code
    screenshot(page, "login-code", phone=True)
    code.fill(wrong_code(secret))
    page.get_by_role("button", name="Log in").click()
    expect(code).to_have_accessible_description(re.compile("not the one your authenticator app shows"))
    code.fill(totp(secret))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_verification_link_logs_in_only_in_the_browser_that_registered(
    page: Page, browser: Browser, portal: Portal
) -> None:
    elsewhere, here = portal.person(), portal.person()
    for dev in (elsewhere, here):
        page.goto("/register")
        page.get_by_label("Name").fill(dev.name)
        page.get_by_label("Email").fill(dev.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Confirm password").fill(PASSWORD)
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    other_context = new_context(browser, portal)  # the mail opened on another device
    other = other_context.new_page()
    other.goto(portal.mailed_link(elsewhere.email))
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Verify my email").click()
    expect(other.get_by_role("heading", name="Your email is verified")).to_be_visible()
    expect(other.get_by_role("link", name="Log in")).to_be_visible()
    other_context.close()

    page.goto(portal.mailed_link(here.email))  # the registering browser (the latest registration's)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Verify my email").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("heading", name="Create your first project")).to_be_visible()
    screenshot(page, "verified-logged-in", phone=True)


def test_deleting_the_account_says_what_goes_and_takes_the_typed_words(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    dev = portal.account()
    dev.log_in()
    assert dev.call("POST", "/projects", {"name": "Only mine"}).status_code == 201
    log_in(dev)
    page.goto("/account/security")
    danger = page.get_by_role("region", name="Delete your account")
    expect(danger).to_contain_text("Only mine")
    danger.get_by_role("button", name="Delete my account…").click()
    dialog = page.get_by_role("dialog", name="Delete your account?")
    confirm = dialog.get_by_role("button", name="Delete my account")
    dialog.get_by_label("Password").fill("Not-My-Password-1")
    dialog.get_by_label("Type “delete my account” to confirm").fill("delete")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Type “delete my account” to confirm").fill("delete my account")
    confirm.click()
    expect(dialog.get_by_role("alert")).to_have_text("The password is incorrect.")
    dialog.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "delete-account", phone=True)
    confirm.click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()  # the session ended with it
    assert dev.log_in().status_code == 401


def at_both_widths(page: Page, screen: str) -> None:
    """At laptop and phone width: nothing scrolls sideways, no serious accessibility violation, and a
    screenshot of each (back at laptop width after)."""
    for width, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert sideways_overflow(page) == 0, width
        assert accessibility_violations(page) == [], width
        shoot(page, screen, width)
    page.set_viewport_size(LAPTOP)


def test_the_address_changes_with_the_link_mailed_to_it_and_the_session_goes_on(
    page: Page, browser: Browser, portal: Portal, log_in: LogIn
) -> None:
    dev = portal.account()
    log_in(dev)
    intruder = portal.account()
    new_address = f"moved-{dev.email}"
    page.goto("/account/security")
    panel = page.get_by_role("region", name="Email address")
    panel.get_by_label("New email address").fill(new_address)
    panel.get_by_label("Password").fill(PASSWORD)
    panel.get_by_role("button", name="Send the link").click()
    expect(panel.get_by_role("alert")).to_contain_text("If the address can be used, a mail is on its way")
    at_both_widths(page, "security-change-email")
    link = portal.mailed_link(new_address)

    other_context = new_context(browser, portal)  # the link opened by another logged-in account
    other = other_context.new_page()
    other.goto("/login")
    other.get_by_label("Email").fill(intruder.email)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(other.get_by_role("button", name="Log out")).to_be_visible()
    other.goto(link)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Change my address").click()
    expect(other.get_by_text("This link is invalid or has expired.").first).to_be_visible()
    other_context.close()

    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your new address")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    at_both_widths(page, "change-email")
    page.get_by_role("button", name="Change my address").click()
    expect(page.get_by_role("heading", name="Your address was changed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(new_address)
    shoot(page, "change-email-done", "laptop")
    page.get_by_role("link", name="Account security").click()
    expect(page.get_by_text(new_address)).to_be_visible()  # still logged in, as the new address
    assert dev.log_in().status_code == 401  # the old address logs in no more
    dev.email = new_address
    assert dev.log_in().status_code == 200
