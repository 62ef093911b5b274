"""Expiring holds are listed for their timers in a partition of their resource's: no partition is written by
two projects, nor by two resources (docs/bookings.md, "Removed at expiry")."""

import uuid
from datetime import UTC, datetime

from kairos.storage import keys

AT = datetime(2030, 5, 20, 8, 0, tzinfo=UTC)


def test_no_hold_expiry_partition_takes_two_projects_or_two_resources() -> None:
    writers: dict[str, set[tuple[str, str]]] = {}
    for project_id in (str(uuid.uuid4()) for _ in range(50)):
        for resource_id in (str(uuid.uuid4()) for _ in range(4)):
            for booking_id in (str(uuid.uuid4()) for _ in range(10)):
                partition = keys.hold_expiry_listing(project_id, resource_id, booking_id, AT)["GSI1PK"]
                writers.setdefault(partition, set()).add((project_id, resource_id))
    assert len(writers) == 200
    assert all(len(owners) == 1 for owners in writers.values())
