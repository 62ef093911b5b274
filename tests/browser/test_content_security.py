"""The Portal's content security policy (`kairos.portal.site_headers`: the deployed site's, which the local
server sends with every page too, less the HTTPS-only directive) lets the app run: signed in, the
dashboard with its charts, the tokens and the webhooks screens render under it, and the browser reports no
violation."""

import re

import pytest
from playwright.sync_api import Page, expect

from kairos.portal.site_headers import content_security_policy
from tests.browser.conftest import LogIn, Portal

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
    log_in(owner)
    expect(page.get_by_role("button", name=re.compile("Strict"))).to_be_visible()
    expect(page.locator("canvas").first).to_be_visible()  # Chart.js drew under the policy
    for screen, heading in (("tokens", "API Tokens"), ("webhooks", "Webhooks")):
        answer = page.goto(f"/projects/{project['id']}/{screen}")
        assert answer is not None
        assert answer.headers["content-security-policy"] == content_security_policy(portal.url, https=False)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("window.violations") == [], screen
