"""One API request in the Portal, as Stripe shows one: method, path, query parameters, status, duration,
token, the request id with a copy button, the request's and the answer's bodies as the log keeps them
(a secret in them never stored: the webhook's signing secret is redacted), and a curl line to replay it."""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import LogIn, Portal
from tests.integration.conftest import Api, LocalServer

pytestmark = pytest.mark.xdist_group("browser")
LOGGED = 30_000  # ms: usage event -> metering consumer -> request log


def test_a_request_shows_its_query_bodies_id_and_curl_and_never_a_secret(
    page: Page, portal: Portal, log_in: LogIn, local_server: LocalServer
) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()["id"]
    value = owner.call("POST", f"/projects/{project}/tokens", {"name": "widget"}).json()["token"]
    api = Api(local_server.base_url, value, project, requests.Session())
    hook = api.post("/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["booking.created"]})
    assert hook.status_code == 201
    secret = hook.json()["secret"]
    assert api.get("/resources?per_page=5&page=1").status_code == 200

    log_in(owner)
    page.goto(f"/projects/{project}/requests")
    page.get_by_role("link", name="POST /v1/webhooks").click(timeout=LOGGED)
    expect(page.get_by_role("heading", level=1)).to_have_text("POST /v1/webhooks")
    expect(page.get_by_text("201 Created")).to_be_visible()
    expect(page.get_by_text("widget", exact=True)).to_be_visible()
    sent = page.get_by_role("region", name="Request body")
    expect(sent).to_contain_text('"url": "http://127.0.0.1:9/hook"')
    answered = page.get_by_role("region", name=re.compile("Response body"))
    expect(answered).to_contain_text('"secret": "[redacted]"')
    expect(page.locator("body")).not_to_contain_text(secret)

    page.get_by_role("button", name="Copy request ID").click()
    copied = str(page.evaluate("navigator.clipboard.readText()"))
    assert re.fullmatch(r"[\w-]{8,}", copied) and page.url.endswith(copied)
    replay = page.get_by_role("region", name="Replay it")
    expect(replay).to_contain_text(f"curl -X POST '{local_server.base_url}/webhooks'")
    expect(replay).to_contain_text('-H "Authorization: Bearer $KAIROS_TOKEN"')
    expect(replay).to_contain_text('--data \'{"url": "http://127.0.0.1:9/hook"')

    page.get_by_role("link", name="← API Requests").click()
    page.get_by_role("link", name="GET /v1/resources?per_page=5&page=1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("GET /v1/resources")
    parameters = page.get_by_role("region", name="Query parameters")
    expect(parameters.get_by_role("row", name="per_page 5")).to_be_visible()
    expect(parameters.get_by_role("row", name="page 1")).to_be_visible()
    expect(page.get_by_role("region", name="Request body")).to_contain_text("None was sent")

    logged = owner.call("GET", f"/projects/{project}/requests").json()["data"]
    assert secret not in str(logged) and value not in str(logged)  # nor is the token, nor in the API's answer
