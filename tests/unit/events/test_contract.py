"""The published contract: the schema files are the ones the envelope models generate, and what the
mapper produces for each kind of change validates against them."""

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kairos.container import Container
from kairos.events.contract import envelope_json
from kairos.events.envelope import json_schemas, schema_file
from tests.unit.events.records import GROUP, booking_item, group_item, record
from tests.unit.events.test_mapper import mapped

SCHEMAS = Path(__file__).resolve().parents[3] / "docs" / "events" / "schemas"


def test_schema_files_are_the_generated_schemas() -> None:
    """Regenerate with the command in docs/events.md when this fails."""
    assert {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")} == json_schemas()


def representative_records() -> list[dict[str, Any]]:
    return [
        record("INSERT", None, booking_item(is_temporary=True, booking_group_id=GROUP), "1"),
        record("MODIFY", booking_item(1, is_temporary=True), booking_item(2, metadata={"x": [1.5]}), "2"),
        record("MODIFY", booking_item(2), booking_item(3, is_canceled=True, canceled_at=None), "3"),
        record("REMOVE", booking_item(3), None, "4"),
        record("INSERT", None, group_item([], metadata={"g": True}), "5"),
        record("MODIFY", group_item([]), group_item([], metadata={"g": 2}), "6"),
        record("REMOVE", group_item([]), None, "7"),
    ]


@pytest.mark.parametrize("index", range(len(representative_records())))
def test_mapped_events_validate_against_their_family_schema(container: Container, index: int) -> None:
    [event] = mapped(container, representative_records()[index])
    family = event["type"].split(".")[0]
    schema = json.loads((SCHEMAS / schema_file(family)).read_text())
    Draft202012Validator(schema).validate(json.loads(envelope_json(event)))


def test_the_schema_refuses_an_envelope_without_changes_or_with_an_unknown_type() -> None:
    schema = json_schemas()[schema_file("booking")]
    errors = list(Draft202012Validator(schema).iter_errors({"type": "booking.exploded", "version": "1"}))
    assert {e.validator for e in errors} >= {"required", "enum"}
