"""Hand-built DynamoDB stream records (Lambda's shape, typed images) of booking and group items."""

import json
from typing import Any

from kairos.storage import keys
from kairos.storage.dynamodb import to_item

PROJECT = "11111111-1111-4111-8111-111111111111"
BOOKING = "22222222-2222-4222-8222-222222222222"
GROUP = "33333333-3333-4333-8333-333333333333"


def booking_item(version: int = 1, **doc: Any) -> dict[str, Any]:
    return {
        **keys.booking(PROJECT, BOOKING),
        "entity": "booking",
        "project_id": PROJECT,
        "id": BOOKING,
        "starts_at": "2030-01-07T08:00:00+00:00",
        "ends_at": "2030-01-07T09:00:00+00:00",
        "buffer_starts_at": "2030-01-07T08:00:00+00:00",
        "buffer_ends_at": "2030-01-07T09:00:00+00:00",
        "is_canceled": bool(doc.pop("is_canceled", False)),
        "data": json.dumps({"price": None, "metadata": None, "is_temporary": False, **doc}),
        "created_at": "2030-01-01T10:00:00+00:00",
        "updated_at": f"2030-01-01T10:0{version}:00+00:00",
        "version": version,
    }


def group_item(booking_ids: list[str], **doc: Any) -> dict[str, Any]:
    return {
        **keys.entity(PROJECT, "booking_group", GROUP),
        "entity": "booking_group",
        "project_id": PROJECT,
        "id": GROUP,
        "data": json.dumps({"booking_ids": booking_ids, "metadata": None, **doc}),
        "created_at": "2030-01-01T10:00:00+00:00",
        "updated_at": "2030-01-01T10:00:00+00:00",
        "version": 1,
    }


def record(
    name: str, old: dict[str, Any] | None, new: dict[str, Any] | None, event_id: str = "e1"
) -> dict[str, Any]:
    image = new or old
    assert image is not None
    stream: dict[str, Any] = {
        "ApproximateCreationDateTime": 1893492000.0,
        "Keys": to_item({"PK": image["PK"], "SK": image["SK"]}),
        "SequenceNumber": event_id,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        stream["OldImage"] = to_item(old)
    if new is not None:
        stream["NewImage"] = to_item(new)
    return {"eventID": event_id, "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": stream}
