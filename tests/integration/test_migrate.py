"""`kairos migrate from-hapio` with a second local Kairos as the source (it speaks Hapio's API): every kind
arrives with its id, the copy answers slots and refuses double bookings as the source does, a re-run writes
nothing twice, a dry run writes nothing, and a difference found by the comparison exits non-zero."""

import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import requests

from kairos.abilities import ALL_ABILITIES
from kairos_cli.migrate import Migration
from kairos_client import Client
from tests.integration.conftest import Api, LocalServer, serving
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday, slots

KINDS = (
    "resources",
    "locations",
    "services",
    "associations",
    "recurring_schedules",
    "recurring_schedule_blocks",
    "schedule_blocks",
    "bookings",
    "booking_groups",
)


@pytest.fixture(scope="module")
def source_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with serving(tmp_path_factory.mktemp("source"), {}) as server:
        yield server


def _project(server: LocalServer, name: str) -> Api:
    project = server.store.projects.create_project(name, rate_limit=100_000)
    _, token = server.store.projects.create_token(project.id, "all", list(ALL_ABILITIES))
    return Api(server.base_url, token, project.id, requests.Session())


def _migrate(target: LocalServer, source: Api, project: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kairos_cli", "--local", "--data-dir", str(target.data_dir), "migrate"]
    command += [
        "from-hapio",
        "--source-url",
        source.base_url,
        "--source-token",
        source.token,
        "--project",
        project,
    ]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=300, check=False)


def _counts(output: str) -> dict[str, list[int]]:
    """`kind: source 3, written 3, already there 0` lines as {kind: [3, 3, 0]}."""
    found = {}
    for line in output.splitlines():
        kind, _, rest = line.partition(": source ")
        if rest:
            found[kind] = [int(part.split()[-1]) for part in rest.split(", ")[:3]]
    return found


def _fill(source: Api) -> dict[str, str]:
    ids = guide_setup(source)
    monday = next_monday()
    resource = ids["resource"]
    blocked = {"location_id": ids["location"], "starts_at": at(monday, 11), "ends_at": at(monday, 12)}
    blocked["is_available"] = False  # type: ignore[assignment]
    assert source.post(f"/resources/{resource}/schedule-blocks", blocked).status_code == 201
    off = source.post("/resources", {"name": "Dr. Away", "enabled": False}).json()  # listed only when asked
    assert source.post(f"/resources/{off['id']}/schedule-blocks", blocked).status_code == 201
    kept = book(source, ids, at(monday, 8), at(monday, 8, 50), metadata={"ref": "A-1"}).json()
    canceled = book(source, ids, at(monday, 9), at(monday, 9, 50)).json()
    source.patch(f"/bookings/{canceled['id']}", {"is_canceled": True})
    group = source.post(
        "/booking-groups",
        {
            "bookings": [
                {
                    "location_id": ids["location"],
                    "service_id": ids["service"],
                    "starts_at": at(monday, 9),
                    "ends_at": at(monday, 9, 50),
                }
            ],
            "metadata": {"family": "Smith"},
        },
    )
    assert group.status_code == 201, group.text
    return {**ids, "booking": kept["id"], "canceled": canceled["id"], "group": group.json()["id"]}


def test_a_project_arrives_with_its_ids_and_behaves_as_the_source(
    source_server: LocalServer, local_server: LocalServer
) -> None:
    source = _project(source_server, "On Hapio")
    ids = _fill(source)
    target = _project(local_server, "On Kairos")

    dry = _migrate(local_server, source, target.project_id, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert _counts(dry.stdout)["bookings"] == [2, 2, 0]  # to write
    assert target.get("/resources").json()["meta"]["total"] == 0  # a dry run writes nothing
    later = (next_monday() + timedelta(days=1)).isoformat()
    after = _counts(
        _migrate(local_server, source, target.project_id, "--dry-run", "--bookings-from", later).stdout
    )
    assert after["bookings"] == [0, 0, 0] and after["booking_groups"] == [0, 0, 0]

    done = _migrate(local_server, source, target.project_id)
    assert done.returncode == 0, done.stdout + done.stderr
    counts = _counts(done.stdout)
    assert set(counts) == set(KINDS)
    assert counts["bookings"] == [2, 2, 0] and counts["booking_groups"] == [1, 1, 0]
    assert counts["resources"] == [2, 2, 0] and counts["schedule_blocks"] == [2, 2, 0]
    assert "the project matches the source" in done.stdout

    for path in (
        f"/bookings/{ids['booking']}",
        f"/booking-groups/{ids['group']}",
        f"/services/{ids['service']}",
    ):
        assert target.get(path).json() == source.get(path).json()
    assert target.get(f"/bookings/{ids['canceled']}").json()["is_canceled"] is True
    monday = next_monday()
    window = (at(monday, 0), at(monday, 23))
    assert (
        slots(target, ids, *window)["data"] == slots(source, ids, *window)["data"]
    )  # schedule, blocks, bookings
    taken = book(target, ids, at(monday, 8), at(monday, 8, 50), resource_id=ids["resource"])
    assert taken.status_code == 422  # the migrated booking holds its place

    again = _migrate(local_server, source, target.project_id)
    assert again.returncode == 0, again.stdout + again.stderr
    assert all(written == 0 for _, written, _ in _counts(again.stdout).values())
    listed = target.get("/bookings", params={"canceled": "include"}).json()
    assert listed["meta"]["total"] == 3  # 2 alone (1 canceled) and 1 in the group, each once


def test_a_difference_from_the_source_is_reported_and_exits_non_zero(
    source_server: LocalServer, local_server: LocalServer
) -> None:
    source = _project(source_server, "On Hapio")
    location = source.post(
        "/locations",
        {"name": "Clinic", "time_zone": "Europe/Stockholm", "resource_selection_strategy": "equalize"},
    ).json()
    target = _project(local_server, "On Kairos")
    assert _migrate(local_server, source, target.project_id).returncode == 0
    target.patch(f"/locations/{location['id']}", {"name": "Renamed here"})

    compared = _migrate(local_server, source, target.project_id)
    assert compared.returncode == 1
    assert f"{location['id']}: name: 'Clinic' != 'Renamed here'" in compared.stdout


def test_migrating_into_a_project_that_does_not_exist_is_an_error(
    source_server: LocalServer, local_server: LocalServer
) -> None:
    source = _project(source_server, "On Hapio")
    failed = _migrate(local_server, source, "00000000-0000-4000-8000-000000000000")
    assert failed.returncode != 0 and "project" in failed.stderr.lower()


class _BusySource(httpx.BaseTransport):
    """The source as a busy Hapio: every third request is a 429 with `Retry-After: 2` before it is served."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests % 3 == 0:
            return httpx.Response(429, headers={"retry-after": "2"}, json={"message": "Too Many Attempts."})
        return self.inner.handle_request(request)


def test_a_busy_source_is_waited_out(source_server: LocalServer, local_server: LocalServer) -> None:
    source = _project(source_server, "On Hapio")
    ids = _fill(source)
    target = _project(local_server, "On Kairos")
    waits: list[float] = []
    client = Client(source.base_url, source.token, http=httpx.Client(transport=_BusySource()))
    client._sleep = waits.append  # type: ignore[method-assign]
    report = io.StringIO()

    assert Migration(client, local_server.store, target.project_id).run(report), report.getvalue()
    assert waits and set(waits) == {2.0}  # each 429's Retry-After, then the same request again
    assert (
        target.get(f"/booking-groups/{ids['group']}").json()
        == source.get(f"/booking-groups/{ids['group']}").json()
    )
