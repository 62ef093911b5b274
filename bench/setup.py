"""Builds a clinic through the API for the benches: a location, a service, and resources open around the
clock or on weekday office hours, each associated with the service."""

from collections.abc import Mapping

from bench.common import Client

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
ALL_DAYS = (*WEEKDAYS, "saturday", "sunday")


def clinic(
    client: Client, service: Mapping[str, object], resources: int, *, around_the_clock: bool
) -> dict[str, object]:
    location = client.call(
        "POST",
        "/locations",
        {"name": "Bench clinic", "time_zone": "Europe/Stockholm", "resource_selection_strategy": "equalize"},
    ).json()
    created = client.call("POST", "/services", service).json()
    ids: list[str] = []
    for number in range(resources):
        resource = client.call(
            "POST", "/resources", {"name": f"Dr. {number}", "max_simultaneous_bookings": 1}
        ).json()
        client.call("PUT", f"/services/{created['id']}/resources/{resource['id']}")
        schedule = client.call(
            "POST",
            f"/resources/{resource['id']}/recurring-schedules",
            {"location_id": location["id"], "start_date": "2026-01-01"},
        ).json()
        days = ALL_DAYS if around_the_clock else WEEKDAYS
        times = ("00:00:00", "24:00:00") if around_the_clock else ("08:00:00", "17:00:00")
        for day in days:
            client.call(
                "POST",
                f"/resources/{resource['id']}/recurring-schedules/{schedule['id']}/schedule-blocks",
                {"weekday": day, "start_time": times[0], "end_time": times[1]},
            )
        ids.append(resource["id"])
    return {"location": location["id"], "service": created["id"], "resources": ids}
