"""The OpenAPI 3.1 document, generated from the route table and the pydantic input models. Served at
`/v1/openapi.json` and kept in `docs/openapi.json` (a test fails when the two drift)."""

import copy
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from kairos import routes
from kairos.domain.catalogue_models import SERVICE_ADAPTER, LocationInput, ResourceInput
from kairos.domain.schedule_models import RecurringBlockInput, RecurringScheduleInput, ScheduleBlockInput
from kairos.events.definitions import EVENT_TYPES

REF = "#/components/schemas/{model}"
_READ_ONLY = {
    "id": {"type": "string", "format": "uuid", "readOnly": True},
    "created_at": {"type": "string", "format": "date-time", "readOnly": True},
    "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
}


def _input_schemas(
    name: str, model: type[BaseModel] | None, schema: dict[str, Any], defs: dict[str, Any]
) -> None:
    """Adds `<name>` (the response), `<name>Input` (POST, PUT) and `<name>Patch` (PATCH) to `defs`."""
    if model is not None:
        schema = model.model_json_schema(ref_template=REF)
    defs.update(schema.pop("$defs", {}))
    defs[f"{name}Input"] = schema
    variants = [defs[r["$ref"].rsplit("/", 1)[-1]] for r in schema.get("oneOf", [])] or [schema]
    properties: dict[str, Any] = {}
    for variant in variants:
        properties.update(copy.deepcopy(variant.get("properties", {})))
    defs[f"{name}Patch"] = {
        "type": "object",
        "properties": properties,
        "description": "Every field is optional; the ones sent replace the stored values.",
    }
    defs[name] = {
        "allOf": [{"$ref": REF.format(model=f"{name}Input")}, {"type": "object", "properties": _READ_ONLY}]
    }


def _schemas() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _input_schemas("Location", LocationInput, {}, defs)
    _input_schemas("Resource", ResourceInput, {}, defs)
    _input_schemas("Service", None, SERVICE_ADAPTER.json_schema(ref_template=REF), defs)
    _input_schemas("RecurringSchedule", RecurringScheduleInput, {}, defs)
    _input_schemas("RecurringScheduleBlock", RecurringBlockInput, {}, defs)
    _input_schemas("ScheduleBlock", ScheduleBlockInput, {}, defs)
    timestamp = {"type": "string", "format": "date-time"}
    defs["TimeSpan"] = {"type": "object", "properties": {"starts_at": timestamp, "ends_at": timestamp}}
    defs["BookableSlot"] = {
        "type": "object",
        "properties": {
            **{
                name: timestamp
                for name in (
                    "buffer_starts_at",
                    "starts_at",
                    "ends_at",
                    "buffer_ends_at",
                    "min_ends_at",
                    "min_buffer_ends_at",
                )
            },
            "resources": {"type": "array", "items": {"$ref": REF.format(model="Resource")}},
        },
        "description": "min_ends_at and min_buffer_ends_at are given for flexible and day services only.",
    }
    defs["ResourceService"] = {
        "type": "object",
        "properties": {
            "service_id": {"type": "string", "format": "uuid"},
            "resource_id": {"type": "string", "format": "uuid"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    defs["Project"] = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "enabled": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }
    _webhook_schemas(defs)
    defs["OpenApiDocument"] = {"type": "object"}
    defs["Error"] = {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}
    defs["ValidationError"] = {
        "type": "object",
        "properties": {
            "message": {"type": "string", "example": "The given data was invalid."},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["message", "errors"],
    }
    defs["PageLinks"] = {
        "type": "object",
        "properties": {k: {"type": ["string", "null"]} for k in ("first", "last", "prev", "next")},
    }
    defs["PageMeta"] = {
        "type": "object",
        "properties": {
            "current_page": {"type": "integer"},
            "from": {"type": ["integer", "null"]},
            "last_page": {"type": "integer"},
            "path": {"type": "string"},
            "per_page": {"type": "integer"},
            "to": {"type": ["integer", "null"]},
            "total": {"type": "integer"},
        },
    }
    return defs


def _webhook_schemas(defs: dict[str, Any]) -> None:
    """Webhooks, their deliveries and the usage report (Kairos additions; see docs/webhooks.md, usage.md)."""
    timestamp = {"type": "string", "format": "date-time"}
    webhook_input = {
        "type": "object",
        "properties": {
            "url": {
                "type": "string",
                "format": "uri",
                "description": "http(s); must resolve to a public address",
            },
            "events": {
                "type": "array",
                "items": {"type": "string", "enum": ["*", *EVENT_TYPES]},
                "description": 'The event types to deliver; `["*"]` (the default) for all.',
            },
            "enabled": {"type": "boolean", "default": True},
            "description": {"type": ["string", "null"]},
        },
        "required": ["url"],
    }
    _input_schemas("Webhook", None, webhook_input, defs)
    defs["WebhookWithSecret"] = {
        "allOf": [
            {"$ref": REF.format(model="Webhook")},
            {
                "type": "object",
                "properties": {"secret": {"type": "string"}, "previous_secret_expires_at": timestamp},
                "description": "The secret is shown here only (on create and on rotate).",
            },
        ]
    }
    number = {"type": ["integer", "null"]}
    defs["WebhookDelivery"] = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "webhook_id": {"type": "string", "format": "uuid"},
            "event_id": {"type": "string"},
            "event_type": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "succeeded", "dead"]},
            "attempts": {"type": "integer"},
            "response_code": number,
            "duration_ms": number,
            "error": {"type": ["string", "null"]},
            "created_at": timestamp,
            "last_attempt_at": {"type": ["string", "null"], "format": "date-time"},
            "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
        },
    }
    counters = {
        "requests": {"type": "integer"},
        "average_processing_time_ms": {"type": ["number", "null"]},
        "webhook_delivery_attempts": {"type": "integer"},
    }
    defs["Usage"] = {
        "type": "object",
        "properties": {
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"date": {"type": "string", "format": "date"}, **counters},
                },
            },
            "totals": {"type": "object", "properties": counters},
            "plan": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "requests_per_month": number,
                    "requests_per_minute": {"type": "integer"},
                },
            },
            "quota": {
                "type": "object",
                "properties": {"month": {"type": "string"}, "used": {"type": "integer"}, "remaining": number},
            },
        },
    }


