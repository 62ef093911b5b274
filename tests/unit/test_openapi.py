"""The OpenAPI document is the contract (issue 12): every reference resolves, and it says what the API
accepts (formats, bounds, required parameters) and answers (400/413/415 bodies, the booking-group 422)."""

from collections.abc import Iterator
from typing import Any

import pytest

from kairos import routes
from kairos.api.openapi import openapi_document

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
