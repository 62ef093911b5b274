"""The OpenAPI 3.1 document, generated from the route table, the pydantic input models and the list specs.
Served at `/v1/openapi.json` and kept in `docs/openapi.json` (a test fails when the two drift); the test
suite runs schemathesis over the served document, so what it says is what the API does.

Each operation gets its query parameters (from the list spec of its endpoint, or the window an endpoint
reads), its body, and every answer it can give: the success, 400/413/415 for a body that cannot be read,
401/403/404/409/422/429/503 as they apply, with the rate-limit headers every answer carries.
"""

import re
from functools import lru_cache
from typing import Any

from kairos import routes
from kairos.api.body import MAX_BODY_BYTES, MAX_DEPTH
from kairos.api.idempotency import MAX_KEY_LENGTH, SCOPES
from kairos.api.openapi_bodies import EMPTY_ARRAY
from kairos.api.openapi_schemas import schemas
from kairos.api.openapi_shapes import ref
from kairos.domain.bookings.availability import MAX_NUM_RESOURCES, MAX_SCHEDULE_WINDOW_DAYS
from kairos.domain.bookings.groups import GROUP_LIST
from kairos.domain.bookings.models import MAX_BOOKINGS
from kairos.domain.bookings.views import BOOKING_LIST
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.schedules.schedules import RECURRING_BLOCK_LIST, RECURRING_LIST, SCHEDULE_BLOCK_LIST
from kairos.domain.shared.fields import (
    DATE_SCHEMA,
    DURATION_PATTERN,
    MAX_METADATA_BYTES,
    TIMESTAMP_SCHEMA,
    UUID_SCHEMA,
)
from kairos.domain.shared.listing import MAX_PER_PAGE, ListSpec, sort_pattern
from kairos.storage.booking_store import TRANSACTION_LIMIT as TRANSACTION_ITEMS
from kairos.values.formats import FIRST_INSTANT, FIRST_YEAR, LAST_INSTANT, LAST_YEAR
from kairos.waitlists.service import ENTRY_LIST
from kairos.webhooks.delivery import DELIVERY_LIST_SPEC
from kairos.webhooks.subscriptions import LIST_SPEC as WEBHOOK_LIST

# Lists: the first spec gives `sort`, every spec its plain and tri-state filters (a group list filters
# its groups by their bookings). Bracket filters (`created_at[gte]=...`) are described in docs/api.md.
_LISTS: dict[str, tuple[ListSpec, ...]] = {
    "getLocations": (LOCATION.list_spec,),
    "getResources": (RESOURCE.list_spec,),
    "getServices": (SERVICE.list_spec,),
    "getBookings": (BOOKING_LIST,),
    "getBookingGroups": (GROUP_LIST, BOOKING_LIST),
    "getResourceScheduleBlocks": (SCHEDULE_BLOCK_LIST,),
    "getResourceRecurringSchedules": (RECURRING_LIST,),
    "getResourceRecurringScheduleBlocks": (RECURRING_BLOCK_LIST,),
    "getWebhooks": (WEBHOOK_LIST,),
    "getWebhookDeliveries": (DELIVERY_LIST_SPEC,),
    "getWaitlistEntries": (ENTRY_LIST,),
}


def query_parameter(
    name: str, schema: dict[str, Any], required: bool = False, description: str = ""
) -> dict[str, Any]:
    """A query parameter; an optional one may also be sent empty, which is the same as leaving it out."""
    if not required:
        schema = {"anyOf": [schema, {"const": ""}]}
    parameter = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


PAGE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 999_999_999, "default": 1}
PER_PAGE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": MAX_PER_PAGE}


def _window(schema: dict[str, Any], required: bool, longest: str = "") -> list[dict[str, Any]]:
    return [
        query_parameter("from", schema, required),
        query_parameter("to", schema, required, f"After `from`{longest}."),
    ]


