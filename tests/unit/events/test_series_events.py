"""Events of a booking series' item (docs/booking-series.md, "Events"): `booking_series.created` only when
the series becomes shown, `booking_series.canceled` when `canceled_from` moves, nothing for a series
written in part or taken back; each envelope valid against the published schema."""

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from kairos.container import Container
from kairos.events.contract import envelope_json
from kairos.storage import keys
from tests.unit.events.records import PROJECT, record
from tests.unit.events.test_mapper import mapped

SERIES = "44444444-4444-4444-8444-444444444444"
SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "events" / "schemas" / "booking_series.v1.json"


def series_item(version: int, status: str, **doc: Any) -> dict[str, Any]:
    return {
        **keys.entity(PROJECT, "booking_series", SERIES),
        "entity": "booking_series",
        "project_id": PROJECT,
        "id": SERIES,
        "data": json.dumps(
            {
                "recurrence": "FREQ=WEEKLY;COUNT=30",
                "mode": "all_or_nothing",
                "status": status,
                "service_id": None,
                "location_id": None,
                "resource_id": None,
                "starts_at": "2030-01-07T08:00:00+00:00",
                "ends_at": "2030-01-07T09:00:00+00:00",
                "metadata": None,
                "protected_metadata": None,
                "booking_ids": [],
                "canceled_from": None,
                **doc,
            }
        ),
        "created_at": "2030-01-01T10:00:00+00:00",
        "updated_at": f"2030-01-01T10:0{version}:00+00:00",
        "version": version,
    }


def test_a_series_makes_created_once_shown_and_canceled_when_canceled_from_moves(
    container: Container,
) -> None:
    events = mapped(
        container,
        record("INSERT", None, series_item(1, "pending"), "a"),
        record("MODIFY", series_item(1, "pending"), series_item(2, "active"), "b"),
        record("MODIFY", series_item(2, "active"), series_item(3, "active", metadata={"m": 1}), "c"),
        record(
            "MODIFY",
            series_item(3, "active"),
            series_item(4, "active", canceled_from="2030-02-01T00:00:00+00:00"),
            "d",
        ),
    )

    assert [(e["type"], e["changes"]) for e in events] == [
        ("booking_series.created", None),
        ("booking_series.canceled", ["canceled_from"]),
    ]
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    for event in events:
        validator.validate(json.loads(envelope_json(event)))


def test_a_series_taken_back_while_pending_makes_no_event(container: Container) -> None:
    taken_back = mapped(
        container,
        record("INSERT", None, series_item(1, "pending"), "a"),
        record("MODIFY", series_item(1, "pending"), series_item(2, "pending"), "b"),
        record("REMOVE", series_item(2, "pending"), None, "c"),
    )

    assert taken_back == []
