"""A resource's calendar subscription through the local server: a feed served on loopback blocks a slot,
explain names the calendar, a booking in it is refused; when the feed moves the event the slot comes back;
when the feed fails the last busy times stay, with the reason."""

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday


class Feed:
    """An ICS feed on 127.0.0.1 whose event and status the test changes."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.requests: list[str | None] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                etag = f'"{hash(feed.body)}"'
                feed.requests.append(self.headers.get("If-None-Match"))
                if feed.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(feed.status)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        ).start()  # quick shutdown()
        self.url = f"http://127.0.0.1:{self.server.server_port}/private-secret/basic.ics"

    def busy(self, day: date, hour: int) -> None:
        start = f"{day:%Y%m%d}T{hour:02d}0000"
        end = f"{day:%Y%m%d}T{hour + 1:02d}0000"
        self.body = "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
                "BEGIN:VEVENT",
                "UID:dentist@google.com",
                f"DTSTART;TZID=Europe/Stockholm:{start}",
                f"DTEND;TZID=Europe/Stockholm:{end}",
                "SUMMARY:Private",
                "END:VEVENT",
                "END:VCALENDAR",
                "",
            ]
        ).encode()


@pytest.fixture
def feed() -> Iterator[Feed]:
    served = Feed()
    yield served
    served.server.shutdown()
    served.server.server_close()


def starts(api: Api, ids: dict[str, str], day: date) -> list[str]:
    params = {"location": ids["location"], "from": at(day, 0), "to": at(day, 23)}
    answer = api.get(f"/services/{ids['service']}/bookable-slots", params=params)
    assert answer.status_code == 200, answer.text
    return [slot["starts_at"] for slot in answer.json()["data"]]


def sync(api: Api, path: str) -> Any:
    answer = api.post(f"{path}/sync")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_subscribed_calendar_blocks_slots_and_bookings_and_keeps_its_last_good_busy_times(
    api: Api, feed: Feed
) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    assert at(monday, 9) in starts(api, ids, monday)
    feed.busy(monday, 9)
    base = f"/resources/{ids['resource']}/calendar-subscriptions"

    created = api.post(base, {"url": feed.url, "name": "Dr. Smith's Google"})
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert subscription["url"] == feed.url  # shown in full to the request that sets it
    assert subscription["status"] == "pending"
    path = f"{base}/{subscription['id']}"
    synced = sync(api, path)
    assert (synced["status"], synced["last_error"], synced["conflicts"]) == ("ok", None, 0)
    assert "private-secret" not in api.get(path).text  # the secret address is not shown again

    assert at(monday, 9) not in starts(api, ids, monday)
    assert at(monday, 10) in starts(api, ids, monday)
    explained = api.get(
        f"/services/{ids['service']}/bookable-slots/explain",
        params={"location": ids["location"], "starts_at": at(monday, 9), "ends_at": at(monday, 9, 50)},
    ).json()
    reasons = explained["resources"][0]["reasons"]
    reason = reasons[0]
    assert [r["rule"] for r in reasons] == ["schedule", "bookable_slot"]
    assert [c["message"] for c in reason["calendars"]] == ["Busy in calendar Dr. Smith's Google."]
    refused = book(api, ids, at(monday, 9), at(monday, 9, 50), resource_id=ids["resource"])
    assert refused.status_code == 422
    assert refused.json()["errors"]["starts_at"] == [r["message"] for r in reasons]

    feed.busy(monday, 10)  # the event moved
    assert sync(api, path)["status"] == "ok"
    assert at(monday, 9) in starts(api, ids, monday)
    assert at(monday, 10) not in starts(api, ids, monday)

    again = sync(api, path)  # unchanged: the server answers 304, the busy times stay
    assert feed.requests[-1] is not None and again["status"] == "ok"
    assert at(monday, 10) not in starts(api, ids, monday)

    feed.status = 500
    failing = sync(api, path)
    assert failing["status"] == "failing"
    assert failing["last_error"] == "the feed answered HTTP 500"
    assert failing["last_synced_at"] == again["last_synced_at"]
    assert at(monday, 10) not in starts(api, ids, monday)  # the last good busy times stay

    assert api.delete(path).status_code == 204
    assert at(monday, 10) in starts(api, ids, monday)  # its busy times went with it
    assert api.get(path).status_code == 404


def test_a_booking_made_before_a_busy_time_is_kept_and_counted(api: Api, feed: Feed) -> None:
    ids = guide_setup(api)
    monday = next_monday()
    assert book(api, ids, at(monday, 9), at(monday, 9, 50)).status_code == 201
    feed.busy(monday, 9)
    base = f"/resources/{ids['resource']}/calendar-subscriptions"
    subscription = api.post(base, {"url": feed.url}).json()
    synced = sync(api, f"{base}/{subscription['id']}")
    assert synced["conflicts"] == 1
    assert len(api.get("/bookings", params={"resource": ids["resource"]}).json()["data"]) == 1


def test_unsafe_or_malformed_subscriptions_are_refused_and_nothing_is_made(api: Api, feed: Feed) -> None:
    ids = guide_setup(api)
    base = f"/resources/{ids['resource']}/calendar-subscriptions"
    webcal = api.post(base, {"url": feed.url.replace("http://", "webcal://")}).json()
    assert webcal["url"].startswith("https://127.0.0.1:")  # webcal:// is read as https://
    assert api.delete(f"{base}/{webcal['id']}").status_code == 204
    private = api.post(base, {"url": "https://10.1.2.3/cal.ics"})
    assert private.status_code == 422
    assert "non-public address" in private.json()["errors"]["url"][0]
    assert api.post(base, {"name": "x"}).json()["errors"]["url"]
    assert api.post(base, {"url": "ftp://example.com/x.ics"}).status_code == 422
    assert api.get(base).json()["data"] == []
    unknown = "/resources/00000000-0000-4000-8000-000000000000/calendar-subscriptions"
    assert api.post(unknown, {"url": "https://example.com/x.ics"}).status_code in (404, 422)
