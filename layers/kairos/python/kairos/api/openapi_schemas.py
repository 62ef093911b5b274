"""The component schemas of the OpenAPI document: request bodies from the pydantic input models (whose
field types carry their formats and bounds, `kairos.domain.fields`) with the rules every body follows
(`openapi_bodies`), and responses as the renderers write them. Every schema an operation or another
schema references is defined here (a test resolves them all).
"""

import copy
from typing import Any

from pydantic import BaseModel

from kairos.api.openapi_bodies import state_php_arrays, state_text_rules
from kairos.api.openapi_series import series_schemas
from kairos.calendars.subscriptions import CalendarSubscriptionInput, CalendarSubscriptionPatch
from kairos.domain.booking_groups import MAX_BOOKINGS
from kairos.domain.booking_models import BookingPatch, BookingPost, BookingPut
from kairos.domain.calendar_feed import CalendarFeedInput
from kairos.domain.catalogue_models import SERVICE_ADAPTER, LocationInput, ResourceInput
from kairos.domain.fields import UUID_SCHEMA
from kairos.domain.schedule_models import RecurringBlockInput, RecurringScheduleInput, ScheduleBlockInput
from kairos.domain.text import description_pattern
from kairos.events.definitions import EVENT_TYPES
from kairos.webhooks.subscriptions import MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH

REF = "#/components/schemas/{model}"
# What Kairos writes: RFC 3339 with an offset, whole seconds (a buffer may start before the years input
# accepts, so responses carry no pattern).
TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
METADATA = {"type": ["object", "null"], "description": "Any JSON object the client stored"}
_READ_ONLY = {
    "id": {**UUID_SCHEMA, "readOnly": True},
    "created_at": {**TIMESTAMP, "readOnly": True},
    "updated_at": {**TIMESTAMP, "readOnly": True},
}


def ref(model: str) -> dict[str, str]:
    return {"$ref": REF.format(model=model)}


def nullable(model: str) -> dict[str, Any]:
    return {"anyOf": [ref(model), {"type": "null"}]}


