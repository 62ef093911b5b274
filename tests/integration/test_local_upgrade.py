"""A data folder saved by the version before the booking listing indexes (GSI1 alone, booking items without
the new keys), before the listings' shards (each owner's listing in one partition), or before the
timelines' heads (schedule-version items without copies of the recurring schedules and long holds), or
before bookings and the catalogue had partitions of their own (booking items in the project's partition, no
entity's own item), keeps working: at start the local store adds the indexes and backfills the items, and
the filtered lists and the bookable slots answer as before; the upgraded folder starts again as it is."""

import json
from pathlib import Path
from typing import Any

import requests

from kairos_local import snapshot as snapshots
from kairos_local.bootstrap import UPGRADED
from kairos_local.journal import Record
from kairos_local.process import free_port, start_server, stop_server
from tests.integration.conftest import LOCAL_TOKEN

HEADERS = {"Authorization": f"Bearer {LOCAL_TOKEN}"}
NEW_INDEXES = ("GSI2", "GSI3", "GSI4")


def _call(base_url: str, method: str, path: str, body: Any = None) -> Any:
    answer = requests.request(method, base_url + path, json=body, headers=HEADERS, timeout=60)
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


def _as_the_previous_version_saved_it(folder: Path) -> int:
    """Rewrites the snapshot as the previous version wrote it: the table created with GSI1 alone, booking
    items with GSI1's sort key by end time and no other index key. Returns the bookings rewritten."""
    path = folder / "table.json"
    snapshot = snapshots.read(path)
    rewritten = 0
    for table in snapshot.tables:
        first = table.requests[0]
        request = json.loads(first.body)
        if first.target.endswith("CreateTable") and "GlobalSecondaryIndexes" in request:
            request["GlobalSecondaryIndexes"] = request["GlobalSecondaryIndexes"][:1]
            request["AttributeDefinitions"] = [
                d for d in request["AttributeDefinitions"] if not d["AttributeName"].startswith(NEW_INDEXES)
            ]
            table.requests[0] = Record(first.target, first.access_key, first.region, json.dumps(request))
        table.items = _without_upgrade_marker(table.items)
        for item in table.items:
            if item.get("entity", {}).get("S") != "booking":
                continue
            for name in [n for n in item if n.startswith(NEW_INDEXES)]:
                del item[name]
            item["GSI1SK"] = {"S": item["GSI1SK"]["S"].split("#", 1)[1]}  # no length class
            item["GSI1PK"] = {"S": _unsharded(item["GSI1PK"]["S"])}
            rewritten += 1
    snapshots.write(path, snapshot)
    return rewritten


def _unsharded(partition: str) -> str:
    """A listing partition as it was before the shards: `PROJECT#<p>#BOOKINGS#3` -> `PROJECT#<p>#BOOKINGS`."""
    head, _, shard = partition.rpartition("#")
    return head if shard.isdigit() else partition


def _before_the_shards(folder: Path) -> int:
    """Rewrites the snapshot as the version before the listings' shards saved it: every listing key of a
    booking in its owner's one partition, and the backfills that version had run. Returns the bookings
    rewritten."""
    path = folder / "table.json"
    snapshot = snapshots.read(path)
    rewritten = 0
    for table in snapshot.tables:
        table.items = [
            *_without_upgrade_marker(table.items),
            {**UPGRADED, "backfills": {"SS": ["listings", "timelines"]}},
        ]
        for item in table.items:
            if item.get("entity", {}).get("S") != "booking":
                continue
            for name in [n for n in item if n.endswith("PK") and n.startswith("GSI")]:
                item[name] = {"S": _unsharded(item[name]["S"])}
            rewritten += 1
    snapshots.write(path, snapshot)
    return rewritten


