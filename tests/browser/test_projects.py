"""The project selector of the top bar: switch between projects, and create a new one from it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LogIn, Portal

pytestmark = pytest.mark.xdist_group("browser")


def test_the_project_selector_switches_projects_and_creates_new_ones(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    dev = portal.account()
    first = dev.call("POST", "/projects", {"name": "Clinic"}).json()
    second = dev.call("POST", "/projects", {"name": "Salon"}).json()
    log_in(dev)
    selector = page.get_by_role("button", name=re.compile("^Project"))
    expect(selector).to_have_accessible_name(re.compile("Clinic"))
    expect(page).to_have_url(re.compile(f"/projects/{first['id']}$"))

    selector.click()
    page.keyboard.press("Escape")  # the menu closes and the focus stays on the selector
    expect(page.get_by_role("link", name="Salon")).to_be_hidden()
    expect(selector).to_be_focused()

    selector.click()
    page.get_by_role("link", name=re.compile("^Salon")).click()
    expect(page).to_have_url(re.compile(f"/projects/{second['id']}$"))
    expect(selector).to_have_accessible_name(re.compile("Salon"))

    selector.click()
    page.get_by_role("link", name="+ Create New Project").click()
    page.get_by_label("Project name").fill("Studio")
    page.get_by_role("button", name="Create").click()
    expect(selector).to_have_accessible_name(re.compile("Studio"))
    names = [p["name"] for p in dev.call("GET", "/projects").json()["data"]]
    assert sorted(names) == ["Clinic", "Salon", "Studio"]