def schemas() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _entity("Location", LocationInput, {}, defs)
    _entity("Resource", ResourceInput, {}, defs)
    _entity("Service", None, SERVICE_ADAPTER.json_schema(ref_template=REF), defs)
    _entity("RecurringSchedule", RecurringScheduleInput, {}, defs, {"location": nullable("Location")})
    _entity("RecurringScheduleBlock", RecurringBlockInput, {}, defs)
    _entity("ScheduleBlock", ScheduleBlockInput, {}, defs, {"location": nullable("Location")})
    _booking_schemas(defs)
    defs["TimeSpan"] = _object({"starts_at": TIMESTAMP, "ends_at": TIMESTAMP})
    slot_times = ("buffer_starts_at", "starts_at", "ends_at", "buffer_ends_at")
    defs["BookableSlot"] = {
        **_object(
            {
                **dict.fromkeys(slot_times, TIMESTAMP),
                "min_ends_at": TIMESTAMP,
                "min_buffer_ends_at": TIMESTAMP,
                "resources": {"type": "array", "items": ref("Resource")},
            },
            required=[*slot_times, "resources"],
        ),
        "description": "min_ends_at and min_buffer_ends_at are given for flexible and day services only.",
    }
    _explanation_schema(defs)
    _calendar_feed_schemas(defs)
    _calendar_subscription_schemas(defs)
    series_schemas(defs)
    defs["ResourceService"] = _object(
        {"service_id": UUID_SCHEMA, "resource_id": UUID_SCHEMA, "created_at": TIMESTAMP}
    )
    defs["Project"] = _object(
        {
            "id": UUID_SCHEMA,
            "name": {"type": "string"},
            "enabled": {"type": "boolean"},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    )
    _webhook_schemas(defs)
    _usage_schema(defs)
    defs["OpenApiDocument"] = {"type": "object"}
    _error_schemas(defs)
    bodies = [name for name in defs if name.endswith(("Input", "Put", "Patch"))]
    state_text_rules(defs, bodies)
    state_php_arrays(defs, bodies)
    return defs


def _calendar_feed_schemas(defs: dict[str, Any]) -> None:
    """Secret calendar feed URLs (Kairos): the input names one resource or one location."""
    defs["CalendarFeedInput"] = CalendarFeedInput.model_json_schema(ref_template=REF)
    nullable_id = {**UUID_SCHEMA, "type": ["string", "null"]}
    fields = {
        "id": UUID_SCHEMA,
        "resource_id": nullable_id,
        "location_id": nullable_id,
        "name": {"type": ["string", "null"]},
        "created_at": TIMESTAMP,
    }
    defs["CalendarFeed"] = _object(fields)
    url = {"type": "string", "format": "uri", "description": "The secret feed URL: shown in this answer only"}
    defs["CalendarFeedWithUrl"] = _object({**fields, "url": url})


def _calendar_subscription_schemas(defs: dict[str, Any]) -> None:
    """A resource's calendar subscriptions (Kairos; docs/calendar-subscriptions.md)."""
    defs["CalendarSubscriptionInput"] = CalendarSubscriptionInput.model_json_schema(ref_template=REF)
    defs["CalendarSubscriptionPatch"] = CalendarSubscriptionPatch.model_json_schema(ref_template=REF)
    text = {"type": ["string", "null"]}
    defs["CalendarSubscription"] = _object(
        {
            "id": UUID_SCHEMA,
            "resource_id": UUID_SCHEMA,
            "url": {
                "type": "string",
                "description": "In full in the answer to the request that set it; elsewhere only its scheme "
                "and host (`https://calendar.google.com/…`): the address is a secret",
            },
            "name": text,
            "status": {"type": "string", "enum": ["pending", "ok", "failing"]},
            "last_synced_at": {**NULLABLE_TIMESTAMP, "description": "The last sync that read the feed"},
            "last_error": {
                **text,
                "description": "Why the last sync failed (`failing`); the busy times stay",
            },
            "conflicts": {
                "type": "integer",
                "description": "Bookings from now on that the busy times overlap (kept: made before them)",
            },
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    )


def _explanation_schema(defs: dict[str, Any]) -> None:
    """`bookable-slots/explain` (Kairos): each reason has `rule`, `message` and the details of its rule."""
    spans = {"type": "array", "items": ref("TimeSpan")}
    rules = [
        "service_disabled",
        "location_disabled",
        "resource_disabled",
        "not_associated",
        "schedule",
        "fully_booked",
        "bookable_slot",
        "booking_window",
        "booking_limit",
    ]
    reason = _object(
        {
            "rule": {"type": "string", "enum": rules},
            "message": {"type": "string", "description": "What a booking request is told (422)"},
            "buffers_only": {"type": "boolean", "description": "schedule, fully_booked: only the buffers"},
            "nearest_spans": {**spans, "description": "schedule: availability spans nearest the interval"},
            "calendars": {
                "type": "array",
                "items": _object(
                    {
                        "calendar_subscription_id": UUID_SCHEMA,
                        "name": {"type": ["string", "null"]},
                        "message": {"type": "string"},
                        "starts_at": TIMESTAMP,
                        "ends_at": TIMESTAMP,
                    }
                ),
                "description": "schedule: busy times of the resource's subscribed calendars in the way",
            },
            "full_spans": {**spans, "description": "fully_booked: the fully booked spans in the way"},
            "booking_ids": {
                "type": ["array", "null"],
                "items": UUID_SCHEMA,
                "description": "fully_booked: the bookings holding the capacity (null without booking:view)",
            },
            "starts_on_grid": {"type": "boolean", "description": "bookable_slot: the end is what is wrong"},
            "nearest_starts": {
                "type": "array",
                "items": TIMESTAMP,
                "description": "bookable_slot: the grid's nearest starts",
            },
            "window": _object({"earliest": NULLABLE_TIMESTAMP, "latest": NULLABLE_TIMESTAMP}),
            "period": {
                "type": "string",
                "enum": ["day", "week", "month"],
                "description": "booking_limit: the limit reached (a local day, ISO week or month)",
            },
            "limit": {"type": "integer", "description": "booking_limit: the limit"},
            "count": {"type": "integer", "description": "booking_limit: the resource's bookings counted"},
        },
        ["rule", "message"],
    )
    defs["BookingReason"] = reason
    times = ("starts_at", "ends_at", "buffer_starts_at", "buffer_ends_at")
    defs["BookableSlotExplanation"] = _object(
        {
            **dict.fromkeys(times, TIMESTAMP),
            "bookable": {
                "type": "boolean",
                "description": "Whether a booking without a resource_id would be made",
            },
            "reasons": {
                "type": "array",
                "items": ref("BookingReason"),
                "description": "Reasons for every resource",
            },
            "resources": {
                "type": "array",
                "items": _object(
                    {
                        "resource_id": UUID_SCHEMA,
                        "resource": ref("Resource"),
                        "bookable": {"type": "boolean"},
                        "reasons": {"type": "array", "items": ref("BookingReason")},
                    }
                ),
            },
        }
    )


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with these properties, all of them present unless `required` says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def _entity(
    name: str,
    model: type[BaseModel] | None,
    schema: dict[str, Any],
    defs: dict[str, Any],
    shown: dict[str, Any] | None = None,
) -> None:
    """`<name>Input` (POST, PUT), `<name>Patch` (PATCH) and `<name>` (the response: the input's fields,
    the read-only ones, and the embedded entities in `shown`)."""
    if model is not None:
        schema = model.model_json_schema(ref_template=REF)
    defs.update(schema.pop("$defs", {}))
    defs[f"{name}Input"] = schema
    defs[f"{name}Patch"] = _patch(schema, defs)
    defs[name] = {"allOf": [ref(f"{name}Input"), _object({**_READ_ONLY, **(shown or {})})]}


def _patch(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The input with every field optional. A union (services) stays one: a PATCH is applied to the
    stored entity, whose type decides which fields count (the others are ignored, as on POST)."""
    description = "Every field is optional; the ones sent replace the stored values."
    variants = [defs[r["$ref"].rsplit("/", 1)[-1]] for r in schema.get("oneOf", [])]
    if not variants:
        return {
            "type": "object",
            "properties": copy.deepcopy(schema["properties"]),
            "description": description,
        }
    optional = [{"type": "object", "properties": copy.deepcopy(v["properties"])} for v in variants]
    return {"anyOf": optional, "description": description}


def _booking_schemas(defs: dict[str, Any]) -> None:
    """Bookings (Hapio's BookingPost, BookingPut, BookingPatch) and booking groups."""
    defs["BookingInput"] = BookingPost.model_json_schema(ref_template=REF)
    defs["BookingPut"] = BookingPut.model_json_schema(ref_template=REF)
    defs["BookingPatch"] = BookingPatch.model_json_schema(ref_template=REF)
    price = {"type": ["string", "null"], "pattern": "^[0-9]+\\.[0-9]{3}$"}
    fields = {
        "id": UUID_SCHEMA,
        "resource_id": {**UUID_SCHEMA, "type": ["string", "null"]},
        "resource": nullable("Resource"),
        "service_id": {**UUID_SCHEMA, "type": ["string", "null"]},
        "service": nullable("Service"),
        "location_id": {**UUID_SCHEMA, "type": ["string", "null"]},
        "location": nullable("Location"),
        "price": price,
        "metadata": METADATA,
        "protected_metadata": METADATA,
        "is_temporary": {"type": "boolean"},
        "is_canceled": {"type": "boolean"},
        **dict.fromkeys(("starts_at", "ends_at", "buffer_starts_at", "buffer_ends_at"), TIMESTAMP),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "finalized_at": NULLABLE_TIMESTAMP,
        "canceled_at": NULLABLE_TIMESTAMP,
        "expires_at": {
            **NULLABLE_TIMESTAMP,
            "description": "Kairos: when a temporary booking gives its place back (null: never)",
        },
        "booking_series_id": {
            **UUID_SCHEMA,
            "type": ["string", "null"],
            "description": "Kairos: the booking series the booking is an occurrence of",
        },
    }
    shown_to_all = [f for f in fields if f != "protected_metadata"]  # needs booking:protected_metadata
    defs["BookingEmbedded"] = _object(fields, shown_to_all)
    group_summary = _object(
        {
            "id": UUID_SCHEMA,
            "metadata": METADATA,
            "protected_metadata": METADATA,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
        ["id", "metadata", "created_at", "updated_at"],
    )
    defs["Booking"] = _object(
        {
            **fields,
            "booking_group_id": {**UUID_SCHEMA, "type": ["string", "null"]},
            "booking_group": {"anyOf": [group_summary, {"type": "null"}]},
        },
        [*shown_to_all, "booking_group_id", "booking_group"],
    )
    defs["BookingGroup"] = _object(
        {
            "id": UUID_SCHEMA,
            "bookings": {"type": "array", "items": ref("BookingEmbedded")},
            "metadata": METADATA,
            "protected_metadata": METADATA,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
        ["id", "bookings", "metadata", "created_at", "updated_at"],
    )
    group_metadata = {"metadata": METADATA, "protected_metadata": METADATA}
    many = f"At most {MAX_BOOKINGS} bookings (a group is written in one transaction)."

    def group_input(items: dict[str, Any], required: list[str], description: str) -> dict[str, Any]:
        kind = "array" if required else ["array", "null"]  # a PATCH's null bookings: left as they are
        bookings = {"type": kind, "maxItems": MAX_BOOKINGS, "items": items, "description": many}
        return {**_object({"bookings": bookings, **group_metadata}, required), "description": description}

    def existing(model: str) -> dict[str, Any]:
        """An item naming a booking of the group: its fields replace (PUT) or patch (PATCH) it."""
        return {
            "allOf": [ref(model), {"type": "object", "properties": {"id": UUID_SCHEMA}, "required": ["id"]}]
        }

    defs["BookingGroupInput"] = group_input(
        ref("BookingInput"), ["bookings"], "A new group and its bookings."
    )
    defs["BookingGroupPut"] = group_input(
        {"anyOf": [ref("BookingInput"), existing("BookingPut")]},
        ["bookings"],
        "Items without an id are new bookings; bookings left out are deleted.",
    )
    defs["BookingGroupPatch"] = group_input(
        {"anyOf": [ref("BookingInput"), existing("BookingPatch")]},
        [],
        "Without `bookings`, the bookings stay; with it, as PUT (an item with only an id is kept).",
    )


def _webhook_schemas(defs: dict[str, Any]) -> None:
    """Webhooks and their deliveries (Kairos additions; see docs/webhooks.md)."""
    text = description_pattern()  # line breaks and tabs, no other control, bidirectional or invisible one
    webhook_input = {
        "type": "object",
        "properties": {
            "url": {
                "type": "string",
                "format": "uri",
                "maxLength": MAX_URL_LENGTH,
                "description": "http(s), no credentials, port 1-65535; must resolve to a public address",
            },
            "events": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "enum": ["*", *EVENT_TYPES]},
                "description": 'The event types to deliver; `["*"]` (the default) for all.',
            },
            "enabled": {"type": "boolean", "default": True},
            "description": {"type": ["string", "null"], "maxLength": MAX_DESCRIPTION_LENGTH, "pattern": text},
        },
        "required": ["url"],
    }
    _entity("Webhook", None, webhook_input, defs)
    defs["WebhookWithSecret"] = {
        "allOf": [
            ref("Webhook"),
            {
                "type": "object",
                "properties": {"secret": {"type": "string"}, "previous_secret_expires_at": TIMESTAMP},
                "required": ["secret"],
                "description": "The secret is shown here only (on create and on rotate).",
            },
        ]
    }
    number = {"type": ["integer", "null"]}
    defs["WebhookDelivery"] = _object(
        {
            "id": UUID_SCHEMA,
            "webhook_id": UUID_SCHEMA,
            "event_id": {"type": "string"},
            "event_type": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "succeeded", "dead"]},
            "attempts": {"type": "integer"},
            "response_code": number,
            "duration_ms": number,
            "error": {"type": ["string", "null"]},
            "created_at": TIMESTAMP,
            "last_attempt_at": NULLABLE_TIMESTAMP,
            "next_attempt_at": NULLABLE_TIMESTAMP,
        }
    )


def _usage_schema(defs: dict[str, Any]) -> None:
    """GET /v1/project/usage (docs/usage.md)."""
    counters = {
        "requests": {"type": "integer"},
        "average_processing_time_ms": {"type": ["number", "null"]},
        "webhook_delivery_attempts": {"type": "integer"},
    }
    number = {"type": ["integer", "null"]}
    defs["Usage"] = _object(
        {
            "data": {
                "type": "array",
                "items": _object({"date": {"type": "string", "format": "date"}, **counters}),
            },
            "totals": _object(counters),
            "plan": _object(
                {
                    "name": {"type": "string"},
                    "requests_per_month": number,
                    "requests_per_minute": {"type": "integer"},
                }
            ),
            "quota": _object({"month": {"type": "string"}, "used": {"type": "integer"}, "remaining": number}),
        }
    )


def _error_schemas(defs: dict[str, Any]) -> None:
    defs["Error"] = _object({"message": {"type": "string"}})
    defs["ValidationError"] = _object(
        {
            "message": {"type": "string", "example": "The given data was invalid."},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "The failing fields (dotted paths: `metadata.price`) and their messages.",
            },
        }
    )
    defs["BookingGroupError"] = {
        **_object(
            {
                "messages": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "One message per failing booking, keyed `bookings.<index>`.",
                }
            }
        ),
        "description": "A booking group's 422 about its bookings (Hapio's BookingGroupError).",
    }
    defs["PageLinks"] = _object({k: {"type": ["string", "null"]} for k in ("first", "last", "prev", "next")})
    defs["PageMeta"] = _object(
        {
            "current_page": {"type": "integer"},
            "from": {"type": ["integer", "null"]},
            "last_page": {"type": "integer"},
            "path": {"type": "string"},
            "per_page": {"type": "integer"},
            "to": {"type": ["integer", "null"]},
            "total": {"type": "integer"},
        }
    )
