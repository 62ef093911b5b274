"""Every route of an API area, called on its deployed function in one run: what the deployed-layout test
sends each API function, so that its recorded AWS calls are all its code makes (tests/infra/role_access.py).

Each area acts as a project of its own, made for its run: its first request of the month starts the
project's quota counter (a read of its usage), as on AWS. The entities a route works on are made in the run
by the area's own POSTs (`<<n.id>>`, see lambda_bootstrap.py), or beforehand in moto when they belong to
another area (the clinic a booking is made in). The first event is the area's first list route, as before
(bench/cold_starts.py measures it)."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kairos.domain.projects.auth import Principal
from kairos.portal.routes import PORTAL_ROUTES, PortalRoute
from kairos.routes import ROUTES, Area, Route
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.webhook_store import DeliveryStore
from kairos.values.ids import new_id
from kairos.webhooks.delivery import Delivery
from kairos.webhooks.subscriptions import Webhooks
from kairos_local.lambda_runtime import proxy_event
from tests.infra.lambda_world import Invocation, Moto, fresh_project, refused_calendar
from tests.unit.clinic import DAY, at, booking_body, make_clinic

SOURCE_IP = "198.51.100.7"
USUAL_STATUS = {"GET": 200, "POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}
# A public address written as such: checked without DNS, and never sent to (no dispatcher runs for it).
PUBLIC_RECEIVER = "https://93.184.215.14/hooks"
LOCATION = {
    "name": "Stockholm clinic",
    "time_zone": "Europe/Stockholm",
    "resource_selection_strategy": "randomize",
}
SERVICE = {"name": "Exam", "type": "fixed", "duration": "PT1H", "price": "50.000"}
RESOURCE = {"name": "Dr. Two", "max_simultaneous_bookings": 1}


def ref(step: int, path: str = "id") -> str:
    """A field of the JSON answer of an earlier step of the same run."""
    return f"<<{step}.{path}>>"


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the route's path as the route table writes it
    params: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    query: str = ""
    status: int | None = None  # when not the route's usual success
    headers: tuple[tuple[str, str], ...] = ()
    token: str | None = None  # the run's token unless given ("" for none)


def route_of(method: str, path: str) -> Route | PortalRoute:
    every: list[Route | PortalRoute] = [*ROUTES, *PORTAL_ROUTES]
    (found,) = [r for r in every if (r.method, r.path) == (method, path)]
    return found


def http_event(call: Call, token: str, claims: Mapping[str, str] | None = None) -> Invocation:
    """The API Gateway proxy event of `call`, and the status it must answer."""
    route = route_of(call.method, call.route)
    path = call.route
    for name, value in call.params.items():
        path = path.replace(f"{{{name}}}", value)
    bearer = token if call.token is None else call.token
    headers = [("Content-Type", "application/json"), *call.headers]
    if bearer:
        headers.insert(0, ("Authorization", f"Bearer {bearer}"))
    event = proxy_event(
        method=call.method, path=path, query=call.query, headers=headers,
        body=json.dumps(call.body).encode() if call.body is not None else b"", route=route,
        path_parameters=dict(call.params), source_ip=SOURCE_IP,
    )  # fmt: skip
    if claims is not None and getattr(route, "authorized", False):
        event["requestContext"]["authorizer"] = {"claims": dict(claims)}
    return Invocation(event, call.status or route.status or USUAL_STATUS[call.method])


class Steps(list[Call]):
    def add(self, call: Call) -> int:
        """Appends the call; its index, by which later calls name what it made."""
        self.append(call)
        return len(self) - 1

    def read_and_change(self, item: str, ids: Mapping[str, str], full: Any, patch: Any) -> None:
        """GET, PUT (`full`) and PATCH (`patch`) of one entity."""
        self.add(Call("GET", item, ids))
        self.add(Call("PUT", item, ids, full))
        self.add(Call("PATCH", item, ids, patch))


def api_scenario(area: Area, moto: Moto) -> list[Invocation]:
    """Every route of the area, with a fresh project's token (every ability)."""
    viewer, token = fresh_project(moto, f"Layout {area.value}")
    return [http_event(call, token) for call in AREAS[area](viewer, moto)]


def project_calls(viewer: Principal, moto: Moto) -> Steps:
    month = datetime.now(UTC).strftime("%Y-%m")
    return Steps(
        [
            Call("GET", "/v1/project"),
            Call("GET", "/v1/project/usage", query=f"from={month}-01&to={month}-02"),
            Call("GET", "/v1/openapi.json", token=""),  # counted against the address
            Call("GET", "/v1/project", token="not-a-token", status=401),
        ]
    )


def booked_clinic(viewer: Principal, moto: Moto) -> dict[str, str]:
    """The clinic, with a booking on its doctor (which calendars render, with what it names)."""
    clinic = make_clinic(moto.container, viewer)
    moto.container.bookings.create(viewer, booking_body(clinic, 16))
    return clinic


