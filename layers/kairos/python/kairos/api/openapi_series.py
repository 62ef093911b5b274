"""The component schemas of booking series (Kairos; docs/booking-series.md), beside the bookings' own
(`openapi_schemas`): the bodies from their pydantic models, the series as `render_series` writes it."""

from typing import Any

from kairos.domain.bookings.series_models import MODES, SeriesInput, SeriesPatch
from kairos.domain.shared.fields import UUID_SCHEMA

REF = "#/components/schemas/{model}"
TIMESTAMP = {"type": "string", "format": "date-time"}
METADATA = {"type": ["object", "null"], "description": "Any JSON object the client stored"}


def series_schemas(defs: dict[str, Any]) -> None:
    for name, model in (("BookingSeriesInput", SeriesInput), ("BookingSeriesPatch", SeriesPatch)):
        schema = model.model_json_schema(ref_template=REF)
        defs.update(schema.pop("$defs", {}))  # CancelFrom, JsonValue: components of their own
        defs[name] = schema
    nullable_id = {**UUID_SCHEMA, "type": ["string", "null"]}
    reasons = {"type": "array", "items": {"type": "object"}, "description": "As `explain` gives them"}
    skipped = {
        "type": "object",
        "properties": {
            "starts_at": TIMESTAMP,
            "ends_at": TIMESTAMP,
            "reasons": reasons,
            "resources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"resource_id": UUID_SCHEMA, "reasons": reasons},
                    "required": ["resource_id", "reasons"],
                },
            },
        },
        "required": ["starts_at", "ends_at", "reasons", "resources"],
    }
    properties = {
        "id": UUID_SCHEMA,
        "recurrence": {"type": "string", "description": "The RRULE, as sent"},
        "mode": {"type": "string", "enum": list(MODES)},
        "service_id": nullable_id,
        "location_id": nullable_id,
        "resource_id": {
            **nullable_id,
            "description": "The resource the request named (null: chosen each time)",
        },
        "starts_at": {**TIMESTAMP, "description": "The first occurrence's"},
        "ends_at": {**TIMESTAMP, "description": "The first occurrence's"},
        "metadata": METADATA,
        "protected_metadata": METADATA,
        "booking_ids": {"type": "array", "items": UUID_SCHEMA},
        "canceled_from": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "The occurrences from this time on were canceled (PATCH `cancel`, DELETE)",
        },
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "bookings": {
            "type": "array",
            "items": {"$ref": REF.format(model="Booking")},
            "description": "Every answer but a list's (which gives `booking_ids`)",
        },
        "skipped": {
            "type": "array",
            "items": skipped,
            "description": "POST with `available_only` only: the occurrences left out, with their reasons",
        },
    }
    optional = ("protected_metadata", "bookings", "skipped")
    defs["BookingSeries"] = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }
