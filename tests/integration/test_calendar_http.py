"""Calendar feeds through the local server: the resource's feed with the token, a secret feed URL that a
calendar app fetches without one (and that stops working when revoked), and an edit the feed shows."""

import icalendar
import requests

from tests.integration.conftest import Api, Weaker
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday


def _event(text: str, booking_id: str) -> icalendar.Event:
    (event,) = [
        e for e in icalendar.Calendar.from_ical(text).walk("VEVENT") if e["UID"] == f"{booking_id}@kairos"
    ]
    return event


def test_a_resources_feed_and_a_secret_feed_url_show_the_booking_and_its_edits(
    api: Api, weaker: Weaker
) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    booking = book(api, ids, at(monday, 8), at(monday, 8, 50)).json()

    feed = api.get(f"/resources/{ids['resource']}/calendar.ics")
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    assert _event(feed.text, booking["id"]).decoded("DTSTART").isoformat() == at(monday, 8)
    assert (
        weaker(api, ["bookable_slot:view"]).get(f"/resources/{ids['resource']}/calendar.ics").status_code
        == 403
    )

    created = api.post("/calendar-feeds", {"resource_id": ids["resource"], "name": "Dr. Smith's phone"})
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    assert url.startswith(api.base_url + "/calendar-feeds/") and url.endswith("/calendar.ics")
    first = requests.get(url, timeout=30)
    assert first.status_code == 200
    assert (
        api.patch(
            f"/bookings/{booking['id']}",
            {"metadata": {"note": "moved"}, "starts_at": at(monday, 9), "ends_at": at(monday, 9, 50)},
        ).status_code
        == 200
    )
    second = requests.get(url, timeout=30)
    before, after = _event(first.text, booking["id"]), _event(second.text, booking["id"])
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART").isoformat() == at(monday, 9)

    listed = api.get("/calendar-feeds").json()["data"]
    assert [(f["id"], f["resource_id"], "url" in f) for f in listed] == [
        (created.json()["id"], ids["resource"], False)
    ]
    assert api.delete(f"/calendar-feeds/{created.json()['id']}").status_code == 204
    assert requests.get(url, timeout=30).status_code == 404
    assert api.get(f"/locations/{ids['location']}/calendar.ics").status_code == 200
