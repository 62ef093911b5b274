"""The component schemas of the OpenAPI document: request bodies from the pydantic input models (whose
field types carry their formats and bounds, `kairos.domain.shared.fields`) with the rules every body follows
(`openapi_bodies`), and responses as the renderers write them. Every schema an operation or another
schema references is defined here (a test resolves them all).
"""

from typing import Any

from kairos.api.openapi_bodies import state_php_arrays, state_text_rules
from kairos.api.openapi_booking_schemas import booking_schemas, explanation_schema
from kairos.api.openapi_series import series_schemas
from kairos.api.openapi_shapes import (
    NULLABLE_TIMESTAMP,
    REF,
    TIMESTAMP,
    entity_schemas,
    nullable,
    object_of,
    ref,
)
from kairos.api.openapi_waitlists import waitlist_schemas
from kairos.calendars.feed import CalendarFeedInput
from kairos.calendars.subscription_models import CalendarSubscriptionInput, CalendarSubscriptionPatch
from kairos.domain.catalogue.models import SERVICE_ADAPTER, LocationInput, ResourceInput
from kairos.domain.schedules.models import RecurringBlockInput, RecurringScheduleInput, ScheduleBlockInput
from kairos.domain.shared.fields import UUID_SCHEMA
from kairos.events.definitions import EVENT_TYPES
from kairos.values.text import description_pattern
from kairos.webhooks.subscriptions import MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH


def schemas() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    entity_schemas("Location", LocationInput, {}, defs)
    entity_schemas("Resource", ResourceInput, {}, defs)
    entity_schemas("Service", None, SERVICE_ADAPTER.json_schema(ref_template=REF), defs)
    entity_schemas("RecurringSchedule", RecurringScheduleInput, {}, defs, {"location": nullable("Location")})
    entity_schemas("RecurringScheduleBlock", RecurringBlockInput, {}, defs)
    entity_schemas("ScheduleBlock", ScheduleBlockInput, {}, defs, {"location": nullable("Location")})
    booking_schemas(defs)
    defs["TimeSpan"] = object_of({"starts_at": TIMESTAMP, "ends_at": TIMESTAMP})
    slot_times = ("buffer_starts_at", "starts_at", "ends_at", "buffer_ends_at")
    defs["BookableSlot"] = {
        **object_of(
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
    explanation_schema(defs)
    _calendar_feed_schemas(defs)
    _calendar_subscription_schemas(defs)
    waitlist_schemas(defs)
    series_schemas(defs)
    defs["ResourceService"] = object_of(
        {"service_id": UUID_SCHEMA, "resource_id": UUID_SCHEMA, "created_at": TIMESTAMP}
    )
    defs["Project"] = object_of(
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
    defs["CalendarFeed"] = object_of(fields)
    url = {"type": "string", "format": "uri", "description": "The secret feed URL: shown in this answer only"}
    defs["CalendarFeedWithUrl"] = object_of({**fields, "url": url})


def _calendar_subscription_schemas(defs: dict[str, Any]) -> None:
    """A resource's calendar subscriptions (Kairos; docs/calendar-subscriptions.md)."""
    defs["CalendarSubscriptionInput"] = CalendarSubscriptionInput.model_json_schema(ref_template=REF)
    defs["CalendarSubscriptionPatch"] = CalendarSubscriptionPatch.model_json_schema(ref_template=REF)
    text = {"type": ["string", "null"]}
    defs["CalendarSubscription"] = object_of(
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
    entity_schemas("Webhook", None, webhook_input, defs)
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
    defs["WebhookDelivery"] = object_of(
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
    defs["Usage"] = object_of(
        {
            "data": {
                "type": "array",
                "items": object_of({"date": {"type": "string", "format": "date"}, **counters}),
            },
            "totals": object_of(counters),
            "plan": object_of(
                {
                    "name": {"type": "string"},
                    "requests_per_month": number,
                    "requests_per_minute": {"type": "integer"},
                }
            ),
            "quota": object_of(
                {"month": {"type": "string"}, "used": {"type": "integer"}, "remaining": number}
            ),
        }
    )


def _error_schemas(defs: dict[str, Any]) -> None:
    defs["Error"] = object_of({"message": {"type": "string"}})
    defs["ValidationError"] = object_of(
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
        **object_of(
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
    defs["PageLinks"] = object_of(
        {k: {"type": ["string", "null"]} for k in ("first", "last", "prev", "next")}
    )
    defs["PageMeta"] = object_of(
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
