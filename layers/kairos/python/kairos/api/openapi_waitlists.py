"""The component schemas of the waitlist entries (Kairos; docs/waitlists.md), for the OpenAPI document
(`kairos.api.openapi_schemas` adds them)."""

from typing import Any

from kairos.domain.shared.fields import UUID_SCHEMA
from kairos.waitlists.entries import STATUSES
from kairos.waitlists.entry_input import WaitlistEntryInput

REF = "#/components/schemas/{model}"
TIMESTAMP = {"type": "string", "format": "date-time"}


def waitlist_schemas(defs: dict[str, Any]) -> None:
    defs["WaitlistEntryInput"] = WaitlistEntryInput.model_json_schema(ref_template=REF, by_alias=True)
    nullable_id = {**UUID_SCHEMA, "type": ["string", "null"]}
    properties = {
        "id": UUID_SCHEMA,
        "status": {
            "type": "string",
            "enum": list(STATUSES),
            "description": "waiting; offered (a hold, `booking_id`, is held for the entry); booked (the hold "
            "was finalized); expired (it expired); declined (it was canceled or deleted); lapsed (the window "
            "passed with nothing offered)",
        },
        "service_id": UUID_SCHEMA,
        "location_id": UUID_SCHEMA,
        "resource_id": nullable_id,
        "from": TIMESTAMP,
        "to": TIMESTAMP,
        "metadata": {"type": ["object", "null"], "description": "Any JSON object the client stored"},
        "booking_id": {**nullable_id, "description": "The hold offered to the entry"},
        "offered_at": {**TIMESTAMP, "type": ["string", "null"]},
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    }
    defs["WaitlistEntry"] = {"type": "object", "properties": properties, "required": list(properties)}
