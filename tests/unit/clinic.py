"""A small clinic in the in-process table, for booking tests: a PT1H fixed service at a UTC location, and
doctors (one place each) who perform it and are available 08:00-17:00 on DAY."""

from typing import Any

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal

DAY = "2030-01-07"


def at(hour: int) -> str:
    return f"{DAY}T{hour:02}:00:00+00:00"


def add_doctor(container: Container, principal: Principal, service_id: str, location_id: str) -> str:
    resource = container.catalogue.create(
        principal, RESOURCE, {"name": "Dr.", "max_simultaneous_bookings": 1}
    )
    container.catalogue.associate(principal, service_id, resource["id"])
    block = {"location_id": location_id, "starts_at": at(8), "ends_at": at(17)}
    container.schedules.put_block(principal, resource["id"], None, block)
    return str(resource["id"])


def make_clinic(container: Container, principal: Principal) -> dict[str, str]:
    service = container.catalogue.create(
        principal, SERVICE, {"name": "Exam", "type": "fixed", "duration": "PT1H", "price": "50.000"}
    )
    location = container.catalogue.create(
        principal,
        LOCATION,
        {"name": "Clinic", "time_zone": "UTC", "resource_selection_strategy": "randomize"},
    )
    resource = add_doctor(container, principal, service["id"], location["id"])
    return {"service_id": service["id"], "location_id": location["id"], "resource_id": resource}


def booking_body(clinic: dict[str, str], hour: int, **extra: Any) -> dict[str, Any]:
    """A one-hour booking at `hour` on DAY."""
    return {
        "service_id": clinic["service_id"],
        "location_id": clinic["location_id"],
        "starts_at": at(hour),
        "ends_at": at(hour + 1),
        **extra,
    }
