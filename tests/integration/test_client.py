"""kairos-client (clients/python) against the local server: the guide's cycle (catalogue, schedules, slots,
bookings, groups, webhooks verified with the client's own checker), pagination, and the errors a client
meets (422 with its fields, 404, 429), sync and async."""

import asyncio
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import httpx
import pytest

from kairos.abilities import ALL_ABILITIES
from kairos_client import (
    AsyncClient,
    Client,
    NotFoundError,
    RateLimitedError,
    ValidationError,
    WebhookSignatureError,
    models,
    verify_webhook,
)
from tests.integration.conftest import Api, LocalServer
from tests.integration.test_guide import GUIDE_LOCATION, GUIDE_RESOURCE, GUIDE_SERVICE
from tests.integration.test_schedules_http import next_monday
from tests.unit.webhooks.receiver import Receiver, receiver

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = "2030-01-01T00:00:00+00:00"


@pytest.fixture
def client(api: Api) -> Client:
    return Client(api.base_url, api.token)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), STOCKHOLM)


def _wait_for(r: Receiver, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(r.received) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def test_the_guides_cycle_with_typed_models_datetimes_and_timedeltas(client: Client) -> None:
    resource = client.post_resource(body=models.ResourceInput(**GUIDE_RESOURCE))
    service = client.post_service(body=GUIDE_SERVICE)
    location = client.post_location(body=GUIDE_LOCATION)
    assert isinstance(service, models.FixedService)
    assert service.duration == dt.timedelta(minutes=50) and service.booking_window_end == dt.timedelta(
        days=14
    )
    assert location.created_at.tzinfo is not None
    client.put_service_resource(path={"service": service.id, "resource": resource.id})
    schedule = client.post_resource_recurring_schedule(
        path={"resource": resource.id}, body={"location_id": location.id, "start_date": dt.date.today()}
    )
    client.post_resource_recurring_schedule_block(
        path={"resource": resource.id, "recurring_schedule": schedule.id},
        body=models.RecurringScheduleBlockInput(weekday="monday", start_time="08:00:00", end_time="12:00:00"),
    )
    monday = next_monday()
    slots = client.get_service_bookable_slots(
        path={"service": service.id},
        query={"location": location.id, "from": _at(monday, 0), "to": _at(monday + dt.timedelta(days=1), 0)},
    )
    assert [slot.starts_at for slot in slots.data] == [_at(monday, h) for h in (8, 9, 10, 11)]
    booking = client.post_booking(
        body=models.BookingInput(
            service_id=service.id,
            location_id=location.id,
            starts_at=_at(monday, 8),
            ends_at=_at(monday, 8, 50),
        )
    )
    assert booking.resource_id == resource.id and booking.buffer_ends_at == _at(monday, 9)
    with pytest.raises(ValidationError) as taken:  # the same time again: the only resource is booked
        client.post_booking(
            body={
                "resource_id": resource.id,
                "service_id": service.id,
                "location_id": location.id,
                "starts_at": _at(monday, 8),
                "ends_at": _at(monday, 8, 50),
            }
        )
    assert taken.value.status == 422 and taken.value.message
    group = client.post_booking_group(
        body={
            "bookings": [
                {
                    "service_id": service.id,
                    "location_id": location.id,
                    "starts_at": _at(monday, h),
                    "ends_at": _at(monday, h, 50),
                }
                for h in (9, 10)
            ],
            "metadata": {"family": "Smith"},
        }
    )
    assert len(group.bookings) == 2 and group.metadata == {"family": "Smith"}
    patched = client.patch_booking(path={"booking": booking.id}, body=models.BookingPatch(is_canceled=True))
    assert patched.is_canceled
    client.delete_booking_group(path={"booking_group": group.id})
    with pytest.raises(NotFoundError):
        client.get_booking_group(path={"booking-group": group.id})


def test_a_real_delivery_verifies_and_a_tampered_one_does_not(api: Api, client: Client) -> None:
    resource = client.post_resource(body=GUIDE_RESOURCE)
    service = client.post_service(body={**GUIDE_SERVICE, "booking_window_start": "PT0S"})
    location = client.post_location(body=GUIDE_LOCATION)
    client.put_service_resource(path={"service": service.id, "resource": resource.id})
    with receiver() as r:
        hook = client.post_webhook(body={"url": r.url, "events": ["booking.created"]})
        monday = next_monday()
        client.post_booking(
            body={
                "service_id": service.id,
                "location_id": location.id,
                "starts_at": _at(monday, 8),
                "ends_at": _at(monday, 8, 50),
                "ignore_schedule": True,
            }
        )
        _wait_for(r, 1)
    got = r.received[0]
    assert hook.secret and verify_webhook(got.body, got.headers["x-kairos-signature"], hook.secret)
    with pytest.raises(WebhookSignatureError):
        verify_webhook(
            got.body.replace(b"booking", b"BOOKING"), got.headers["x-kairos-signature"], hook.secret
        )
    with pytest.raises(WebhookSignatureError):
        verify_webhook(got.body, got.headers["x-kairos-signature"], hook.secret, now=time.time() + 3600)


def test_paginate_walks_every_page(client: Client) -> None:
    for n in range(7):
        client.post_resource(body={"name": f"Room {n}"})
    names = [r.name for r in client.paginate("get_resources", query={"per_page": 3})]
    assert sorted(names) == [f"Room {n}" for n in range(7)]  # each once, across 3 pages
    first = client.get_resources(query={"per_page": 3})
    assert first.meta.last_page == 3 and len(first.data) == 3


def test_a_422_carries_its_fields_and_a_404_its_message(client: Client) -> None:
    with pytest.raises(ValidationError) as invalid:
        client.post_location(
            body={"name": "", "time_zone": "Mars/Olympus", "resource_selection_strategy": "x"}
        )
    assert invalid.value.status == 422
    assert invalid.value.message == "The given data was invalid."
    assert {"name", "time_zone", "resource_selection_strategy"} <= set(invalid.value.errors)
    with pytest.raises(ValidationError) as group:  # a group's 422 names its failing bookings
        client.post_booking_group(body={"bookings": [{"service_id": "00000000-0000-4000-8000-000000000000"}]})
    assert list(group.value.messages) == ["bookings.0"] and group.value.messages["bookings.0"]
    with pytest.raises(NotFoundError) as missing:
        client.get_location(path={"location": "00000000-0000-4000-8000-000000000000"})
    assert missing.value.status == 404 and missing.value.message


def test_a_429_is_retried_after_retry_after_and_raised_when_retries_run_out(
    local_server: LocalServer,
) -> None:
    admin = local_server.store.projects
    project = admin.create_project("Tiny plan", rate_limit=2)
    _, token = admin.create_token(project.id, "all", list(ALL_ABILITIES))
    waits: list[float] = []
    client = Client(local_server.base_url, token, max_retries=2, max_wait=0.01)
    client._sleep = waits.append  # type: ignore[method-assign]
    client.get_your_project()
    client.get_your_project()
    with pytest.raises(RateLimitedError) as refused:
        client.get_your_project()
    assert refused.value.status == 429 and refused.value.retry_after is not None
    assert waits == [0.01, 0.01]  # Retry-After (seconds to the next minute) capped by max_wait, twice


def test_a_429_then_success_returns_the_success_having_waited_retry_after() -> None:
    answers = iter(
        [httpx.Response(429, headers={"retry-after": "3"}, json={"message": "Too Many Attempts."})]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        project = {"id": "p", "name": "P", "enabled": True, "created_at": NOW, "updated_at": NOW}
        return next(answers, httpx.Response(200, json=project))

    waits: list[float] = []
    client = Client("http://kairos.test/v1", "t", http=httpx.Client(transport=httpx.MockTransport(handler)))
    client._sleep = waits.append  # type: ignore[method-assign]
    assert client.get_your_project().name == "P"
    assert waits == [3.0]


def test_posts_carry_one_idempotency_key_across_retries() -> None:
    seen: list[str] = []
    location = {**GUIDE_LOCATION, "id": "l", "created_at": NOW, "updated_at": NOW}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["idempotency-key"])
        return (
            httpx.Response(503, json={"message": "busy"})
            if len(seen) == 1
            else httpx.Response(201, json=location)
        )

    client = Client("http://kairos.test/v1", "t", http=httpx.Client(transport=httpx.MockTransport(handler)))
    client._sleep = lambda _: None  # type: ignore[method-assign]
    assert client.post_location(body=GUIDE_LOCATION).id == "l"
    assert len(seen) == 2 and seen[0] == seen[1]
    client.post_location(body=GUIDE_LOCATION, idempotency_key="mine")
    assert seen[2] == "mine"


def test_the_async_client_has_the_same_operations(api: Api) -> None:
    async def run() -> list[str]:
        async with AsyncClient(api.base_url, api.token) as client:
            await client.post_location(body=GUIDE_LOCATION)
            await client.post_location(body={**GUIDE_LOCATION, "name": "Second"})
            return [loc.name async for loc in client.paginate("get_locations", query={"per_page": 1})]

    # On a thread of its own: Playwright's sync API (the browser tests, on the same test worker) leaves an
    # event loop running on the main thread, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(1) as thread:
        names = thread.submit(asyncio.run, run()).result()
    assert sorted(names) == ["Perfect Health - Stockholm", "Second"]
