"""Calendar feeds as a calendar app reads them: parsed by the `icalendar` package (RFC 5545), with the
location's VTIMEZONE giving the same offsets as the zone data (across DST), a day service's booking as an
all-day event, a canceled one CANCELLED, and a stable UID whose SEQUENCE grows with each edit."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.errors import NotFound, ValidationFailed
from kairos.values import ical
from tests.unit.test_holds import Clock

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2030, 10, 20, 12, 0, tzinfo=UTC)  # a week before the fall-back night of 2030-10-27


@pytest.fixture
def hotel(container: Container, principal: Principal) -> dict[str, str]:
    """A Stockholm location, a room open around the clock, an hourly service and a nightly one."""
    container.clock = Clock(NOW)
    location = container.catalogue.create(
        principal,
        LOCATION,
        {
            "name": "Hotel, Stockholm; Old Town",
            "time_zone": "Europe/Stockholm",
            "resource_selection_strategy": "randomize",
        },
    )
    room = container.catalogue.create(principal, RESOURCE, {"name": "Room 1", "max_simultaneous_bookings": 5})
    hourly = container.catalogue.create(
        principal,
        SERVICE,
        {
            "name": "Sauna",
            "type": "flexible",
            "min_duration": "PT1H",
            "max_duration": "PT6H",
            "duration_step": "PT1H",
        },
    )
    nightly = container.catalogue.create(
        principal,
        SERVICE,
        {
            "name": "Night",
            "type": "day",
            "start_time": "15:00:00",
            "end_time": "11:00:00",
            "min_days": 1,
            "max_days": 5,
        },
    )
    for service in (hourly, nightly):
        container.catalogue.associate(principal, service["id"], room["id"])
    open_all_week = {
        "location_id": location["id"],
        "starts_at": "2030-10-20T00:00:00+02:00",
        "ends_at": "2030-11-03T00:00:00+01:00",
    }
    container.schedules.put_block(principal, room["id"], None, open_all_week)
    return {
        "location_id": location["id"],
        "resource_id": room["id"],
        "hourly": hourly["id"],
        "nightly": nightly["id"],
    }


def _book(
    container: Container,
    principal: Principal,
    hotel: dict[str, str],
    service: str,
    start: str,
    end: str,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "location_id": hotel["location_id"],
        "service_id": hotel[service],
        "starts_at": start,
        "ends_at": end,
        **extra,
    }
    return container.bookings.create(principal, body)


def _events(text: str) -> dict[str, Any]:
    parsed = icalendar.Calendar.from_ical(text)
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def test_the_feed_parses_with_times_in_the_locations_zone_across_the_dst_change(
    container: Container, principal: Principal, hotel: dict[str, str]
) -> None:
    """01:00-04:00 on the fall-back night lasts four real hours: the feed says so in Stockholm time."""
    night = _book(
        container, principal, hotel, "hourly", "2030-10-27T01:00:00+02:00", "2030-10-27T04:00:00+01:00"
    )
    text = container.calendar_feeds.resource_calendar(principal, hotel["resource_id"])

    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text)
    assert parsed["VERSION"] == "2.0"
    assert str(parsed["X-WR-CALNAME"]) == "Room 1"
    event = _events(text)[f"{night['id']}@kairos"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2030, 10, 26, 23, 0, tzinfo=UTC),
        datetime(2030, 10, 27, 3, 0, tzinfo=UTC),
    )
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert (str(event["SUMMARY"]), str(event["LOCATION"])) == ("Sauna", "Hotel, Stockholm; Old Town")
    assert str(event["STATUS"]) == "CONFIRMED"
    (zone,) = parsed.walk("VTIMEZONE")
    own = zone.to_tz(lookup_tzid=False)  # the feed's own VTIMEZONE, not the zone named by its TZID
    for instant in (
        start,
        end,
        datetime(2030, 10, 26, 22, 0, tzinfo=UTC),  # CEST; the wall hour that repeats is ambiguous to a
        datetime(2030, 10, 27, 2, 0, tzinfo=UTC),  # reader's UTC conversion, so it is left out; then CET
    ):
        assert instant.astimezone(own).utcoffset() == instant.astimezone(STOCKHOLM).utcoffset()


def test_a_day_service_booking_is_an_all_day_event_over_the_dates_it_covers(
    container: Container, principal: Principal, hotel: dict[str, str]
) -> None:
    stay = _book(
        container, principal, hotel, "nightly", "2030-10-26T15:00:00+02:00", "2030-10-28T11:00:00+01:00"
    )

    event = _events(container.calendar_feeds.resource_calendar(principal, hotel["resource_id"]))[
        f"{stay['id']}@kairos"
    ]

    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (date(2030, 10, 26), date(2030, 10, 29))
    assert "2030-10-26T15:00:00+02:00 to 2030-10-28T11:00:00+01:00" in str(event["DESCRIPTION"])


def test_edits_keep_the_uid_and_raise_the_sequence_and_a_cancel_shows_cancelled(
    container: Container, principal: Principal, hotel: dict[str, str]
) -> None:
    held = _book(
        container,
        principal,
        hotel,
        "hourly",
        "2030-10-21T10:00:00+02:00",
        "2030-10-21T11:00:00+02:00",
        is_temporary=True,
    )
    feeds = container.calendar_feeds
    first = _events(feeds.location_calendar(principal, hotel["location_id"]))[f"{held['id']}@kairos"]

    container.bookings.patch(
        principal,
        held["id"],
        {"starts_at": "2030-10-21T12:00:00+02:00", "ends_at": "2030-10-21T13:00:00+02:00"},
    )
    moved = _events(feeds.location_calendar(principal, hotel["location_id"]))[f"{held['id']}@kairos"]
    container.bookings.patch(principal, held["id"], {"is_canceled": True})
    canceled = _events(feeds.location_calendar(principal, hotel["location_id"]))[f"{held['id']}@kairos"]

    assert (str(first["STATUS"]), first["SEQUENCE"]) == ("TENTATIVE", 0)
    assert moved.decoded("DTSTART") == datetime(2030, 10, 21, 12, 0, tzinfo=STOCKHOLM)
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert (str(canceled["STATUS"]), canceled["SEQUENCE"] > moved["SEQUENCE"]) == ("CANCELLED", True)


def test_a_secret_feed_opens_without_a_token_until_it_is_revoked(
    container: Container, principal: Principal, hotel: dict[str, str]
) -> None:
    feeds = container.calendar_feeds
    booked = _book(
        container, principal, hotel, "hourly", "2030-10-21T10:00:00+02:00", "2030-10-21T11:00:00+02:00"
    )
    feed, key = feeds.create(principal, {"location_id": hotel["location_id"], "name": "Front desk"})

    assert feed["location_id"] == hotel["location_id"] and "key_hash" not in feed
    assert f"{booked['id']}@kairos" in _events(feeds.public_calendar(key))
    assert [f["id"] for f in feeds.page(principal, {}).items] == [feed["id"]]
    feeds.delete(principal, feed["id"])
    with pytest.raises(NotFound):
        feeds.public_calendar(key)
    assert feeds.page(principal, {}).items == []


def test_a_secret_feed_of_a_deleted_project_no_longer_opens(
    container: Container, principal: Principal, hotel: dict[str, str]
) -> None:
    feeds = container.calendar_feeds
    _, key = feeds.create(principal, {"location_id": hotel["location_id"], "name": "Front desk"})
    feeds.public_calendar(key)

    container.projects.disable_project(principal.project_id)

    with pytest.raises(NotFound):
        feeds.public_calendar(key)


@pytest.mark.parametrize(
    "body", [{}, {"resource_id": "2a4e7d44-6f7e-4bd5-9b1e-0a8f5a1c2d3e"}, {"location_id": 5}]
)
def test_a_feed_names_exactly_one_existing_resource_or_location(
    container: Container, principal: Principal, hotel: dict[str, str], body: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed):
        container.calendar_feeds.create(principal, body)


def test_text_is_escaped_and_long_lines_folded_between_characters() -> None:
    line = "SUMMARY:" + ical.escape("Dr. Åsa; room 3, floor 2\n" + "ö" * 60)
    folded = ical.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert "Dr. Åsa\\; room 3\\, floor 2\\n" in line


def test_a_zone_without_dst_has_one_observance_and_a_vtimezone_covers_each_change() -> None:
    kolkata = ical.vtimezone(ZoneInfo("Asia/Kolkata"), NOW, NOW + timedelta(days=400))
    stockholm = ical.vtimezone(STOCKHOLM, NOW, NOW + timedelta(days=400))
    assert kolkata.count("BEGIN:STANDARD") == 1 and "TZOFFSETTO:+0530" in kolkata
    assert stockholm.count("BEGIN:DAYLIGHT") + stockholm.count("BEGIN:STANDARD") == 4  # now, Oct, Mar, Oct
    assert "DTSTART:20301027T030000" in stockholm and "DTSTART:20310330T020000" in stockholm
