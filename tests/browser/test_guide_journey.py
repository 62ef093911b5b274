"""The getting-started guide's Portal steps in a real browser: register, verify by the mailed link, log in,
create the first project, create a token with every ability and copy it, call the API with it, and find
the requests in API Requests (with a 4xx's body) and their count on the dashboard."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from kairos.abilities import ALL_ABILITIES
from tests.browser.conftest import Portal, register_verify_and_log_in, screenshot
from tests.integration.portal import Person

pytestmark = pytest.mark.xdist_group("browser")
LOGGED = 30_000  # ms: the metering consumer writes the log entry a few seconds after the answer


def test_a_new_developer_goes_from_registration_to_a_first_request_seen_in_the_portal(
    page: Page, portal: Portal
) -> None:
    dev = portal.person()
    register_verify_and_log_in(page, portal, dev, screenshots=True)
    _create_the_first_project(page, dev)
    token = _create_a_token_with_every_ability_and_copy_it(page)

    auth = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{portal.api_url}/project", headers=auth, timeout=30).status_code == 200
    refused = requests.post(f"{portal.api_url}/resources", json={"name": ""}, headers=auth, timeout=30)
    assert refused.status_code == 422

    page.get_by_role("navigation", name="Project").get_by_role("link", name="API Requests").click()
    first = page.get_by_role("link", name="GET /v1/project")
    expect(first).to_be_visible(timeout=LOGGED)  # the list follows new requests by itself
    expect(page.get_by_role("link", name="POST /v1/resources")).to_be_visible(timeout=LOGGED)
    screenshot(page, "requests")
    page.get_by_role("link", name="POST /v1/resources").click()
    expect(page.get_by_role("heading", name="POST /v1/resources")).to_be_visible()
    expect(page.get_by_text("422 Unprocessable Entity")).to_be_visible()
    expect(page.get_by_text("first token")).to_be_visible()
    expect(page.get_by_label("Response body", exact=True)).to_contain_text('"errors": {')  # pretty-printed
    screenshot(page, "request-detail")

    page.get_by_role("navigation", name="Project").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("2 / 2,500")).to_be_visible()
    screenshot(page, "dashboard", phone=True)


def _create_the_first_project(page: Page, dev: Person) -> None:
    expect(page.get_by_role("heading", name=f"Welcome, {dev.name}")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("No project selected"))).to_be_visible()
    screenshot(page, "first-project")
    page.get_by_role("link", name="Create your first project").click()
    expect(page.get_by_text(dev.email)).to_be_visible()  # the owner: you
    page.get_by_label("Project name").fill("My first project")
    screenshot(page, "create-project")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("button", name=re.compile("My first project"))).to_be_visible()
    expect(page.get_by_text("0 / 2,500")).to_be_visible()


def _create_a_token_with_every_ability_and_copy_it(page: Page) -> str:
    page.get_by_role("navigation", name="Project").get_by_role("link", name="API Tokens").click()
    expect(page).to_have_title("API Tokens · Kairos Portal")
    page.get_by_label("Token name").fill("first token")
    expect(page.get_by_label("Full access")).to_be_checked()  # the guide's default: every ability
    page.get_by_role("button", name="Create").click()
    shown = page.get_by_label("New API token")
    expect(shown).not_to_have_value("")
    expect(page.get_by_text("This is the only time it will be shown")).to_be_visible()
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_role("button", name="Copied", exact=True)).to_be_visible()
    token = page.evaluate("navigator.clipboard.readText()")
    assert token == shown.input_value()
    expect(
        page.get_by_role("row", name=re.compile(f"first token.*All {len(ALL_ABILITIES)} abilities"))
    ).to_be_visible()
    screenshot(page, "tokens", phone=True)
    return str(token)