def location_calls(viewer: Principal, moto: Moto) -> Steps:
    clinic = booked_clinic(viewer, moto)
    steps = Steps([Call("GET", "/v1/locations")])
    made = steps.add(Call("POST", "/v1/locations", body=LOCATION))  # a named zone: tzdata is in the layer
    one = {"location": ref(made)}
    steps.read_and_change(
        "/v1/locations/{location}", one, {**LOCATION, "name": "Renamed"}, {"name": "Patched"}
    )
    steps.add(Call("GET", "/v1/locations/{location}/calendar.ics", {"location": clinic["location_id"]}))
    steps.add(Call("DELETE", "/v1/locations/{location}", one))
    return steps


def resource_calls(viewer: Principal, moto: Moto) -> Steps:
    """The resource is deleted with what it owns: an association (and its mirror in the service's
    partition), its schedules and its timeline."""
    clinic = booked_clinic(viewer, moto)
    steps = Steps([Call("GET", "/v1/resources")])
    made = steps.add(Call("POST", "/v1/resources", body=RESOURCE))
    mine = {"resource": ref(made)}
    steps.read_and_change(
        "/v1/resources/{resource}", mine, {**RESOURCE, "name": "Renamed"}, {"name": "Dr. P"}
    )
    malformed = {"resource": "not-an-id"}  # an id that matches nothing: 404, as any other unknown id
    steps.add(Call("GET", "/v1/resources/{resource}/schedule-blocks", malformed, status=404))
    linked = {**mine, "service": clinic["service_id"]}
    steps.add(Call("PUT", "/v1/resources/{resource}/services/{service}", linked, status=201))
    steps.add(Call("GET", "/v1/resources/{resource}/services", mine))
    steps.add(Call("GET", "/v1/resources/{resource}/services/{service}", linked))
    block_body = {"location_id": clinic["location_id"], "starts_at": at(8), "ends_at": at(17)}
    blocks = "/v1/resources/{resource}/schedule-blocks"
    block = {**mine, "schedule-block": ref(steps.add(Call("POST", blocks, mine, block_body)))}
    steps.add(Call("GET", blocks, mine))
    steps.read_and_change(
        blocks + "/{schedule-block}", block, {**block_body, "ends_at": at(16)}, {"ends_at": at(15)}
    )
    schedules = "/v1/resources/{resource}/recurring-schedules"
    schedule_body = {"location_id": clinic["location_id"], "start_date": DAY}
    schedule = {**mine, "recurring-schedule": ref(steps.add(Call("POST", schedules, mine, schedule_body)))}
    steps.add(Call("GET", schedules, mine))
    steps.read_and_change(
        schedules + "/{recurring-schedule}", schedule, schedule_body, {"end_date": "2030-12-31"}
    )
    weekly = schedules + "/{recurring-schedule}/schedule-blocks"
    weekly_body = {"weekday": "monday", "start_time": "08:00:00", "end_time": "12:00:00"}
    day_block = {**schedule, "schedule-block": ref(steps.add(Call("POST", weekly, schedule, weekly_body)))}
    steps.add(Call("GET", weekly, schedule))
    shorter = {**weekly_body, "end_time": "11:00:00"}
    steps.read_and_change(weekly + "/{schedule-block}", day_block, shorter, {"end_time": "10:00:00"})
    window = f"from={at(0)}&to={at(23)}&location={clinic['location_id']}".replace("+", "%2B")
    doctor = {"resource": clinic["resource_id"]}
    steps.add(Call("GET", "/v1/resources/{resource}/schedule", doctor, query=window))
    steps.add(Call("GET", "/v1/resources/{resource}/fully-booked", doctor, query=window))
    steps.add(Call("GET", "/v1/resources/{resource}/calendar.ics", doctor))
    subscriptions = "/v1/resources/{resource}/calendar-subscriptions"
    private = {"url": "https://10.0.0.7/calendar.ics"}  # the SSRF guard refuses it: nothing is written
    steps.add(Call("POST", subscriptions, doctor, private, status=422))
    steps.add(Call("GET", subscriptions, doctor))
    subscription = {
        **doctor,
        "calendar-subscription": refused_calendar(moto, viewer.project_id, clinic["resource_id"]),
    }
    steps.add(Call("GET", subscriptions + "/{calendar-subscription}", subscription))
    steps.add(Call("PATCH", subscriptions + "/{calendar-subscription}", subscription, {"name": "Mine"}))
    steps.add(Call("POST", subscriptions + "/{calendar-subscription}/sync", subscription))  # failing
    steps.add(Call("DELETE", subscriptions + "/{calendar-subscription}", subscription))
    steps.add(Call("DELETE", weekly + "/{schedule-block}", day_block))
    steps.add(Call("DELETE", schedules + "/{recurring-schedule}", schedule))
    steps.add(Call("DELETE", blocks + "/{schedule-block}", block))
    steps.add(Call("DELETE", "/v1/resources/{resource}/services/{service}", linked))
    steps.add(Call("PUT", "/v1/resources/{resource}/services/{service}", linked, status=201))
    steps.add(Call("DELETE", "/v1/resources/{resource}", mine))
    return steps


