"""The account screens in the browser: the API's per-field errors at their fields on registration, and a
forgotten password reset through the mailed link."""

import re

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
    page.get_by_label("Confirm password").fill("short")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("alert")).to_have_text("The given data was invalid.")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile("must be at least 8 characters"))
    expect(page.get_by_label("Email")).to_have_accessible_description(
        "The email field must be a valid email address."
    )
    expect(page.get_by_label("Name")).not_to_have_attribute("aria-invalid", "true")
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
