"""The OpenAPI document is the contract (issue 12): every reference resolves, and it says what the API
accepts (formats, bounds, required parameters, the zones, one of two ids, no NUL in any text of a body)
and answers (400/413/415 bodies, the booking-group 422)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from pydantic import TypeAdapter, ValidationError

from kairos import routes
from kairos.api import documents
from kairos.api.http import json_text
from kairos.api.openapi import openapi_document
from kairos.api.openapi_bodies import JSON_VALUE, NAME
from kairos.domain.shared.fields import NAME_MARK, Name
from kairos.values.formats import time_zone_names

DOCUMENT = openapi_document()
OPERATIONS = {
    op["operationId"]: op
    for methods in DOCUMENT["paths"].values()
    for op in methods.values()
    if "operationId" in op
}


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _resolve(pointer: str) -> Any:
    assert pointer.startswith("#/"), pointer
    node: Any = DOCUMENT
    for part in pointer[2:].split("/"):
        node = node[part]
    return node


def test_every_reference_in_the_document_resolves() -> None:
    unresolved = []
    for pointer in set(_refs(DOCUMENT)):
        try:
            _resolve(pointer)
        except (KeyError, AssertionError):
            unresolved.append(pointer)
    assert unresolved == []


@pytest.mark.parametrize(
    "name",
    ["Booking", "BookingInput", "BookingPatch", "BookingGroup", "BookingGroupInput", "BookingGroupPatch"],
)
def test_the_booking_schemas_once_referenced_and_never_defined_are_defined(name: str) -> None:
    assert DOCUMENT["components"]["schemas"][name]["type"] == "object"


def test_every_route_of_the_table_is_an_operation() -> None:
    assert set(OPERATIONS) == {r.operation_id for r in routes.ROUTES}


def _followed(node: dict[str, Any]) -> Any:
    """The node, or what its `$ref` names (shared parameters and answers are components)."""
    return _resolve(node["$ref"]) if "$ref" in node else node


def _parameters(operation: str) -> list[dict[str, Any]]:
    return [_followed(p) for p in OPERATIONS[operation]["parameters"]]


def _parameter(operation: str, name: str) -> dict[str, Any]:
    return next(p for p in _parameters(operation) if p["name"] == name)


@pytest.mark.parametrize("name", ["from", "to", "location"])
def test_the_required_parameters_of_bookable_slots_are_marked_required(name: str) -> None:
    assert _parameter("getServiceBookableSlots", name)["required"] is True


def test_ids_timestamps_durations_and_zones_have_their_formats() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    block = schemas["ScheduleBlockInput"]["properties"]
    assert (block["starts_at"]["format"], block["location_id"]["format"]) == ("date-time", "uuid")
    assert block["starts_at"]["pattern"].startswith("^(19[6-9]")
    fixed = schemas["FixedServiceInput"]["properties"]
    assert "pattern" in fixed["duration"] and "P366D" in fixed["duration"]["description"]
    assert "IANA" in schemas["LocationInput"]["properties"]["time_zone"]["description"]
    assert (
        schemas["ResourceInput"]["properties"]["max_simultaneous_bookings"]["anyOf"][0]["maximum"]
        == 1_000_000
    )
    assert _parameter("getServiceBookableSlots", "from")["schema"]["format"] == "date-time"
    assert all(
        p["schema"]["format"] == "uuid" for op in OPERATIONS for p in _parameters(op) if p["in"] == "path"
    )


def test_every_operation_with_a_body_documents_the_answers_to_bodies_it_cannot_read() -> None:
    for route in routes.ROUTES:
        if route.request:
            answers = OPERATIONS[route.operation_id]["responses"]
            assert {"400", "413", "415", "422"} <= set(answers), route.operation_id
            bad_request = _followed(answers["400"])["content"]["application/json"]["schema"]
            assert bad_request == {"$ref": "#/components/schemas/Error"}


def test_a_booking_groups_422_may_have_hapios_messages_shape() -> None:
    invalid = _followed(OPERATIONS["postBookingGroup"]["responses"]["422"])["content"]["application/json"][
        "schema"
    ]
    assert {"$ref": "#/components/schemas/BookingGroupError"} in invalid["oneOf"]
    messages = DOCUMENT["components"]["schemas"]["BookingGroupError"]["properties"]["messages"]
    assert messages["additionalProperties"] == {"type": "string"}
    assert DOCUMENT["components"]["schemas"]["BookingGroupInput"]["properties"]["bookings"]["maxItems"] == 40


def test_the_usage_report_is_the_one_route_exempt_from_the_monthly_quota() -> None:
    assert [r.operation_id for r in routes.ROUTES if r.quota_exempt] == ["getYourProjectUsage"]


def _nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """A schema and every schema inside it, without following references."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in ("properties",):
        for value in schema.get(key, {}).values():
            yield from _nodes(value)
    for key in ("items", "additionalProperties", "propertyNames"):
        yield from _nodes(schema.get(key))
    for key in ("anyOf", "oneOf", "allOf"):
        for value in schema.get(key, []):
            yield from _nodes(value)


