"""The mixes the key-heat model drives (bench/heat.py): a project's catalogue seeded in the bench's own
process (not recorded), and the requests of each mix, sent by a few clients at once."""

import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests

from kairos.container import Container
from kairos.domain.auth import Principal
from kairos.domain.catalogue import LOCATION, RESOURCE, SERVICE

ZONE = ZoneInfo("Europe/Stockholm")
BOOKING_WRITES, READS = 1_000.0, 10_000.0  # per second, the big project's targets
PROJECTS, PROJECT_RATE = 10_000, 10.0  # small projects, requests per second each
LOCATIONS, SERVICES, RESOURCES = 4, 4, 200
SAMPLED_PROJECTS = 10
READ_SAMPLE = 100  # the big project's reads sampled (its booking writes: one per resource)
WARM_UP = 30  # reads first, not counted: warm instances, as under load
CLIENTS = 4
SEEDERS = 8


@dataclass
class Request:
    method: str
    path: str
    body: Any = None
    group: tuple[str, str] = ("", "")  # a booking write's (location, service)


@dataclass
class World:
    project: str
    token: str
    locations: list[str]
    services: list[str]
    resources: list[str]  # resource n works at location n % LOCATIONS and gives service n % SERVICES

    def entities(self) -> dict[str, str]:
        """Its locations, services and resources (id -> kind): a mix spreads its load evenly over each."""
        kinds = {"location": self.locations, "service": self.services, "resource": self.resources}
        return {entity: kind for kind, ids in kinds.items() for entity in ids}


def seed(store: Container, resources: int, locations: int, services: int, rate_limit: int) -> World:
    """A project and its catalogue, written in this process (not recorded): every resource open all day on
    Mondays at its location, giving one service."""
    made = store.projects.create_project("Heat", plan="enterprise", rate_limit=rate_limit)
    _, token = store.projects.create_token(made.id, "heat", None)
    viewer: Principal = store.auth.authenticate(f"Bearer {token}")
    place = {"time_zone": "Europe/Stockholm", "resource_selection_strategy": "equalize"}
    location_ids = [
        store.catalogue.create(viewer, LOCATION, {"name": f"L{n}", **place})["id"] for n in range(locations)
    ]
    service = {"type": "fixed", "duration": "PT30M", "bookable_interval": "PT30M"}
    service_ids = [
        store.catalogue.create(viewer, SERVICE, {"name": f"S{n}", **service})["id"] for n in range(services)
    ]

    def resource(number: int) -> str:
        made_id = str(store.catalogue.create(viewer, RESOURCE, {"name": f"R{number}"})["id"])
        store.catalogue.associate(viewer, service_ids[number % services], made_id)
        body = {"location_id": location_ids[number % locations], "start_date": "2026-01-01"}
        schedule = store.schedules.create_recurring(viewer, made_id, body)
        block = {"weekday": "monday", "start_time": "00:00:00", "end_time": "24:00:00"}
        store.schedules.put_weekly(viewer, made_id, schedule["id"], None, block)
        return made_id

    return World(made.id, token, location_ids, service_ids, in_parallel(resource, range(resources)))


def in_parallel(work: Callable[[int], str], numbers: Iterable[int]) -> list[str]:
    found: dict[int, str] = {}

    def run(share: list[int]) -> None:
        for number in share:
            found[number] = work(number)

    todo = list(numbers)
    threads = [threading.Thread(target=run, args=(todo[n::SEEDERS],)) for n in range(SEEDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [found[n] for n in todo]


def monday() -> datetime:
    today = datetime.now(ZONE).date()
    return datetime.combine(today + timedelta(days=7 - today.weekday()), datetime.min.time(), ZONE)


def booking_writes(world: World, count: int) -> list[Request]:
    """`count` bookings, one per resource in turn, each at its own place on Monday."""
    start = monday()
    made = []
    for n in range(count):
        r = n % len(world.resources)
        at = start + timedelta(minutes=30 * (n // len(world.resources)))
        location, service = world.locations[r % len(world.locations)], world.services[r % len(world.services)]
        body = {
            "location_id": location,
            "service_id": service,
            "resource_id": world.resources[r],
            "starts_at": at.isoformat(),
            "ends_at": (at + timedelta(minutes=30)).isoformat(),
        }
        made.append(Request("POST", "/bookings", body, (location, service)))
    return made


def reads(world: World, count: int, booking_ids: list[str]) -> list[Request]:
    """`count` reads, in turn: a day's slots of a service at a location, a booking list by resource, by
    location and by service (a day), a booking, a resource."""
    day = monday()
    window = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    made = []
    for n in range(count):
        r = n % len(world.resources)
        location, service = world.locations[r % len(world.locations)], world.services[r % len(world.services)]
        kind = n % 10
        if kind < 4:
            query = urlencode({**window, "location": location})
            made.append(Request("GET", f"/services/{service}/bookable-slots?{query}"))
        elif kind < 7:
            owner = {4: ("resource", world.resources[r]), 5: ("location", location), 6: ("service", service)}[
                kind
            ]
            made.append(Request("GET", "/bookings?" + urlencode({**window, owner[0]: owner[1]})))
        elif kind < 9 and booking_ids:
            made.append(Request("GET", f"/bookings/{booking_ids[n % len(booking_ids)]}"))
        else:
            made.append(Request("GET", f"/resources/{world.resources[r]}"))
    return made


def send(
    base_url: str, work: list[tuple[Request, World]]
) -> tuple[dict[str, tuple[Request, str]], list[str]]:
    """The requests, by CLIENTS clients at once: each answer's request id -> (request, project), and the
    ids of the bookings made."""
    tags: dict[str, tuple[Request, str]] = {}
    made: list[str] = []

    def run(share: list[tuple[Request, World]]) -> None:
        session = requests.Session()
        for request, world in share:
            headers = {"Authorization": f"Bearer {world.token}"}
            if request.method == "POST":
                headers["Idempotency-Key"] = str(uuid.uuid4())
            answer = session.request(
                request.method, base_url + request.path, json=request.body, headers=headers, timeout=120
            )
            if answer.status_code >= 400:
                raise RuntimeError(f"{request.method} {request.path}: {answer.status_code} {answer.text}")
            tags[answer.headers["apigw-requestid"]] = (request, world.project)
            if request.method == "POST":
                made.append(answer.json()["id"])

    threads = [threading.Thread(target=run, args=(work[n::CLIENTS],)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tags, made
