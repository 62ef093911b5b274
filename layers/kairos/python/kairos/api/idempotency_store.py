"""Powertools' idempotency utility under Kairos' keys, for `kairos.api.idempotency` (which says what the
Idempotency-Key gives): loaded by the first POST that carries a key, not by a function's cold start (its
import was about 2.5 ms of CPU of every booking function's)."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos.errors import Conflict, ValidationFailed
from kairos.storage import keys
from kairos.storage.dynamodb import to_item
from kairos.storage.table_definition import TTL_ATTRIBUTE

DAY_SECONDS = 24 * 60 * 60


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


class KeyedCreates:
    """One operation's keyed POSTs: the first call of a key runs the create and stores its result for 24
    hours, a later one with the same body returns it."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._config = IdempotencyConfig(
            event_key_jmespath="[project_id, operation, key]",
            payload_validation_jmespath="body",
            expires_after_seconds=DAY_SECONDS,
        )
        self._records = ProjectRecords(
            table_name=table_name,
            key_attr="PK",
            sort_key_attr="SK",
            expiry_attr=TTL_ATTRIBUTE,
            boto3_client=client,
        )

    def run(
        self, call: dict[str, Any], create: Callable[[], dict[str, Any]], context: LambdaContext | None
    ) -> dict[str, Any]:
        """`call`: the project, the operation, the key and the body, which the record is stored under."""
        if context is not None:  # an interrupted request's record expires with its invocation
            self._config.register_lambda_context(context)

        @idempotent_function(
            data_keyword_argument="call", config=self._config, persistence_store=self._records
        )  # type: ignore[untyped-decorator]
        def first(call: dict[str, Any]) -> dict[str, Any]:
            return create()  # the first time only; later the stored result is returned

        try:
            return first(call=call)  # type: ignore[no-any-return]
        except IdempotencyValidationError:
            raise ValidationFailed.field(
                "Idempotency-Key", "This Idempotency-Key was already used with a different request body."
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict("A request with this Idempotency-Key is still in progress; try again.") from None
