"""`Idempotency-Key` on POST (beyond Hapio): the same key and body within 24 hours return the first
response and create nothing more; the same key with another body is a 422. Built on Powertools'
idempotency utility (`kairos.api.idempotency_store`, loaded by the first keyed POST), storing its records
in the Kairos table (`keys.idempotency_record`: the project's partitions, spread by the record's key, so no
partition is shared by projects and one project's keyed POSTs spread over several; expiring through the
table's TTL). The key is scoped by project and operation, so two projects never share one."""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response

from kairos.api.http import Request, json_response
from kairos.container import Container
from kairos.errors import ValidationFailed

if TYPE_CHECKING:  # Powertools' idempotency utility is loaded by the first keyed POST
    from kairos.api.idempotency_store import KeyedCreates

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
# The operations that honour the header, with the scope their keys are stored under (the OpenAPI document
# reads this too).
SCOPES = {
    "postBooking": "booking",
    "postBookingGroup": "booking_group",
    "postBookingSeries": "booking_series",
}
Created = Callable[[Request], dict[str, Any]]


def idempotent_create(
    container: Container, operation_id: str, create: Created
) -> Callable[[Request], Response[str]]:
    """A POST handler that answers 201 with `create`'s result, once per Idempotency-Key."""
    operation = SCOPES[operation_id]

    @cache
    def keyed() -> "KeyedCreates":  # at the first keyed request: it needs the client
        from kairos.api.idempotency_store import KeyedCreates

        return KeyedCreates(container.settings.table_name, container.table.client)

    def handler(request: Request) -> Response[str]:
        key = request.headers.get(HEADER)
        if not key:
            return json_response(201, create(request))
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed.field(
                "Idempotency-Key", f"The Idempotency-Key must be at most {MAX_KEY_LENGTH} characters."
            )
        call = {
            "project_id": request.viewer.project_id,
            "operation": operation,
            "key": key,
            "body": request.json_object(),
        }
        return json_response(201, keyed().run(call, lambda: create(request), request.context))

    return handler