_LOCATION_FILTER = query_parameter(
    "location", {"type": "string"}, description="A location id; other text matches none."
)
_WINDOW_PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "getBookings": _window(TIMESTAMP_SCHEMA, False),
    "getBookingGroups": _window(TIMESTAMP_SCHEMA, False),
    "getResourceScheduleBlocks": [*_window(TIMESTAMP_SCHEMA, False), _LOCATION_FILTER],
    "getResourceRecurringSchedules": [*_window(DATE_SCHEMA, False), _LOCATION_FILTER],
    "getResourceSchedule": [
        *_window(TIMESTAMP_SCHEMA, True, f", at most {MAX_SCHEDULE_WINDOW_DAYS} days after it"),
        query_parameter("location", UUID_SCHEMA, True),
        query_parameter(
            "fully_booked", {"type": "string", "enum": ["include", "exclude"], "default": "include"}
        ),
    ],
    "getResourceFullyBooked": _window(TIMESTAMP_SCHEMA, True),
    "getServiceBookableSlots": [
        *_window(
            TIMESTAMP_SCHEMA, True, ", at most KAIROS_MAX_SLOT_WINDOW_DAYS (62 by default) days after it"
        ),
        query_parameter("location", UUID_SCHEMA, True),
        query_parameter("resource", UUID_SCHEMA),
        query_parameter(
            "duration",
            {"type": "string", "pattern": DURATION_PATTERN},
            description="PT1M to P366D: the length (flexible services), whole days (day services, P3D).",
        ),
        query_parameter(
            "num_resources", {"type": "integer", "minimum": 1, "maximum": MAX_NUM_RESOURCES, "default": 1}
        ),
        query_parameter("ignore_booking_window", {"type": "boolean", "default": False}),
    ],
    "getServiceBookableSlotExplanation": [
        query_parameter("location", UUID_SCHEMA, True),
        query_parameter("starts_at", TIMESTAMP_SCHEMA, True),
        query_parameter("ends_at", TIMESTAMP_SCHEMA, True, "After `starts_at`, at most 366 days after it."),
        query_parameter(
            "resource",
            UUID_SCHEMA,
            description="Explain this resource only (even one that does not "
            "perform the service); default: every resource that performs it.",
        ),
    ],
    "getYourProjectUsage": _window({**DATE_SCHEMA, "description": "Default: this month."}, False),
}


def _list_parameters(route: routes.Route) -> list[dict[str, Any]]:
    if not (route.response or "").startswith("Page["):
        return []
    parameters = [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"}]
    specs = _LISTS.get(route.operation_id, ())
    if specs:
        keys = ", ".join(specs[0].sort_keys)
        sort = {"type": "string", "pattern": sort_pattern(specs[0])}
        parameters.append(
            query_parameter("sort", sort, description=f"Comma-separated {keys}, each with .asc or .desc.")
        )
    for spec in specs:
        parameters += [query_parameter(name, {"type": "string"}) for name in spec.plain_filters]
        tri = {"type": "string", "enum": ["exclude", "include", "only"], "default": "exclude"}
        parameters += [query_parameter(name, tri) for name in spec.tri_state]
    return parameters


def _parameters(route: routes.Route) -> list[dict[str, Any]]:
    parameters = [
        {"name": p, "in": "path", "required": True, "schema": UUID_SCHEMA} for p in route.path_params
    ]
    parameters += _WINDOW_PARAMETERS.get(route.operation_id, []) + _list_parameters(route)
    if route.operation_id in SCOPES:
        key = {"type": "string", "maxLength": MAX_KEY_LENGTH}
        description = "The same key and body within 24 hours return the first answer and create nothing more."
        parameters.append(
            {"name": "Idempotency-Key", "in": "header", "schema": key, "description": description}
        )
    return parameters


def _response_schema(spec: str) -> dict[str, Any]:
    match = re.fullmatch(r"(Page|List)\[(\w+)\]", spec)
    if not match:
        return ref(spec)
    item = ref(match[2])
    if match[1] == "List":
        return {"type": "array", "items": item}
    return {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": item},
            "links": ref("PageLinks"),
            "meta": ref("PageMeta"),
        },
        "required": ["data", "links", "meta"],
    }


_RATE_HEADERS = {
    "x-ratelimit-limit": {"$ref": "#/components/headers/RateLimit"},
    "x-ratelimit-remaining": {"$ref": "#/components/headers/RateLimitRemaining"},
}


def _answer(
    description: str, schema: dict[str, Any] | None = None, headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "headers": {**_RATE_HEADERS, **(headers or {})}}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _error(description: str, schema: str = "Error", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return _answer(description, ref(schema), headers)


# The error answers operations share, by status (components.responses).
_ERRORS: dict[str, dict[str, Any]] = {
    "BadRequest": _error("The body is not valid UTF-8, not valid JSON, or not a JSON object."),
    "Unauthenticated": _error("Missing, unknown or revoked token."),
    "Forbidden": _error(
        "The token lacks the operation's ability (`x-kairos-ability`), or the project is disabled."
    ),
    "NotFound": _error("Not found (a malformed id is not found either)."),
    "Conflict": _error("Changed by another request meanwhile (or the same Idempotency-Key is in use)."),
    "PayloadTooLarge": _error(f"The body is larger than {MAX_BODY_BYTES} bytes."),
    "UnsupportedMediaType": _error("The body is not sent as Content-Type: application/json."),
    "ValidationFailed": _error("The given data was invalid.", "ValidationError"),
    "BookingGroupValidationFailed": _answer(
        "The given data was invalid: in the body, or (`messages`) in its bookings.",
        {"oneOf": [ref("ValidationError"), ref("BookingGroupError")]},
    ),
    "TooManyRequests": _error(
        "Too many requests this minute, or (with a token) the plan's monthly quota is used up.",
        headers={"retry-after": {"$ref": "#/components/headers/RetryAfter"}},
    ),
    "Unavailable": _error("The table is busy, or a transaction collided: the same request may be retried."),
}


def _shared(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _responses(route: routes.Route) -> dict[str, Any]:
    usual = {"GET": "200", "POST": "201", "PUT": "200", "PATCH": "200", "DELETE": "204"}[route.method]
    success = str(route.status) if route.status else usual
    responses: dict[str, Any] = {}
    if route.response is None:
        responses[success] = _answer("Done; no content.")
    elif route.response == routes.CALENDAR:
        calendar = {"type": "string", "description": "An iCalendar (RFC 5545) document"}
        responses[success] = {**_answer("Success."), "content": {"text/calendar": {"schema": calendar}}}
    else:
        responses[success] = _answer("Success.", _response_schema(route.response))
        if route.method == "PUT" and route.response == "ResourceService":
            responses["201"] = _answer("Created.", _response_schema(route.response))
    responses["429"] = _shared("TooManyRequests")
    if not route.authenticated:
        if route.path_params:  # a secret feed URL that is unknown or revoked
            responses["404"] = _shared("NotFound")
        return responses
    responses["401"] = _shared("Unauthenticated")
    responses["403"] = _shared("Forbidden")
    if route.path_params:
        responses["404"] = _shared("NotFound")
    if route.request or _parameters(route)[len(route.path_params) :]:
        group_body = route.area is routes.Area.BOOKING_GROUPS and route.request
        responses["422"] = _shared("BookingGroupValidationFailed" if group_body else "ValidationFailed")
    if route.request:
        responses["400"] = _shared("BadRequest")
        responses["413"] = _shared("PayloadTooLarge")
        responses["415"] = _shared("UnsupportedMediaType")
    if route.method != "GET":
        responses["409"] = _shared("Conflict")
        responses["503"] = _shared("Unavailable")
    return responses


def _operation(route: routes.Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.area.value],
        "parameters": _parameters(route),
        "responses": _responses(route),
    }
    if route.request:
        body_limits = f"At most {MAX_BODY_BYTES} bytes, nested at most {MAX_DEPTH} levels."
        schema: dict[str, Any] = ref(_request_name(route))
        if route.method == "PATCH":  # an empty PATCH changes nothing, sent as `{}` or as PHP's `[]`
            schema = {"anyOf": [schema, ref(EMPTY_ARRAY)]}
        operation["requestBody"] = {
            "required": route.method != "PATCH",
            "description": body_limits,
            "content": {"application/json": {"schema": schema}},
        }
    if route.authenticated:
        operation["security"] = [{"bearer": []}]
    else:
        operation["security"] = []
    if route.ability:
        operation["x-kairos-ability"] = route.ability
    return operation


def _request_name(route: routes.Route) -> str:
    """`<X>Patch` for PATCH, `<X>Put` for PUT where PUT's body differs from POST's, else `<X>Input`."""
    name = route.request or ""
    if name.endswith("Patch"):
        return name
    if route.method == "PUT" and f"{name}Put" in _components()["schemas"]:
        return f"{name}Put"
    return f"{name}Input"


@lru_cache(maxsize=1)
def _components() -> dict[str, Any]:
    integer = {"schema": {"type": "integer"}, "required": True}
    return {
        "schemas": schemas(),
        "responses": _ERRORS,
        "parameters": {
            "page": query_parameter("page", PAGE_SCHEMA),
            "per_page": query_parameter("per_page", PER_PAGE_SCHEMA),
        },
        "headers": {
            "RateLimit": {**integer, "description": "Requests allowed per minute."},
            "RateLimitRemaining": {**integer, "description": "Requests left this minute."},
            "RetryAfter": {**integer, "description": "Seconds until a request may be admitted again."},
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    }


_DESCRIPTION = f"""A Hapio-compatible booking and scheduling API (Hapio API v1).

Limits (docs/api.md): a body of at most {MAX_BODY_BYTES} bytes (413), nested at most {MAX_DEPTH} levels, with
finite numbers only and no NUL characters (422); instants from {FIRST_INSTANT.isoformat()} to
{LAST_INSTANT.isoformat()}, dates in {FIRST_YEAR}-{LAST_YEAR}; metadata of at most {MAX_METADATA_BYTES} bytes
as JSON; a booking's lengths PT1M to P366D, buffers up to P366D, booking windows and the cancelation
threshold up to P10Y; at most {MAX_BOOKINGS} bookings a group, and one write's bookings within one
transaction of {TRANSACTION_ITEMS} items (2 per new booking, 1 per changed one, 1 per UTC day they touch, more
for edge hours): a booking touching over {TRANSACTION_ITEMS - 2} UTC days is refused at once. The monthly
quota of a project's plan is enforced exactly, with no tolerance, at any request rate; GET
/v1/project/usage answers when it is used up."""


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes.ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kairos booking API",
            "version": "1.0.0",
            "description": _DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": _components(),
    }
