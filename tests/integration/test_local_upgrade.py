"""A data folder saved by the version before the booking listing indexes (GSI1 alone, booking items without
the new keys) keeps working: at start the local store adds the indexes and backfills the items, and the
filtered lists find the old bookings; the upgraded folder starts again as it is."""

import json
from pathlib import Path
from typing import Any

import requests

from kairos_local.journal import write_atomically
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
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    rewritten = 0
    for table in snapshot["tables"]:
        target, *rest, body = table["requests"][0]
        request = json.loads(body)
        if target.endswith("CreateTable") and "GlobalSecondaryIndexes" in request:
            request["GlobalSecondaryIndexes"] = request["GlobalSecondaryIndexes"][:1]
            request["AttributeDefinitions"] = [
                d for d in request["AttributeDefinitions"] if not d["AttributeName"].startswith(NEW_INDEXES)
            ]
            table["requests"][0] = [target, *rest, json.dumps(request)]
        for item in table["items"]:
            if item.get("entity", {}).get("S") != "booking":
                continue
            for name in [n for n in item if n.startswith(NEW_INDEXES)]:
                del item[name]
            item["GSI1SK"] = {"S": item["GSI1SK"]["S"].split("#", 1)[1]}  # no length class
            rewritten += 1
    write_atomically(path, snapshot)
    return rewritten


def test_a_data_folder_of_the_previous_version_gets_the_listing_indexes_at_start(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        location = _call(
            base_url,
            "POST",
            "/locations",
            {"name": "Clinic", "time_zone": "UTC", "resource_selection_strategy": "randomize"},
        )
        service = _call(base_url, "POST", "/services", {"name": "Exam", "type": "fixed", "duration": "PT1H"})
        resource = _call(base_url, "POST", "/resources", {"name": "Dr. Old", "max_simultaneous_bookings": 5})
        _call(base_url, "PUT", f"/services/{service['id']}/resources/{resource['id']}")
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
