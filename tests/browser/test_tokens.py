"""API tokens in the browser: a token's abilities edited in the Portal bind the API, the "Read only" preset
makes a token that reads and changes nothing, the abilities dialog's Save is in reach on a phone, deleting
asks first (and Escape backs out), and a list that failed to load offers to try again."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from kairos.abilities import ALL_ABILITIES
from tests.browser.conftest import PHONE, LogIn, Portal

ALL = len(ALL_ABILITIES)

pytestmark = pytest.mark.xdist_group("browser")


def test_an_ability_taken_from_a_token_in_the_portal_is_refused_by_the_api(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()
    log_in(owner)
    tokens_list = f"**/portal/projects/{project['id']}/tokens"
    page.route(tokens_list, lambda route: route.abort())  # the network fails once
    page.goto(f"/projects/{project['id']}/tokens")
    expect(page.get_by_role("alert")).to_contain_text("could not be reached")
    page.unroute(tokens_list)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("No tokens yet")).to_be_visible()

    page.get_by_label("Token name").fill("widget")
    page.get_by_role("button", name="Create").click()
    value = page.get_by_label("New API token").input_value()
    page.get_by_role("button", name="Edit abilities of widget").click()
    dialog = page.get_by_role("dialog", name="Abilities of “widget”")
    expect(dialog.get_by_label("Full access")).to_be_checked()
    dialog.get_by_label("Custom").check()
    dialog.get_by_role("group", name="Location", exact=True).get_by_label("view").uncheck()
    expect(dialog.get_by_label("Select all abilities")).not_to_be_checked()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row", name=re.compile(rf"widget {ALL - 1} of {ALL}"))).to_be_visible()
    (stored,) = owner.call("GET", f"/projects/{project['id']}/tokens").json()["data"]
    assert len(stored["abilities"]) == ALL - 1 and "location:view" not in stored["abilities"]

    # The token was never used before the change, so no API function holds it in its 60-second cache:
    # the change binds the very next request.
    auth = {"Authorization": f"Bearer {value}"}
    assert requests.get(f"{portal.api_url}/locations", headers=auth, timeout=30).status_code == 403
    assert requests.get(f"{portal.api_url}/resources", headers=auth, timeout=30).status_code == 200


def test_deleting_a_token_asks_first_and_escape_backs_out(page: Page, portal: Portal, log_in: LogIn) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()
    owner.call("POST", f"/projects/{project['id']}/tokens", {"name": "old"})
    log_in(owner)
    page.goto(f"/projects/{project['id']}/tokens")
    delete = page.get_by_role("button", name="Delete old")
    delete.click()
    confirm = page.get_by_role("dialog", name="Delete “old”?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(delete).to_be_focused()  # back where the person was

    delete.click()
    confirm.get_by_role("button", name="Delete token").click()
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    assert owner.call("GET", f"/projects/{project['id']}/tokens").json()["data"] == []


def test_the_read_only_preset_makes_a_token_that_reads_and_changes_nothing(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()
    log_in(owner)
    page.goto(f"/projects/{project['id']}/tokens")
    expect(page.get_by_label("Full access")).to_be_checked()
    expect(page.get_by_role("checkbox")).to_have_count(0)  # no checkbox per ability for the usual token
    page.get_by_label("Token name").fill("dashboard")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Create").click()
    value = page.get_by_label("New API token").input_value()
    expect(page.get_by_role("row", name=re.compile(r"dashboard Read only"))).to_be_visible()

    (stored,) = owner.call("GET", f"/projects/{project['id']}/tokens").json()["data"]
    assert stored["abilities"] and all(a.endswith(":view") for a in stored["abilities"])
    auth = {"Authorization": f"Bearer {value}"}
    assert requests.get(f"{portal.api_url}/resources", headers=auth, timeout=30).status_code == 200
    refused = requests.post(f"{portal.api_url}/resources", json={"name": "Room"}, headers=auth, timeout=30)
    assert refused.status_code == 403


def test_the_abilities_dialog_fits_a_phone_with_save_in_reach(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()
    owner.call("POST", f"/projects/{project['id']}/tokens", {"name": "widget"})
    log_in(owner)
    page.set_viewport_size(PHONE)
    page.goto(f"/projects/{project['id']}/tokens")
    page.get_by_role("button", name="Edit abilities of widget").click()
    dialog = page.get_by_role("dialog", name="Abilities of “widget”")
    dialog.get_by_label("Custom").check()  # the longest the dialog gets: every ability's checkbox
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    dialog.get_by_role("group", name="Webhook", exact=True).get_by_label(
        "Select all Webhook abilities"
    ).uncheck()
    save = dialog.get_by_role("button", name="Save")
    expect(save).to_be_in_viewport()  # without scrolling: it stays at the dialog's foot
    save.click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"{ALL - 4} of {ALL}")).to_be_visible()
