"""The mixes the key-heat model drives (bench/heat.py): a project's catalogue seeded in the bench's own
process (not recorded), and the requests of each mix, sent by a few clients at once."""

import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests

from bench.common import WAVES
from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal

ZONE = ZoneInfo("Europe/Stockholm")
BOOKING_WRITES, READS = 1_000.0, 10_000.0  # per second, the big project's targets
PROJECTS, PROJECT_RATE = 10_000, 10.0  # small projects, requests per second each
LOCATIONS, SERVICES, RESOURCES = 4, 4, 200
SAMPLED_PROJECTS = 8
SMALL_HOLD = timedelta(minutes=15)  # a small project's booking write is a checkout's hold, for this long
BOOKING_SAMPLE = 200  # the big project's booking writes sampled, over its resources in turn (each once)
READ_SAMPLE = 100  # the big project's reads sampled
WARM_UP = 20  # reads first, not counted: warm instances, as under load
# The reads of a mix, by kind (shares in tenths): what bench/costs.py weighs its functions by.
READ_KINDS = {"slots": 0.4, "lists": 0.3, "gets": 0.2, "resource": 0.1}
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


def booking_writes(world: World, count: int, hold: timedelta | None = None) -> list[Request]:
    """`count` bookings, one per resource in turn, each at its own place on Monday; with `hold`, each a
    temporary booking that expires that long from now (a checkout's hold: its expiry listing and timer)."""
    start = monday()
    until = (datetime.now(ZONE) + hold).replace(microsecond=0) if hold else None
    expiry = {"is_temporary": True, "expires_at": until.isoformat()} if until else {}
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
            **expiry,
        }
        made.append(Request("POST", "/bookings", body, (location, service)))
    return made


def reads(world: World, count: int, booking_ids: list[str]) -> list[Request]:
    """`count` reads in the shares of READ_KINDS, in turn: a day's slots of a service at its location, a
    booking list (a day) by resource, by location and by service in turn, a booking (a resource when there
    are none), a resource; each walks its entities in turn."""
    day = monday()
    window = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    cycle = [kind for kind, share in READ_KINDS.items() for _ in range(round(10 * share))]
    turns: dict[str, int] = {}

    def next_of(kind: str, choices: list[str]) -> str:
        turns[kind] = turns.get(kind, -1) + 1
        return choices[turns[kind] % len(choices)]

    pairs = [str(n) for n in range(min(len(world.locations), len(world.services)))]
    made = []
    for n in range(count):
        kind = cycle[n % len(cycle)]
        if kind == "slots":  # resource r gives service r % SERVICES at location r % LOCATIONS: pair them
            pair = int(next_of("slots", pairs))
            query = urlencode({**window, "location": world.locations[pair]})
            made.append(Request("GET", f"/services/{world.services[pair]}/bookable-slots?{query}"))
        elif kind == "lists":
            owner = next_of("owner", ["resource", "location", "service"])
            ids = {"resource": world.resources, "location": world.locations, "service": world.services}[owner]
            made.append(Request("GET", "/bookings?" + urlencode({**window, owner: next_of(owner, ids)})))
        elif kind == "gets" and booking_ids:
            made.append(Request("GET", f"/bookings/{next_of('booking', booking_ids)}"))
        else:
            made.append(Request("GET", f"/resources/{next_of('resource', world.resources)}"))
    return made


@dataclass
class Sent:
    """Per answer's request id: its request and project, and its sequential DynamoDB waves (the local
    server's `x-kairos-dynamodb-waves`); the ids of the bookings made."""

    requests: dict[str, tuple[Request, str]] = field(default_factory=dict)
    waves: dict[str, int] = field(default_factory=dict)
    made: list[str] = field(default_factory=list)


def send(base_url: str, work: list[tuple[Request, World]]) -> Sent:
    """The requests, by CLIENTS clients at once."""
    sent = Sent()

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
            tag = answer.headers["apigw-requestid"]
            sent.requests[tag] = (request, world.project)
            sent.waves[tag] = int(answer.headers.get(WAVES, "0"))
            if request.method == "POST":
                sent.made.append(answer.json()["id"])

    threads = [threading.Thread(target=run, args=(work[n::CLIENTS],)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent
