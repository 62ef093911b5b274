"""The Portal's content security policy (`kairos.portal.site_headers`: the deployed site's, which the local
server sends with every page too, less the HTTPS-only directive) lets the app run: signed in, the
dashboard with its charts, the tokens and the webhooks screens and the API reference (Swagger UI) render
under it, and the browser reports no violation."""

import re
import time

import pytest
import requests
from playwright.sync_api import Page, expect

from kairos.portal.site_headers import content_security_policy
from tests.browser.conftest import LogIn, Portal
from tests.integration.portal import Person

pytestmark = pytest.mark.xdist_group("browser")
VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_the_app_runs_under_the_content_security_policy_the_server_sends(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    page.add_init_script(VIOLATIONS)
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Strict"}).json()
    token = owner.call("POST", f"/projects/{project['id']}/tokens", {"name": "api"}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{portal.api_url}/project", headers=auth, timeout=30).status_code == 200
    _wait_until_counted(owner, project["id"])
    log_in(owner)
    expect(page.get_by_role("button", name=re.compile("Strict"))).to_be_visible()
    expect(page.locator("canvas").first).to_be_visible()  # Chart.js drew under the policy
    for screen, heading in (("tokens", "API Tokens"), ("webhooks", "Webhooks")):
        answer = page.goto(f"/projects/{project['id']}/{screen}")
        assert answer is not None
        assert answer.headers["content-security-policy"] == content_security_policy(portal.url, https=False)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("window.violations") == [], screen
    page.get_by_role("link", name="API reference").click()  # Swagger UI, the public API's document
    expect(page.get_by_role("heading", name="API reference")).to_be_visible()
    expect(page.get_by_text("/bookings/{booking}").first).to_be_visible()
    expect(page.locator(".swagger-ui .opblock").first).to_have_css("border-radius", "4px")  # its stylesheet
    assert page.evaluate("window.violations") == [], "API reference"


def _wait_until_counted(owner: Person, project: str) -> None:
    """The dashboard draws charts once a request is counted (a range without one says so instead)."""
    for _ in range(60):
        if owner.call("GET", f"/projects/{project}/dashboard").json()["totals"]["requests"]:
            return
        time.sleep(0.5)
    pytest.fail("the request was not counted within 30 s")
