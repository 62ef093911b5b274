"""Expiring holds are listed for the sweep in a few index partitions: one project's holds spread over
several, and no partition is written by every project."""

import uuid
from datetime import UTC, datetime

from kairos.storage import keys

AT = datetime(2030, 5, 20, 8, 0, tzinfo=UTC)


def test_a_projects_holds_spread_and_no_partition_takes_every_projects() -> None:
    projects = [str(uuid.uuid4()) for _ in range(200)]
    writers: dict[str, set[str]] = {}
    for project_id in projects:
        used = {keys.hold_expiry_listing(project_id, str(uuid.uuid4()), AT)["GSI1PK"] for _ in range(200)}
        assert len(used) == keys.HOLD_EXPIRY_SPREAD  # a busy project's holds: 8 partitions
        for partition in used:
            writers.setdefault(partition, set()).add(project_id)
    assert len(writers) == keys.HOLD_EXPIRY_SHARDS
    assert max(len(p) for p in writers.values()) < len(projects) / 2  # about a quarter each
