"""What the Portal says, in the browser: a project you cannot open says so on every one of its screens and
offers nothing to do in it; a name longer than the API takes is said at its field and not sent (the API
refuses it too: tests/unit/portal/test_text_rules.py); a verification link used twice is explained; a
range without requests says so; the phone menu closes with Escape and on navigation."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, LogIn, Portal
from tests.integration.portal import PASSWORD

pytestmark = pytest.mark.xdist_group("browser")
SCREENS = [
    "",
    "/tokens",
    "/requests",
    "/requests/some-request",
    "/webhooks",
    "/webhooks/some-webhook",
    "/settings",
]


def test_a_project_you_cannot_open_says_so_on_every_screen_and_offers_nothing_to_do(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    stranger = portal.account()
    theirs = stranger.call("POST", "/projects", {"name": "Not yours"}).json()["id"]
    me = portal.account()
    me.call("POST", "/projects", {"name": "Mine"})
    log_in(me)
    for project in (theirs, "00000000-0000-4000-8000-000000000000"):
        for screen in SCREENS:
            page.goto(f"/projects/{project}{screen}")
            expect(page.get_by_role("heading", name="Project not found")).to_be_visible()
            expect(page.get_by_role("textbox")).to_have_count(0)  # no usable-looking form
            expect(page.get_by_role("navigation", name="Project")).to_have_count(0)
            expect(page.get_by_text("Not yours")).to_have_count(0)
    page.get_by_role("button", name=re.compile("No project selected")).click()
    page.get_by_role("link", name=re.compile("Mine")).click()
    expect(page.get_by_role("navigation", name="Project")).to_be_visible()


def test_a_project_name_longer_than_the_api_takes_is_said_at_the_field_and_not_sent(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    me = portal.account()
    log_in(me)
    page.goto("/projects/new")
    name = page.get_by_label("Project name")
    name.fill("x" * 300)
    expect(name).to_have_value("x" * 300)  # not cut silently
    expect(name).to_have_accessible_description(re.compile("Use at most 255 characters: this is 300."))
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Create project")).to_be_visible()
    assert me.call("GET", "/projects").json()["data"] == []
    name.fill("x" * 255)
    expect(name).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("navigation", name="Project")).to_be_visible()
    (created,) = me.call("GET", "/projects").json()["data"]
    assert created["name"] == "x" * 255


def test_a_verification_link_opened_twice_explains_that_it_was_used(page: Page, portal: Portal) -> None:
    dev = portal.person()
    assert dev.register().status_code == 202
    link = portal.mailed_link(dev.email)
    assert dev.verify().status_code == 200  # the link was used once already
    page.goto(link)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Verify my email").click()
    expect(page.get_by_role("heading", name="This link was used already or has expired")).to_be_visible()
    expect(page.get_by_text("Then your address is verified")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_range_without_requests_says_so_instead_of_empty_charts(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    me = portal.account()
    project = me.call("POST", "/projects", {"name": "Quiet"}).json()["id"]
    log_in(me)
    page.goto(f"/projects/{project}?from=2026-01-01&to=2026-01-31")
    expect(page.get_by_role("heading", name="No requests in this range")).to_be_visible()
    expect(page.locator("canvas")).to_have_count(0)


def test_the_phone_menu_closes_with_escape_and_on_navigation(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    me = portal.account()
    project = me.call("POST", "/projects", {"name": "Pocket"}).json()["id"]
    log_in(me)
    page.set_viewport_size(PHONE)
    page.goto(f"/projects/{project}/tokens")
    menu = page.get_by_role("button", name="Menu")
    navigation = page.get_by_role("navigation", name="Project")
    expect(navigation).to_be_hidden()
    menu.click()
    expect(navigation).to_be_visible()
    page.keyboard.press("Escape")
    expect(navigation).to_be_hidden()
    expect(menu).to_be_focused()
    expect(menu).to_have_attribute("aria-expanded", "false")

    menu.click()
    navigation.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    expect(navigation).to_be_hidden()