def service_calls(viewer: Principal, moto: Moto) -> Steps:
    clinic = make_clinic(moto.container, viewer)
    steps = Steps([Call("GET", "/v1/services")])
    mine = {"service": ref(steps.add(Call("POST", "/v1/services", body=SERVICE)))}
    steps.read_and_change(
        "/v1/services/{service}", mine, {**SERVICE, "name": "Check-up"}, {"name": "Patched"}
    )
    linked = {**mine, "resource": clinic["resource_id"]}
    steps.add(Call("PUT", "/v1/services/{service}/resources/{resource}", linked, status=201))
    steps.add(Call("GET", "/v1/services/{service}/resources", mine))
    steps.add(Call("GET", "/v1/services/{service}/resources/{resource}", linked))
    window = f"from={at(0)}&to={at(23)}&location={clinic['location_id']}".replace("+", "%2B")
    exam = {"service": clinic["service_id"]}
    steps.add(Call("GET", "/v1/services/{service}/bookable-slots", exam, query=window))
    interval = f"starts_at={at(9)}&ends_at={at(10)}&location={clinic['location_id']}".replace("+", "%2B")
    steps.add(Call("GET", "/v1/services/{service}/bookable-slots/explain", exam, query=interval))
    steps.add(Call("DELETE", "/v1/services/{service}/resources/{resource}", linked))
    steps.add(Call("PUT", "/v1/services/{service}/resources/{resource}", linked, status=201))
    steps.add(Call("DELETE", "/v1/services/{service}", mine))  # with its association, and the mirror
    return steps


def keyed(key: str) -> tuple[tuple[str, str], ...]:
    return (("Idempotency-Key", key),)


def booking_calls(viewer: Principal, moto: Moto) -> Steps:
    """Lists through each index (the project's, a resource's, a location's, a service's), a booking made
    twice with one Idempotency-Key (the second answer is the stored one), a refused one whose key is
    released, a hold finalized, a calendar feed read by its secret, without a token, and a waitlist entry
    naming its resource."""
    clinic = make_clinic(moto.container, viewer)
    by_doctor = {"resource_id": clinic["resource_id"], "name": "Feed"}
    _, key = moto.container.calendar_feeds.create(viewer, by_doctor)
    steps = Steps([Call("GET", "/v1/bookings")])
    for owner in ("resource", "location", "service"):
        steps.add(Call("GET", "/v1/bookings", query=f"{owner}={clinic[f'{owner}_id']}"))
    made = steps.add(Call("POST", "/v1/bookings", body=booking_body(clinic, 9), headers=keyed("b-1")))
    steps.add(Call("POST", "/v1/bookings", body=booking_body(clinic, 9), headers=keyed("b-1")))
    steps.add(Call("POST", "/v1/bookings", body=booking_body(clinic, 3), headers=keyed("b-2"), status=422))
    expires = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    hold = booking_body(clinic, 11, is_temporary=True, expires_at=expires)
    held = {"booking": ref(steps.add(Call("POST", "/v1/bookings", body=hold)))}
    mine = {"booking": ref(made)}
    moved = booking_body(clinic, 12, resource_id=clinic["resource_id"])  # a PUT names everything
    steps.read_and_change("/v1/bookings/{booking}", mine, moved, {"metadata": {"note": "moved"}})
    steps.add(Call("PATCH", "/v1/bookings/{booking}", held, {"is_temporary": False}))
    steps.add(Call("GET", "/v1/calendar-feeds"))
    desk = {"location_id": clinic["location_id"], "name": "Desk"}
    feed = {"calendar-feed": ref(steps.add(Call("POST", "/v1/calendar-feeds", body=desk)))}
    steps.add(Call("GET", "/v1/calendar-feeds/{key}/calendar.ics", {"key": key}, token=""))
    steps.add(Call("DELETE", "/v1/calendar-feeds/{calendar-feed}", feed))
    steps.add(Call("DELETE", "/v1/bookings/{booking}", mine))
    wait = {**booking_body(clinic, 13, resource_id=clinic["resource_id"]), "from": at(13), "to": at(15)}
    steps.add(Call("GET", "/v1/waitlist-entries", query="status=waiting"))
    entry = {"waitlist-entry": ref(steps.add(Call("POST", "/v1/waitlist-entries", body=wait)))}
    steps.add(Call("GET", "/v1/waitlist-entries/{waitlist-entry}", entry))
    steps.add(Call("DELETE", "/v1/waitlist-entries/{waitlist-entry}", entry))
    return steps