def _matches(pattern: str, text: str) -> bool:
    """As a JSON Schema validator reads the pattern (ECMA 262, `\\p{L}` included; Python's `re` has none)."""
    return bool(jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(text))


def _admits_nul(node: dict[str, Any]) -> bool:
    if {"format", "enum", "const"} & set(node):
        return False
    return "pattern" not in node or _matches(node["pattern"], "Dr. \x00 Who")


@pytest.mark.parametrize(
    "name", [n for n in DOCUMENT["components"]["schemas"] if n.endswith(("Input", "Put", "Patch"))]
)
def test_no_text_of_a_schema_valid_body_holds_a_nul(name: str) -> None:
    """kairos.api.body refuses a NUL anywhere (issue 21): in a field, a field's name, metadata or an
    unknown field; the schemas say so, so data they call valid is data Kairos reads."""
    for node in _nodes(DOCUMENT["components"]["schemas"][name]):
        kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if "string" in kinds:
            assert not _admits_nul(node), (name, node)
        if "object" in kinds or "properties" in node:
            assert not _admits_nul({"type": "string", **node["propertyNames"]}), (name, node)
            assert node["additionalProperties"] in (False, {"$ref": f"#/components/schemas/{JSON_VALUE}"})
    value = DOCUMENT["components"]["schemas"][JSON_VALUE]["anyOf"]
    assert not any(_admits_nul(node) for node in value if node.get("type") == "string")
    assert not _admits_nul(DOCUMENT["components"]["schemas"][NAME])


def test_every_name_follows_the_one_name_rule_the_code_applies() -> None:
    """Every name field refers to `Name`, whose pattern takes what the `Name` field takes (trimmed, then
    `check_name`) and refuses what it refuses."""
    text = json.dumps(DOCUMENT)
    assert NAME_MARK not in text
    assert text.count(f'"#/components/schemas/{NAME}"') >= 10  # locations, resources, services, feeds
    pattern = DOCUMENT["components"]["schemas"][NAME]["pattern"]
    field = TypeAdapter(Name)
    for name in ("Dr. Who", "Доктор", "王医生", "🦷 Dental", " Room 1 ", "é", "\tLab\n", "\u0301a"):
        assert _matches(pattern, name) and field.validate_python(name), name
    for refused in ("", "   ", "a\x00", "a\u200b", "evil\u202egnp.exe", "\u3164", "a\nb", "\u0301", "\x1ca"):
        assert not _matches(pattern, refused), refused
        with pytest.raises(ValidationError):
            field.validate_python(refused)


def test_a_location_names_any_zone_the_validator_knows_and_no_other() -> None:
    zone = DOCUMENT["components"]["schemas"]["LocationInput"]["properties"]["time_zone"]
    assert zone["enum"] == sorted(time_zone_names())
    assert "Europe/Stockholm" in zone["enum"] and "Mars/Olympus_Mons" not in zone["enum"]


def test_a_calendar_feed_names_exactly_one_of_a_resource_and_a_location() -> None:
    one_of = DOCUMENT["components"]["schemas"]["CalendarFeedInput"]["oneOf"]
    named = {(tuple(v["required"]), v["properties"][v["required"][0]]["type"]) for v in one_of}
    assert named == {(("resource_id",), "string"), (("location_id",), "string")}
    for variant in one_of:
        other = "location_id" if variant["required"] == ["resource_id"] else "resource_id"
        assert variant["properties"][other] == {"type": "null"}  # absent or null


@pytest.mark.parametrize("name", list(documents.DOCUMENTS))
def test_a_function_serves_the_document_the_layer_rendered_and_builds_it_without_one(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = documents.document_response(name)  # from the source tree: no rendered file, built now
    assert built.body == json_text(documents.DOCUMENTS[name]())
    documents.write_documents(tmp_path)
    monkeypatch.setattr(documents, "RENDERED", tmp_path)
    monkeypatch.setitem(documents.DOCUMENTS, name, lambda: pytest.fail("built again"))
    served = documents.document_response(name)
    assert served.body == built.body and served.status_code == 200
    assert served.content_type == built.content_type and served.headers == built.headers
