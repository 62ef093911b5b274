"""Every screen of the Portal at laptop (1280 px) and phone (390 px) width, with what a working project holds
(tokens, requests in the log, a webhook with a delivery, a member, a pending invitation): no screen
scrolls sideways, axe-core finds no serious or critical violation, and each is kept as
screenshots/<screen>-laptop.png and <screen>-phone.png. One account, one project and one logged-in tab
serve the whole module."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    WIDTHS,
    Portal,
    accessibility_violations,
    new_context,
    past_the_edge,
    shoot,
    sideways_overflow,
)
from tests.integration.conftest import Api, LocalServer
from tests.integration.portal import PASSWORD, Person, last_link_token
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday
from tests.unit.webhooks.receiver import receiver

pytestmark = pytest.mark.xdist_group("browser")
DELIVERED = 60_000  # ms: table stream -> bus -> queue -> dispatcher -> receiver
LOGGED = 30_000  # ms: usage event -> metering consumer -> request log


@dataclass
class World:
    owner: Person
    project: str
    webhook: str
    hook_url: str
    request: str  # a logged request's id


@pytest.fixture(scope="module")
def world(portal: Portal, local_server: LocalServer) -> Iterator[World]:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Clinic on the hill"}).json()["id"]
    value = owner.call("POST", f"/projects/{project}/tokens", {"name": "booking widget"}).json()["token"]
    owner.call("POST", f"/projects/{project}/tokens", {"name": "back office", "abilities": ["booking:view"]})
    api = Api(local_server.base_url, value, project, requests.Session())
    ids = guide_setup(api)
    period = "from=2026-12-01T00:00:00%2B01:00&to=2026-12-31T00:00:00%2B01:00"
    query = f"/bookings?location_id={ids['location']}&{period}"
    assert api.get(query).status_code == 200
    assert api.post("/resources", {"name": ""}).status_code == 422

    member = portal.account()
    owner.call("POST", f"/projects/{project}/invitations", {"email": member.email})
    token = last_link_token(portal.outbox, member.email)
    assert member.call("POST", "/invitations/accept", {"token": token}).status_code == 200
    owner.call("POST", f"/projects/{project}/invitations", {"email": "colleague@example.com"})

    with receiver() as received:
        hook = {"url": received.url, "description": "Front desk calendar"}
        webhook = owner.call("POST", f"/projects/{project}/webhooks", hook).json()["id"]
        monday = next_monday()
        assert book(api, ids, at(monday, 8), at(monday, 8, 50)).status_code == 201
        logged = owner.call("GET", f"/projects/{project}/requests", params={"path": "/v1/bookings"}).json()
        yield World(owner, project, webhook, received.url, logged["data"][0]["id"] if logged["data"] else "")


@pytest.fixture(scope="module")
def signed_in(browser: Browser, portal: Portal, world: World) -> Iterator[Page]:
    """One tab, logged in as the project's owner, for the whole module."""
    context = new_context(browser, portal)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(world.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Clinic on the hill"))).to_be_visible()
    yield page
    context.close()


@pytest.fixture(scope="module")
def anonymous(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = new_context(browser, portal)
    yield context.new_page()
    context.close()


def _check(page: Page, screen: str, width: str) -> None:
    """What every screen must be at every width: no sideways scroll, no serious accessibility violation."""
    assert sideways_overflow(page) <= 0, f"{screen} scrolls sideways at {width}: {past_the_edge(page)}"
    assert accessibility_violations(page) == [], screen
    shoot(page, screen, width)


# (screen, path under the project, what shows once it has loaded)
PROJECT_SCREENS = [
    ("dashboard", "", "Average processing time"),
    ("tokens", "/tokens", "back office"),
    ("requests", "/requests", "/v1/bookings?location_id"),
    ("webhooks", "/webhooks", "Front desk calendar"),
    ("settings", "/settings", "colleague@example.com"),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("screen", "path", "loaded"), PROJECT_SCREENS, ids=[s[0] for s in PROJECT_SCREENS])
def test_each_project_screen_fits_the_width_and_passes_the_accessibility_scan(
    signed_in: Page, world: World, screen: str, path: str, loaded: str, width: str
) -> None:
    page = signed_in
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"/projects/{world.project}{path}")
    expect(page.get_by_text(loaded).first).to_be_visible(timeout=LOGGED)
    _check(page, screen, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_request_and_the_webhook_deliveries_fit_the_width(
    signed_in: Page, world: World, width: str
) -> None:
    page = signed_in
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"/projects/{world.project}/requests")
    page.get_by_role("link", name="GET /v1/bookings").first.click(timeout=LOGGED)
    expect(page.get_by_role("heading", level=1)).to_contain_text("/v1/bookings")
    _check(page, "request", width)

    page.goto(f"/projects/{world.project}/webhooks/{world.webhook}")
    expect(page.get_by_role("heading", name=world.hook_url)).to_be_visible()
    expect(page.get_by_text("booking.created")).to_be_visible(timeout=DELIVERED)
    _check(page, "webhook-deliveries", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_screens_outside_a_project_fit_the_width(signed_in: Page, width: str) -> None:
    page = signed_in
    page.set_viewport_size(WIDTHS[width])
    for screen, path, heading in (
        ("new-project", "/projects/new", "Create project"),
        ("project-not-found", "/projects/00000000-0000-4000-8000-000000000000/tokens", "Project not found"),
        ("not-found", "/no-such-page", "Nothing here"),
        ("api-reference", "/api-reference", "API reference"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        if screen == "api-reference":
            expect(page.get_by_text("/bookings/{booking}").first).to_be_visible()
        _check(page, screen, width)


PUBLIC_SCREENS = [
    ("login", "/login", "Log in"),
    ("register", "/register", "Create your account"),
    ("check-email", "/check-email?email=dev%40example.com", "Check your email"),
    ("verify", "/verify?token=abc", "Verify your email"),
    ("forgot-password", "/forgot-password", "Forgotten password"),
    ("reset-password", "/reset-password?token=abc", "Choose a new password"),
    ("accept-invitation", "/invitations/accept?token=abc", "You are invited"),
]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_screens_before_a_session_fit_the_width(anonymous: Page, width: str) -> None:
    page = anonymous
    page.set_viewport_size(WIDTHS[width])
    for screen, path, heading in PUBLIC_SCREENS:
        page.goto(path)
        expect(page.get_by_role("heading", name=re.compile(heading, re.I)).first).to_be_visible()
        _check(page, screen, width)