def _without_upgrade_marker(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items but the one that says which backfills the table has had: the previous version wrote none."""
    return [item for item in items if {k: item[k] for k in UPGRADED} != UPGRADED]


def _clinic(base_url: str) -> tuple[Any, Any]:
    """A location in UTC and a one-hour service."""
    location = _call(
        base_url,
        "POST",
        "/locations",
        {"name": "Clinic", "time_zone": "UTC", "resource_selection_strategy": "randomize"},
    )
    return location, _call(
        base_url, "POST", "/services", {"name": "Exam", "type": "fixed", "duration": "PT1H"}
    )


def _clinic_with_a_doctor(base_url: str, places: int) -> tuple[Any, Any, Any]:
    """The clinic, and a resource of `places` places that performs its service."""
    location, service = _clinic(base_url)
    resource = _call(base_url, "POST", "/resources", {"name": "Dr. Old", "max_simultaneous_bookings": places})
    _call(base_url, "PUT", f"/services/{service['id']}/resources/{resource['id']}")
    return location, service, resource


def _hourly_bookings(base_url: str, location: Any, service: Any, hours: range) -> list[str]:
    """One-hour bookings at the clinic on 2030-01-07, one at each of `hours` (UTC); their ids."""
    body = {"location_id": location["id"], "service_id": service["id"], "ignore_schedule": True}
    return [
        _call(
            base_url,
            "POST",
            "/bookings",
            {
                **body,
                "starts_at": f"2030-01-07T{hour:02}:00:00+00:00",
                "ends_at": f"2030-01-07T{hour + 1:02}:00:00+00:00",
            },
        )["id"]
        for hour in hours
    ]


def test_a_data_folder_of_the_previous_version_gets_the_listing_indexes_at_start(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        location, service, resource = _clinic_with_a_doctor(base_url, places=5)
        booked = {
            _call(
                base_url,
                "POST",
                "/bookings",
                {
                    "location_id": location["id"],
                    "service_id": service["id"],
                    "resource_id": resource["id"],
                    "starts_at": f"2030-01-{day:02}T10:00:00+00:00",
                    "ends_at": f"2030-01-{day:02}T11:00:00+00:00",
                    "ignore_schedule": True,
                },
            )["id"]
            for day in (7, 8, 9)
        }
    finally:
        stop_server(server)
    assert _as_the_previous_version_saved_it(tmp_path) == len(booked)

    for _ in range(2):  # the upgrade, then the upgraded folder as it was saved
        server = start_server(tmp_path, port, LOCAL_TOKEN)
        try:
            for owner, value in (("resource", resource), ("location", location), ("service", service)):
                query = f"?{owner}={value['id']}&from=2030-01-08T00:00:00%2B00:00"
                listed = _call(base_url, "GET", "/bookings" + query)
                assert listed["meta"]["total"] == 2
                assert {b["id"] for b in listed["data"]} < booked
            assert _call(base_url, "GET", "/bookings")["meta"]["total"] == len(booked)
        finally:
            stop_server(server)


def test_a_data_folder_of_the_version_before_the_shards_lists_every_booking_at_start(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        location, service, resource = _clinic_with_a_doctor(base_url, places=20)
        booked = _hourly_bookings(base_url, location, service, range(8, 20))
        query = "?from=2030-01-07T10:00:00%2B00:00&per_page=5&page=2&sort=starts_at.desc"
        before = {
            owner: _call(base_url, "GET", f"/bookings?{owner}={value['id']}&" + query[1:])
            for owner, value in (("location", location), ("service", service), ("resource", resource))
        }
        before["project"] = _call(base_url, "GET", "/bookings" + query)
    finally:
        stop_server(server)
    assert _before_the_shards(tmp_path) == len(booked)

    for _ in range(2):  # the upgrade, then the upgraded folder as it was saved
        server = start_server(tmp_path, port, LOCAL_TOKEN)
        try:
            for owner, value in (("location", location), ("service", service), ("resource", resource)):
                assert (
                    _call(base_url, "GET", f"/bookings?{owner}={value['id']}&" + query[1:]) == before[owner]
                )
            assert _call(base_url, "GET", "/bookings" + query) == before["project"]
            assert before["project"]["meta"]["total"] == 10
        finally:
            stop_server(server)


def _without_heads(folder: Path) -> int:
    """Rewrites the snapshot as the version before the timelines' heads saved it: schedule-version items
    without their copies. Returns the items rewritten."""
    path = folder / "table.json"
    snapshot = snapshots.read(path)
    rewritten = 0
    for table in snapshot.tables:
        table.items = _without_upgrade_marker(table.items)
        for item in table.items:
            copies = [n for n in item if n.startswith(("rs_", "long_"))]
            if item.get("SK", {}).get("S") == "SCHEDVER" and copies:
                for name in copies:
                    del item[name]
                rewritten += 1
    snapshots.write(path, snapshot)
    return rewritten


def test_a_data_folder_of_the_previous_version_answers_the_same_slots_once_started(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        location, service = _clinic(base_url)
        one_place = [{"name": f"Dr. {n}", "max_simultaneous_bookings": 1} for n in range(2)]
        resources = [_call(base_url, "POST", "/resources", body) for body in one_place]
        for resource in resources:
            _call(base_url, "PUT", f"/services/{service['id']}/resources/{resource['id']}")
            schedule = _call(
                base_url,
                "POST",
                f"/resources/{resource['id']}/recurring-schedules",
                {"location_id": location["id"], "start_date": "2030-01-01"},
            )
            _call(
                base_url,
                "POST",
                f"/resources/{resource['id']}/recurring-schedules/{schedule['id']}/schedule-blocks",
                {"weekday": "monday", "start_time": "08:00:00", "end_time": "12:00:00"},
            )
        stay = {
            "location_id": location["id"],
            "service_id": service["id"],
            "resource_id": resources[0]["id"],
            "starts_at": "2030-01-06T12:00:00+00:00",
            "ends_at": "2030-01-09T12:00:00+00:00",
            "ignore_schedule": True,
            "ignore_bookable_slots": True,
        }
        _call(base_url, "POST", "/bookings", stay)
        query = f"?location={location['id']}&from=2030-01-07T00:00:00%2B00:00&to=2030-01-08T00:00:00%2B00:00"
        slots = _call(base_url, "GET", f"/services/{service['id']}/bookable-slots{query}")["data"]
        assert [[r["id"] for r in s["resources"]] for s in slots] == [[resources[1]["id"]]] * 4
    finally:
        stop_server(server)
    assert _without_heads(tmp_path) == 2

    for _ in range(2):  # the upgrade, then the upgraded folder as it was saved
        server = start_server(tmp_path, port, LOCAL_TOKEN)
        try:
            assert _call(base_url, "GET", f"/services/{service['id']}/bookable-slots{query}")["data"] == slots
        finally:
            stop_server(server)


def _before_the_booking_partitions(folder: Path) -> int:
    """Rewrites the snapshot as the version before bookings and the catalogue had partitions of their own
    saved it: each booking item in its project's partition (`PROJECT#<p>` / `BOOKING#<id>`), no location,
    resource or service with an item of its own, and the backfills that version had run. Returns the
    bookings rewritten."""
    path = folder / "table.json"
    snapshot = snapshots.read(path)
    rewritten = 0
    for table in snapshot.tables:
        table.items = [
            *(i for i in _without_upgrade_marker(table.items) if i["SK"]["S"] != "ENTITY"),
            {**UPGRADED, "backfills": {"SS": ["sharded-listings", "timelines", "hold-services"]}},
        ]
        for item in table.items:
            if item.get("entity", {}).get("S") != "booking":
                continue
            item["PK"] = {"S": f"PROJECT#{item['project_id']['S']}"}
            item["SK"] = {"S": f"BOOKING#{item['id']['S']}"}
            rewritten += 1
    snapshots.write(path, snapshot)
    return rewritten


def _booking_keys(folder: Path) -> list[tuple[str, str]]:
    """The keys of the booking items and of the entities' own items."""
    snapshot = snapshots.read(folder / "table.json")
    return sorted(
        (item["PK"]["S"], item["SK"]["S"])
        for table in snapshot.tables
        for item in table.items
        if item.get("entity", {}).get("S") == "booking" or item["SK"]["S"] == "ENTITY"
    )


def test_a_data_folder_of_the_version_before_the_booking_partitions_moves_its_bookings_and_entities_at_start(
    tmp_path: Path,
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        location, service, resource = _clinic_with_a_doctor(base_url, places=5)
        booked = _hourly_bookings(base_url, location, service, range(8, 12))
        query = f"?location={location['id']}&from=2030-01-07T00:00:00%2B00:00"
        listed = _call(base_url, "GET", "/bookings" + query)
        got = _call(base_url, "GET", f"/bookings/{booked[0]}")
    finally:
        stop_server(server)
    moved = _booking_keys(tmp_path)
    assert len(moved) == len(booked) + 3  # and the location's, service's and resource's own items
    assert _before_the_booking_partitions(tmp_path) == len(booked)
    assert all(sort_key.startswith("BOOKING#") for _, sort_key in _booking_keys(tmp_path))

    for _ in range(2):  # the upgrade, then the upgraded folder as it was saved
        server = start_server(tmp_path, port, LOCAL_TOKEN)
        try:
            assert _call(base_url, "GET", "/bookings" + query) == listed
            assert _call(base_url, "GET", f"/bookings/{booked[0]}") == got
        finally:
            stop_server(server)
        assert _booking_keys(tmp_path) == moved  # each in its own partition again
    assert resource["id"] in {b["resource"]["id"] for b in listed["data"]}
