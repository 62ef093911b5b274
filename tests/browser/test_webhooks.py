"""Webhooks in the browser: one made in the Portal (its secret shown once and copied) receives the event of
a booking made through the API at a receiver on this machine, and the delivery shows in the Portal with
its status and the receiver's response code; a redelivery adds one; the webhook is then disabled, its
secret rotated and the webhook deleted, each in the Portal."""

import re
import time

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from kairos.webhooks.signing import verify_signature
from tests.browser.conftest import LogIn, Portal, screenshot
from tests.integration.conftest import Api, LocalServer
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday
from tests.unit.webhooks.receiver import receiver

pytestmark = pytest.mark.xdist_group("browser")
DELIVERED = 60_000  # ms: the event goes table stream -> bus -> queue -> dispatcher -> receiver


def test_a_webhook_made_in_the_portal_shows_the_delivery_of_a_booking_made_through_the_api(
    page: Page, portal: Portal, log_in: LogIn, local_server: LocalServer
) -> None:
    owner = portal.account()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()
    value = owner.call("POST", f"/projects/{project['id']}/tokens", {"name": "api"}).json()["token"]
    api = Api(local_server.base_url, value, project["id"], requests.Session())
    ids = guide_setup(api)
    log_in(owner)
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("No webhooks yet")).to_be_visible()

    with receiver() as received:
        secret = _add_a_webhook(page, received.url)
        row = page.get_by_role("row", name=received.url)
        expect(row).to_contain_text("booking.created")
        expect(row.get_by_role("switch")).to_be_checked()
        screenshot(page, "webhooks", phone=True)

        monday = next_monday()
        assert book(api, ids, at(monday, 8), at(monday, 8, 50)).status_code == 201
        page.get_by_role("link", name=f"Deliveries of {received.url}").click()
        deliveries = page.get_by_role("row", name=re.compile("booking.created"))
        expect(deliveries).to_contain_text(re.compile(r"succeeded\s*1\s*200"), timeout=DELIVERED)
        (first,) = received.received
        verify_signature(first.headers["x-kairos-signature"], first.body, secret, int(time.time()), 300)

        deliveries.get_by_role("button", name="Redeliver").click()
        expect(page.get_by_role("alert")).to_contain_text("queued for delivery again")
        expect(deliveries).to_have_count(2)
        for delivery in (deliveries.first, deliveries.last):
            expect(delivery).to_contain_text(re.compile(r"succeeded\s*1\s*200"), timeout=DELIVERED)
        assert len(received.received) == 2 and received.received[1].body == first.body
        screenshot(page, "webhook-deliveries")

    page.get_by_role("link", name="← Webhooks").click()
    _disable_rotate_and_delete(page, row, secret)
    assert owner.call("GET", f"/projects/{project['id']}/webhooks").json()["data"] == []


def _add_a_webhook(page: Page, url: str) -> str:
    """Adds a webhook for booking.created at `url` (after a refused url), copies its secret and returns it."""
    page.get_by_label("Endpoint URL").fill("http://10.1.2.3/hook")  # refused: not a public address
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_label("Endpoint URL")).to_have_accessible_description(re.compile("non-public address"))

    page.get_by_label("Endpoint URL").fill(url)
    expect(page.get_by_label("All events")).to_be_checked()
    page.get_by_label("All events").uncheck()
    page.get_by_label("booking.created").check()
    page.get_by_role("button", name="Add webhook").click()
    shown = page.get_by_label("Signing secret")
    expect(page.get_by_text("This is the only time it will be shown")).to_be_visible()
    page.get_by_role("button", name="Copy secret").click()
    expect(page.get_by_role("button", name="Copied", exact=True)).to_be_visible()
    copied = str(page.evaluate("navigator.clipboard.readText()"))
    assert copied == shown.input_value() and copied.startswith("whsec_")
    return copied


def _disable_rotate_and_delete(page: Page, row: Locator, secret: str) -> None:
    row.get_by_role("switch").uncheck()
    expect(row.get_by_role("switch")).not_to_be_checked()
    page.reload()
    expect(row.get_by_role("switch")).not_to_be_checked()  # stored

    row.get_by_role("button", name=re.compile("Rotate secret of")).click()
    rotation = page.get_by_role("dialog", name=re.compile("Rotate the secret"))
    rotation.get_by_role("button", name="Rotate secret").click()
    expect(rotation.get_by_text("The previous secret keeps working until")).to_be_visible()
    assert rotation.get_by_label("Signing secret").input_value() not in ("", secret)
    rotation.get_by_role("button", name="I have copied it").click()
    expect(rotation).to_be_hidden()

    row.get_by_role("button", name=re.compile("^Delete")).click()
    page.get_by_role("dialog").get_by_role("button", name="Delete webhook").click()
    expect(page.get_by_text("No webhooks yet")).to_be_visible()
