"""The deployed site's content security policy (infra/portal_site.py) lets the app run: signed in, the
dashboard with its charts, the tokens and the webhooks screens render under it, and the browser reports no
violation. The local server sends no such header, so the test adds the stack's to every page it loads."""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from infra.portal_site import content_security_policy
from tests.browser.conftest import LogIn, Portal

pytestmark = pytest.mark.xdist_group("browser")
# Locally the app and the API are one plain-HTTP origin, which this directive would send to HTTPS instead.
HTTPS_ONLY = "upgrade-insecure-requests"
VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_the_app_runs_under_the_deployed_content_security_policy(
    page: Page, portal: Portal, log_in: LogIn
) -> None:
    policy = "; ".join(d for d in content_security_policy(portal.url).split("; ") if d != HTTPS_ONLY)

    def with_policy(route: Route) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        answer = route.fetch()
        route.fulfill(response=answer, headers={**answer.headers, "content-security-policy": policy})

    page.route("**/*", with_policy)
    page.add_init_script(VIOLATIONS)
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Strict"}).json()
    log_in(owner)
    expect(page.get_by_role("button", name=re.compile("Strict"))).to_be_visible()
    expect(page.locator("canvas").first).to_be_visible()  # Chart.js drew under the policy
    for screen, heading in (("tokens", "API Tokens"), ("webhooks", "Webhooks")):
        page.goto(f"/projects/{project['id']}/{screen}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("window.violations") == [], screen
