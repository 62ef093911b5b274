"""`Idempotency-Key` on POST (beyond Hapio): the same key and body within 24 hours return the first
response and create nothing more; the same key with another body is a 422. Built on Powertools'
idempotency utility, storing its records in the Kairos table (`keys.idempotency_record`: the project's
partitions, spread by the record's key, so no partition is shared by projects and one project's keyed POSTs
spread over several; expiring through the table's TTL). The key is scoped by project and operation, so
two projects never share one."""

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from kairos.api.http import Request, json_response
from kairos.container import Container
from kairos.errors import Conflict, ValidationFailed
from kairos.storage import keys
from kairos.storage.dynamodb import to_item
from kairos.storage.table_definition import TTL_ATTRIBUTE

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
DAY_SECONDS = 24 * 60 * 60
# The operations that honour the header, with the scope their keys are stored under (the OpenAPI document
# reads this too).
SCOPES = {
    "postBooking": "booking",
    "postBookingGroup": "booking_group",
    "postBookingSeries": "booking_series",
}
Created = Callable[[Request], dict[str, Any]]


class ProjectRecords(DynamoDBPersistenceLayer):
    """Powertools' DynamoDB records under Kairos' keys: the record's key carries its project in front of
    Powertools' own (`<project>#<function>#<hash>`), and the item's key is built from both by
    `keys.idempotency_record`, in the project's partitions instead of one static partition."""

    def _get_hashed_idempotency_key(self, data: dict[str, Any]) -> str | None:
        hashed = super()._get_hashed_idempotency_key(data)
        return None if hashed is None else f"{data['project_id']}#{hashed}"

    def _get_key(self, idempotency_key: str) -> dict[str, Any]:
        project_id, _, record_key = idempotency_key.partition("#")
        return to_item(keys.idempotency_record(project_id, record_key))


def idempotent_create(
    container: Container, operation_id: str, create: Created
) -> Callable[[Request], Response[str]]:
    """A POST handler that answers 201 with `create`'s result, once per Idempotency-Key."""
    operation = SCOPES[operation_id]
    config = IdempotencyConfig(
        event_key_jmespath="[project_id, operation, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=DAY_SECONDS,
    )

    @cache
    def persistence() -> ProjectRecords:  # at the first keyed request: it needs the client
        return ProjectRecords(
            table_name=container.settings.table_name,
            key_attr="PK",
            sort_key_attr="SK",
            expiry_attr=TTL_ATTRIBUTE,
            boto3_client=container.table.client,
        )

    def handler(request: Request) -> Response[str]:
        key = request.headers.get(HEADER)
        if not key:
            return json_response(201, create(request))
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed.field(
                "Idempotency-Key", f"The Idempotency-Key must be at most {MAX_KEY_LENGTH} characters."
            )
        if request.context is not None:  # an interrupted request's record expires with its invocation
            config.register_lambda_context(request.context)
        call = {
            "project_id": request.viewer.project_id,
            "operation": operation,
            "key": key,
            "body": request.json_object(),
        }

        @idempotent_function(data_keyword_argument="call", config=config, persistence_store=persistence())  # type: ignore[untyped-decorator]
        def run(call: dict[str, Any]) -> dict[str, Any]:
            return create(request)  # the first time only; later the stored result is returned

        try:
            return json_response(201, run(call=call))
        except IdempotencyValidationError:
            raise ValidationFailed.field(
                "Idempotency-Key", "This Idempotency-Key was already used with a different request body."
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict("A request with this Idempotency-Key is still in progress; try again.") from None

    return handler