def booking_series_calls(viewer: Principal, moto: Moto) -> Steps:
    """A series of two days (the second has no schedule, so it is skipped and explained) made with an
    Idempotency-Key, read, listed, canceled from its first day and deleted."""
    clinic = make_clinic(moto.container, viewer)
    steps = Steps([Call("GET", "/v1/booking-series")])
    daily = {**booking_body(clinic, 13), "recurrence": "FREQ=DAILY;COUNT=2", "mode": "available_only"}
    made = steps.add(Call("POST", "/v1/booking-series", body=daily, headers=keyed("s-1")))
    series = {"booking-series": ref(made)}
    steps.add(Call("GET", "/v1/booking-series/{booking-series}", series))
    cancel = {"metadata": {"s": 1}, "cancel": {"from": booking_body(clinic, 13)["starts_at"]}}
    steps.add(Call("PATCH", "/v1/booking-series/{booking-series}", series, cancel))
    steps.add(Call("DELETE", "/v1/booking-series/{booking-series}", series))
    return steps


def booking_group_calls(viewer: Principal, moto: Moto) -> Steps:
    clinic = make_clinic(moto.container, viewer)
    steps = Steps([Call("GET", "/v1/booking-groups")])
    body = {"bookings": [booking_body(clinic, 13), booking_body(clinic, 14)], "metadata": {"g": 1}}
    made = steps.add(Call("POST", "/v1/booking-groups", body=body, headers=keyed("g-1")))
    refused = {"bookings": [booking_body(clinic, 3)]}  # no doctor at 03:00: the key is released
    steps.add(Call("POST", "/v1/booking-groups", body=refused, headers=keyed("g-2"), status=422))
    mine = {"booking-group": ref(made)}
    moved = {**booking_body(clinic, 15, resource_id=clinic["resource_id"]), "id": ref(made, "bookings.0.id")}
    steps.read_and_change("/v1/booking-groups/{booking-group}", mine, {"bookings": [moved]}, {"metadata": {}})
    steps.add(Call("DELETE", "/v1/booking-groups/{booking-group}", mine))
    return steps


def webhook_calls(viewer: Principal, moto: Moto) -> Steps:
    """Besides its own subscription's routes, the delivery log of one made beforehand, a redelivery (its
    attempt is the webhook_dispatcher's), and that subscription deleted with its log."""
    hook = Webhooks(CatalogueStore(moto.container.table), check_url=lambda url: None).create(
        viewer.project_id, {"url": PUBLIC_RECEIVER, "events": ["*"]}
    )
    seeded = {"webhook": hook["id"], "delivery": seeded_delivery(moto, viewer.project_id, hook["id"])}
    steps = Steps([Call("GET", "/v1/webhooks")])
    body = {"url": PUBLIC_RECEIVER, "events": ["booking.created"]}
    mine = {"webhook": ref(steps.add(Call("POST", "/v1/webhooks", body=body)))}
    steps.read_and_change("/v1/webhooks/{webhook}", mine, {**body, "events": ["*"]}, {"enabled": False})
    steps.add(Call("POST", "/v1/webhooks/{webhook}/rotate", mine))
    steps.add(Call("GET", "/v1/webhooks/{webhook}/deliveries", seeded))
    steps.add(Call("POST", "/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver", seeded))
    steps.add(Call("DELETE", "/v1/webhooks/{webhook}", mine))
    steps.add(Call("DELETE", "/v1/webhooks/{webhook}", {"webhook": hook["id"]}))
    return steps


def seeded_delivery(moto: Moto, project_id: str, webhook_id: str, status: str = "dead") -> str:
    """A delivery in the subscription's log as the dispatcher leaves one after a first attempt (dead, or
    pending with its next attempt due); its id."""
    now = datetime.now(UTC).replace(microsecond=0)
    delivery = Delivery(
        id=new_id(),
        project_id=project_id,
        webhook_id=webhook_id,
        event_id=new_id(),
        event_type="booking.created",
        body="{}",
        status=status,
        attempts=1,
        created_at=now - timedelta(minutes=5),
        last_attempt_at=now - timedelta(minutes=5),
        next_attempt_at=now - timedelta(minutes=1) if status == "pending" else None,
    )
    DeliveryStore(moto.container.table).create(delivery)
    return delivery.id


AREAS = {
    Area.PROJECT: project_calls,
    Area.LOCATIONS: location_calls,
    Area.RESOURCES: resource_calls,
    Area.SERVICES: service_calls,
    Area.BOOKINGS: booking_calls,
    Area.BOOKING_GROUPS: booking_group_calls,
    Area.BOOKING_SERIES: booking_series_calls,
    Area.WEBHOOKS: webhook_calls,
}
