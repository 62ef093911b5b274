"""The component schemas of bookings, booking groups and `explain` (its answer) in the OpenAPI document."""

from typing import Any

from kairos.api.openapi_shapes import METADATA, NULLABLE_TIMESTAMP, REF, TIMESTAMP, nullable, object_of, ref
from kairos.domain.bookings.models import MAX_BOOKINGS, BookingPatch, BookingPost, BookingPut
from kairos.domain.shared.fields import UUID_SCHEMA


def booking_schemas(defs: dict[str, Any]) -> None:
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
    defs["BookingEmbedded"] = object_of(fields, shown_to_all)
    group_summary = object_of(
        {
            "id": UUID_SCHEMA,
            "metadata": METADATA,
            "protected_metadata": METADATA,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
        ["id", "metadata", "created_at", "updated_at"],
    )
    defs["Booking"] = object_of(
        {
            **fields,
            "booking_group_id": {**UUID_SCHEMA, "type": ["string", "null"]},
            "booking_group": {"anyOf": [group_summary, {"type": "null"}]},
        },
        [*shown_to_all, "booking_group_id", "booking_group"],
    )
    defs["BookingGroup"] = object_of(
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
        return {**object_of({"bookings": bookings, **group_metadata}, required), "description": description}

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


def explanation_schema(defs: dict[str, Any]) -> None:
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
    reason = object_of(
        {
            "rule": {"type": "string", "enum": rules},
            "message": {"type": "string", "description": "What a booking request is told (422)"},
            "buffers_only": {"type": "boolean", "description": "schedule, fully_booked: only the buffers"},
            "nearest_spans": {**spans, "description": "schedule: availability spans nearest the interval"},
            "calendars": {
                "type": "array",
                "items": object_of(
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
            "window": object_of({"earliest": NULLABLE_TIMESTAMP, "latest": NULLABLE_TIMESTAMP}),
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
    defs["BookableSlotExplanation"] = object_of(
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
                "items": object_of(
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