def _response_schema(spec: str) -> dict[str, Any]:
    match = re.fullmatch(r"(Page|List)\[(\w+)\]", spec)
    if not match:
        return {"$ref": REF.format(model=spec)}
    item = {"$ref": REF.format(model=match[2])}
    if match[1] == "List":
        return {"type": "array", "items": item}
    return {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": item},
            "links": {"$ref": REF.format(model="PageLinks")},
            "meta": {"$ref": REF.format(model="PageMeta")},
        },
    }


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=schema)}}},
    }


def _operation(route: routes.Route) -> dict[str, Any]:
    usual = {"GET": "200", "POST": "201", "PUT": "200", "PATCH": "200", "DELETE": "204"}[route.method]
    success = str(route.status) if route.status else usual
    responses: dict[str, Any] = {}
    if route.response is None:
        responses[success] = {"description": "Done; no content."}
    else:
        body = {"application/json": {"schema": _response_schema(route.response)}}
        responses[success] = {"description": "Success.", "content": body}
        if route.method == "PUT" and route.response == "ResourceService":
            responses["201"] = {"description": "Created.", "content": body}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.area.value],
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            for p in route.path_params
        ],
        "responses": responses,
    }
    if route.request:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=_request_name(route.request))}}
            },
        }
    if route.authenticated:
        operation["security"] = [{"bearer": []}]
        responses["401"] = _error("Missing, unknown or revoked token.")
        responses["403"] = _error("The token lacks the ability `%s`." % (route.ability or "-"))
        responses["429"] = _error("Too many requests this minute.")
        if route.path_params:
            responses["404"] = _error("Not found.")
        if route.request or (route.response and route.response.startswith("Page[")):
            responses["422"] = _error("The given data was invalid.", "ValidationError")
    if route.ability:
        operation["x-kairos-ability"] = route.ability
    return operation


def _request_name(name: str) -> str:
    return name if name.endswith("Patch") else f"{name}Input"


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
            "description": "A Hapio-compatible booking and scheduling API (Hapio API v1).",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
